"""Apply events as journal records (journal.py owns the file and the lock).

Events carry names, never values, so a record is the event's fields as they are; the run's
end record is the RunResult's JSON view (statuses, reasons, change keys, counts).
"""

from __future__ import annotations

import dataclasses
import re

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
                      **dataclasses.asdict(event))
    return record
