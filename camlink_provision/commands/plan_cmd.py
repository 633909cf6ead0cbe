"""`camlink-provision plan`: what the cameras report against what the inventory wants."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from camlink_provision.applied import last_applied
from camlink_provision.cli import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from camlink_provision.commands.common import open_session
from camlink_provision.commands.terminal import wants_color
from camlink_provision.plan import make_plan
from camlink_provision.render import render_plan, save_plan


def run_plan(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        plan = make_plan(session.site, session.names, concurrency=args.concurrency,
                         history=last_applied(session.site.name))
    if args.out:
        save_plan(plan, Path(args.out))
    color = args.format == "text" and wants_color(sys.stdout, no_color=args.no_color)
    sys.stdout.write(render_plan(plan, args.format, color=color))
    if plan.failed:
        return EXIT_ERROR
    if args.detailed_exitcode and plan.changes:
        return EXIT_CHANGES
    return EXIT_OK
