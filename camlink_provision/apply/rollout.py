"""The order of an apply: the plan's steps, phase by phase, batched by the playbook's plays.

    for each phase of the plan (order.PHASES: PTZ side, spotters, PTZ tidy-up)
      for each converge play of the playbook (in order) with steps in this phase
        for each batch of its cameras (``serial``)
          -> the batch's steps run at once (``concurrency``), one transaction each
        stop the rollout if a batch failed more than ``max_fail_percentage``
    then the verify plays, in order

The plan decides the order (``order``): which camera does what in which phase, and the
exact requests of each step. A playbook only selects and batches: each step goes whole to
the first play whose hosts name its camera and whose kinds and actions cover every change of
it; a step no play covers whole is skipped and said so (splitting it would send requests the
plan did not show). So the requests cameras receive are the plan's, in the plan's order.

Who waits for whom (every skip is recorded with its reason):

- a camera that failed (or could not be planned) does nothing more in this run;
- a change that ``depends_on`` a PTZ camera runs only once every phase-1 change of that PTZ
  is in place; otherwise its spotter is skipped *entirely*, for the rest of the run (never
  half-linked);
- a PTZ camera's phase-3 deletions run only once every spotter change that ``releases`` it
  (a peer deleted or re-pointed away from it, an event whose link action to one of its
  presets or tracking rules goes away or changes) is in place and its spotter has not
  failed; otherwise they are skipped, naming the spotter (it may still call on what would be
  deleted). A spotter that fails without releasing that PTZ holds none of its deletions back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

from camlink_provision import order
from camlink_provision.apply.events import (
    BatchStarted,
    ChangeSkipped,
    EventSink,
    PlayStarted,
    RolloutStopped,
    VerifyDone,
)
from camlink_provision.apply.result import (
    CameraResult,
    EndState,
    PlayResult,
    RunResult,
    SkippedChange,
    Status,
)
from camlink_provision.apply.stopping import StopRequest
from camlink_provision.apply.transaction import StepOutcome, StepTools, run_step
from camlink_provision.errors import CamlinkError
from camlink_provision.inventory.model import Site
from camlink_provision.model import Change, Observed, Plan, Step
from camlink_provision.playbook import Play, Playbook
from camlink_provision.resources import BY_KIND


@dataclass
class _Tally:
    """What happened to one camera so far (touched only by the rollout's own thread)."""

    camera: str
    role: str
    planned: list[Change]
    expected: str  # the fingerprint its next step must find
    # What this run read of the camera last, moments ago (the plan's read with nobody in
    # between, then each step's read-back): its next step's snapshot, not read again.
    known: Observed | None = None
    recheck: bool = False  # ``known`` is the plan's read and a person reviewed the plan since
    # Kinds that other cameras' planned changes name on this one (a spotter's peer names the
    # link account, its event a preset and a rule): what their writes depend on here.
    referred: set[str] = field(default_factory=set)
    applied: list[str] = field(default_factory=list)
    skipped: list[SkippedChange] = field(default_factory=list)
    failure: str = ""
    status: Status = "ok"
    held: str = ""  # why the rest of its changes are skipped
    unknown: bool = False
    writes: int = 0
    counted: bool = False  # a plan-time failure already counted against a batch
    unplanned: bool = False  # could not be read while planning: what it refers to is unknown

    @property
    def failed(self) -> bool:
        return bool(self.failure)

    def kinds_to_recheck(self) -> frozenset[str]:
        """After a person reviewed the plan, the kinds of every change planned on this
        camera and of what other cameras' changes name here (read again at its first step,
        for its later steps and theirs too); else none."""
        if not self.recheck:
            return frozenset()
        return frozenset({c.kind for c in self.planned} | self.referred)

    def pending(self, phases: Iterable[int]) -> list[Change]:
        """Planned changes of these phases that are not (yet) in place."""
        wanted = set(phases)
        return [c for c in self.planned if c.phase in wanted and c.key not in self.applied]


Verifier = Callable[[Site, list[str]], tuple[bool, str]]
Assigned = dict[int, list[list[Step]]]  # phase -> per converge play, its steps in plan order


@dataclass
class Rollout:
    site: Site
    plan: Plan
    playbook: Playbook
    tools: StepTools
    concurrency: int
    emit: EventSink
    verifier: Verifier | None = None
    stop: StopRequest = field(default_factory=StopRequest)
    fresh: Mapping[str, Observed] = field(default_factory=dict)  # the plan's own reads
    reviewed: bool = False  # a person reviewed the plan after those reads
    tallies: dict[str, _Tally] = field(default_factory=dict)
    stopped: str = ""
    plays: list[PlayResult] = field(default_factory=list)
    verify_failed: bool = False

    def run(self) -> RunResult:
        self._start_tallies()
        converge = [p for p in self.playbook.plays if not p.verify]
        assigned = self._assign(converge)
        units = [(phase, play, assigned[phase][i]) for phase in order.PHASES
                 for i, play in enumerate(converge)
                 if assigned[phase][i] or self._unplanned_in(play, phase)]
        verify = [p for p in self.playbook.plays if p.verify]
        total = len(units) + len(verify)
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            for index, (phase, play, steps) in enumerate(units):
                self._run_unit(pool, index, total, phase, play, steps, len(converge) > 1)
        for index, play in enumerate(verify, start=len(units)):
            self._run_verify(index, total, play)
        return RunResult(site=self.plan.site, cameras=tuple(self._result(t) for t in
                                                             self.tallies.values()),
                         plays=tuple(self.plays), stopped=self.stopped,
                         verify_failed=self.verify_failed, interrupted=self.stop.signal_name)

    def _check_stop(self) -> None:
        """A signal came: what has not started yet does not start (the rest finishes)."""
        if self.stop.requested and not self.stopped:
            self.stopped = self.stop.why
            self.emit(RolloutStopped("", self.stopped))

    # -- set-up ------------------------------------------------------------------------------

    def _start_tallies(self) -> None:
        for cam in self.plan.cameras:
            tally = _Tally(cam.camera, cam.role, list(cam.changes), cam.fingerprint,
                           known=self.fresh.get(cam.camera), recheck=self.reviewed)
            if cam.error:
                tally.unplanned = True
                tally.failure = f"could not be planned: {cam.error}"
                tally.status = "unreachable" if cam.error_kind == "unreachable" else "failed"
            self.tallies[cam.camera] = tally
        if self.reviewed:  # what each camera's first step then reads again (kinds_to_recheck)
            for change in self.plan.changes:
                for other in change.depends_on:
                    if other in self.tallies:
                        self.tallies[other].referred.update(BY_KIND[change.kind].refers_to)
        # Each tally holds its camera's read now (replaced by the read-back once its step
        # ends): keeping the plan's reads here too would hold two reads of every camera.
        self.fresh = {}

    def _assign(self, plays: Sequence[Play]) -> Assigned:
        """Each step goes whole to the first play that covers it; the rest are skipped."""
        hosts = [set(play.select_hosts(self.site)) for play in plays]
        assigned: Assigned = {phase: [[] for _ in plays] for phase in order.PHASES}
        for step in self.plan.steps:
            changes = self._changes_of(step)
            index = next((i for i, play in enumerate(plays) if step.camera in hosts[i]
                          and all(play.covers(c) for c in changes)), None)
            if index is not None:
                assigned[step.phase][index].append(step)
                continue
            for change in changes:
                self._skip([change], self._uncovered(step, change, plays, hosts), "")
        return assigned

    def _uncovered(self, step: Step, change: Change, plays: Sequence[Play],
                   hosts: Sequence[set[str]]) -> str:
        source = self.playbook.source
        if any(step.camera in hosts[i] and play.covers(change) for i, play in enumerate(plays)):
            return (f"no play of {source} covers the whole phase-{step.phase} step of "
                    f"{step.camera}; a play runs whole steps, so the plan's order holds — "
                    "widen the play's kinds and actions")
        return f"no play of {source} converges {change.kind} {change.action} on {change.camera}"

    def _changes_of(self, step: Step) -> list[Change]:
        planned = {c.key: c for c in self.tallies[step.camera].planned}
        return order.step_changes(step, planned)

    def _unplanned_in(self, play: Play, phase: int) -> bool:
        """Whether a camera this play names failed at plan time and is not counted yet:
        it counts against the play's first batch of the first phase."""
        return phase == order.REFERRED and any(
            t.failed and not t.planned and name in play.select_hosts(self.site)
            for name, t in self.tallies.items())

    # -- phases, plays and batches -----------------------------------------------------------

    def _run_unit(self, pool: ThreadPoolExecutor, index: int, total: int, phase: int,
                  play: Play, steps: list[Step], name_play: bool) -> None:
        title = f"phase {phase}: {order.PHASES[phase]}" + (f" — {play.name}" if name_play
                                                           else "")
        self._check_stop()
        if self.stopped:
            for step in steps:
                self._skip(self._changes_of(step), f"not run: {self.stopped}", title)
            self.plays.append(PlayResult(title, "not run", self.stopped))
            return
        hosts = self._unit_hosts(play, steps, phase)
        batches = play.batches(hosts)
        by_camera = {step.camera: step for step in steps}
        self.emit(PlayStarted(title, index + 1, total, len(hosts), len(batches),
                              sum(len(s.changes) for s in steps)))
        for number, batch in enumerate(batches, start=1):
            self._check_stop()
            if self.stopped:
                for name in batch:
                    if name in by_camera:
                        self._skip(self._changes_of(by_camera[name]),
                                   f"not run: {self.stopped}", title)
                continue
            self.emit(BatchStarted(title, number, len(batches), tuple(batch)))
            failed = self._run_batch(pool, title, batch, by_camera)
            self._check_failures(play, title, number, len(batches), batch, failed)
        outcome = "stopped" if self.stopped else ("done" if hosts else "no cameras")
        self.plays.append(PlayResult(title, outcome, self.stopped))

    def _unit_hosts(self, play: Play, steps: list[Step], phase: int) -> list[str]:
        """Cameras with a step here, plus unplanned ones the play names (counted once)."""
        with_work = {step.camera for step in steps}
        selected = set(play.select_hosts(self.site)) if phase == order.REFERRED else set()
        return [name for name, tally in self.tallies.items()
                if name in with_work or (name in selected and tally.failed
                                         and not tally.counted and not tally.planned)]

    def _run_batch(self, pool: ThreadPoolExecutor, title: str, batch: list[str],
                   by_camera: dict[str, Step]) -> set[str]:
        failed: set[str] = set()
        ready: list[Step] = []
        for name in batch:
            tally = self.tallies[name]
            if tally.failed and not tally.counted:  # failed at plan time: counts here
                tally.counted = True
                failed.add(name)
            step = by_camera.get(name)
            if step is not None and self._ready(step, title):
                ready.append(step)
        outcomes = _run_all(pool, [partial(self._step, title, s) for s in ready])
        for step, outcome in zip(ready, outcomes, strict=True):
            if outcome is None:  # a signal came before this step began
                self._skip(self._changes_of(step), f"not run: {self.stop.why}", title)
                continue
            self._record(outcome)
            if outcome.status != "changed":
                failed.add(outcome.camera)
        self._check_stop()
        return failed

    def _ready(self, step: Step, title: str) -> bool:
        changes = self._changes_of(step)
        reason = self._blocked(step.camera, changes, step.phase)
        if not reason:
            return True
        self._skip(changes, reason, title)
        tally = self.tallies[step.camera]
        if step.phase == order.REFERRING and not tally.held:
            tally.held = reason
        return False

    def _step(self, title: str, step: Step) -> StepOutcome | None:
        if self.stop.requested:
            return None
        camera = self.site.cameras[step.camera]
        tally = self.tallies[step.camera]
        try:
            return run_step(self.tools, title, camera, step, self._changes_of(step),
                            tally.expected, tally.known, tally.kinds_to_recheck())
        except Exception as error:  # as Nornir: a crash becomes this camera's result
            return StepOutcome(step.camera, "failed", f"internal error "
                               f"({type(error).__name__}); see the journal", (), "unknown",
                               "", 0)

    def _check_failures(self, play: Play, title: str, number: int, total: int,
                        batch: list[str], failed: set[str]) -> None:
        if not play.exceeds_failures(len(failed), len(batch)):
            return
        share = len(failed) * 100.0 / len(batch)
        self.stopped = (f"{title}, batch {number}/{total}: {len(failed)} of "
                        f"{len(batch)} camera(s) failed ({share:.0f}%), above the "
                        f"max_fail_percentage of {play.max_fail_percentage:g}% of play "
                        f"{play.name!r}; the rest of the rollout was stopped")
        self.emit(RolloutStopped(title, self.stopped))

    def _run_verify(self, index: int, total: int, play: Play) -> None:
        self._check_stop()
        if self.stopped:
            self.plays.append(PlayResult(play.name, "not run", self.stopped))
            return
        self.emit(PlayStarted(play.name, index + 1, total, 0, 1, 0, True))
        if self.verifier is None:
            self.plays.append(PlayResult(play.name, "verify pending",
                                         "verify is not available in this version"))
            return
        names = [n for n in play.select_hosts(self.site)
                 if n in self.tallies and not self.tallies[n].failed]
        try:
            ok, summary = self.verifier(self.site, names)
        except CamlinkError as error:  # a verify that cannot run is a failed verify
            ok, summary = False, str(error)
        self.emit(VerifyDone(play.name, ok, summary))
        self.verify_failed = self.verify_failed or not ok
        self.plays.append(PlayResult(play.name, "verified" if ok else "verify failed",
                                     summary))

    # -- who waits for whom ------------------------------------------------------------------

    def _blocked(self, name: str, changes: list[Change], phase: int) -> str:
        tally = self.tallies[name]
        if tally.failed:
            return f"{name} failed earlier in this run"
        if tally.held:
            return tally.held
        for dependency in sorted({d for c in changes for d in c.depends_on}):
            why = self._unready(dependency)
            if why:
                return (f"its link target {dependency} {why}: the spotter is skipped "
                        "entirely rather than half-linked")
        if phase == order.TIDY:
            return self._still_referenced(name)
        return ""

    def _unready(self, ptz: str) -> str:
        tally = self.tallies.get(ptz)
        if tally is None:  # not in this plan (--limit): nothing known, nothing to wait for
            return ""
        if tally.failed:
            return "failed"
        if tally.pending([order.REFERRED]):
            return "does not have all its presets and tracking rules in place yet"
        return ""

    def _still_referenced(self, ptz: str) -> str:
        """Why a PTZ camera's deletions must wait: a spotter that lets go of it has not yet.

        Each change names the PTZ cameras it stops referring to (``releases``); until all of
        those are in place on a spotter that has not failed, that spotter may still call on
        a preset or tracking rule that would be deleted. Other spotters do not matter, except
        a spotter of the plan that could not be read at all: what it refers to is unknown, so
        it holds back every PTZ deletion (leave it out with --limit to go on without it).
        """
        waiting: list[tuple[str, str]] = []  # (spotter, why)
        for tally in self.tallies.values():
            if tally.unplanned and tally.role == "spotter":
                waiting.append((tally.camera, f"{tally.camera} could not be read while "
                                "planning, so what it refers to is unknown"))
                continue
            letting_go = [c for c in tally.planned if ptz in c.releases]
            pending = [c for c in letting_go if tally.failed or c.key not in tally.applied]
            if not pending:
                continue
            changes = ", ".join(f"{c.kind} {c.name}" for c in pending)
            verb = "lets" if len(pending) == 1 else "let"
            why = (f"{tally.camera}, whose {changes} {verb} go of it, failed" if tally.failed else
                   f"{tally.camera} has not applied {changes}, which {verb} go of it")
            waiting.append((tally.camera, why))
        if not waiting:
            return ""
        noun = "spotter" if len(waiting) == 1 else "spotters"
        return (f"{noun} {', '.join(name for name, _ in waiting)} may still refer to it "
                f"({'; '.join(why for _, why in waiting)}): deletions on this PTZ camera are "
                "skipped")

    # -- recording ---------------------------------------------------------------------------

    def _skip(self, changes: Sequence[Change], reason: str, play: str) -> None:
        for change in changes:
            self.tallies[change.camera].skipped.append(SkippedChange(change.key, reason))
            self.emit(ChangeSkipped(play, change.camera, change.key, reason))

    def _record(self, outcome: StepOutcome) -> None:
        tally = self.tallies[outcome.camera]
        tally.writes += outcome.writes
        tally.known, tally.recheck = outcome.observed, False  # a read-back: nobody since
        if outcome.status == "changed":
            tally.applied.extend(outcome.applied)
            tally.expected = outcome.fingerprint
            return
        tally.failure = outcome.reason
        tally.status = outcome.status
        tally.unknown = tally.unknown or outcome.ends_in == "unknown"

    def _result(self, tally: _Tally) -> CameraResult:
        return CameraResult(
            camera=tally.camera, role=tally.role, status=_status(tally),
            reason=_reason(tally), changes=tuple(tally.applied),
            skipped=tuple(tally.skipped), requests=self.tools.requests_of(tally.camera),
            writes=tally.writes, ends_in=_ends_in(tally))


def _run_all(pool: ThreadPoolExecutor,
             work: Sequence[Callable[[], StepOutcome | None]]) -> list[StepOutcome | None]:
    """Run the steps at once and wait for every one. A signal raises nothing here
    (``stopping``): steps not yet begun return None, those under way finish their
    transaction, restore included. Only an exception from outside (a signal handler that
    is not ours) drops what has not begun; the pool still waits for the rest."""
    futures = [pool.submit(job) for job in work]
    try:
        return [future.result() for future in futures]
    except BaseException:
        for future in futures:
            future.cancel()
        raise


def _status(tally: _Tally) -> Status:
    if tally.failed:
        return tally.status
    if tally.applied:
        return "changed"
    return "skipped" if tally.skipped else "ok"


def _ends_in(tally: _Tally) -> EndState:
    if tally.unknown:
        return "unknown"
    if not tally.applied:
        return "before"
    return "after" if len(tally.applied) == len(tally.planned) else "between"


def _reason(tally: _Tally) -> str:
    parts: list[str] = []
    if tally.failure:
        parts.append(tally.failure)
    elif tally.applied:
        parts.append(f"{len(tally.applied)} change(s) applied")
    elif not tally.planned:
        parts.append("in sync: nothing to change")
    reasons = list(dict.fromkeys(s.reason for s in tally.skipped))
    if reasons:
        parts.append(f"{len(tally.skipped)} change(s) skipped: " + "; ".join(reasons))
    return "; ".join(parts)
