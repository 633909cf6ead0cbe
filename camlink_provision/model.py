"""The typed results every stage hands to the next: Observed, Change, Step, Plan.

    Site + Observed  --resources.compare-->  Change (each with the commands that make it true)
    Changes of all cameras  --order-->       Steps: (phase, camera, changes, requests), the
                                             exact sequence apply runs
    Changes + Steps                          Plan (fingerprinted, JSON-serialisable)
    Plan            --apply-->               CameraResult per camera, RunResult overall

Nothing here holds a secret value: a command that writes a password names the PTZ camera
whose link credentials go there (``SetParams.secrets``) and the applier looks the value up in
the Site at the moment it sends the request. ``to_json`` views are what plan files and
``--format json`` contain; ``from_json`` reads a saved plan back.
"""

from __future__ import annotations

import bisect
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from camlink_provision import __version__
from camlink_provision.firmware import commands
from camlink_provision.firmware.commands import SENSITIVE, Command, Request
from camlink_provision.firmware.profile import VOLATILE_PREFIXES, without_secrets
from camlink_provision.inventory.model import ResourceKind

JSON = Any
Action = Literal["create", "update", "delete"]
# 2: changes carry their phase, the plan its steps (the exact sequence apply runs)
# 3: camera fingerprints in a new encoding (issue 15): a plan saved before would be refused
#    camera by camera as "changed since the plan was made"; its format says why instead
PLAN_FORMAT_VERSION = 3
__all__ = ["SENSITIVE", "Action", "AttributeChange", "CameraPlan", "Change", "LinkAccount",
           "Observed", "Part", "Plan", "Step", "Unmanaged"]


def _without_volatile(names: list[str]) -> list[str]:
    """Sorted ``names`` without those of ``VOLATILE_PREFIXES``: a prefix's names are one run
    of a sorted list, found by bisection (asking each of 1,500 names took a quarter of a
    fingerprint's time)."""
    for prefix in VOLATILE_PREFIXES:
        begin = end = bisect.bisect_left(names, prefix)
        while end < len(names) and names[end].startswith(prefix):
            end += 1
        del names[begin:end]
    return names


@dataclass(frozen=True)
class Part:
    """The part of a camera a read asked for again (``plan.reread``): the getparam names
    (each a parameter, or every parameter of the group it names) and whether the tracking
    rules were among it."""

    names: tuple[str, ...]
    rules: bool
    _under: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_under", tuple(f"{name}_" for name in self.names))

    def covers(self, name: str) -> bool:
        """Whether a getparam of ``names`` returns ``name``: itself, or its group's."""
        return name in self.names or name.startswith(self._under)

    def of(self, observed: Observed) -> Observed:
        """``observed`` cut down to this part (to compare two reads on it alone)."""
        params = {name: value for name, value in observed.params.items() if self.covers(name)}
        return Observed(observed.camera, params, observed.rules if self.rules else None)

    def to_json(self) -> dict[str, JSON]:
        return {"names": list(self.names), "rules": self.rules}

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Part:
        return cls(tuple(data["names"]), bool(data["rules"]))


@dataclass(frozen=True)
class Observed:
    """What one camera reported, gathered in as few requests as the firmware allows."""

    camera: str
    params: Mapping[str, str]  # the one getparam reply (identity, events, peers, presets)
    rules: Mapping[str, Mapping[str, JSON]] | None = None  # VCA tracking rules; None = fixed
    link_tests: Mapping[int, str] = field(default_factory=dict)  # peer slot -> ok|unauthorized|…
    # Account -> whether it logged in with the inventory's password (login checks): the only
    # way to know a password is right. Like link tests, not part of the fingerprint.
    logins: Mapping[str, bool] = field(default_factory=dict)
    # Set on a read that asked only ``part`` of the camera again and took the rest from an
    # earlier read of the same run (``plan.reread``): only that part is known as the camera
    # holds it now, so a comparison with a later read looks at that part alone
    # (``holds_the_same``). Not part of the fingerprint.
    part: Part | None = None

    def fingerprint(self) -> str:
        """A digest of the settings a plan is computed from (not position nor DO state)."""
        # Computed once per observation: plan, the link account decision and apply's
        # snapshot checks all ask for it. An Observed is never changed (``replace`` makes a
        # new one). Not functools.cached_property: on Python 3.11 it holds one lock for
        # every instance of the class while it computes, so the worker threads planning
        # cameras queue for each other's fingerprints (py-spy saw 58% of a 1,000-camera
        # plan's samples waiting there; end to end no gain stood out of the machine's noise,
        # issue 15). Two threads computing the same one get the same digest: no lock needed.
        known: str | None = self.__dict__.get("_fingerprint")
        if known is None:
            known = self._digest()
            object.__setattr__(self, "_fingerprint", known)  # frozen: a cache, not a field
        return known

    def _digest(self) -> str:
        # The names in order, their values, then the rules: JSON arrays of strings, so no
        # two readings share an encoding. 0.17 ms for a PTZ's 786 settings; one json.dumps
        # of a name -> value object with sorted keys took 0.5 ms for its 1,554 (issue 15).
        names = _without_volatile(sorted(self.params))
        blob = json.dumps([names, [self.params[name] for name in names], self.rules],
                          sort_keys=True)
        return "sha256:" + hashlib.sha256(blob.encode()).hexdigest()

    def holds_the_same(self, current: Observed) -> bool:
        """Whether ``current``, a whole read, shows this read's settings: all of them, or
        those of its ``part`` when it asked only that part again."""
        if self.part is None:
            return current.fingerprint() == self.fingerprint()
        return self.part.of(current).fingerprint() == self.part.of(self).fingerprint()

    def to_json(self) -> dict[str, JSON]:
        """The settings, as the journal keeps a snapshot. A write-only value (a peer's
        password) is never in a getparam reply; one found anyway is left out, never kept."""
        out: dict[str, JSON] = {"camera": self.camera, "params": without_secrets(self.params),
                                "rules": self.rules}
        if self.part is not None:
            out["part"] = self.part.to_json()
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Observed:
        rules, part = data.get("rules"), data.get("part")
        return cls(camera=str(data["camera"]), params=dict(data["params"]),
                   rules=None if rules is None else dict(rules),
                   part=None if part is None else Part.from_json(part))


