"""``camlink-provision emulate``: serve a fleet until SIGINT or SIGTERM, then exit 0.

Prints one line ``NAME http://127.0.0.1:PORT`` per camera in file order (ports from
``--base-port`` up) and flushes, so a parent process can read the lines and start talking.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

from camlink_provision.emulator.dump import spec_from_dump
from camlink_provision.emulator.faults import parse_fault_spec
from camlink_provision.emulator.fleet import Fleet, start_fleet
from camlink_provision.emulator.fleetfile import load_fleet_file
from camlink_provision.emulator.spec import CameraSpec, Fault
from camlink_provision.errors import CamlinkError
from camlink_provision.firmware.override import builtin_set, load_override

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def run_emulate(args: argparse.Namespace) -> int:
    specs = _specs(args)
    faults = _faults(args.fault, {s.name for s in specs})
    fleet = _start(args, specs)
    try:
        with _stop_requested() as stop:
            for name, fault in faults:
                fleet.set_fault(name, fault)
            if args.inventory:
                _inventory_fleet().prepare_fleet(args, fleet)
            for name in fleet.names():
                print(f"{name} {fleet.url(name)}")
            sys.stdout.flush()
            while not stop.wait(1.0):  # wake now and then: signals reach the main thread
                pass
    finally:
        fleet.stop()
    return 0


def _specs(args: argparse.Namespace) -> list[CameraSpec]:
    profiles = load_override(args.profile) if getattr(args, "profile", None) else None
    if args.fleet:
        specs = load_fleet_file(args.fleet)
    elif getattr(args, "from_dump", None):
        specs = [_dump_spec(text) for text in args.from_dump]
    else:
        specs = _inventory_fleet().specs_from_args(args)
    if profiles is not None:
        specs = [dataclasses.replace(s, profile=profiles.for_camera(s.model, s.firmware))
                 for s in specs]
    names = [s.name for s in specs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise CamlinkError(f"two cameras are named {', '.join(twice)}: name each dump, "
                           "--from-dump NAME=FILE")
    print((profiles or builtin_set()).describe(), file=sys.stderr)
    return specs


def _dump_spec(text: str) -> CameraSpec:
    """``[NAME=]FILE``: a camera from a captured getparam dump."""
    name, sep, path = text.partition("=")
    if not sep:
        name, path = "", text
    return spec_from_dump(path, name or None)


def _inventory_fleet() -> Any:
    """The inventory-to-fleet module, loaded only when -i is used (it loads the inventory)."""
    return importlib.import_module("camlink_provision.emulator.inventory_fleet")


def _faults(texts: list[str], names: set[str]) -> list[tuple[str, Fault]]:
    faults = []
    for text in texts:
        try:
            name, fault = parse_fault_spec(text)
        except ValueError as exc:
            raise CamlinkError(str(exc)) from None
        if name not in names:
            raise CamlinkError(f"--fault {text!r}: no camera {name!r} in the fleet")
        faults.append((name, fault))
    return faults


def _start(args: argparse.Namespace, specs: list[CameraSpec]) -> Fleet:
    state = Path(args.state) if args.state else None
    try:
        return start_fleet(specs, base_port=args.base_port, state_dir=state,
                           latency_ms=args.latency)
    except OSError as exc:
        last = args.base_port + len(specs) - 1
        raise CamlinkError(f"cannot serve on ports {args.base_port}-{last}: {exc.strerror}; "
                           "choose another --base-port") from None
    except ValueError as exc:
        raise CamlinkError(str(exc)) from None


@contextmanager
def _stop_requested() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM; the previous handlers come back afterwards."""
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in STOP_SIGNALS}
    try:
        yield stop
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
