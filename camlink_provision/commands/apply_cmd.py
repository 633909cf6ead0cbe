"""``camlink-provision apply``: plan (or load a saved plan), confirm, converge, recap.

    apply -i INV [-i INV ...] [--playbook FILE] [--limit PATTERN] [--concurrency N] [--yes]
          [PLANFILE]

Stages, in order; nothing is written to a camera before the last one:

    load      the playbook (checked first: a typo must not cost a round of camera reads)
              and the site (``open_session``: inventory, --limit)
    lock      ``<lock dir>/<site>.lock``, shared by every checkout on the machine
              (``sitelock``): one apply per site at a time; then --emulate's fleet starts
    plan      without PLANFILE: read the cameras and plan (the dry run is the first half of
              the run); with PLANFILE: read them again and refuse a stale plan
    confirm   on a terminal, ask; without one, only ``--yes`` goes on
    apply     plays, batches, per-camera transactions (camlink_provision.apply)
    recap     per camera: ok, changed, failed, unreachable, skipped — and why; exit 1 if
              anything failed

Everything the run attempts and what came of it goes to the journal,
``.camlink/journal/<site>/<UTC timestamp>.jsonl`` — names, never values.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from rich.console import Console

from camlink_provision import __version__, applied
from camlink_provision import plan as planner
from camlink_provision.apply import RunResult, apply_plan
from camlink_provision.apply.events import EventSink, fan_out
from camlink_provision.apply.journaling import journal_sink
from camlink_provision.apply.progress import LiveProgress, PlainProgress
from camlink_provision.apply.recap import render_recap
from camlink_provision.apply.recovery import end_run, recover_site
from camlink_provision.apply.saved import check_not_stale
from camlink_provision.apply.stopping import stop_on_signals
from camlink_provision.apply.verifying import site_verifier
from camlink_provision.cli import EXIT_ERROR as EXIT_FAILED
from camlink_provision.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED
from camlink_provision.commands.common import open_session, retry_path
from camlink_provision.commands.terminal import Terminal, system_terminal
from camlink_provision.errors import CameraError, CamlinkError, ConfirmationRefused, PlanError
from camlink_provision.inventory.model import Site
from camlink_provision.journal import Journal
from camlink_provision.model import Observed, Plan
from camlink_provision.playbook import Playbook, load_playbook
from camlink_provision.render import load_plan, render_plan
from camlink_provision.selection import write_retry_file

CONFIRM_WORD = "yes"


def run_apply(args: argparse.Namespace) -> int:
    return apply_command(args, system_terminal(no_color=args.no_color))


def apply_command(args: argparse.Namespace, term: Terminal) -> int:
    playbook = load_playbook(args.playbook)
    saved = _saved_plan(args)
    with open_session(args, lock=True) as session, \
            Journal.open_for(session.site.name) as journal:
        lock = session.lock
        assert lock is not None
        if lock.note:
            term.say(f"note: {lock.note}")
        journal.write("run_started", site=session.site.name, version=__version__,
                      cameras=list(session.names),
                      playbook=playbook.to_json(), planfile=args.planfile or "",
                      concurrency=args.concurrency, lock_note=lock.note)
        code = EXIT_FAILED
        try:
            # Before anything else: cameras an earlier, killed run may have half-written.
            recover_site(session.site, journal.path.parent, journal, term.say)
            run = _Run(args, term, journal, session.site, playbook)
            try:
                code = run.execute(list(session.names), saved)
            except CamlinkError as error:  # stale plan, refused confirmation, ...: on record
                journal.write("run_refused", error=str(error))
                raise
            return code
        finally:
            end_run(journal, code=code)


def _saved_plan(args: argparse.Namespace) -> Plan | None:
    if not args.planfile:
        return None
    if args.limit:
        raise PlanError(f"{args.planfile}: --limit cannot narrow a saved plan, which already "
                        "names its cameras — make the plan with `plan --limit ... --out FILE`")
    return load_plan(args.planfile)


@dataclass
class _Run:
    args: argparse.Namespace
    term: Terminal
    journal: Journal
    site: Site
    playbook: Playbook

    def execute(self, names: list[str], saved: Plan | None) -> int:
        plan, fresh = self._plan(names, saved)
        self.term.say(render_plan(plan, "text", color=self.term.color).rstrip("\n"))
        self.journal.write("plan", totals=plan.totals(),
                           cameras={c.camera: {"changes": [ch.key for ch in c.changes],
                                               "error": c.error} for c in plan.cameras})
        if not plan.changes:
            return self._nothing_to_apply(plan)
        asked = self._must_ask()
        if asked and not self._confirmed(plan):
            self.term.say("Apply cancelled: nothing was written.")
            self.journal.write("cancelled")
            return EXIT_FAILED
        if asked:
            fresh = {}  # a person took their time: every camera is read again before writing
        progress = self._progress()
        try:
            # From here a signal stops the rollout between steps instead of unwinding it:
            # the lock and the journal stay until every camera under way has ended.
            with stop_on_signals() as stop:
                result = apply_plan(self.site, plan, playbook=self.playbook,
                                    concurrency=self.args.concurrency,
                                    client_factory=planner.default_client,
                                    on_event=fan_out(progress, journal_sink(self.journal)),
                                    verifier=site_verifier(self.args.concurrency), stop=stop,
                                    fresh=fresh)
        finally:
            if isinstance(progress, LiveProgress):
                progress.stop()  # give the terminal back
        applied.record_applied(self.journal, self.site, converged(plan, result))
        self.term.say()
        self.term.say(render_recap(result, color=self.term.color).rstrip("\n"))
        self._retry_file(result)
        return _exit_code(result)

    def _retry_file(self, result: RunResult) -> None:
        # As Ansible's .retry file: a saved plan names its cameras, so only a fresh run
        # can be narrowed to them (and then they are planned again, as they should be).
        retry = retry_path(self.site)
        write_retry_file(retry, result.failed_hosts)
        if result.failed_hosts:
            self.term.say(f"to run the failed cameras again: --limit @{retry}")

    def _plan(self, names: list[str], saved: Plan | None
              ) -> tuple[Plan, dict[str, Observed | CameraError]]:
        """The plan, and the reads it was made from (none for a saved plan)."""
        if saved is None:
            return planner.plan_and_observe(self.site, names,
                                            concurrency=self.args.concurrency,
                                            history=applied.last_applied(self.site.name))
        check_not_stale(self.site, saved, self.args.planfile,
                        concurrency=self.args.concurrency)
        return saved, {}

    def _nothing_to_apply(self, plan: Plan) -> int:
        if plan.failed:
            self.term.say(f"Nothing to apply, but {len(plan.failed)} camera(s) could not be "
                          "planned: " + ", ".join(c.camera for c in plan.failed))
            return EXIT_FAILED
        applied.record_applied(self.journal, self.site, converged(plan, None))
        self.term.say("Nothing to apply.")
        return EXIT_OK

    def _must_ask(self) -> bool:
        return not (self.args.yes or self.args.planfile)  # a saved plan was reviewed

    def _confirmed(self, plan: Plan) -> bool:
        cameras = len({c.camera for c in plan.changes})
        if not self.term.interactive:
            raise ConfirmationRefused(
                "refusing to apply without confirmation: standard input is not a terminal. "
                "Review the plan above, then run again with --yes (or save it with "
                "`plan --out FILE` and apply that file with --yes)")
        answer = self.term.ask(f"Apply {len(plan.changes)} change(s) to {cameras} camera(s) "
                               f"of site {self.site.name}? Only '{CONFIRM_WORD}' goes on: ")
        return answer.strip() == CONFIRM_WORD

    def _progress(self) -> EventSink:
        if self.term.live:
            return LiveProgress(Console(file=self.term.out, no_color=not self.term.color))
        return PlainProgress(self.term.out)


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


def _exit_code(result: RunResult) -> int:
    if result.interrupted:
        return EXIT_INTERRUPTED if result.interrupted == "SIGINT" else EXIT_TERMINATED
    return EXIT_FAILED if result.failed else EXIT_OK