@dataclass(frozen=True)
class AttributeChange:
    name: str
    before: JSON
    after: JSON
    sensitive: bool = False

    def to_json(self) -> dict[str, JSON]:
        if self.sensitive:
            return {"name": self.name, "before": SENSITIVE, "after": SENSITIVE,
                    "sensitive": True}
        return {"name": self.name, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Change:
    """One resource on one camera that must change, and the requests that change it."""

    camera: str
    kind: ResourceKind
    name: str  # the resource's identity: preset / rule / event name, or the peer's PTZ name
    action: Action
    slot: int | None  # the firmware slot it uses (None for VCA rules)
    attributes: tuple[AttributeChange, ...]
    ops: tuple[Command, ...]
    reason: str = ""  # why, in words (drift, new in inventory, state: absent, prune, ...)
    depends_on: tuple[str, ...] = ()  # cameras this change refers to (a peer -> its PTZ)
    # PTZ cameras whose presets / rules this change stops referring to (sorted): the old PTZ
    # of a peer deleted or re-pointed; the PTZ of an event's link action that goes away or
    # changes preset / rule. Apply deletes on such a PTZ only after this change is in place.
    releases: tuple[str, ...] = ()
    phase: int = 0  # the phase of the run it belongs to (order.PHASES); 0 until ordered
    # Who moved since the last apply (``applied``): inventory | camera | differs; "" when
    # the plan was made without asking the journal. Not part of what the change does.
    origin: str = ""

    @property
    def key(self) -> str:
        return f"{self.camera}/{self.kind}/{self.name}"

    def to_json(self) -> dict[str, JSON]:
        return {
            "camera": self.camera, "kind": self.kind, "name": self.name,
            "action": self.action, "slot": self.slot,
            "attributes": [a.to_json() for a in self.attributes],
            "ops": [op.to_json() for op in self.ops],
            "reason": self.reason, "depends_on": list(self.depends_on),
            "releases": list(self.releases), "phase": self.phase,
            **({"origin": self.origin} if self.origin else {}),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Change:
        attributes = tuple(
            AttributeChange(a["name"], a["before"], a["after"], a.get("sensitive", False))
            for a in data["attributes"])
        return cls(camera=data["camera"], kind=data["kind"], name=data["name"],
                   action=data["action"], slot=data["slot"], attributes=attributes,
                   ops=tuple(commands.from_json(o) for o in data["ops"]),
                   reason=data["reason"], depends_on=tuple(data["depends_on"]),
                   releases=tuple(data["releases"]), phase=int(data["phase"]),
                   origin=str(data.get("origin", "")))


@dataclass(frozen=True)
class Unmanaged:
    """A slot holding something the inventory does not name; left alone unless pruned."""

    camera: str
    kind: ResourceKind
    name: str
    slot: int | None

    def to_json(self) -> dict[str, JSON]:
        return {"camera": self.camera, "kind": self.kind, "name": self.name, "slot": self.slot}


@dataclass(frozen=True)
class CameraPlan:
    """Everything the plan says about one camera."""

    camera: str
    role: str
    model: str = ""
    firmware: str = ""
    # Of what was observed; empty when the camera could not be read, or in a plan made only
    # to be shown (``make_plan(fingerprints=False)``).
    fingerprint: str = ""
    error: str = ""  # why this camera could not be planned (unreachable, wrong model, ...)
    error_kind: str = ""  # unreachable | unauthorized | refused | protocol | mismatch
    changes: tuple[Change, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, JSON]:
        return {
            "camera": self.camera, "role": self.role, "model": self.model,
            "firmware": self.firmware, "fingerprint": self.fingerprint,
            "error": self.error, "error_kind": self.error_kind,
            "changes": [c.to_json() for c in self.changes],
            "unmanaged": [u.to_json() for u in self.unmanaged],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> CameraPlan:
        return cls(
            camera=data["camera"], role=data["role"], model=data["model"],
            firmware=data["firmware"], fingerprint=data["fingerprint"], error=data["error"],
            error_kind=data["error_kind"],
            changes=tuple(Change.from_json(c) for c in data["changes"]),
            unmanaged=tuple(Unmanaged(u["camera"], u["kind"], u["name"], u["slot"])
                            for u in data["unmanaged"]),
            warnings=tuple(data["warnings"]))


@dataclass(frozen=True)
class Step:
    """One camera's share of one phase: its changes and the exact requests that make them.

    Apply runs each step as one transaction; the requests are sent as listed, in order.
    """

    phase: int
    camera: str
    changes: tuple[str, ...]  # change keys, in the order their commands run
    requests: tuple[Request, ...]

    @property
    def key(self) -> str:
        return f"{self.phase}/{self.camera}"

    def to_json(self) -> dict[str, JSON]:
        return {"phase": self.phase, "camera": self.camera, "changes": list(self.changes),
                "requests": [r.to_json() for r in self.requests]}

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Step:
        return cls(phase=int(data["phase"]), camera=data["camera"],
                   changes=tuple(data["changes"]),
                   requests=tuple(Request.from_json(r) for r in data["requests"]))


@dataclass(frozen=True)
class LinkAccount:
    """The name spotters call one PTZ camera with after the run, and the link accounts it
    holds that go once none of them does (``link_accounts``: the rotation decision)."""

    username: str
    retired: tuple[str, ...] = ()
    # Every spotter was read: an account no read spotter uses may go (retired or pruned).
    all_callers_seen: bool = True
    # Why no safe decision exists (both names held and refused, callers split): that PTZ
    # camera and the spotters calling it are not planned.
    blocked: str = ""

    def to_json(self) -> dict[str, JSON]:
        out: dict[str, JSON] = {"username": self.username, "retired": list(self.retired)}
        if not self.all_callers_seen:
            out["all_callers_seen"] = False
        if self.blocked:
            out["blocked"] = self.blocked
        return out

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> LinkAccount:
        return cls(str(data["username"]), tuple(str(name) for name in data.get("retired", ())),
                   bool(data.get("all_callers_seen", True)), str(data.get("blocked", "")))


@dataclass(frozen=True)
class Plan:
    """The whole site's plan. ``cameras`` is in apply order (PTZ cameras first); ``steps`` is
    the sequence apply runs, phase by phase (``order.steps_of``)."""

    site: str
    cameras: tuple[CameraPlan, ...]
    links: tuple[Mapping[str, JSON], ...] = ()  # the link topology, for the mermaid graph
    steps: tuple[Step, ...] = ()
    # PTZ camera -> the link account decision the plan was made with (``link_accounts``):
    # apply, its read-backs and a saved plan's staleness check use the same one.
    link_accounts: Mapping[str, LinkAccount] = field(default_factory=dict)

    @property
    def changes(self) -> list[Change]:
        return [c for cam in self.cameras for c in cam.changes]

    @cached_property
    def change_by_key(self) -> dict[str, Change]:
        """Every change by its key, indexed once: the run order names each step's changes
        by key (built per step, the index made showing 1,000 cameras' steps quadratic)."""
        return {change.key: change for change in self.changes}

    @property
    def failed(self) -> list[CameraPlan]:
        return [cam for cam in self.cameras if cam.error]

    def totals(self) -> dict[str, int]:
        out = {"create": 0, "update": 0, "delete": 0}
        for change in self.changes:
            out[change.action] += 1
        return out

    def to_json(self) -> dict[str, JSON]:
        return {"format": PLAN_FORMAT_VERSION, "tool_version": __version__, "site": self.site,
                "totals": self.totals(),
                "cameras": [c.to_json() for c in self.cameras],
                "steps": [s.to_json() for s in self.steps],
                "links": [dict(link) for link in self.links],
                "link_accounts": {name: account.to_json()
                                  for name, account in self.link_accounts.items()}}

    @classmethod
    def from_json(cls, data: Mapping[str, JSON]) -> Plan:
        return cls(site=data["site"],
                   cameras=tuple(CameraPlan.from_json(c) for c in data["cameras"]),
                   links=tuple(data.get("links", ())),
                   steps=tuple(Step.from_json(s) for s in data["steps"]),
                link_accounts={name: LinkAccount.from_json(account) for name, account
                               in dict(data.get("link_accounts", {})).items()})
