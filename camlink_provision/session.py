"""What every camera-facing run starts with, whoever starts it (the CLI or ``api``): load the
site, select cameras by ``limit``, hold the site's lock when asked, and with ``emulate``
start the emulated fleet and aim every camera's connection at it.

Nothing here prints: inventory warnings and notes go to the caller's ``note`` callback, so
the CLI sends them to stderr and the Python API returns them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from camlink_provision.camera.transport import fit_concurrency
from camlink_provision.firmware.choice import choose_profile
from camlink_provision.inventory.loader import load_site
from camlink_provision.inventory.model import Site
from camlink_provision.runner import DEFAULT_CONCURRENCY, one_cpu_for, tuned_collector
from camlink_provision.selection import select
from camlink_provision.sitelock import SiteLock, lock_dir, site_lock

if TYPE_CHECKING:  # the emulator (and asyncio under it) is imported by --emulate runs only
    from camlink_provision.emulator import Fleet

# Journals, retry files and the --emulate fleet's state live here, relative to the working
# directory of the run (as Ansible's .retry files): a checkout of the inventory repository.
STATE_ROOT = Path(".camlink")

Note = Callable[[str], None]


def _ignore(_: str) -> None:
    return None


@dataclass(frozen=True)
class SiteOptions:
    """Where a site comes from and how its cameras are reached: the options every
    camera-facing command shares (``-i``, ``--secrets``, ``--limit``, ...)."""

    inventory: Sequence[str | Path]  # inventory directories or files, later ones win
    secrets: str | Path | None = None  # file or directory; None: $CAMLINK_SECRETS, beside
    secrets_command: str | None = None  # a command whose output is the secrets YAML
    limit: str | None = None  # names, groups, globs, '!' excludes, '@FILE'
    concurrency: int = DEFAULT_CONCURRENCY
    emulate: bool = False  # an emulated fleet built from the inventory, on loopback
    emulator_state: str | Path | None = None  # default .camlink/emulator/<site>
    lock_dir: str | Path | None = None  # default: see sitelock.lock_dir
    profile: str | Path | None = None  # --profile FILE, over the inventory's firmware_profile


@dataclass(frozen=True)
class Session:
    """A loaded site, the cameras selected, and the emulated fleet when emulating."""

    site: Site
    names: list[str]
    fleet: Fleet | None = None
    lock: SiteLock | None = None  # with ``open_site(..., lock=True)``
    concurrency: int = DEFAULT_CONCURRENCY  # as asked, lowered to what the fd limit allows


def retry_path(site: Site) -> Path:
    """Where a failed apply lists its failed cameras, for ``--limit @PATH``."""
    return STATE_ROOT / "retry" / f"{site.name}.retry"


def emulator_state_dir(options: SiteOptions, site: Site) -> Path:
    if options.emulator_state:
        return Path(options.emulator_state)
    return STATE_ROOT / "emulator" / site.name


@contextmanager
def open_site(options: SiteOptions, *, lock: bool = False,
              note: Note = _ignore) -> Iterator[Session]:
    """Load and validate the inventory (errors raise before any camera is contacted).

    ``lock``: hold the site's lock (``sitelock``, in ``options.lock_dir``) for the whole
    session, taken before an emulated fleet starts, so a run refused by the lock touches
    nothing. ``note`` receives the inventory's warnings and a lowered concurrency.
    """
    with tuned_collector():  # under the CLI: what it set already
        yield from _open_site(options, lock=lock, note=note)


def _open_site(options: SiteOptions, *, lock: bool, note: Note) -> Iterator[Session]:
    loaded = load_site(options.inventory, options.secrets,
                       secrets_command=options.secrets_command)
    for warning in loaded.warnings:
        note(warning.render())
    site = choose_profile(loaded.site, options.profile, note)
    names = select(site, options.limit)
    emulated = len(site.cameras) if options.emulate else 0
    concurrency, lowered = fit_concurrency(options.concurrency, emulated_cameras=emulated)
    if lowered:
        note(lowered)
    with ExitStack() as stack:
        held = (stack.enter_context(site_lock(site.name, lock_dir(options.lock_dir)))
                if lock else None)
        # Emulated cameras speak HTTP, from a thread of this process that starts below.
        stack.enter_context(one_cpu_for(["http"] if options.emulate else (
            site.cameras[name].connection.scheme for name in names)))
        if not options.emulate:
            yield Session(site, names, lock=held, concurrency=concurrency)
            return
        from camlink_provision.emulator import running_fleet
        from camlink_provision.emulator.inventory_fleet import (
            point_site_at_fleet,
            seed_adopted_presets,
            specs_for_site,
        )
        state_dir = emulator_state_dir(options, site)
        state_dir.mkdir(parents=True, exist_ok=True)
        fleet = stack.enter_context(running_fleet(specs_for_site(site), state_dir=state_dir))
        site = point_site_at_fleet(site, fleet)
        seed_adopted_presets(site)
        yield Session(site, names, fleet, held, concurrency)
