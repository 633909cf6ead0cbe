"""One apply of a site, from the held lock to the exit status: what ``camlink-provision
apply`` and ``camlink_provision.api.apply_site`` both run, so they cannot drift apart.

    journal   ``run_started``; then recovery of what an earlier, killed run left in flight
    plan      read the cameras and plan (or check a saved plan is not stale)
    show      the front end sees the plan; nothing to change: "Nothing to apply", exit 0
    confirm   only when the front end asks (a terminal); after a person's pause each
              camera's first step reads again what it touches (``plan.reread``)
    apply     ``apply_plan`` under ``stop_on_signals``: a signal stops between steps
    record    the ``applied`` record (cameras left converged), the retry file, the exit status

The front end (``Frontend``) decides how the run talks: the CLI prints, shows progress and
asks on a terminal; the API collects the lines and never prints. The caller holds the
session (``session.open_site(..., lock=True)``) for the whole run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from camlink_provision import __version__, applied
from camlink_provision import plan as planner
from camlink_provision.apply import RunResult, apply_plan
from camlink_provision.apply.events import EventSink, ignore
from camlink_provision.apply.journaling import JournalSink, journal_sink
from camlink_provision.apply.recovery import Recovered, end_run, recover_site
from camlink_provision.apply.saved import check_not_stale
from camlink_provision.apply.stopping import stop_on_signals
from camlink_provision.apply.verifying import site_verifier
from camlink_provision.cli import EXIT_ERROR, EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED
from camlink_provision.errors import CameraError, CamlinkError
from camlink_provision.journal import Journal
from camlink_provision.model import Observed, Plan
from camlink_provision.playbook import Playbook
from camlink_provision.selection import write_retry_file
from camlink_provision.session import Session, retry_path


@contextmanager
def _no_progress() -> Iterator[EventSink]:
    yield ignore


def _silent(_: str) -> None:
    return None


def _no_plan_view(_: Plan) -> None:
    return None


@dataclass(frozen=True)
class Frontend:
    """How a run talks to whoever started it; every part may be left out (the API's)."""

    say: Callable[[str], None] = _silent  # notes, in the order the CLI prints them
    show_plan: Callable[[Plan], None] = _no_plan_view
    # Asked before writing when set; None goes on (--yes, a reviewed saved plan, the API).
    confirm: Callable[[Plan], bool] | None = None
    progress: Callable[[], AbstractContextManager[EventSink]] = _no_progress


@dataclass(frozen=True)
class SiteApply:
    """What one apply of a site came to."""

    plan: Plan
    result: RunResult | None  # None: nothing was applied (no change, or cancelled)
    code: int  # the CLI's exit status (0, 1, 130, 143)
    cancelled: bool = False  # the confirmation was refused
    recovered: tuple[Recovered, ...] = ()
    retry_file: Path | None = None  # written when cameras failed: ``--limit @PATH``
    journal: Path | None = None


def run_site_apply(session: Session, playbook: Playbook, *, concurrency: int,
                   saved: Plan | None = None, planfile: str = "",
                   front: Frontend | None = None) -> SiteApply:
    """Apply the session's site: journal, recovery, plan, apply, recap; see the module.

    Raises ``CamlinkError`` (a stale saved plan, a refused confirmation without a terminal):
    journaled as ``run_refused`` before it propagates.
    """
    front = front or Frontend()
    lock = session.lock
    assert lock is not None, "an apply holds the site's lock: open_site(..., lock=True)"
    site = session.site
    with Journal.open_for(site.name) as journal:
        if lock.note:
            front.say(f"note: {lock.note}")
        journal.write("run_started", site=site.name, version=__version__,
                      cameras=list(session.names), playbook=playbook.to_json(),
                      planfile=planfile, concurrency=concurrency, lock_note=lock.note)
        code = EXIT_ERROR
        sink = journal_sink(journal)
        try:
            # Before anything else: cameras an earlier, killed run may have half-written.
            recovered = recover_site(site, journal.path.parent, journal, front.say)
            run = _Run(session, playbook, concurrency, journal, sink, front, planfile)
            try:
                outcome = run.execute(saved)
            except CamlinkError as error:  # stale plan, refused confirmation: on record
                journal.write("run_refused", error=str(error))
                raise
            code = outcome.code
            return SiteApply(outcome.plan, outcome.result, outcome.code, outcome.cancelled,
                             tuple(recovered), outcome.retry_file, journal.path)
        finally:
            end_run(journal, sink.in_flight(), code=code)


@dataclass
class _Outcome:
    plan: Plan
    result: RunResult | None
    code: int
    cancelled: bool = False
    retry_file: Path | None = None


@dataclass
class _Run:
    session: Session
    playbook: Playbook
    concurrency: int
    journal: Journal
    record: JournalSink
    front: Frontend
    planfile: str
    fresh: dict[str, Observed | CameraError] = field(default_factory=dict)
    reviewed: bool = False  # a person confirmed the plan after ``fresh`` was read
    # Plan and apply share each camera's Digest nonce: no second challenge per camera.
    clients: planner.ClientFactory = field(default_factory=planner.run_clients)

    def execute(self, saved: Plan | None) -> _Outcome:
        plan = self._plan(saved)
        self.front.show_plan(plan)
        self.journal.write("plan", totals=plan.totals(),
                           cameras={c.camera: {"changes": [ch.key for ch in c.changes],
                                               "error": c.error} for c in plan.cameras})
        if not plan.changes:
            return self._nothing_to_apply(plan)
        if self.front.confirm is not None:
            if not self.front.confirm(plan):
                self.front.say("Apply cancelled: nothing was written.")
                self.journal.write("cancelled")
                return _Outcome(plan, None, EXIT_ERROR, cancelled=True)
            self.reviewed = True  # a person took their time: what each step touches is read again
        site = self.session.site
        with self.front.progress() as progress, stop_on_signals() as stop:
            # From here a signal stops the rollout between steps instead of unwinding it:
            # the lock and the journal stay until every camera under way has ended.
            result = apply_plan(site, plan, playbook=self.playbook,
                                concurrency=self.concurrency,
                                client_factory=self.clients,
                                on_event=progress, record=self.record,
                                verifier=site_verifier(self.concurrency), stop=stop,
                                fresh=self._hand_over_reads(), reviewed=self.reviewed)
        applied.record_applied(self.journal, site, converged(plan, result))
        # As Ansible's .retry file: a saved plan names its cameras, so only a fresh run
        # can be narrowed to them (and then they are planned again, as they should be).
        retry = retry_path(site)
        write_retry_file(retry, result.failed_hosts)
        return _Outcome(plan, result, exit_code(result),
                        retry_file=retry if result.failed_hosts else None)

    def _hand_over_reads(self) -> dict[str, Observed | CameraError]:
        """The plan's reads, for the apply to own: nothing here keeps them alive while it
        runs (a 5,000-camera site's reads are hundreds of megabytes)."""
        reads, self.fresh = self.fresh, {}
        return reads

    def _plan(self, saved: Plan | None) -> Plan:
        """The plan; a fresh one keeps the reads it was made from, a saved one those of its
        stale check (``self.fresh``)."""
        site = self.session.site
        if saved is None:
            plan, self.fresh = planner.plan_and_observe(
                site, self.session.names, concurrency=self.concurrency,
                client_factory=self.clients, history=applied.last_applied(site.name))
            return plan
        self.fresh = check_not_stale(site, saved, self.planfile,
                                     concurrency=self.concurrency, client_factory=self.clients)
        return saved

    def _nothing_to_apply(self, plan: Plan) -> _Outcome:
        if plan.failed:
            self.front.say(f"Nothing to apply, but {len(plan.failed)} camera(s) could not be "
                           "planned: " + ", ".join(c.camera for c in plan.failed))
            return _Outcome(plan, None, EXIT_ERROR)
        applied.record_applied(self.journal, self.session.site, converged(plan, None))
        self.front.say("Nothing to apply.")
        return _Outcome(plan, None, EXIT_OK)


def converged(plan: Plan, result: RunResult | None) -> list[str]:
    """The cameras this run leaves as the inventory wants: planned without error, and either
    nothing to change or every change in place (``ends_in`` after, nothing skipped)."""
    done = {cam.camera: cam for cam in result.cameras} if result else {}
    out = []
    for cam in plan.cameras:
        if cam.error:
            continue
        ended = done.get(cam.camera)
        if not cam.changes:
            in_sync = ended is None or not ended.failed
        else:
            in_sync = (ended is not None and ended.status in ("ok", "changed")
                       and ended.ends_in == "after" and not ended.skipped)
        if in_sync:
            out.append(cam.camera)
    return out


def exit_code(result: RunResult) -> int:
    if result.interrupted:
        return EXIT_INTERRUPTED if result.interrupted == "SIGINT" else EXIT_TERMINATED
    return EXIT_ERROR if result.failed else EXIT_OK
