"""What every camera-facing command starts with: the site, the cameras, the fleet."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from camlink_provision.camera.transport import fit_concurrency
from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.emulator.inventory_fleet import (
    point_site_at_fleet,
    seed_adopted_presets,
    specs_for_site,
)
from camlink_provision.inventory.loader import site_from_args
from camlink_provision.inventory.model import Site
from camlink_provision.selection import select
from camlink_provision.sitelock import SiteLock, lock_dir, site_lock

STATE_ROOT = Path(".camlink")


def retry_path(site: Site) -> Path:
    """Where a failed apply lists its failed cameras, for ``--limit @PATH``."""
    return STATE_ROOT / "retry" / f"{site.name}.retry"


@dataclass(frozen=True)
class Session:
    """A loaded site, the cameras selected, and the emulated fleet when --emulate."""

    site: Site
    names: list[str]
    fleet: Fleet | None = None
    lock: SiteLock | None = None  # with ``open_session(..., lock=True)``


def _fit_concurrency(args: argparse.Namespace, site: Site) -> None:
    """Lower ``args.concurrency`` to what this process's open-file limit allows, saying so."""
    requested = getattr(args, "concurrency", None)
    if not isinstance(requested, int):
        return
    emulated = len(site.cameras) if getattr(args, "emulate", False) else 0
    args.concurrency, note = fit_concurrency(requested, emulated_cameras=emulated)
    if note:
        print(note, file=sys.stderr)


def emulator_state_dir(args: argparse.Namespace, site: Site) -> Path:
    if getattr(args, "emulator_state", None):
        return Path(args.emulator_state)
    return STATE_ROOT / "emulator" / site.name


@contextmanager
def open_session(args: argparse.Namespace, *, lock: bool = False) -> Iterator[Session]:
    """Load and validate the inventory (errors raise before any camera is contacted).

    ``lock``: hold the site's lock (``sitelock``, in ``--lock-dir``) for the whole session,
    taken before an emulated fleet starts, so a run refused by the lock touches nothing.
    """
    loaded = site_from_args(args)
    for warning in loaded.warnings:
        print(warning.render(), file=sys.stderr)
    site = loaded.site
    names = select(site, getattr(args, "limit", None))
    _fit_concurrency(args, site)
    with ExitStack() as stack:
        held = (stack.enter_context(site_lock(site.name, lock_dir(getattr(args, "lock_dir",
                                                                          None))))
                if lock else None)
        if not getattr(args, "emulate", False):
            yield Session(site, names, lock=held)
            return
        state_dir = emulator_state_dir(args, site)
        state_dir.mkdir(parents=True, exist_ok=True)
        fleet = stack.enter_context(running_fleet(specs_for_site(site), state_dir=state_dir))
        site = point_site_at_fleet(site, fleet)
        seed_adopted_presets(site)
        yield Session(site, names, fleet, held)
