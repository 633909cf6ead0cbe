from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from render_plans import empty_plan, hostile_plan, json_native_plan, small_plan

from camlink_provision.datafiles import schema_text
from camlink_provision.errors import (
    CameraAuthError,
    CameraCommandError,
    CameraError,
    CameraProtocolError,
    CameraUnreachable,
    PlanError,
)
from camlink_provision.model import CameraPlan, Plan
from camlink_provision.render import load_plan, render_plan, save_plan
from camlink_provision.render.json_view import SCHEMA_FILE, plan_schema


def _validate(data: Any) -> None:
    jsonschema.Draft202012Validator(plan_schema()).validate(data)


def _saved(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _properties(schema: Any, where: str = "$") -> Iterator[tuple[str, Any]]:
    """Every (path, subschema) under a ``properties`` keyword, anywhere in the schema."""
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            yield f"{where}.{name}", sub
        for key, sub in schema.items():
            yield from _properties(sub, f"{where}/{key}")
    elif isinstance(schema, list):
        for index, sub in enumerate(schema):
            yield from _properties(sub, f"{where}[{index}]")


def test_json_is_the_sorted_indented_plan_with_a_final_newline() -> None:
    plan = small_plan()
    assert render_plan(plan, "json") == json.dumps(plan.to_json(), indent=2,
                                                   sort_keys=True) + "\n"


def test_a_saved_plan_file_holds_the_same_bytes_as_the_printed_json(tmp_path: Path) -> None:
    save_plan(small_plan(), tmp_path / "p.json")
    assert (tmp_path / "p.json").read_text(encoding="utf-8") == render_plan(small_plan(), "json")


def test_the_schema_is_valid_draft_2020_12() -> None:
    schema = json.loads(schema_text(SCHEMA_FILE))
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema)


def test_every_property_in_the_schema_is_described() -> None:
    found = list(_properties(plan_schema()))
    assert len(found) > 40
    assert [path for path, sub in found if not sub.get("description")] == []


@pytest.mark.parametrize("make", [small_plan, json_native_plan, empty_plan, hostile_plan])
def test_every_plan_validates_against_the_schema(make: Callable[[], Plan]) -> None:
    _validate(json.loads(render_plan(make(), "json")))


def test_round_trip_through_a_plan_file_gives_an_equal_plan(tmp_path: Path) -> None:
    plan = json_native_plan()
    save_plan(plan, tmp_path / "p.json")
    assert load_plan(tmp_path / "p.json") == plan


def test_round_trip_keeps_everything_but_the_secret(tmp_path: Path) -> None:
    plan = small_plan()  # the sensitive attribute holds a real value in memory
    save_plan(plan, tmp_path / "p.json")
    loaded = load_plan(tmp_path / "p.json")
    assert loaded.to_json() == plan.to_json()
    assert loaded.cameras[3].changes[1].attributes[2].before == "(sensitive)"


def _plan_data() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_plan(json_native_plan(), "json"))
    return data


def _tampered_action(data: dict[str, Any]) -> None:
    data["cameras"][0]["changes"][0]["action"] = "replace"


def _leaked_secret(data: dict[str, Any]) -> None:
    data["cameras"][3]["changes"][1]["attributes"][2]["after"] = "hunter2"


def _steps_reordered(data: dict[str, Any]) -> None:
    # The spotter's step before the PTZ's: a plan a reviewer approved runs in its order only.
    data["steps"].reverse()


def _step_phase_moved(data: dict[str, Any]) -> None:
    data["steps"][0]["phase"] = 3


def _request_dropped(data: dict[str, Any]) -> None:
    data["steps"][0]["requests"].pop()


def _wrong_totals(data: dict[str, Any]) -> None:
    data["totals"]["create"] = 7


def _stray_change(data: dict[str, Any]) -> None:
    data["cameras"][0]["changes"][0]["camera"] = "spotter-gate"


def _extra_field(data: dict[str, Any]) -> None:
    data["cameras"][0]["password"] = "x"


def _missing_fingerprint(data: dict[str, Any]) -> None:
    del data["cameras"][0]["fingerprint"]


@pytest.mark.parametrize(("tamper", "says"), [
    (_tampered_action, "at $.cameras[0].changes[0].action"),
    (_leaked_secret, "at $.cameras[3].changes[1].attributes[2].after"),
    (_steps_reordered, "the steps do not match the changes listed"),
    (_step_phase_moved, "the steps do not match the changes listed"),
    (_request_dropped, "the steps do not match the changes listed"),
    (_wrong_totals, "do not match the changes listed"),
    (_stray_change, "listed under camera 'ptz-north'"),
    (_extra_field, "at $.cameras[0]: Additional properties"),
    (_missing_fingerprint, "'fingerprint' is a required property"),
])
def test_an_edited_plan_file_is_refused(tmp_path: Path, tamper: Callable[[dict[str, Any]], None],
                                        says: str) -> None:
    data = _plan_data()
    tamper(data)
    path = _saved(tmp_path, data)
    with pytest.raises(PlanError) as caught:
        load_plan(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    assert says in message
    assert "camlink-provision plan --out" in message
    assert "hunter2" not in message


@pytest.mark.parametrize(("content", "says"), [
    ("{not json", "not a plan file: not JSON"),
    ('{"hosts": {"ptz-1": {}}}', 'not a camlink-provision plan file (no "format" field)'),
    ("[1, 2]", 'not a camlink-provision plan file (no "format" field)'),
    # format 1 plans had no steps: their order was the rollout's, not the reviewer's
    ('{"format": 1, "site": "s"}', "a plan in format 1; this camlink-provision reads format 3"),
    # 2: fingerprints in the encoding before issue 15; refused as a format, not as drift
    ('{"format": 2, "site": "s"}', "a plan in format 2; this camlink-provision reads format 3"),
    ('{"format": 4, "site": "s"}', "a plan in format 4; this camlink-provision reads format 3"),
])
def test_a_foreign_file_is_refused_with_what_to_do(tmp_path: Path, content: str,
                                                   says: str) -> None:
    path = tmp_path / "plan.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(PlanError, match="camlink-provision plan --out") as caught:
        load_plan(path)
    assert str(caught.value).startswith(str(path))
    assert says in str(caught.value)


def test_a_missing_plan_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(PlanError, match="no such plan file"):
        load_plan(tmp_path / "absent.json")


def test_a_binary_file_is_a_plan_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(PlanError, match="not UTF-8 text"):
        load_plan(path)


@pytest.mark.parametrize("error", [CameraError, CameraUnreachable, CameraAuthError,
                                   CameraCommandError, CameraProtocolError])
def test_the_schema_accepts_every_camera_error_kind(error: type[CameraError]) -> None:
    cam = CameraPlan("c", "ptz", error="c: failed", error_kind=error.kind)
    _validate(Plan("s", (cam,)).to_json())
