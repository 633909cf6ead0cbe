"""One step of the plan (one camera, one phase) as a transaction: snapshot, write, read
back, or restore.

    snapshot   read the camera (no link tests); refuse it when its fingerprint is not the
               one expected (the plan's, or the read-back of its previous step): someone
               changed it meanwhile
    write      the step's requests exactly as the plan lists them, in order. A request
               that fails on the way (no reply, 5xx) is checked by reading the camera: done
               -> go on; not done (or harmless to repeat) -> sent again, a few times with
               growing pauses; a refusal (the firmware said no) is never repeated
    read back  read the camera again and re-plan it: none of the applied changes may remain
    restore    on any error or mismatch, put back the snapshot (restore.py) and say so

The outcome always says where the camera ended: ``after`` (all of this step), ``before``
(nothing of it, confirmed by reading back) or ``unknown`` (a restore that could not be
confirmed).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from camlink_provision.apply.events import (
    CameraDone,
    CameraRestoring,
    CameraStarted,
    ChangeApplied,
    EventSink,
    Purpose,
    RequestDone,
    RequestSending,
    StepWriting,
)
from camlink_provision.apply.restore import PAUSES, restore_camera
from camlink_provision.camera import CameraClient
from camlink_provision.errors import CameraError, CameraUnreachable
from camlink_provision.firmware.commands import Command, Request, Scope, merge_commands
from camlink_provision.inventory.model import Camera, Site
from camlink_provision.model import CameraPlan, Change, Observed, Step

StepStatus = Literal["changed", "failed", "unreachable"]
# Pauses before each repeat of a request that failed on the way: six tries in ~6 s, so a
# camera dropping a third of its requests still converges in one apply.
RETRY_PAUSES = (0.2, 0.4, 0.8, 1.6, 3.2)
StepEnd = Literal["after", "before", "unknown"]

class Observe(Protocol):
    """``plan.gather_camera``: the planner's own read of a camera."""

    def __call__(self, site: Site, camera: Camera, client: CameraClient, *,
                 test_links: bool = True, check_logins: bool | None = None) -> Observed: ...


Replan = Callable[[Site, Camera, Observed], CameraPlan]  # plan.plan_camera
# plan.reread: an earlier read with what changes of these kinds are planned from read again
Reread = Callable[[Camera, CameraClient, Observed, Iterable[str]], Observed]
Connect = Callable[[Camera], CameraClient]


@dataclass(frozen=True)
class StepOutcome:
    camera: str
    status: StepStatus
    reason: str
    applied: tuple[str, ...]  # change keys now in place
    ends_in: StepEnd
    fingerprint: str  # the camera's fingerprint after the step ("" when unknown)
    writes: int
    observed: Observed | None = None  # the confirming read-back, when the step ended after


@dataclass(frozen=True)
class StepTools:
    """How a step reaches the world; shared by every step of a run."""

    site: Site
    observe: Observe
    replan: Replan
    reread: Reread
    connect: Connect
    emit: EventSink
    requests_of: Callable[[str], int]  # requests sent to a camera so far in this run
    restore_pauses: Sequence[float] | None = None
    retry_pauses: Sequence[float] = RETRY_PAUSES  # before each repeat of a failed request
    sleep: Callable[[float], None] = time.sleep  # between restore passes and repeats


