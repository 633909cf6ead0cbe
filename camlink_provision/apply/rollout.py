"""The order of an apply: plays, batches, phases, and who waits for whom.

    for each play of the playbook (in order)
      for each batch of its cameras (``serial``)
        phase 1  presets and tracking rules created or updated    (PTZ side)
        phase 2  peers and events, whatever the action            (spotter side)
        phase 3  presets and tracking rules deleted               (PTZ side)
        -> cameras of a phase run at once (``concurrency``), one transaction each
      stop the rollout if the batch failed more than ``max_fail_percentage``

Phases make even a one-play playbook safe: a spotter is told about a preset only after it
exists, and a preset goes only after no spotter refers to it.

Who waits for whom (every skip is recorded with its reason):

- a camera that failed (or could not be planned) does nothing more in this run;
- a change that ``depends_on`` a PTZ camera runs only once every create/update of that PTZ's
  presets and rules is in place; otherwise its spotter is skipped *entirely*, for the rest of
  the run (never half-linked);
- a PTZ camera's deletions run only once every spotter change that ``releases`` it (a peer
  deleted or re-pointed away from it, an event whose link action to one of its presets or
  tracking rules goes away or changes) is in place and its spotter has not failed; otherwise
  they are skipped, naming the spotter (it may still call on what would be deleted). A
  spotter that fails without releasing that PTZ holds none of its deletions back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial

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
from camlink_provision.apply.transaction import StepOutcome, StepTools, run_step
from camlink_provision.errors import CamlinkError
from camlink_provision.inventory.model import Site
from camlink_provision.model import Change, Plan
from camlink_provision.playbook import Play, Playbook

PTZ_SIDE = frozenset({"preset", "tracking_rule"})
PHASES = ("ptz side", "references", "ptz deletions")


def phase_of(change: Change) -> int:
    if change.kind in PTZ_SIDE:
        return 2 if change.action == "delete" else 0
    return 1


@dataclass
class _Tally:
    """What happened to one camera so far (touched only by the rollout's own thread)."""

    camera: str
    role: str
    planned: list[Change]
    expected: str  # the fingerprint its next step must find
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

    def pending(self, phases: Iterable[int]) -> list[Change]:
        """Planned changes of these phases that are not (yet) in place."""
        wanted = set(phases)
        return [c for c in self.planned if phase_of(c) in wanted and c.key not in self.applied]


Verifier = Callable[[Site, list[str]], tuple[bool, str]]


@dataclass
class Rollout:
    site: Site
    plan: Plan
    playbook: Playbook
    tools: StepTools
    concurrency: int
    emit: EventSink
    verifier: Verifier | None = None
    tallies: dict[str, _Tally] = field(default_factory=dict)
    stopped: str = ""
    plays: list[PlayResult] = field(default_factory=list)
    verify_failed: bool = False

    def run(self) -> RunResult:
        self._start_tallies()
        assigned = self._assign()
        with ThreadPoolExecutor(max_workers=max(1, self.concurrency)) as pool:
            for index, play in enumerate(self.playbook.plays):
                self._run_play(pool, index, play, assigned[index])
        return RunResult(site=self.plan.site, cameras=tuple(self._result(t) for t in
                                                             self.tallies.values()),
                         plays=tuple(self.plays), stopped=self.stopped,
                         verify_failed=self.verify_failed)

    # -- set-up ------------------------------------------------------------------------------

    def _start_tallies(self) -> None:
        for cam in self.plan.cameras:
            tally = _Tally(cam.camera, cam.role, list(cam.changes), cam.fingerprint)
            if cam.error:
                tally.unplanned = True
                tally.failure = f"could not be planned: {cam.error}"
                tally.status = "unreachable" if cam.error_kind == "unreachable" else "failed"
            self.tallies[cam.camera] = tally

    def _assign(self) -> list[list[Change]]:
        """Each change goes to the first play that covers it; the rest are skipped."""
        hosts = [set(play.select_hosts(self.site)) for play in self.playbook.plays]
        assigned: list[list[Change]] = [[] for _ in self.playbook.plays]
        for change in self.plan.changes:
            index = next((i for i, play in enumerate(self.playbook.plays)
                          if change.camera in hosts[i] and play.covers(change)), None)
            if index is None:
                self._skip([change], f"no play of {self.playbook.source} converges "
                           f"{change.kind} {change.action} on {change.camera}", "")
            else:
                assigned[index].append(change)
        return assigned

    # -- plays and batches -------------------------------------------------------------------

    def _run_play(self, pool: ThreadPoolExecutor, index: int, play: Play,
                  changes: list[Change]) -> None:
        if self.stopped:
            self._skip(changes, f"not run: {self.stopped}", play.name)
            self.plays.append(PlayResult(play.name, "not run", self.stopped))
            return
        if play.verify:
            self._run_verify(index, play)
            return
        hosts = self._play_hosts(play, changes)
        batches = play.batches(hosts)
        self.emit(PlayStarted(play.name, index + 1, len(self.playbook.plays), len(hosts),
                              len(batches), len(changes)))
        by_camera: dict[str, list[Change]] = {name: [] for name in hosts}
        for change in changes:
            by_camera[change.camera].append(change)
        for number, batch in enumerate(batches, start=1):
            if self.stopped:
                self._skip([c for n in batch for c in by_camera[n]],
                           f"not run: {self.stopped}", play.name)
                continue
            self.emit(BatchStarted(play.name, number, len(batches), tuple(batch)))
            failed = self._run_batch(pool, play, batch, by_camera)
            self._check_failures(play, number, len(batches), batch, failed)
        outcome = "stopped" if self.stopped else ("done" if hosts else "no cameras")
        self.plays.append(PlayResult(play.name, outcome, self.stopped))

    def _play_hosts(self, play: Play, changes: list[Change]) -> list[str]:
        """Cameras with work in this play, plus unplanned ones it names (counted once)."""
        with_work = {c.camera for c in changes}
        selected = set(play.select_hosts(self.site))
        return [name for name, tally in self.tallies.items()
                if name in with_work or (name in selected and tally.failed
                                         and not tally.counted and not tally.planned)]

    def _run_batch(self, pool: ThreadPoolExecutor, play: Play, batch: list[str],
                   by_camera: dict[str, list[Change]]) -> set[str]:
        failed: set[str] = set()
        for name in batch:
            tally = self.tallies[name]
            if tally.failed and not tally.counted:  # failed at plan time: counts here
                tally.counted = True
                failed.add(name)
        for phase in range(len(PHASES)):
            steps = self._ready_steps(play, batch, by_camera, phase)
            for outcome in _run_all(pool, [partial(self._step, play, s) for s in steps]):
                self._record(outcome)
                if outcome.status != "changed":
                    failed.add(outcome.camera)
        return failed

    def _step(self, play: Play, step: tuple[str, list[Change]]) -> StepOutcome:
        name, changes = step
        camera = self.site.cameras[name]
        try:
            return run_step(self.tools, play.name, camera, changes, self.tallies[name].expected)
        except Exception as error:  # as Nornir: a crash becomes this camera's result
            return StepOutcome(name, "failed", f"internal error ({type(error).__name__}); "
                               "see the journal", (), "unknown", "", 0)

    def _check_failures(self, play: Play, number: int, total: int, batch: list[str],
                        failed: set[str]) -> None:
        if not play.exceeds_failures(len(failed), len(batch)):
            return
        share = len(failed) * 100.0 / len(batch)
        self.stopped = (f"play {play.name!r}, batch {number}/{total}: {len(failed)} of "
                        f"{len(batch)} camera(s) failed ({share:.0f}%), above its "
                        f"max_fail_percentage of {play.max_fail_percentage:g}%; the rest of "
                        "the rollout was stopped")
        self.emit(RolloutStopped(play.name, self.stopped))

    def _run_verify(self, index: int, play: Play) -> None:
        self.emit(PlayStarted(play.name, index + 1, len(self.playbook.plays), 0, 1, 0, True))
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

    def _ready_steps(self, play: Play, batch: list[str], by_camera: dict[str, list[Change]],
                     phase: int) -> list[tuple[str, list[Change]]]:
        steps: list[tuple[str, list[Change]]] = []
        for name in batch:
            changes = [c for c in by_camera[name] if phase_of(c) == phase]
            if not changes:
                continue
            reason = self._blocked(name, changes, phase)
            if reason:
                self._skip(changes, reason, play.name)
                if phase == 1 and not self.tallies[name].held:
                    self.tallies[name].held = reason
            else:
                steps.append((name, changes))
        return steps

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
        if phase == 2:
            return self._still_referenced(name)
        return ""

    def _unready(self, ptz: str) -> str:
        tally = self.tallies.get(ptz)
        if tally is None:  # not in this plan (--limit): nothing known, nothing to wait for
            return ""
        if tally.failed:
            return "failed"
        if tally.pending([0]):
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
             work: Sequence[Callable[[], StepOutcome]]) -> list[StepOutcome]:
    """Run the steps at once; on Ctrl-C, steps not yet begun are dropped, while those under
    way finish their transaction (restore included) before the interrupt goes on."""
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
