"""`camlink-provision plan`: what the cameras report against what the inventory wants."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from camlink_provision.applied import last_applied
from camlink_provision.camera.record import CaptureRecorder
from camlink_provision.cli import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from camlink_provision.commands.common import open_session
from camlink_provision.commands.terminal import wants_color
from camlink_provision.inventory.model import Site
from camlink_provision.plan import default_client, make_plan
from camlink_provision.render import render_plan, save_plan


def run_plan(args: argparse.Namespace) -> int:
    with open_session(args) as session:
        recorder = _recorder(args, session.site)
        factory = default_client if recorder is None else \
            (lambda camera: default_client(camera, recorder))
        # Fingerprints only where they are kept: a plan file, or the JSON a tool may save.
        plan = make_plan(session.site, session.names, concurrency=args.concurrency,
                         history=last_applied(session.site.name), client_factory=factory,
                         fingerprints=bool(args.out) or args.format == "json")
    if recorder is not None:
        print(f"recorded {recorder.count} exchange(s) in {recorder.directory}/ (no headers, "
              "secrets removed): attach it to a bug report", file=sys.stderr)
    if args.out:
        save_plan(plan, Path(args.out))
    color = args.format == "text" and wants_color(sys.stdout, no_color=args.no_color)
    sys.stdout.write(render_plan(plan, args.format, color=color))
    if plan.failed:
        return EXIT_ERROR
    if args.detailed_exitcode and plan.changes:
        return EXIT_CHANGES
    return EXIT_OK


def _recorder(args: argparse.Namespace, site: Site) -> CaptureRecorder | None:
    """``--record DIR``: the capture, told every password of the run to scrub."""
    if not args.record:
        return None
    secrets = [c.credentials.password.reveal() for c in site.cameras.values()]
    secrets += [c.link_credentials.password.reveal() for c in site.cameras.values()
                if c.link_credentials is not None]
    return CaptureRecorder(Path(args.record), secrets)
