"""``Change.releases`` in plan files: written sorted, read back, and required (format 2)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from render_plans import FINGERPRINT, json_native_plan, ordered

from camlink_provision.errors import PlanError
from camlink_provision.firmware.commands import SetParams
from camlink_provision.model import CameraPlan, Change, Plan
from camlink_provision.render import load_plan, render_plan, save_plan


def _releasing_plan() -> Plan:
    """The views' plan plus a spotter whose event drops its links to two PTZ cameras."""
    drop = Change(camera="spotter-yard", kind="event", name="yard-open", action="update",
                  slot=0, attributes=(), ops=(SetParams({"event_i0_enable": "0"}),),
                  reason="drift", depends_on=(), releases=("ptz-east", "ptz-north"))
    plan = json_native_plan()
    spotter = CameraPlan("spotter-yard", "spotter", "IB9387-EHT", "2.2103.12.01",
                         FINGERPRINT, changes=(drop,))
    return ordered(replace(plan, cameras=(*plan.cameras, spotter)))


def _data(plan: Plan) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render_plan(plan, "json"))
    return data


def _saved(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_releases_go_through_a_plan_file(tmp_path: Path) -> None:
    plan = _releasing_plan()
    save_plan(plan, tmp_path / "p.json")
    loaded = load_plan(tmp_path / "p.json")
    assert loaded == plan
    assert loaded.cameras[-1].changes[0].releases == ("ptz-east", "ptz-north")
    assert _data(plan)["cameras"][-1]["changes"][0]["releases"] == ["ptz-east", "ptz-north"]


def test_a_change_without_releases_is_refused(tmp_path: Path) -> None:
    # What a change lets go of decides when the PTZ tidy-up runs: never guessed as "none".
    data = _data(_releasing_plan())
    del data["cameras"][-1]["changes"][0]["releases"]
    with pytest.raises(PlanError, match=r"'releases' is a required property"):
        load_plan(_saved(tmp_path, data))


def test_a_release_named_twice_is_refused(tmp_path: Path) -> None:
    data = _data(_releasing_plan())
    data["cameras"][-1]["changes"][0]["releases"] = ["ptz-north", "ptz-north"]
    with pytest.raises(PlanError, match=r"releases"):
        load_plan(_saved(tmp_path, data))
