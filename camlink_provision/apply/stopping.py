"""Stopping an apply on a signal without leaving a camera half-written.

SIGINT (Ctrl-C), SIGTERM (CI cancelling a job, ``timeout``, ``kill``) and SIGHUP (a dropped
ssh session) all mean the same: start no further step; let the steps under way finish their
transaction (write, read back, or restore); then print the recap and exit 130 (SIGINT) or
143 (SIGTERM, SIGHUP). A second signal only cuts the restore's pauses short: it never
releases the lock or closes the journal while a worker may still send a request, because
the handler raises nothing; the run unwinds only once every worker has returned.

    with stop_on_signals() as stop:      # in the main thread, around apply_plan
        apply_plan(..., stop=stop)       # the rollout asks stop.requested between steps
    stop.signal_name                     # "SIGTERM", or "" when no signal came
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class StopRequest:
    """Set by a signal handler, read by the rollout and its workers (thread-safe)."""

    def __init__(self) -> None:
        self._stop = threading.Event()
        self._hurry = threading.Event()
        self.signal_name = ""
        self.signum = 0

    @property
    def requested(self) -> bool:
        return self._stop.is_set()

    @property
    def hurry(self) -> bool:
        """A second signal: pauses between restore passes are skipped."""
        return self._hurry.is_set()

    def request(self, signum: int) -> None:
        if self._stop.is_set():
            self._hurry.set()
            return
        self.signum = signum
        self.signal_name = signal.Signals(signum).name
        self._stop.set()

    def pause(self, seconds: float) -> None:
        """Sleep between restore passes, unless a second signal asks to hurry."""
        self._hurry.wait(seconds)

    @property
    def why(self) -> str:
        return (f"interrupted by {self.signal_name}: no further step was started; the steps "
                "under way finished or were restored")


Say = Callable[[str], None]


def _stderr(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@contextmanager
def stop_on_signals(say: Say = _stderr) -> Iterator[StopRequest]:
    """Handle SIGINT, SIGTERM and SIGHUP as a StopRequest while the block runs."""
    stop = StopRequest()

    def handle(signum: int, frame: FrameType | None) -> None:
        first = not stop.requested
        stop.request(signum)
        name = signal.Signals(signum).name
        if first:
            say(f"camlink-provision: {name}: stopping — no further camera is started; the "
                "ones under way finish or are restored (send it again to skip the restore's "
                "pauses)")
        else:
            say(f"camlink-provision: {name} again: skipping the restore's pauses; the site "
                "stays locked until every camera under way has ended")

    if threading.current_thread() is not threading.main_thread():
        yield stop  # signals reach only the main thread; nothing to install here
        return
    previous = {signum: signal.signal(signum, handle) for signum in SIGNALS}
    try:
        yield stop
    finally:
        # Once stopping, the run only has its recap, journal and lock left to close: a
        # further signal must not cut those short, so ours stays until the process exits.
        if not stop.requested:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
