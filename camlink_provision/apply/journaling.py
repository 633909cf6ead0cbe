"""Apply events as journal records (journal.py owns the file and the lock).

Events carry names, never values, so a record is the event's fields as they are; the run's
end record is the RunResult's JSON view (statuses, reasons, change keys, counts).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from typing import Any

from camlink_provision.apply.events import (
    ApplyEvent,
    CameraDone,
    RunFinished,
    StepWriting,
)
from camlink_provision.journal import Journal

# Where a ``camera_done`` may leave a camera for nothing to be left to recover (recovery.py
# reads the same from a journal).
SETTLED = ("after", "before")

_WORD = re.compile(r"(?<!^)(?=[A-Z])")


def record_name(event: ApplyEvent) -> str:
    """``CameraDone`` -> ``camera_done``."""
    return _WORD.sub("_", type(event).__name__).lower()


class JournalSink:
    """The apply's events as the journal's records, written from the worker threads.

    It also knows which cameras are in flight (a ``step_writing`` not yet followed by a
    ``camera_done`` that settled them): the run's end record names them without reading
    the journal back, which holds a snapshot per step (32 MB for 1,000 cameras; reading it
    took 0.25-0.3 s at the end of every apply, issue 15)."""

    def __init__(self, journal: Journal) -> None:
        self.journal = journal
        self._lock = threading.Lock()
        self._writing: dict[str, None] = {}  # cameras in flight, in the order they began

    def __call__(self, event: ApplyEvent) -> None:
        if isinstance(event, RunFinished):
            self.journal.write("run_finished", result=event.result.to_json())
            return
        if isinstance(event, StepWriting):
            with self._lock:  # before its record: never less than the journal says
                self._writing[event.camera] = None
        self.journal.write(record_name(event), durable=isinstance(event, StepWriting),
                           **fields_of(event))
        if isinstance(event, CameraDone) and event.ends_in in SETTLED:
            with self._lock:
                self._writing.pop(event.camera, None)

    def in_flight(self) -> list[str]:
        with self._lock:
            return list(self._writing)


def journal_sink(journal: Journal) -> JournalSink:
    return JournalSink(journal)


def fields_of(event: ApplyEvent) -> dict[str, Any]:
    """The event's fields as they are. Every field is plain data (text, numbers, tuples and
    the JSON views of a step and a snapshot), so nothing needs converting; ``asdict`` deep
    copied each snapshot's 1,500 settings first, and was most of the CPU an apply of 1,000
    cameras spent (issue 15)."""
    return {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
