"""The Python API: plan, apply, verify and read a site from a program (the Ansible
collection ``camlink.provision`` is its first user).

    from camlink_provision.api import SiteOptions, plan_site, apply_site
    options = SiteOptions(inventory=["inventories/minimal"], secrets="secrets.yml")
    planned = plan_site(options)            # PlanOutcome: .changed, .plan, .to_json()
    done = apply_site(options)              # ApplyOutcome: .ok, .changed, .recap, .code
    checked = verify_site(options, read_only=True)   # VerifyOutcome: .ok, .report
    facts = read_facts(options)             # FactsOutcome: what each camera reports

Each call runs exactly what the command of the same name runs — the same session
(``session.open_site``: inventory, ``limit``, the emulated fleet), for ``apply_site`` the
same site lock, journal, recovery of a killed run, rollout and recap (``apply.site_run``),
and the same exit status in ``code``. Differences, on purpose: nothing is printed (what the
command prints goes to ``messages``), and nothing is asked (``apply_site`` is ``apply
--yes``). State lives under ``.camlink/`` of the working directory, as for the command.

Errors: ``CamlinkError`` subclasses (an invalid inventory, a locked site, a stale plan),
whose text never holds a secret value; a camera that fails is a result, not an exception.
No returned value holds a secret: plans mask write-only values as the plan file does,
verify and facts results name cameras, presets and rules only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camlink_provision import applied
from camlink_provision import plan as planner
from camlink_provision.apply.recap import render_recap
from camlink_provision.apply.result import RunResult
from camlink_provision.apply.site_run import Frontend, SiteApply, run_site_apply
from camlink_provision.cli import EXIT_ERROR, EXIT_OK
from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile
from camlink_provision.firmware.version import parse_firmware
from camlink_provision.inventory.model import Camera
from camlink_provision.model import Observed, Plan
from camlink_provision.playbook import load_playbook
from camlink_provision.resources import KINDS
from camlink_provision.runner import run_each
from camlink_provision.session import Session, SiteOptions, open_site
from camlink_provision.verify import DEFAULT_SETTLE_SECONDS, VerifyReport
from camlink_provision.verify import verify_site as _verify_links

__all__ = ["ApplyOutcome", "CameraFacts", "FactsOutcome", "PlanOutcome", "SiteOptions",
           "VerifyOutcome", "apply_site", "plan_site", "read_facts", "verify_site"]

JSONDict = dict[str, Any]


class _Notes:
    """Collects what the command would print, in order (the API never prints)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def __call__(self, text: str) -> None:
        self.lines.append(text)


# -- plan --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PlanOutcome:
    """``camlink-provision plan``: what differs between the cameras and the inventory."""

    site: str
    plan: Plan
    messages: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """There are changes to make (``plan --detailed-exitcode`` exits 2)."""
        return bool(self.plan.changes)

    @property
    def ok(self) -> bool:
        """Every selected camera could be read and planned."""
        return not self.plan.failed

    @property
    def code(self) -> int:
        return EXIT_OK if self.ok else EXIT_ERROR

    def to_json(self) -> JSONDict:
        return {"site": self.site, "ok": self.ok, "changed": self.changed,
                "plan": self.plan.to_json(), "messages": list(self.messages)}


def plan_site(options: SiteOptions) -> PlanOutcome:
    """Read the selected cameras and plan; writes nothing to any camera."""
    notes = _Notes()
    with open_site(options, note=notes) as session:
        plan = planner.make_plan(session.site, session.names,
                                 concurrency=session.concurrency,
                                 history=applied.last_applied(session.site.name))
    return PlanOutcome(plan.site, plan, tuple(notes.lines))


# -- apply -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ApplyOutcome:
    """``camlink-provision apply --yes``: the plan it ran, the recap, the exit status."""

    site: str
    plan: Plan
    result: RunResult | None  # None: nothing was applied (nothing to change)
    code: int  # 0 converged; 1 a camera failed or could not be planned; 130/143 signalled
    messages: tuple[str, ...] = ()
    retry_file: str = ""  # ``--limit @retry_file`` runs the failed cameras again
    journal: str = ""

    @property
    def ok(self) -> bool:
        return self.code == EXIT_OK

    @property
    def changed(self) -> bool:
        """A camera was written to and kept the change."""
        return self.result is not None and any(
            c.status == "changed" for c in self.result.cameras)

    @property
    def failed_cameras(self) -> list[str]:
        """Cameras that failed, were unreachable or could not be planned."""
        failed = [c.camera for c in self.plan.failed]
        if self.result is not None:
            failed += [name for name in self.result.failed_hosts if name not in failed]
        return failed

    @property
    def recap(self) -> str:
        """The recap as the command prints it (without colour); "" when nothing ran."""
        return render_recap(self.result) if self.result is not None else ""

    def to_json(self) -> JSONDict:
        return {"site": self.site, "ok": self.ok, "changed": self.changed, "code": self.code,
                "failed_cameras": self.failed_cameras,
                "recap": self.result.to_json() if self.result is not None else None,
                "recap_text": self.recap, "plan": self.plan.to_json(),
                "messages": list(self.messages), "retry_file": self.retry_file,
                "journal": self.journal}


