"""A plan applies only to the cameras it was computed from: stale plans are refused."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from apply_kit import writes

from camlink_provision.apply import apply_plan
from camlink_provision.apply.saved import check_not_stale
from camlink_provision.camera import CameraClient
from camlink_provision.errors import PlanError
from camlink_provision.inventory.model import Preset, Site
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook
from camlink_provision.render import load_plan, save_plan


def _rename(site: Site, name: str, hostname: str) -> None:
    cam = site.cameras[name]
    with CameraClient(name, cam.connection, cam.credentials) as client:
        client.setparam({"system_hostname": hostname})


def _saved(site: Site, tmp_path: Path) -> tuple[Path, Any]:
    path = tmp_path / "plan.json"
    save_plan(make_plan(site), path)
    return path, load_plan(path)


def test_a_fresh_saved_plan_is_accepted_and_applied(site: Site, fleet: Any,
                                                    tmp_path: Path) -> None:
    path, plan = _saved(site, tmp_path)
    check_not_stale(site, plan, str(path), concurrency=4)
    assert not apply_plan(site, plan, playbook=load_playbook()).failed
    assert make_plan(site).changes == []


def test_a_camera_changed_since_the_plan_makes_it_stale(site: Site, fleet: Any,
                                                        tmp_path: Path) -> None:
    path, plan = _saved(site, tmp_path)
    _rename(site, "ptz-b", "renamed by hand")
    for name in fleet.names():
        fleet.clear_log(name)
    with pytest.raises(PlanError) as refused:
        check_not_stale(site, plan, str(path), concurrency=4)
    message = str(refused.value)
    assert "stale" in message and "ptz-b" in message and "ptz-a" not in message
    assert all(writes(fleet, n) == [] for n in fleet.names())


def test_an_inventory_changed_since_the_plan_makes_it_stale(site: Site, fleet: Any,
                                                            tmp_path: Path) -> None:
    path, plan = _saved(site, tmp_path)
    ptz_b = site.cameras["ptz-b"]
    moved = replace(ptz_b, presets=(Preset("road", 100, -100, 3),))
    edited = replace(site, cameras={**site.cameras, "ptz-b": moved})
    with pytest.raises(PlanError, match="ptz-b: the inventory now asks for different"):
        check_not_stale(edited, plan, str(path), concurrency=4)


def test_a_plan_for_another_site_is_refused(site: Site, fleet: Any, tmp_path: Path) -> None:
    path, plan = _saved(site, tmp_path)
    with pytest.raises(PlanError, match="for site 'kit-site', the inventory is site 'other'"):
        check_not_stale(replace(site, name="other"), plan, str(path), concurrency=4)


def test_apply_refuses_a_camera_that_changed_after_planning(site: Site, fleet: Any) -> None:
    plan = make_plan(site)
    _rename(site, "ptz-b", "changed meanwhile")
    for name in fleet.names():
        fleet.clear_log(name)
    result = apply_plan(site, plan, playbook=load_playbook())
    ptz_b = result.camera("ptz-b")
    assert ptz_b.status == "failed" and "changed since the plan" in ptz_b.reason
    assert writes(fleet, "ptz-b") == []
    assert result.camera("spot").status == "skipped"  # it links to ptz-b as well
    assert result.camera("ptz-a").status == "changed"
