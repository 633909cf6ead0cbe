"""What a verify run finds: one ``LinkResult`` per (link, target PTZ), each a list of
``Check``s and, when one failed, the likely ``Cause``; the ``VerifyReport`` of a site."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from camlink_provision.model import JSON

Cause = Literal[
    "camera_unreachable",  # this tool could not reach a camera (spotter or PTZ)
    "camera_unauthorized",  # a camera refused this tool's credentials
    "camera_error",  # a camera refused or garbled one of this tool's requests
    "event_missing",  # the spotter holds no event of the link's name
    "peer_missing",  # the spotter holds no camera-link peer for the PTZ
    "action_differs",  # the spotter's camera-link action is not what the inventory says
    "peer_unreachable",  # the spotter's link test could not reach the PTZ
    "credentials_refused",  # the PTZ refused the credentials the spotter stores
    "link_account_missing",  # the PTZ holds no account of the name the spotter calls with
    "link_account_privilege",  # that account's privilege is too low for the link's actions
    "link_password_differs",  # that account refuses the inventory's link password
    "preset_missing",  # the PTZ holds no preset of that name
    "rule_missing",  # the PTZ holds no tracking rule of that name
    "action_refused",  # the PTZ refused a call of the spotter's action; preset, rule there
    "position_off",  # the PTZ did not end at the preset's position
    "tracking_not_running",  # the PTZ is not tracking after the action
    "wrong_rule",  # the PTZ tracks with another rule
    "output_not_pulsed",  # the PTZ's digital output did not switch on
    "event_not_fired",  # end-to-end: the spotter's event did not run on its trigger
    "restore_failed",  # the PTZ could not be put back where it was
]


@dataclass(frozen=True)
class Check:
    """One thing looked at, in words: ``ok`` or why not; or ``skipped``, not looked at at all
    (``--read-only``: a check that would move or pulse a PTZ), which is neither a pass nor a
    failure (``ok`` is then True only so that it never fails the pair)."""

    name: str  # event, peer, action, link test, link account, preset, tracking rule, test preset,
    #            position, tracking, output, end-to-end, restore
    ok: bool
    detail: str
    skipped: bool = False

    @property
    def status(self) -> str:
        return "skipped" if self.skipped else "passed" if self.ok else "failed"

    def to_json(self) -> dict[str, JSON]:
        # A skipped check was not looked at: JSON says so (null), never that it passed.
        return {"name": self.name, "ok": None if self.skipped else self.ok,
                "status": self.status, "detail": self.detail}


@dataclass(frozen=True)
class LinkResult:
    """The verdict on one (link, target PTZ): passed, or the first failure and its cause."""

    link: str
    spotter: str
    event: str
    ptz: str
    checks: tuple[Check, ...] = ()
    cause: Cause | None = None  # None: passed

    @property
    def passed(self) -> bool:
        return self.cause is None

    @property
    def failure(self) -> Check | None:
        """The first check that failed (what the table shows)."""
        return next((c for c in self.checks if not c.ok), None)

    @property
    def restored(self) -> bool:
        return all(c.ok for c in self.checks if c.name == "restore")

    @property
    def skipped(self) -> tuple[Check, ...]:
        """The checks not run (``--read-only``): never counted as passed."""
        return tuple(c for c in self.checks if c.skipped)

    def to_json(self) -> dict[str, JSON]:
        failure = self.failure
        return {"link": self.link, "spotter": self.spotter, "event": self.event,
                "ptz": self.ptz, "passed": self.passed, "cause": self.cause,
                "failed_check": failure.name if failure else None,
                "detail": failure.detail if failure else "",
                "restored": self.restored,
                "skipped_checks": [c.name for c in self.skipped],
                "checks": [c.to_json() for c in self.checks]}


@dataclass(frozen=True)
class VerifyReport:
    site: str
    results: tuple[LinkResult, ...]
    end_to_end: bool = False
    read_only: bool = False  # the checks that move or pulse a PTZ were skipped

    @property
    def skipped_checks(self) -> int:
        return sum(len(r.skipped) for r in self.results)

    @property
    def failed(self) -> list[LinkResult]:
        return [r for r in self.results if not r.passed]

    @property
    def ok(self) -> bool:
        return not self.failed

    def to_json(self) -> dict[str, JSON]:
        totals: dict[str, JSON] = {"links": len(self.results), "passed": len(self.results)
                                   - len(self.failed), "failed": len(self.failed)}
        if self.read_only:
            totals["skipped_checks"] = self.skipped_checks
        return {"site": self.site, "end_to_end": self.end_to_end,
                "read_only": self.read_only, "totals": totals,
                "results": [r.to_json() for r in self.results]}


class Failed(Exception):
    """Ends one pair's checks at the first failure: the check, its cause and words."""

    def __init__(self, cause: Cause, check: str, detail: str) -> None:
        super().__init__(detail)
        self.cause, self.check, self.detail = cause, check, detail

    def as_check(self) -> Check:
        return Check(self.check, False, self.detail)
