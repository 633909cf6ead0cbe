"""Recovery: an apply that was killed (SIGKILL, power loss, OOM) leaves no camera half-written
once the next apply has run.

Each run's journal is written ahead (``journal.py``, ``journaling.py``): before a step sends
its first write, a ``step_writing`` record holds the camera's snapshot and the step's
requests; a ``camera_done`` record says where it left the camera; ``run_ended`` closes the
run, listing the cameras it leaves in flight (a restore that could not be confirmed). The
next apply of the site, holding the site's lock, looks first for journals that did not end,
or ended with cameras in flight, and for every camera whose step began writing and did not
end ``after`` or ``before``:

    read it again  -> the snapshot's settings: nothing landed                "before"
                   -> none of the step's changes left to make: it completed  "after"
                   -> else put the snapshot back (restore.py), confirmed     "restored"
                                                           or not confirmed  "unknown"

(The snapshot's settings: all of them, or for one that asked only part of the camera again
after a person reviewed the plan, that part's; ``Observed.holds_the_same``.)

Each camera's verdict is printed and journaled; the old journal then gets a ``recovered``
record, so it is never recovered twice. Then the run plans as usual, from what the cameras hold.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from camlink_provision import plan as planner
from camlink_provision.apply.journaling import SETTLED
from camlink_provision.apply.restore import PAUSES, restore_camera
from camlink_provision.errors import CameraError
from camlink_provision.firmware.commands import Command, Scope, merge_commands
from camlink_provision.inventory.model import Site
from camlink_provision.journal import Journal, read_journal
from camlink_provision.model import Observed, Step
from camlink_provision.resources import presets

END_RECORD = "run_ended"
DONE_RECORD = "recovered_by"  # appended to a journal once its cameras were recovered
RESOLVED = ("before", "after", "restored")  # verdicts that leave nothing to look at again
_TAIL = 65536  # bytes: the end record is the last line; no need to read a long journal


@dataclass(frozen=True)
class InFlight:
    camera: str
    step: Step
    snapshot: Observed


@dataclass(frozen=True)
class Recovered:
    journal: str  # the unfinished run's journal file
    camera: str
    outcome: str  # before | after | restored | unknown | unreachable | not in the inventory
    note: str

    def line(self) -> str:
        return f"{self.camera}: {self.outcome} — {self.note}"


read_records = read_journal  # a line cut off by the crash is skipped


def unfinished(folder: Path, current: Path) -> list[Path]:
    """Journals of the site that may have left a camera half-written, oldest first: no end
    record, or one naming cameras in flight, and not recovered since (``current`` left
    out)."""
    if not folder.is_dir():
        return []
    return [path for path in sorted(folder.glob("*.jsonl"))
            if path != current and _needs_recovery(_last_record(path))]


def _last_record(path: Path) -> dict[str, Any]:
    with path.open("rb") as stream:
        stream.seek(max(0, path.stat().st_size - _TAIL))
        lines = stream.read().decode("utf-8", errors="replace").splitlines()
    for line in reversed(lines):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue  # cut off by the crash
        return record if isinstance(record, dict) else {}
    return {}


def _needs_recovery(last: dict[str, Any]) -> bool:
    if last.get("record") == DONE_RECORD:
        return False
    return not (last.get("record") == END_RECORD and not last.get("in_flight"))


def end_run(journal: Journal, left: Sequence[str], **fields: Any) -> None:
    """The run's end record, naming the cameras it leaves in flight (restore unconfirmed):
    ``left``, as the run's ``JournalSink`` counted them while writing."""
    journal.write(END_RECORD, in_flight=list(left), durable=True, **fields)