class _Failure(Exception):
    """A step went wrong after writing may have begun: restore, then report ``why``."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


@dataclass
class _Step:
    """One client for the whole step: the camera's Digest nonce is negotiated once."""

    tools: StepTools
    play: str
    camera: Camera
    step: Step
    changes: Sequence[Change]
    expected: str
    client: CameraClient
    writes: int = 0

    def emit_request(self, purpose: Purpose, op: Command | None, error: str = "") -> None:
        call, names = (op.call, op.names()) if op else ("gather", ())
        self.tools.emit(RequestDone(self.play, self.camera.name, purpose, call, names, error))

    def observe(self, purpose: Purpose) -> Observed:
        # Only the read-back is re-planned, so only it needs the peers' link tests (each a
        # request that makes the spotter call its PTZ) or the accounts' logins (a request
        # each), and only for a step that changes peers or accounts: the re-plan checks this
        # step's changes alone. Snapshot and restore compare settings.
        read_back = purpose == "read back"
        kinds = {change.kind for change in self.changes}
        return self._read(purpose, lambda: self.tools.observe(
            self.tools.site, self.camera, self.client,
            test_links=read_back and "peer" in kinds,
            check_logins=read_back and "account" in kinds))

    def reread(self, known: Observed, kinds: Collection[str]) -> Observed:
        """``known`` with what changes of ``kinds`` are planned from read again."""
        return self._read("snapshot", lambda: self.tools.reread(self.camera, self.client,
                                                                known, kinds))

    def _read(self, purpose: Purpose, read: Callable[[], Observed]) -> Observed:
        # A read changes nothing, so one that fails on the way is simply read again.
        for pause in (*self.tools.retry_pauses, None):
            try:
                observed = read()
            except CameraError as error:
                self.emit_request(purpose, None, error.message)
                if not error.transient or pause is None:
                    raise
                self.tools.sleep(pause)
                continue
            self.emit_request(purpose, None)
            return observed
        raise AssertionError("unreachable")

    def send_ops(self, ops: Sequence[Command], purpose: Purpose) -> None:
        for op in ops:
            self.send_one(op, purpose)

    def send_one(self, op: Command, purpose: Purpose) -> None:
        self.tools.emit(RequestSending(self.play, self.camera.name, purpose, op.call,
                                       op.names()))
        if op.writes:
            self.writes += 1  # counted when attempted: it may have landed even if it failed
        try:
            op.send(self.client, self.tools.site)
        except CameraError as error:
            self.emit_request(purpose, op, error.message)
            raise
        self.emit_request(purpose, op)


def run_step(tools: StepTools, play: str, camera: Camera, step: Step,
             changes: Sequence[Change], expected_fingerprint: str,
             known: Observed | None = None,
             recheck: Collection[str] = ()) -> StepOutcome:
    """Apply one step of the plan (its ``changes``, all on ``camera``) as one transaction;
    never raises CameraError. ``known``: what this run read of the camera moments ago
    (the plan's read, a previous step's read-back): the snapshot, instead of reading again;
    ``recheck``: a person reviewed the plan since ``known`` was read, so what changes of
    these kinds are planned from is read again (``plan.reread``): the kinds of every change
    planned on the camera and of what other cameras' changes name on it, so its later steps
    and theirs find nothing unchecked."""
    tools.emit(CameraStarted(play, camera.name, len(changes)))
    try:
        client = tools.connect(camera)
    except CameraError as error:
        outcome = StepOutcome(camera.name, "failed", f"could not set up a client: "
                              f"{error.message}; nothing written", (), "before", "", 0)
    else:
        try:
            outcome = _run(_Step(tools, play, camera, step, changes, expected_fingerprint,
                                 client), known, recheck)
        finally:
            client.close()
    tools.emit(CameraDone(play, camera.name, outcome.status, outcome.reason,
                          tools.requests_of(camera.name), outcome.writes, outcome.ends_in))
    return outcome


def _run(step: _Step, known: Observed | None,
         recheck: Collection[str]) -> StepOutcome:
    name = step.camera.name
    try:
        snapshot = _snapshot(step, known, recheck)
    except CameraError as error:
        status: StepStatus = "unreachable" if isinstance(error, CameraUnreachable) else "failed"
        return StepOutcome(name, status, f"could not read the camera before writing: "
                           f"{error.message}; nothing written", (), "before", "", 0)
    if snapshot.fingerprint() != step.expected:
        return StepOutcome(name, "failed", "the camera changed since the plan was made "
                           "(its settings no longer match the plan's fingerprint); nothing "
                           "written — plan again", (), "before", snapshot.fingerprint(), 0)
    step.tools.emit(StepWriting(step.play, name, step.step.to_json(), snapshot.to_json()))
    try:
        after, fingerprint = _write_and_check(step)
    except _Failure as failure:
        return _restore(step, snapshot, failure.why)
    keys = tuple(change.key for change in step.changes)
    return StepOutcome(name, "changed", f"{len(keys)} change(s) applied and read back",
                       keys, "after", fingerprint, step.writes, after)


