"""Journal records hold each event's fields exactly (names, never values), and a reader of
one kind of record finds exactly those."""

from __future__ import annotations

import dataclasses
import json
import os
import threading
import time
from pathlib import Path

import pytest

from camlink_provision import journal as journal_module
from camlink_provision.apply.events import CameraDone, RequestDone, StepWriting
from camlink_provision.apply.journaling import fields_of
from camlink_provision.journal import Journal, read_journal, read_named_records


def test_a_record_holds_what_a_deep_copy_of_the_event_would() -> None:
    events = [
        StepWriting("ptz", "cam-1", step={"phase": 1, "changes": ["cam-1/preset/gate"]},
                    snapshot={"camera": "cam-1", "params": {"a": "1"}, "rules": None}),
        RequestDone("ptz", "cam-1", "apply", "setparam", ("event_i0_name",)),
        CameraDone("ptz", "cam-1", "changed", "", 9, 4, "after"),
    ]
    for event in events:
        assert json.dumps(fields_of(event)) == json.dumps(dataclasses.asdict(event))


def test_a_named_record_is_found_without_reading_the_others_as_it(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    with Journal(path) as journal:
        journal.write("applied", cameras={"cam-1": {"a": "1"}})
        # A value that spells the marker is escaped in JSON: never taken for the record.
        journal.write("step_writing", camera="cam-1",
                      snapshot={"params": {"x": '"record": "applied"'}})
        journal.write("camera_done", camera="cam-1")
        journal.write("applied", cameras={"cam-2": {"b": "2"}})
    with path.open("a", encoding="utf-8") as cut:
        cut.write('{"at": "x", "record": "applied", "cameras": {"cam-3"')  # a crash mid-line
    found = read_named_records(path, "applied")
    assert [r["cameras"] for r in found] == [{"cam-1": {"a": "1"}}, {"cam-2": {"b": "2"}}]
    assert [r["record"] for r in read_journal(path)] == [
        "applied", "step_writing", "camera_done", "applied"]


def test_a_snapshot_journaled_before_free_slots_were_left_out_reads_as_today() -> None:
    from camlink_provision.apply.recovery import in_flight
    from camlink_provision.firmware import profile
    from camlink_provision.model import Observed
    from camlink_provision.resources.presets import without_free_positions

    old = {profile.CAP_NPRESET: "2", profile.preset_param(0, "name"): "gate",
           **{profile.preset_param(slot, axis): "0" for slot in (0, 1)
              for axis in profile.PRESET_AXES},
           profile.preset_param(1, "name"): ""}
    step = {"phase": 1, "camera": "ptz", "changes": [], "requests": []}
    records = [{"record": "step_writing", "camera": "ptz", "step": step,
                "snapshot": {"camera": "ptz", "params": old, "rules": None}}]
    [flight] = in_flight(records)
    today = Observed("ptz", without_free_positions(dict(old)))
    assert flight.snapshot.fingerprint() == today.fingerprint()
    assert profile.preset_param(0, "pan") in flight.snapshot.params
    assert profile.preset_param(1, "pan") not in flight.snapshot.params


def test_durable_records_written_at_once_share_fsyncs_and_each_waits_for_one(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Group commit: a durable write returns only once an fsync that began after its record
    was written has ended; writers arriving while one runs share the next."""
    path = tmp_path / "run.jsonl"
    ended: list[int] = []  # per fsync that has ended: the file's line count as it began
    real_fsync = os.fsync

    def slow_fsync(fd: int) -> None:
        lines = path.read_text().count("\n")
        time.sleep(0.05)  # a slow disk: the others arrive meanwhile
        real_fsync(fd)
        ended.append(lines)

    monkeypatch.setattr(journal_module.os, "fsync", slow_fsync)
    writers, start = 8, threading.Barrier(8)
    covered_at_return: dict[str, int] = {}  # lines covered by the fsyncs ended by then

    with Journal(path) as journal:
        def write(name: str) -> None:
            start.wait()
            journal.write("step_writing", durable=True, camera=name)
            covered_at_return[name] = max(ended, default=0)

        threads = [threading.Thread(target=write, args=(f"cam-{n}",)) for n in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    line_of = {record["camera"]: number
               for number, record in enumerate(read_journal(path), start=1)}
    assert sorted(covered_at_return) == sorted(line_of)  # every writer returned
    for name, covered in covered_at_return.items():
        assert covered >= line_of[name], (name, covered, line_of[name])
    assert 1 <= len(ended) < writers, ended  # shared, not one each


def test_closing_the_journal_makes_what_it_holds_durable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A durable record's writer may be between its append and its fsync when the journal
    closes (it then finds the file closed): the close itself covers every record."""
    synced: list[int] = []
    real_fsync = os.fsync

    def counting_fsync(fd: int) -> None:
        synced.append(fd)
        real_fsync(fd)

    monkeypatch.setattr(journal_module.os, "fsync", counting_fsync)
    journal = Journal(tmp_path / "run.jsonl")
    journal.write("step_writing", camera="cam-1")
    journal.close()
    assert len(synced) == 1
    with Journal(tmp_path / "quiet.jsonl") as covered:
        covered.write("run_ended", durable=True)
    assert len(synced) == 2  # already covered: the close adds no fsync


def test_the_sink_counts_the_cameras_in_flight_as_a_reader_of_its_journal_would(
        tmp_path: Path) -> None:
    """The run's end record names the cameras left in flight from the sink's count, not by
    reading back the journal: both must agree, a camera's second step included."""
    from camlink_provision.apply.journaling import journal_sink
    from camlink_provision.apply.recovery import in_flight

    step = {"phase": 1, "camera": "", "changes": [], "requests": []}

    def writing(camera: str) -> StepWriting:
        return StepWriting("p", camera, step={**step, "camera": camera},
                           snapshot={"camera": camera, "params": {}, "rules": None})

    def done(camera: str, ends_in: str) -> CameraDone:
        return CameraDone("p", camera, "changed", "", 3, 1, ends_in)

    path = tmp_path / "run.jsonl"
    with Journal(path) as journal:
        sink = journal_sink(journal)
        for event in (writing("a"), writing("b"), writing("c"), done("a", "after"),
                      done("b", "unknown"), writing("a"), done("c", "before"),
                      writing("d")):
            sink(event)
        counted = sink.in_flight()
    assert counted == ["b", "a", "d"]
    assert sorted(counted) == sorted(f.camera for f in in_flight(read_journal(path)))
