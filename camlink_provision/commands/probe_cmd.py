"""`camlink-provision probe`: how a camera's firmware names things, against the profile.

Reads each camera (never writes: its client is read-only), reports per name pattern whether
the camera has it, and whether plan and apply can run there as it is. ``--write-profile``
writes the corrections found as an override file; ``--save-dump`` the cameras' getparam
replies with secrets blanked (``emulate --from-dump`` starts a camera from one).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from camlink_provision.camera.readonly import ReadOnlyClient
from camlink_provision.camera.redact import redact_pairs
from camlink_provision.cli import EXIT_ERROR, EXIT_OK, EXIT_USAGE
from camlink_provision.commands.common import open_session
from camlink_provision.errors import CameraError, CamlinkError
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.choice import naming_for, profiles_of
from camlink_provision.firmware.override import ProfileSet, builtin_set, load_override
from camlink_provision.inventory.model import Connection, Credentials, Secret
from camlink_provision.inventory.secrets import env_name, open_secrets
from camlink_provision.probe.override import corrections, write_override
from camlink_provision.probe.report import render_json, render_text
from camlink_provision.probe.run import CameraProbe, probe_camera
from camlink_provision.runner import run_each


@dataclass(frozen=True)
class Target:
    """One camera to probe, and the profile it is compared with."""

    name: str
    connection: Connection
    credentials: Credentials
    profiles: ProfileSet
    model: str = ""  # from the inventory; "" = ask the camera (--host)
    firmware: str = ""  # likewise


def run_probe(args: argparse.Namespace) -> int:
    if bool(args.inventory) == bool(args.host):
        print("camlink-provision: probe: give -i INVENTORY or --host HOST --user USER",
              file=sys.stderr)
        return EXIT_USAGE
    if args.inventory:
        with open_session(args) as session:
            site = session.site
            targets = [Target(name, camera.connection, camera.credentials,
                              profiles_of(site), camera.model, camera.firmware or "")
                       for name, camera in ((n, site.cameras[n]) for n in session.names)]
            return _probe_all(args, targets, profiles_of(site))
    profiles = load_override(args.profile) if args.profile else builtin_set()
    print(profiles.describe(), file=sys.stderr)
    return _probe_all(args, [_host_target(args, profiles)], profiles)


def _host_target(args: argparse.Namespace, profiles: ProfileSet) -> Target:
    if args.emulate:
        raise CamlinkError("probe --host reaches a camera by its address: --emulate works "
                           "with -i INVENTORY (or start `camlink-provision emulate` and "
                           "give its port)")
    if not args.user:
        raise CamlinkError("probe --host needs --user USER (an admin account)")
    store, errors = open_secrets(args.secrets, [], os.environ, command=args.secrets_command)
    if errors:
        raise CamlinkError("; ".join(e.render() for e in errors))
    password = store.lookup(args.password_secret)
    if password is None:
        raise CamlinkError(f"no secret {args.password_secret!r} for the password: "
                           f"{store.missing_hint(args.password_secret)} (or set "
                           f"${env_name(args.password_secret)})")
    return Target(args.host, Connection(args.host, args.port),
                  Credentials(args.user, Secret(password)), profiles)


def _probe_all(args: argparse.Namespace, targets: list[Target], profiles: ProfileSet) -> int:
    probes = run_each(targets, _probe_one, concurrency=args.concurrency)
    line = profiles.describe()
    render = render_json if args.format == "json" else render_text
    sys.stdout.write(render(probes, line))
    if args.save_dump:
        _save_dumps(Path(args.save_dump), probes)
    if args.write_profile:
        found = [corrections(p.model, p.findings, profiles.for_camera(p.model, p.firmware),
                             p.rule_keys.candidates if p.rule_keys else None)
                 for p in probes if not p.error and p.model]
        origin = ", ".join(f"{p.camera} {p.firmware}" for p in probes if not p.error)
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        write_override(Path(args.write_profile), found, f"{origin}; {stamp}")
        print(f"wrote {args.write_profile}: review it, then use it with --profile "
              f"{args.write_profile}", file=sys.stderr)
    return EXIT_OK if all(p.usable for p in probes) else EXIT_ERROR


def _probe_one(target: Target) -> CameraProbe:
    model, firmware = (target.model, target.firmware) if target.model else \
        _reported_identity(target)
    prof = target.profiles.for_camera(model, firmware)
    naming = naming_for(None if prof is fw.DEFAULT else prof)
    with ReadOnlyClient(target.name, target.connection, target.credentials,
                        naming=naming) as client:
        return probe_camera(client, naming)


def _reported_identity(target: Target) -> tuple[str, str]:
    """The model and firmware the camera reports (one read), to choose its profile."""
    if not target.profiles.models and not target.profiles.versions:
        return "", ""
    with ReadOnlyClient(target.name, target.connection, target.credentials) as client:
        try:
            said = client.getparam([fw.MODELNAME, fw.FIRMWARE])
        except CameraError:
            return "", ""  # probe_camera reports the failure
    return said.get(fw.MODELNAME, ""), said.get(fw.FIRMWARE, "")


def _save_dumps(directory: Path, probes: list[CameraProbe]) -> None:
    """Each camera's getparam reply as it came, secrets blanked: emulate --from-dump."""
    directory.mkdir(parents=True, exist_ok=True)
    for probe in probes:
        if not probe.params:
            continue
        pairs = redact_pairs(list(probe.params.items()))
        header = (f"# getparam.cgi (admin, no names) of {probe.camera}: {probe.model}, "
                  f"{probe.firmware}; secrets blanked. camlink-provision emulate "
                  "--from-dump reads it.\n")
        body = "".join(f"{name}='{value}'\n" for name, value in pairs)
        (directory / f"{probe.camera}.getparam.txt").write_text(header + body,
                                                                encoding="utf-8")
        print(f"wrote {directory / (probe.camera + '.getparam.txt')}", file=sys.stderr)