def apply_site(options: SiteOptions, *, playbook: str | Path | None = None,
               plan: Plan | None = None, planfile: str = "") -> ApplyOutcome:
    """Converge the site, holding its lock: ``apply --yes`` (or ``apply PLANFILE`` with
    ``plan``, refused if stale). Raises ``LockError`` when another apply holds the site."""
    plays = load_playbook(playbook)  # checked first: a typo must not cost camera reads
    notes = _Notes()
    with open_site(options, lock=True, note=notes) as session:
        done = run_site_apply(session, plays, concurrency=session.concurrency, saved=plan,
                              planfile=planfile, front=Frontend(say=notes))
    return _apply_outcome(done, tuple(notes.lines))


def _apply_outcome(done: SiteApply, messages: tuple[str, ...]) -> ApplyOutcome:
    return ApplyOutcome(done.plan.site, done.plan, done.result, done.code, messages,
                        str(done.retry_file or ""), str(done.journal or ""))


# -- verify ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VerifyOutcome:
    """``camlink-provision verify``: one result per (link, target PTZ)."""

    report: VerifyReport
    messages: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.report.ok

    @property
    def code(self) -> int:
        return EXIT_OK if self.ok else EXIT_ERROR

    def to_json(self) -> JSONDict:
        return {**self.report.to_json(), "ok": self.ok, "messages": list(self.messages)}


def verify_site(options: SiteOptions, *, read_only: bool = True) -> VerifyOutcome:
    """Prove each link through the cameras. ``read_only`` (the default here, unlike the
    command): only stored settings, accounts and link tests, nothing moved or pulsed;
    ``False`` moves PTZ cameras and pulses outputs, each put back afterwards."""
    notes = _Notes()
    with open_site(options, note=notes) as session:
        # An emulated PTZ moves at once: nothing to wait for; a real dome takes seconds.
        settle = 0.0 if session.fleet is not None else DEFAULT_SETTLE_SECONDS
        report = _verify_links(session.site, session.names, concurrency=session.concurrency,
                               settle=settle, read_only=read_only)
    return VerifyOutcome(report, tuple(notes.lines))


# -- facts -------------------------------------------------------------------------------------
# A write-only value never comes back from a camera; should one anyway, it is left out.
_SECRET_MARKS = ("pass", "secret", "key")


@dataclass(frozen=True)
class CameraFacts:
    """What one camera reports: identity, and per resource kind what it holds."""

    camera: str
    role: str
    reachable: bool
    model: str = ""
    firmware: str = ""
    fingerprint: str = ""
    error: str = ""
    error_kind: str = ""  # unreachable | unauthorized | refused | protocol
    holds: tuple[tuple[str, tuple[JSONDict, ...]], ...] = ()  # kind -> items

    def to_json(self) -> JSONDict:
        return {"camera": self.camera, "role": self.role, "reachable": self.reachable,
                "model": self.model, "firmware": self.firmware,
                "fingerprint": self.fingerprint, "error": self.error,
                "error_kind": self.error_kind,
                **{kind: list(items) for kind, items in self.holds}}


@dataclass(frozen=True)
class FactsOutcome:
    site: str
    cameras: tuple[CameraFacts, ...]
    messages: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return all(c.reachable for c in self.cameras)

    def to_json(self) -> JSONDict:
        return {"site": self.site, "ok": self.ok,
                "cameras": {c.camera: c.to_json() for c in self.cameras},
                "messages": list(self.messages)}


def read_facts(options: SiteOptions) -> FactsOutcome:
    """Read each selected camera as ``plan`` reads it, without the peers' link tests (they
    make a spotter call out): only reads, nothing written, nothing tested."""
    notes = _Notes()
    with open_site(options, note=notes) as session:
        site = session.site
        targets = [planner.with_timeout(site.cameras[name]) for name in session.names]
        read = run_each(targets, lambda camera: _read_settings(session, camera),
                        concurrency=session.concurrency, name="facts")
        cameras = _facts_of(session, dict(zip(session.names, read, strict=True)))
    return FactsOutcome(session.site.name, cameras, tuple(notes.lines))


def _read_settings(session: Session, camera: Camera) -> Observed | CameraError:
    """The planner's own read of one camera (``plan.gather_camera``), without the peers'
    link tests: the camera's settings only."""
    try:
        client = planner.default_client(camera)
    except CameraError as exc:
        return exc
    try:
        return planner.gather_camera(session.site, camera, client, test_links=False)
    except CameraError as exc:
        return exc
    finally:
        client.close()


def _facts_of(session: Session, read: dict[str, Observed | CameraError]
              ) -> tuple[CameraFacts, ...]:
    out = []
    for name in session.names:
        camera = session.site.cameras[name]
        observed = read[name]
        if isinstance(observed, CameraError):
            out.append(CameraFacts(name, camera.role, False, error=str(observed),
                                   error_kind=observed.kind))
            continue
        firmware = parse_firmware(observed.params.get(profile.FIRMWARE, ""))
        holds = tuple((kind.kind, tuple(_item(h.name, h.slot, h.attrs)
                                        for h in kind.observed(observed)))
                      for kind in KINDS if kind.applies(camera, observed))
        out.append(CameraFacts(name, camera.role, True,
                               model=observed.params.get(profile.MODELNAME, ""),
                               firmware=firmware.version if firmware else "",
                               fingerprint=observed.fingerprint(), holds=holds))
    return tuple(out)


def _item(name: str, slot: int | None, attrs: Any) -> JSONDict:
    kept = {str(k): v for k, v in dict(attrs).items()
            if not any(mark in str(k).lower() for mark in _SECRET_MARKS)}
    return {"name": name, "slot": slot, "attributes": kept}
