"""Per-camera fault state: which requests a ``Fault`` touches and what it does to each.

Socket-level faults (``down``, ``reboot_seconds``) are carried out by the endpoint, which
owns the listening socket; this module decides for each request whether it is delayed,
reset, answered 500/503, or cut short after a partial write. Status faults draw from a
random generator seeded with the camera's name, so a run is repeatable.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, fields, replace
from typing import Any

from camlink_provision.emulator.spec import Fault

HEALTHY = Fault()
PER_REQUEST_CLEARED = {"latency_ms": 0.0, "jitter_ms": 0.0, "reset": False, "status": 0,
                       "partial_write": None, "lost_reply": False}


@dataclass(frozen=True)
class Decision:
    delay: float = 0.0  # seconds before anything else happens
    reset: bool = False
    status: int = 0
    partial_write: int | None = None
    lost_reply: bool = False
    faulted: bool = False  # a fault (not just the fleet's own latency) shaped the request

    @property
    def label(self) -> str:
        if not self.faulted:
            return ""
        if self.reset:
            return "reset"
        if self.status:
            return f"status={self.status}"
        if self.partial_write is not None:
            return f"partial_write={self.partial_write}"
        if self.lost_reply:
            return "lost_reply"
        return "latency" if self.delay else ""


class FaultState:
    def __init__(self, seed: str, base_latency_ms: float = 0.0) -> None:
        self.fault = HEALTHY
        self._base = base_latency_ms / 1000.0
        self._random = random.Random(seed)
        self._matched = 0
        self._affected = 0

    def set(self, fault: Fault) -> None:
        self.fault = fault
        self._matched = self._affected = 0

    def clear(self) -> None:
        self.set(HEALTHY)

    def decide(self, path: str, is_setparam: bool) -> Decision:
        """What the current fault does to a request for ``path``."""
        fault = self.fault
        if not fault.per_request or (fault.match and fault.match not in path):
            return Decision(self._base)
        self._matched += 1
        if self._matched <= fault.skip:
            return Decision(self._base)
        decision = self._draw(fault, is_setparam)
        if not decision.faulted:
            return decision
        self._affected += 1
        if fault.count is not None and self._affected >= fault.count:
            self.fault = self._spent(fault)
        return decision

    def _draw(self, fault: Fault, is_setparam: bool) -> Decision:
        delay = self._base + fault.latency_ms / 1000.0
        if fault.jitter_ms:
            delay += self._random.uniform(0.0, fault.jitter_ms / 1000.0)
        hit = fault.status and self._random.random() < fault.rate
        decision = Decision(delay=delay, reset=fault.reset, status=fault.status if hit else 0,
                            partial_write=fault.partial_write if is_setparam else None,
                            lost_reply=fault.lost_reply)
        return replace(decision, faulted=decision != Decision(self._base))

    @staticmethod
    def _spent(fault: Fault) -> Fault:
        rest = replace(fault, **PER_REQUEST_CLEARED)  # type: ignore[arg-type]
        return rest if rest.down else HEALTHY


ALIASES = {"latency": "latency_ms", "jitter": "jitter_ms", "reboot": "reboot_seconds"}


def fault_from_mapping(values: dict[str, Any]) -> Fault:
    """A Fault from JSON or command-line values; raises ValueError naming the bad field."""
    known = {f.name: f for f in fields(Fault)}
    kwargs: dict[str, Any] = {}
    for raw_key, value in values.items():
        key = ALIASES.get(raw_key, raw_key)
        if key not in known:
            raise ValueError(f"unknown fault field {raw_key!r}; known: {', '.join(known)}")
        kwargs[key] = _coerce(key, value)
    return Fault(**kwargs)


def _coerce(key: str, value: Any) -> Any:
    default = getattr(HEALTHY, key)
    try:
        if isinstance(default, bool):
            return _boolean(value)
        if key in ("partial_write", "count"):
            return None if value is None else _integer(value)
        if isinstance(default, int):
            return _integer(value)
        if isinstance(default, float):
            return float(value)
        return str(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"fault field {key}: {value!r} is not a valid value") from exc


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if str(value).lower() in ("1", "true", "yes", "on"):
        return True
    if str(value).lower() in ("0", "false", "no", "off"):
        return False
    raise ValueError(value)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError(value)
    return int(value)


def parse_fault_spec(text: str) -> tuple[str, Fault]:
    """``ptz2:status=503,rate=0.5`` -> ("ptz2", Fault(status=503, rate=0.5)).

    Items are ``key=value`` or a bare flag (``down``, ``reset``).
    """
    name, sep, spec = text.partition(":")
    if not sep or not name or not spec:
        raise ValueError(f"--fault {text!r}: expected NAME:SPEC, e.g. ptz1:down")
    values: dict[str, Any] = {}
    for item in spec.split(","):
        key, has_value, value = item.strip().partition("=")
        values[key] = value if has_value else True
    try:
        return name, fault_from_mapping(values)
    except ValueError as exc:
        raise ValueError(f"--fault {text!r}: {exc}") from exc
