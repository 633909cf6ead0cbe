"""What every camera-facing command starts with: the site, the cameras, the fleet."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from camlink_provision.camera.client import REQUEST_LOG
from camlink_provision.camera.transport import fit_concurrency
from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.emulator.inventory_fleet import (
    point_site_at_fleet,
    seed_adopted_presets,
    specs_for_site,
)
from camlink_provision.firmware.choice import choose_profile
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


class _RequestLine(logging.Formatter):
    """``cam GET /path [names] 200 12 ms``; at -vv also ``, 345 B, sent 2 (1 challenge)``."""

    def __init__(self, verbosity: int) -> None:
        super().__init__()
        self._verbosity = verbosity

    def format(self, record: logging.LogRecord) -> str:
        line = record.getMessage()
        if self._verbosity >= 2:
            size = getattr(record, "size", None)
            sent = getattr(record, "sent", 0)
            challenges = getattr(record, "challenges", 0)
            line += f", {size} B" if size is not None else ", no reply"
            line += f", sent {sent}"
            repeats = sent - 1 - challenges
            notes = ([f"{challenges} auth challenge(s)"] if challenges else []) + (
                [f"{repeats} repeat(s)"] if repeats > 0 else [])
            if notes:
                line += f" ({', '.join(notes)})"
        return line


_request_handler: logging.Handler | None = None


def show_requests(verbosity: int) -> None:
    """-v: one line per camera request on stderr; -vv: with sizes and repeats."""
    global _request_handler
    if _request_handler is not None:
        REQUEST_LOG.removeHandler(_request_handler)
        _request_handler = None
    if verbosity < 1:
        REQUEST_LOG.setLevel(logging.NOTSET)
        return
    _request_handler = logging.StreamHandler(sys.stderr)
    _request_handler.setFormatter(_RequestLine(verbosity))
    REQUEST_LOG.addHandler(_request_handler)
    REQUEST_LOG.setLevel(logging.INFO)


def emulator_state_dir(args: argparse.Namespace, site: Site) -> Path:
    if getattr(args, "emulator_state", None):
        return Path(args.emulator_state)
    return STATE_ROOT / "emulator" / site.name


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


@contextmanager
def open_session(args: argparse.Namespace, *, lock: bool = False) -> Iterator[Session]:
    """Load and validate the inventory (errors raise before any camera is contacted).

    ``lock``: hold the site's lock (``sitelock``, in ``--lock-dir``) for the whole session,
    taken before an emulated fleet starts, so a run refused by the lock touches nothing.
    """
    show_requests(getattr(args, "verbose", 0) or 0)
    loaded = site_from_args(args)
    for warning in loaded.warnings:
        print(warning.render(), file=sys.stderr)
    site = choose_profile(loaded.site, getattr(args, "profile", None), _stderr)
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
