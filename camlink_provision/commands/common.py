"""What every camera-facing command starts with: the site, the cameras, the fleet."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.emulator.inventory_fleet import (
    point_site_at_fleet,
    seed_adopted_presets,
    specs_for_site,
)
from camlink_provision.inventory.loader import site_from_args
from camlink_provision.inventory.model import Site
from camlink_provision.selection import select

STATE_ROOT = Path(".camlink")
NO_COLOR_ENV = "NO_COLOR"  # https://no-color.org: set and not empty, no colour


def retry_path(site: Site) -> Path:
    """Where a failed apply lists its failed cameras, for ``--limit @PATH``."""
    return STATE_ROOT / "retry" / f"{site.name}.retry"


def wants_color(stream: TextIO, *, no_color: bool = False,
                environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never with --no-color or $NO_COLOR: the one rule
    every command's output follows."""
    environ = os.environ if environ is None else environ
    if no_color or environ.get(NO_COLOR_ENV):
        return False
    return stream.isatty()


@dataclass(frozen=True)
class Session:
    """A loaded site, the cameras selected, and the emulated fleet when --emulate."""

    site: Site
    names: list[str]
    fleet: Fleet | None = None


def emulator_state_dir(args: argparse.Namespace, site: Site) -> Path:
    if getattr(args, "emulator_state", None):
        return Path(args.emulator_state)
    return STATE_ROOT / "emulator" / site.name


@contextmanager
def open_session(args: argparse.Namespace) -> Iterator[Session]:
    """Load and validate the inventory (errors raise before any camera is contacted)."""
    loaded = site_from_args(args)
    for warning in loaded.warnings:
        print(warning.render(), file=sys.stderr)
    site = loaded.site
    names = select(site, getattr(args, "limit", None))
    if not getattr(args, "emulate", False):
        yield Session(site, names)
        return
    state_dir = emulator_state_dir(args, site)
    state_dir.mkdir(parents=True, exist_ok=True)
    with running_fleet(specs_for_site(site), state_dir=state_dir) as fleet:
        site = point_site_at_fleet(site, fleet)
        seed_adopted_presets(site)
        yield Session(site, names, fleet)