def in_flight(records: Sequence[dict[str, Any]]) -> list[InFlight]:
    """Cameras whose last step began writing and did not end fully before or after."""
    # Records first, steps and snapshots built only for what is left open: the end of
    # every apply asks this of its own journal, where each camera's step is open a moment.
    open_steps: dict[str, dict[str, Any]] = {}
    for record in records:
        kind, camera = record.get("record"), record.get("camera")
        if kind == "step_writing" and isinstance(camera, str):
            open_steps[camera] = record
        elif kind == "camera_done" and record.get("ends_in") in SETTLED:
            open_steps.pop(str(camera), None)
    return [InFlight(camera, Step.from_json(record["step"]), _snapshot(record["snapshot"]))
            for camera, record in open_steps.items()]


def _snapshot(data: dict[str, Any]) -> Observed:
    """A journaled snapshot as a read of today would hold it: a journal written before
    issue 15 kept the positions of free preset slots, which reads now leave out (else the
    camera would never compare equal to its own snapshot)."""
    seen = Observed.from_json(data)
    return replace(seen, params=presets.without_free_positions(dict(seen.params)))


Say = Callable[[str], None]


def recover_site(site: Site, folder: Path, journal: Journal, say: Say, *,
                 client_factory: planner.ClientFactory = planner.default_client,
                 pauses: Sequence[float] = PAUSES) -> list[Recovered]:
    """Repair what unfinished runs of this site left in flight; every verdict said."""
    results: list[Recovered] = []
    for path in unfinished(folder, journal.path):
        cameras = in_flight(read_records(path))
        names = ", ".join(c.camera for c in cameras) or "none"
        say(f"note: an earlier apply of site {site.name} may have left cameras half-written "
            f"(journal {path}): {names}; they are read and repaired first")
        journal.write("recovery_started", journal=str(path),
                      cameras=[c.camera for c in cameras], durable=True)
        settled = True
        for flight in cameras:
            result = _recover_camera(site, flight, str(path), client_factory, pauses)
            say(f"  recovered {result.line()}")
            journal.write("recovered", journal=str(path), camera=result.camera,
                          outcome=result.outcome, note=result.note, durable=True)
            results.append(result)
            settled = settled and result.outcome in RESOLVED
        if settled:  # else the next apply looks at this journal again
            _close(path, journal.path)
    return results


def _close(path: Path, by: Path) -> None:
    with path.open("a", encoding="utf-8") as old:
        old.write("\n" + json.dumps({"record": DONE_RECORD, "journal": str(by)}) + "\n")


def _recover_camera(site: Site, flight: InFlight, journal: str,
                    client_factory: planner.ClientFactory,
                    pauses: Sequence[float]) -> Recovered:
    camera = site.cameras.get(flight.camera)
    if camera is None:
        return Recovered(journal, flight.camera, "not in the inventory",
                         "the inventory no longer has this camera: check it by hand")
    try:
        with client_factory(camera) as client:
            return _settle(site, flight, journal, client, pauses)
    except CameraError as error:
        return Recovered(journal, flight.camera, "unreachable",
                         f"{error.message}; the next apply tries again")


def _settle(site: Site, flight: InFlight, journal: str, client: Any,
            pauses: Sequence[float]) -> Recovered:
    camera = site.cameras[flight.camera]

    def observe() -> Observed:
        return planner.gather_camera(site, camera, client, test_links=False)

    current = observe()
    if flight.snapshot.holds_the_same(current):
        return Recovered(journal, flight.camera, "before",
                         "nothing of the interrupted step had landed")
    tested = planner.gather_camera(site, camera, client)
    left = {c.key for c in planner.plan_camera(site, camera, tested).changes}
    if not left & set(flight.step.changes):
        return Recovered(journal, flight.camera, "after", "the interrupted step had "
                         "completed: every change of it is in place")
    touched = Scope.of(request.command for request in flight.step.requests)

    def send(ops: Sequence[Command]) -> None:
        for op in merge_commands(ops):
            op.send(client, site)

    outcome = restore_camera(flight.snapshot, touched, observe, send, pauses)
    if outcome.confirmed:
        return Recovered(journal, flight.camera, "restored",
                         f"put back as it was before the interrupted step; {outcome.note}")
    return Recovered(journal, flight.camera, "unknown", outcome.note)

