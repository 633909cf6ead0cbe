"""Apply events as journal records (journal.py owns the file and the lock).

Events carry names, never values, so a record is the event's fields as they are; the run's
end record is the RunResult's JSON view (statuses, reasons, change keys, counts).
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from camlink_provision.apply.events import ApplyEvent, EventSink, RunFinished, StepWriting
from camlink_provision.journal import Journal

_WORD = re.compile(r"(?<!^)(?=[A-Z])")


def record_name(event: ApplyEvent) -> str:
    """``CameraDone`` -> ``camera_done``."""
    return _WORD.sub("_", type(event).__name__).lower()


def journal_sink(journal: Journal) -> EventSink:
    def record(event: ApplyEvent) -> None:
        if isinstance(event, RunFinished):
            journal.write("run_finished", result=event.result.to_json())
            return
        journal.write(record_name(event), durable=isinstance(event, StepWriting),
                      **fields_of(event))
    return record


def fields_of(event: ApplyEvent) -> dict[str, Any]:
    """The event's fields as they are. Every field is plain data (text, numbers, tuples and
    the JSON views of a step and a snapshot), so nothing needs converting; ``asdict`` deep
    copied each snapshot's 1,500 settings first, and was most of the CPU an apply of 1,000
    cameras spent (issue 15)."""
    return {field.name: getattr(event, field.name) for field in dataclasses.fields(event)}
