"""What every camera-facing command starts with: the site, the cameras, the fleet.

The work itself is ``camlink_provision.session`` (shared with the Python API); this module
turns parsed arguments into its ``SiteOptions`` and prints what it notes on stderr.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from camlink_provision.camera.client import REQUEST_LOG
from camlink_provision.session import (
    STATE_ROOT,
    Session,
    SiteOptions,
    open_site,
    retry_path,
)

__all__ = ["STATE_ROOT", "Session", "open_session", "options_from_args", "retry_path",
           "show_requests"]


def options_from_args(args: argparse.Namespace) -> SiteOptions:
    """The session options a command line gives (commands lack some: defaults then)."""
    concurrency = getattr(args, "concurrency", None)
    return SiteOptions(
        inventory=list(args.inventory), secrets=getattr(args, "secrets", None),
        secrets_command=getattr(args, "secrets_command", None),
        limit=getattr(args, "limit", None),
        concurrency=concurrency if isinstance(concurrency, int) else SiteOptions.concurrency,
        emulate=bool(getattr(args, "emulate", False)),
        emulator_state=getattr(args, "emulator_state", None),
        lock_dir=getattr(args, "lock_dir", None), profile=getattr(args, "profile", None))


def _stderr(text: str) -> None:
    print(text, file=sys.stderr)


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


@contextmanager
def open_session(args: argparse.Namespace, *, lock: bool = False) -> Iterator[Session]:
    """``session.open_site`` of the command line's options, its notes on stderr.

    ``args.concurrency`` is lowered to what the session can open (commands read it later).
    """
    show_requests(getattr(args, "verbose", 0) or 0)
    with open_site(options_from_args(args), lock=lock, note=_stderr) as session:
        if isinstance(getattr(args, "concurrency", None), int):
            args.concurrency = session.concurrency
        yield session
