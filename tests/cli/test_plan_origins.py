"""Plans tell an inventory edit from a change made on the camera, by the journal of the last
apply that left each camera converged (issue 11): "the inventory asks for it", "changed on
the camera since the last apply", and, with no such apply on record, "differs"."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from camlink_provision.camera import CameraClient
from camlink_provision.emulator import Fleet
from camlink_provision.emulator.inventory_fleet import overlay_data, point_site_at_fleet
from camlink_provision.inventory.loader import load_site

from .cli_kit import CONSTRUCTION, run
from .rollout_kit import fresh

CRANE = "host_vars/ptz-crane.yml"


@pytest.fixture
def fleet(construction_fleet: Fleet, construction_secrets: Path) -> Fleet:
    fresh(construction_fleet, construction_secrets)
    return construction_fleet


class Operator:
    """A checkout of the construction site (its own journal), on the served fleet."""

    def __init__(self, fleet: Fleet, root: Path, secrets: Path) -> None:
        self.fleet, self.root, self.secrets = fleet, root, secrets
        self.inventory = root / "construction-site"
        shutil.copytree(CONSTRUCTION, self.inventory)
        self.overlay = root / "overlay.yml"
        self.overlay.write_text(yaml.safe_dump(overlay_data(fleet)))

    def args(self) -> list[str]:
        return ["-i", str(self.inventory), "-i", str(self.overlay),
                "--secrets", str(self.secrets)]

    def apply(self) -> None:
        done = run("apply", *self.args(), "--yes", cwd=self.root)
        assert done.returncode == 0, done.stdout + done.stderr

    def plan(self, fmt: str = "json") -> Any:
        done = run("plan", *self.args(), "--format", fmt, cwd=self.root)
        assert done.returncode == 0, done.stdout + done.stderr
        return json.loads(done.stdout) if fmt == "json" else done.stdout

    def origins(self) -> dict[str, str]:
        return {f"{c['camera']}/{c['kind']}/{c['name']}": c.get("origin", "")
                for cam in self.plan()["cameras"] for c in cam["changes"]}

    def edit_crane_preset(self) -> None:
        path = self.inventory / CRANE
        path.write_text(path.read_text().replace("name: crane-yard, pan: -2700",
                                                 "name: crane-yard, pan: -2600"))

    def client(self, name: str) -> CameraClient:
        site = point_site_at_fleet(load_site([self.inventory], self.secrets).site, self.fleet)
        camera = site.cameras[name]
        return CameraClient(name, camera.connection, camera.credentials)


@pytest.fixture
def operator(fleet: Fleet, tmp_path: Path, construction_secrets: Path) -> Operator:
    return Operator(fleet, tmp_path, construction_secrets)


def test_without_an_apply_on_record_every_change_differs(operator: Operator) -> None:
    origins = operator.origins()
    assert origins and set(origins.values()) == {"differs"}
    text = operator.plan("text")
    assert "— differs: in the inventory, not on the camera" in text
    assert "changed on the camera" not in text and "inventory asks" not in text


def test_an_inventory_edit_and_a_change_on_the_camera_read_differently(
        operator: Operator) -> None:
    operator.apply()
    assert operator.origins() == {}  # converged
    operator.edit_crane_preset()
    with operator.client("yard-spotter") as spotter:
        spotter.setparam({"event_i0_delay": "42"})  # by hand, on the camera
    with operator.client("ptz-gate-north") as ptz:
        ptz.delete_preset("gate-wide")
    origins = operator.origins()
    assert origins == {
        "ptz-crane/preset/crane-yard": "inventory",
        "yard-spotter/event/yard-loitering": "camera",
        "ptz-gate-north/preset/gate-wide": "camera",
    }
    text = operator.plan("text")
    assert '"crane-yard" (slot 3) — the inventory asks for it: pan differ' in text
    assert ('"yard-loitering" (slot 0) — changed on the camera since the last apply: '
            "delay differ") in text
    assert ('"gate-wide" (slot 2) — changed on the camera since the last apply: in the '
            "inventory, not on the camera") in text
    markdown = operator.plan("markdown")
    assert "changed on the camera since the last apply" in markdown
    assert "the inventory asks for it" in markdown


def test_an_apply_refreshes_the_record_and_another_checkout_has_none(
        operator: Operator, tmp_path: Path) -> None:
    operator.apply()
    operator.edit_crane_preset()
    operator.apply()  # the edit is now what was applied
    with operator.client("ptz-crane") as ptz:
        ptz.delete_preset("crane-yard")
    assert operator.origins() == {"ptz-crane/preset/crane-yard": "camera"}
    # A checkout with no journal of this site cannot tell who moved.
    other = tmp_path / "elsewhere"
    other.mkdir()
    done = run("plan", *operator.args(), "--format", "json", cwd=other)
    changes = [c for cam in json.loads(done.stdout)["cameras"] for c in cam["changes"]]
    assert [c["origin"] for c in changes] == ["differs"]


def test_a_saved_plan_with_origins_is_not_stale(operator: Operator) -> None:
    operator.apply()
    operator.edit_crane_preset()
    saved = run("plan", *operator.args(), "--out", "p.json", cwd=operator.root)
    assert saved.returncode == 0, saved.stderr
    data = json.loads((operator.root / "p.json").read_text())
    assert [c.get("origin") for cam in data["cameras"] for c in cam["changes"]] == [
        "inventory"]
    done = run("apply", *operator.args(), "p.json", cwd=operator.root)
    assert done.returncode == 0, done.stdout + done.stderr
    assert operator.origins() == {}
