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

The run itself is ``apply.site_run`` (shared with the Python API, ``api.apply_site``);
this module is its terminal front end: the plan and recap printed, progress, the question.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console

from camlink_provision.apply.events import EventSink
from camlink_provision.apply.progress import LiveProgress, PlainProgress
from camlink_provision.apply.recap import render_recap
from camlink_provision.apply.site_run import Frontend, run_site_apply
from camlink_provision.commands.common import open_session
from camlink_provision.commands.terminal import CONFIRM_WORD, Terminal, system_terminal
from camlink_provision.errors import ConfirmationRefused, PlanError
from camlink_provision.model import Plan
from camlink_provision.playbook import load_playbook
from camlink_provision.render import load_plan, render_plan

__all__ = ["Terminal", "apply_command", "run_apply"]


def run_apply(args: argparse.Namespace) -> int:
    return apply_command(args, system_terminal(no_color=args.no_color))


def apply_command(args: argparse.Namespace, term: Terminal) -> int:
    playbook = load_playbook(args.playbook)
    saved = _saved_plan(args)
    with open_session(args, lock=True) as session:
        done = run_site_apply(session, playbook, concurrency=args.concurrency, saved=saved,
                              planfile=args.planfile or "", front=_front(args, term))
    if done.result is not None:
        term.say()
        term.say(render_recap(done.result, color=term.color).rstrip("\n"))
    if done.retry_file is not None:
        term.say(f"to run the failed cameras again: --limit @{done.retry_file}")
    return done.code


def _saved_plan(args: argparse.Namespace) -> Plan | None:
    if not args.planfile:
        return None
    if args.limit:
        raise PlanError(f"{args.planfile}: --limit cannot narrow a saved plan, which already "
                        "names its cameras — make the plan with `plan --limit ... --out FILE`")
    return load_plan(args.planfile)


def _front(args: argparse.Namespace, term: Terminal) -> Frontend:
    def show_plan(plan: Plan) -> None:
        term.say(render_plan(plan, "text", color=term.color).rstrip("\n"))

    def confirm(plan: Plan) -> bool:
        cameras = len({c.camera for c in plan.changes})
        if not term.interactive:
            raise ConfirmationRefused(
                "refusing to apply without confirmation: standard input is not a terminal. "
                "Review the plan above, then run again with --yes (or save it with "
                "`plan --out FILE` and apply that file with --yes)")
        answer = term.ask(f"Apply {len(plan.changes)} change(s) to {cameras} camera(s) "
                          f"of site {plan.site}? Only '{CONFIRM_WORD}' goes on: ")
        return answer.strip() == CONFIRM_WORD

    @contextmanager
    def progress() -> Iterator[EventSink]:
        sink = (LiveProgress(Console(file=term.out, no_color=not term.color)) if term.live
                else PlainProgress(term.out))
        try:
            yield sink
        finally:
            if isinstance(sink, LiveProgress):
                sink.stop()  # give the terminal back

    asks = not (args.yes or args.planfile)  # a saved plan was reviewed
    return Frontend(say=term.say, show_plan=show_plan, confirm=confirm if asks else None,
                    progress=progress)
