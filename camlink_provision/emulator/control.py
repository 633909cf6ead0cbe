"""The control plane under ``/_emulator/`` (contract §8): no auth, never logged or faulted.

    POST   /_emulator/fire       {"kind", "rule", "input", "at"}  -> what the camera did
    PUT    /_emulator/fault      {Fault fields}                   -> the fault now in force
    DELETE /_emulator/fault
    GET    /_emulator/log        DELETE /_emulator/log
    GET    /_emulator/state
    POST   /_emulator/position   {"pan", "tilt", "zoom"}
    POST   /_emulator/reset      factory reset

Each acts on the camera whose port received it, or on ``?camera=NAME`` of the same fleet,
which is how a camera that is down (its socket closed) is brought back over HTTP.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from camlink_provision.emulator import replies
from camlink_provision.emulator.endpoint import CONTROL_PREFIX, CameraEndpoint
from camlink_provision.emulator.faults import fault_from_mapping
from camlink_provision.emulator.forms import FormError, parse_query
from camlink_provision.emulator.http import Reply, Request

if TYPE_CHECKING:
    from camlink_provision.emulator.fleet import FleetCore

Action = Callable[[CameraEndpoint, Any], Awaitable[Any]]


class ControlError(ValueError):
    """A bad control request: answered 400 with the reason."""


class ControlPlane:
    def __init__(self, core: FleetCore) -> None:
        self._core = core
        self._actions: dict[tuple[str, str], Action] = {
            ("POST", "fire"): self._fire,
            ("PUT", "fault"): self._set_fault,
            ("DELETE", "fault"): self._clear_fault,
            ("GET", "log"): self._log,
            ("DELETE", "log"): self._clear_log,
            ("GET", "state"): self._state,
            ("POST", "position"): self._position,
            ("POST", "reset"): self._reset,
        }

    async def handle(self, endpoint: CameraEndpoint, request: Request) -> Reply:
        action = self._actions.get((request.method, request.path[len(CONTROL_PREFIX):]))
        if action is None:
            return replies.json_error("no such control request", 404)
        try:
            target = self._target(endpoint, request.query)
            body = json.loads(request.body.decode("utf-8") or "{}")
            if not isinstance(body, dict):
                raise ControlError("the body must be a JSON object")
            return replies.json_reply(await action(target, body))
        except (ControlError, ValueError, TypeError) as exc:  # JSON errors are ValueErrors
            return replies.json_error(str(exc))

    def _target(self, endpoint: CameraEndpoint, query: str) -> CameraEndpoint:
        try:
            args = {p.name: p.value for p in parse_query(query)}
        except FormError as exc:
            raise ControlError("the query is not UTF-8") from exc
        name = args.get("camera")
        return self._core.endpoint(name) if name else endpoint

    async def _fire(self, target: CameraEndpoint, body: dict[str, Any]) -> Any:
        at = body.get("at")
        when = datetime.fromisoformat(at) if isinstance(at, str) and at else None
        rule = body.get("rule")
        input_ = body.get("input", 0)
        if not isinstance(input_, int) or (rule is not None and not isinstance(rule, str)):
            raise ControlError("input must be an integer and rule a string")
        return await target.camera.fire(str(body.get("kind", "")), rule, input_, when)

    async def _set_fault(self, target: CameraEndpoint, body: dict[str, Any]) -> Any:
        fault = fault_from_mapping(body)
        await target.set_fault(fault)
        return asdict(target.faults.fault)

    async def _clear_fault(self, target: CameraEndpoint, body: dict[str, Any]) -> Any:
        await target.clear_fault()
        return asdict(target.faults.fault)

    async def _log(self, target: CameraEndpoint, body: dict[str, Any]) -> Any:
        return [entry.to_json() for entry in target.log]

    async def _clear_log(self, target: CameraEndpoint, body: dict[str, Any]) -> Any:
        target.log.clear()
        return []

    async def _state(self, target: CameraEndpoint, body: dict[str, Any]) -> Any:
        return target.camera.state()

    async def _position(self, target: CameraEndpoint, body: dict[str, Any]) -> Any:
        axes = [body.get(axis) for axis in ("pan", "tilt", "zoom")]
        if not all(type(v) is int for v in axes):
            raise ControlError("pan, tilt and zoom must be integers")
        target.camera.ptz.move(*axes)  # type: ignore[arg-type]
        return target.camera.ptz.position_json()

    async def _reset(self, target: CameraEndpoint, body: dict[str, Any]) -> Any:
        target.camera.factory_reset()
        return target.camera.state()
