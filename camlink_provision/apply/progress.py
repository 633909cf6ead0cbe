"""Rendering apply events as they come: a live display on a terminal, plain lines in CI.

Both are event sinks (``events.EventSink``); the command picks one. Neither shows a value
written to a camera: events carry none.
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from camlink_provision.apply.events import (
    ApplyEvent,
    BatchStarted,
    CameraDone,
    CameraRestoring,
    ChangeSkipped,
    PlayStarted,
    RolloutStopped,
    RunFinished,
    VerifyDone,
)


def describe(event: ApplyEvent) -> str | None:
    """The one line an event is worth, or None for events only the journal keeps."""
    if isinstance(event, PlayStarted):
        if event.verify:
            return f"PLAY [{event.play}] ({event.index}/{event.total}): verify"
        if not event.changes:
            return f"PLAY [{event.play}] ({event.index}/{event.total}): nothing to do"
        return (f"PLAY [{event.play}] ({event.index}/{event.total}): {event.cameras} "
                f"camera(s), {event.changes} change(s), {event.batches} batch(es)")
    if isinstance(event, BatchStarted) and event.total > 1:
        return f"  batch {event.index}/{event.total}: {', '.join(event.cameras)}"
    if isinstance(event, CameraDone):
        return (f"  {event.camera}: {event.status} — {event.reason} "
                f"[{event.requests} requests, {event.writes} writes]")
    if isinstance(event, CameraRestoring):
        return f"  {event.camera}: restoring its snapshot — {event.why}"
    if isinstance(event, ChangeSkipped):
        return f"  {event.camera}: skip {event.change} — {event.reason}"
    if isinstance(event, RolloutStopped):
        return f"ROLLOUT STOPPED: {event.reason}"
    if isinstance(event, VerifyDone):
        return f"  verify {'ok' if event.ok else 'FAILED'}: {event.summary}"
    return None


class PlainProgress:
    """One line per event worth a line; for CI logs and pipes."""

    def __init__(self, out: TextIO) -> None:
        self._out = out

    def __call__(self, event: ApplyEvent) -> None:
        line = describe(event)
        if line is not None:
            print(line, file=self._out, flush=True)


class LiveProgress:
    """A progress bar per play, with the same lines printed above it; for terminals."""

    def __init__(self, console: Console) -> None:
        self._console = console
        self._progress = Progress(TextColumn("{task.description}"), BarColumn(),
                                  MofNCompleteColumn(), console=console, transient=True)
        self._task: TaskID | None = None
        self._started = False

    def __call__(self, event: ApplyEvent) -> None:
        if isinstance(event, PlayStarted) and not event.verify:
            self._start()
            self._task = self._progress.add_task(event.play, total=max(event.cameras, 1))
        elif isinstance(event, CameraDone) and self._task is not None:
            self._progress.advance(self._task)
        line = describe(event)
        if line is not None:
            self._progress.console.print(line, markup=False, highlight=False)
        if isinstance(event, RunFinished):
            self.stop()

    def _start(self) -> None:
        if not self._started:
            self._progress.start()
            self._started = True

    def stop(self) -> None:
        if self._started:
            self._progress.stop()
            self._started = False
