"""Every emulator fault at every step of a camera's apply: each camera ends before or after.

A clean reference run first records, per camera, the requests its apply sends (from the
emulator's log) and the settings every camera ends with. Then, for each fault and each step
of one camera, the site starts factory-fresh again, the fault is armed to hit exactly that
request (``Fault.match`` on its path, ``skip`` the earlier requests to that path,
``count=1``), and the apply runs. Afterwards every camera's settings must equal either its
before-state or its after-state — never a mix — and its recap must say which.

Socket-level faults (down, reboot) cannot aim at a request; they are switched on from the
apply's own event stream right after the step's request, so the next request meets them.
They end on their own (a reboot) or a moment later (down), as they would on a site.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from apply_kit import settings, small_site

from camlink_provision.apply import RunResult, apply_plan
from camlink_provision.apply.events import ApplyEvent, RequestDone
from camlink_provision.apply.transaction import RETRY_PAUSES
from camlink_provision.emulator import Fault, running_fleet
from camlink_provision.emulator.inventory_fleet import specs_for_site
from camlink_provision.firmware.profile import EDITACCOUNT
from camlink_provision.inventory.model import Site
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook

PAUSES = (0.3, 0.6, 1.0, 1.5)  # restore passes: enough to outlast the faults below
RETRIES = (0.01,) * len(RETRY_PAUSES)  # as many repeats as apply makes, without the waits
# A request fault outlasts every repeat of its request, so the step really fails (a fault
# one repeat rides out is test_apply_transient's subject), and is spent before the restore.
STRIKES = 1 + len(RETRIES)
CAMERAS = ("ptz-a", "ptz-b", "spot")


@dataclass(frozen=True)
class Reference:
    before: dict[str, Any]
    after: dict[str, Any]
    sequence: dict[str, list[tuple[str, str]]]  # camera -> (method, path) of its apply


def _apply(site: Site, on_event: Any = None) -> RunResult:
    plan = make_plan(site)
    return apply_plan(site, plan, playbook=load_playbook(), restore_pauses=PAUSES,
                      retry_pauses=RETRIES, on_event=on_event or (lambda _e: None))


def _reset(fleet: Any) -> None:
    for name in CAMERAS:
        fleet.clear_fault(name)
        fleet.reset(name)


@pytest.fixture(scope="module")
def _fresh_fleet() -> Iterator[Any]:
    """The kit site as an installer leaves it: PTZ cameras without a link account, so each
    PTZ's step adds one (``editaccount.cgi``) and the matrix covers accounts too."""
    with running_fleet(specs_for_site(small_site())) as fleet:
        yield fleet


@pytest.fixture
def fleet(_fresh_fleet: Any) -> Iterator[Any]:
    _fresh_fleet.reset_all()
    yield _fresh_fleet
    _fresh_fleet.clear_faults()


@pytest.fixture
def reference(site: Site, fleet: Any) -> Reference:
    before = {n: settings(fleet, n) for n in CAMERAS}
    make_plan(site)  # the plan's reads are not part of the sequence
    for name in CAMERAS:
        fleet.clear_log(name)
    marks: dict[str, int] = {}

    def mark_end(event: ApplyEvent) -> None:  # a camera's own requests end with its step
        if type(event).__name__ == "CameraDone":
            marks[event.camera] = len(fleet.request_log(event.camera))  # type: ignore[union-attr]

    plan = make_plan(site)
    for name in CAMERAS:
        fleet.clear_log(name)
    result = apply_plan(site, plan, playbook=load_playbook(), on_event=mark_end)
    assert not result.failed
    sequence = {n: [(e.method, e.path) for e in fleet.request_log(n)][:marks[n]]
                for n in CAMERAS}
    for name in ("ptz-a", "ptz-b"):  # the link account is part of each PTZ's step
        assert ("POST", EDITACCOUNT) in sequence[name]
    after = {n: settings(fleet, n) for n in CAMERAS}
    _reset(fleet)
    return Reference(before, after, sequence)


def _targeted(sequence: list[tuple[str, str]], index: int, **kind: Any) -> Fault:
    """A fault hitting exactly the index-th request of the sequence, and its repeats."""
    path = sequence[index][1]
    earlier = sum(1 for _method, p in sequence[:index] if p == path)
    return Fault(match=path, skip=earlier, count=STRIKES, **kind)


def _check(fleet: Any, ref: Reference, result: RunResult, case: str) -> list[str]:
    problems = []
    for name in CAMERAS:
        now = settings(fleet, name)
        cam = result.camera(name)
        where = "before" if now == ref.before[name] else "after" if now == ref.after[name] \
            else "mixed"
        if where == "mixed":
            problems.append(f"{case}: {name} holds a mix of old and new settings "
                            f"({cam.status}: {cam.reason})")
        elif where != cam.ends_in:
            problems.append(f"{case}: {name} is in its {where}-state but the recap says "
                            f"ends_in={cam.ends_in} ({cam.status}: {cam.reason})")
        elif where == "before" and cam.status == "changed":
            problems.append(f"{case}: {name} unchanged but reported changed")
    for name in ("ptz-a", "ptz-b"):
        if result.camera(name).failed and result.camera("spot").status == "changed":
            problems.append(f"{case}: spot was linked although {name} failed")
    return problems


