"""Journal records hold each event's fields exactly (names, never values)."""

from __future__ import annotations

import dataclasses
import json

from camlink_provision.apply.events import CameraDone, RequestDone, StepWriting
from camlink_provision.apply.journaling import fields_of


def test_a_record_holds_what_a_deep_copy_of_the_event_would() -> None:
    events = [
        StepWriting("ptz", "cam-1", step={"phase": 1, "changes": ["cam-1/preset/gate"]},
                    snapshot={"camera": "cam-1", "params": {"a": "1"}, "rules": None}),
        RequestDone("ptz", "cam-1", "apply", "setparam", ("event_i0_name",)),
        CameraDone("ptz", "cam-1", "changed", "", 9, 4, "after"),
    ]
    for event in events:
        assert json.dumps(fields_of(event)) == json.dumps(dataclasses.asdict(event))
