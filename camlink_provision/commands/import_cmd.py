"""``camlink-provision import``: inventory files from cameras that were set up by hand.

    import -i INV --out DIR [--limit PATTERN] [--emulate]

INV needs only each camera's address and credentials (role and model may be left out).
The cameras are read, never written. DIR must be new or empty; nothing is written there if
any selected camera cannot be read. What was written, the secrets the files refer to (those
import made up are to be filled in), and every warning are printed; exit 0 once written.

With --emulate the fleet is built from INV (so INV must give the models) and the cameras
are read there; the files still carry INV's own connections, not the emulator's ports.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from camlink_provision.camera import CameraClient
from camlink_provision.cli import EXIT_OK
from camlink_provision.commands.common import open_session
from camlink_provision.firmware.choice import naming_for
from camlink_provision.importer import Imported, import_site, load_source, write_out
from camlink_provision.inventory.model import Camera, Site
from camlink_provision.selection import select


def run_import(args: argparse.Namespace) -> int:
    source = load_source(args.inventory, args.secrets,
                         secrets_command=getattr(args, "secrets_command", None))
    for problem in source.warnings:
        print(f"camlink-provision: {problem.render()}", file=sys.stderr)
    if args.emulate:
        with open_session(args) as session:
            imported = import_site(source, session.names, concurrency=args.concurrency,
                                   client_factory=aimed_at(session.site))
    else:
        imported = import_site(source, select(source.site, args.limit),
                               concurrency=args.concurrency)
    out = Path(args.out)
    paths = write_out(imported.files, out)
    print(report(imported, out, paths), end="")
    for warning in imported.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return EXIT_OK


def aimed_at(session_site: Site) -> Callable[[Camera], CameraClient]:
    """Clients that reach each camera where the session says (the emulated fleet)."""
    def factory(camera: Camera) -> CameraClient:
        aimed = session_site.cameras[camera.name]
        return CameraClient(camera.name, aimed.connection, camera.credentials,
                            naming=naming_for(aimed.firmware_profile))
    return factory


def count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def report(imported: Imported, out: Path, paths: Sequence[Path]) -> str:
    site = imported.adoption.site
    cameras = list(site.cameras.values())
    presets = sum(len(c.presets) for c in cameras)
    rules = sum(len(c.tracking_rules) for c in cameras)
    events = sum(len(c.events) for c in cameras)
    lines = [
        f"Imported {count(len(cameras), 'camera')} ({count(len(site.spotters()), 'spotter')}, "
        f"{len(site.ptz_cameras())} PTZ): {count(len(site.links), 'link')}, "
        f"{count(presets, 'preset')}, {count(rules, 'tracking rule')}, "
        f"{count(events, 'event')}.",
        f"Wrote {count(len(paths), 'file')} to {out}/: "
        + ", ".join(str(p.relative_to(out)) for p in paths) + ".",
    ]
    files = imported.files
    if files.secrets:
        lines.append("Secrets the files refer to: " + ", ".join(files.secrets) + ".")
    for name in files.new_secrets:
        lines.append(f"  {name}: new — the password the spotters store for that PTZ camera "
                     "(cameras never reveal it); add it to your secrets before planning.")
    if imported.adoption.placeholders:
        lines.append(f"{count(len(imported.adoption.placeholders), 'link target')} on cameras "
                     "the inventory lacks: commented out in links.yml.")
    secrets = " --secrets SECRETS" if files.secrets else ""
    lines.append(f"Next: camlink-provision plan -i {out}{secrets} (expect no change"
                 + (", except what the warnings say" if imported.warnings else "") + ").")
    return "\n".join(lines) + "\n"