@dataclass
class Tally:
    """How often the faults bit: a matrix where nothing ever failed would prove nothing."""

    failed: int = 0
    restore_writes: int = 0


def _run_case(site: Site, fleet: Any, ref: Reference, case: str, arm: Any,
              tally: Tally) -> list[str]:
    _reset(fleet)
    sink = arm()

    def count(event: ApplyEvent) -> None:
        if isinstance(event, RequestDone) and event.purpose == "restore" \
                and event.call != "gather" and not event.error:
            tally.restore_writes += 1
        if sink is not None:
            sink(event)
    result = _apply(site, count)
    tally.failed += len(result.failed_hosts)
    problems = _check(fleet, ref, result, case)
    for name in CAMERAS:
        fleet.clear_fault(name)
    return problems


@pytest.mark.parametrize("camera", CAMERAS)
@pytest.mark.parametrize("fault", ["reset", "status500", "status503"])
def test_request_faults_at_every_step(site: Site, fleet: Any, reference: Reference,
                                      camera: str, fault: str) -> None:
    kinds = {"reset": {"reset": True}, "status500": {"status": 500},
             "status503": {"status": 503}}
    sequence = reference.sequence[camera]
    problems: list[str] = []
    tally = Tally()
    for index in range(len(sequence)):
        def arm(index: int = index) -> None:
            fleet.set_fault(camera, _targeted(sequence, index, **kinds[fault]))
            return None
        problems += _run_case(site, fleet, reference, f"{fault}@{camera}#{index}", arm, tally)
    assert not problems, "\n".join(problems)
    assert tally.failed, "no fault made any camera fail: the matrix tested nothing"
    if camera == "ptz-a":  # its second preset fails after the first landed: undone
        assert tally.restore_writes, "no restore ever had to write anything back"


@pytest.mark.parametrize("stored", [0, 1, 7, 1000])
def test_partial_write_of_the_spotter(site: Site, fleet: Any, reference: Reference,
                                      stored: int) -> None:
    sequence = reference.sequence["spot"]
    writes = [i for i, (method, path) in enumerate(sequence) if path.endswith("setparam.cgi")]
    assert writes, "the spotter's apply must write its settings with setparam"
    problems: list[str] = []
    tally = Tally()
    for index in writes:
        def arm(index: int = index) -> None:
            fleet.set_fault("spot", _targeted(sequence, index, partial_write=stored))
        problems += _run_case(site, fleet, reference, f"partial_write={stored}#{index}", arm,
                              tally)
    assert not problems, "\n".join(problems)
    # 1000 pairs: all of them stored before the reset. The read after the lost reply shows
    # the write landed, so the step goes on; fewer pairs never land, however often sent.
    assert tally.failed == (0 if stored == 1000 else len(writes))
    if 0 < stored < 1000:  # some pairs were stored before the reset: the restore had to undo them
        assert tally.restore_writes


def _after_request(fleet: Any, camera: str, index: int, fault: Fault,
                   clear_after: float | None) -> Any:
    """A sink that switches the fault on once the camera's index-th request is done."""
    seen = {"count": 0}

    def sink(event: ApplyEvent) -> None:
        if not isinstance(event, RequestDone) or event.camera != camera \
                or event.purpose == "restore":
            return
        seen["count"] += 1
        if seen["count"] == index + 1:
            fleet.set_fault(camera, fault)
            if clear_after is not None:
                threading.Timer(clear_after, fleet.clear_fault, args=(camera,)).start()
    return sink


@pytest.mark.parametrize("camera", CAMERAS)
@pytest.mark.parametrize("fault", ["down", "reboot"])
def test_socket_faults_between_steps(site: Site, fleet: Any, reference: Reference,
                                     camera: str, fault: str) -> None:
    sequence_length = sum(1 for _ in _requests_of_step(site, fleet, camera))
    problems: list[str] = []
    tally = Tally()
    for index in range(sequence_length):
        if fault == "down":
            def arm(index: int = index) -> Any:
                return _after_request(fleet, camera, index, Fault(down=True), 0.5)
        else:
            def arm(index: int = index) -> Any:
                return _after_request(fleet, camera, index, Fault(reboot_seconds=0.5), None)
        problems += _run_case(site, fleet, reference, f"{fault}@{camera}#{index}", arm, tally)
    assert not problems, "\n".join(problems)
    # Half a second of outage is ridden out by the repeats: every camera converges.
    assert tally.failed == 0


def _requests_of_step(site: Site, fleet: Any, camera: str) -> list[RequestDone]:
    """The RequestDone events of one camera's clean apply (snapshot, writes, read back)."""
    _reset(fleet)
    seen: list[RequestDone] = []
    _apply(site, lambda e: seen.append(e) if isinstance(e, RequestDone)
           and e.camera == camera else None)
    _reset(fleet)
    return seen