def _snapshot(step: _Step, known: Observed | None,
              recheck: Collection[str]) -> Observed:
    """The camera as the step finds it: this run's read of moments ago when it has the
    fingerprint the step expects (with what ``recheck`` kinds are planned from read
    again), or else a whole read."""
    if known is None or known.fingerprint() != step.expected:
        return step.observe("snapshot")
    return step.reread(known, recheck) if recheck else known


def _write_and_check(step: _Step) -> tuple[Observed, str]:
    """Send the step's requests, read back, compare; the read-back and its fingerprint."""
    _send_requests(step, step.step.requests)
    try:
        after = step.observe("read back")
    except CameraError as error:
        raise _Failure(f"could not read the camera back after writing: {error.message}") \
            from None
    return after, _check_read_back(step, after)


def _send_requests(step: _Step, requests: Sequence[Request]) -> None:
    last_request = {key: index for index, request in enumerate(requests)
                    for key in request.changes}
    by_key = {change.key: change for change in step.changes}
    for index, request in enumerate(requests):
        _send_until_done(step, request.command)
        for key, last in last_request.items():
            if last == index:
                step.tools.emit(ChangeApplied(step.play, step.camera.name, key,
                                              by_key[key].action))


def _send_until_done(step: _Step, command: Command) -> None:
    """Send one request; after a failure on the way, read whether it landed before
    sending it again (never blindly repeat what may have been done)."""
    for pause in (*step.tools.retry_pauses, None):
        try:
            step.send_one(command, "apply")
            return
        except CameraError as error:
            if not error.transient or pause is None:
                raise _Failure(f"{command.call} failed: {error.message}") from None
            failure = error
        step.tools.sleep(pause)
        try:
            current = step.observe("check")
        except CameraError:
            if command.idempotent:
                continue
            raise _Failure(f"{command.call} failed: {failure.message}; the camera could "
                           "not be read to see whether it landed") from None
        landed = command.landed(current.params, current.rules)
        if landed:
            return
        if landed is None and not command.idempotent:
            raise _Failure(f"{command.call} failed: {failure.message}; whether it landed "
                           "cannot be read, so it is not repeated")


def _check_read_back(step: _Step, after: Observed) -> str:
    replanned = step.tools.replan(step.tools.site, step.camera, after)
    if replanned.error:
        raise _Failure(f"the read-back could not be planned: {replanned.error}")
    applied = {change.key for change in step.changes}
    left = sorted(change.key for change in replanned.changes if change.key in applied)
    if left:
        raise _Failure("read back differs from the inventory for " + ", ".join(left))
    return replanned.fingerprint or after.fingerprint()


def _restore(step: _Step, snapshot: Observed, why: str) -> StepOutcome:
    name = step.camera.name
    step.tools.emit(CameraRestoring(step.play, name, why))
    touched = Scope.of(request.command for request in step.step.requests)

    def send_restore(ops: Sequence[Command]) -> None:
        step.send_ops(merge_commands(ops), "restore")

    pauses = step.tools.restore_pauses
    outcome = restore_camera(snapshot, touched, lambda: step.observe("restore"), send_restore,
                             PAUSES if pauses is None else pauses, step.tools.sleep)
    ends: StepEnd = "before" if outcome.confirmed else "unknown"
    return StepOutcome(name, "failed", f"{why}; {outcome.note}", (), ends,
                       snapshot.fingerprint() if outcome.confirmed else "", step.writes)
