"""What an apply produced: one CameraResult per camera, gathered into a RunResult.

As Nornir: whatever happens to a camera, including an exception, ends as its result, and a
failing camera never stops the others (unless a play's ``max_fail_percentage`` says so).

    status       ok | changed | failed | unreachable | skipped
    ends_in      after    every planned change of the camera is in place
                 before   nothing changed (or everything was restored, and confirmed)
                 between  a consistent point between: the changes of some plays are in
                          place, those of later plays were skipped or restored
                 unknown  a restore could not be confirmed: look at this camera
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any, Literal

Status = Literal["ok", "changed", "failed", "unreachable", "skipped"]
EndState = Literal["after", "before", "between", "unknown"]
STATUSES: tuple[Status, ...] = ("ok", "changed", "failed", "unreachable", "skipped")


@dataclass(frozen=True)
class SkippedChange:
    change: str  # camera/kind/name
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"change": self.change, "reason": self.reason}


@dataclass(frozen=True)
class CameraResult:
    camera: str
    role: str
    status: Status
    reason: str  # why, in words; empty for a plain ok
    changes: tuple[str, ...] = ()  # keys of the changes applied
    skipped: tuple[SkippedChange, ...] = ()
    requests: int = 0  # requests sent during the apply (snapshot, writes, read back, restore)
    writes: int = 0  # of which wrote settings
    ends_in: EndState = "before"

    @property
    def failed(self) -> bool:
        return self.status in ("failed", "unreachable")

    def to_json(self) -> dict[str, Any]:
        return {"camera": self.camera, "role": self.role, "status": self.status,
                "reason": self.reason, "changes": list(self.changes),
                "skipped": [s.to_json() for s in self.skipped], "requests": self.requests,
                "writes": self.writes, "ends_in": self.ends_in}


@dataclass(frozen=True)
class PlayResult:
    name: str
    outcome: str  # done | stopped | not run | no cameras | verified | verify failed | ...
    note: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "outcome": self.outcome, "note": self.note}


@dataclass(frozen=True)
class RunResult:
    site: str
    cameras: tuple[CameraResult, ...]  # in plan order
    plays: tuple[PlayResult, ...] = ()
    stopped: str = ""  # why the rollout stopped early; empty when it ran to the end
    verify_failed: bool = False
    interrupted: str = ""  # the signal that stopped it (SIGINT, SIGTERM, SIGHUP), if any

    @property
    def failed_hosts(self) -> list[str]:
        return [c.camera for c in self.cameras if c.failed]

    @property
    def failed(self) -> bool:
        """Exit 1: a camera failed or was unreachable, a verify failed, or the run stopped."""
        return bool(self.failed_hosts) or self.verify_failed or bool(self.stopped)

    def camera(self, name: str) -> CameraResult:
        return next(c for c in self.cameras if c.camera == name)

    def totals(self) -> dict[str, int]:
        counts = Counter(c.status for c in self.cameras)
        return {status: counts.get(status, 0) for status in STATUSES}

    @property
    def requests(self) -> int:
        return sum(c.requests for c in self.cameras)

    @property
    def writes(self) -> int:
        return sum(c.writes for c in self.cameras)

    def to_json(self) -> dict[str, Any]:
        return {"site": self.site, "totals": self.totals(), "failed": self.failed,
                "failed_hosts": self.failed_hosts, "stopped": self.stopped,
                "interrupted": self.interrupted,
                "verify_failed": self.verify_failed,
                "requests": self.requests, "writes": self.writes,
                "plays": [p.to_json() for p in self.plays],
                "cameras": [c.to_json() for c in self.cameras]}
