"""After out-of-band drift, apply repairs exactly the drift and nothing else."""

from __future__ import annotations

from typing import Any

from apply_kit import settings, writes

from camlink_provision.apply import apply_plan
from camlink_provision.camera import CameraClient
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Site
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook


def _client(site: Site, name: str) -> CameraClient:
    cam = site.cameras[name]
    return CameraClient(name, cam.connection, cam.credentials)


def test_drift_is_repaired_exactly(site: Site, fleet: Any) -> None:
    assert not apply_plan(site, make_plan(site), playbook=load_playbook()).failed
    converged = {n: settings(fleet, n) for n in fleet.names()}
    with _client(site, "ptz-a") as ptz, _client(site, "spot") as spot:
        ptz.delete_preset("yard")
        spot.setparam({"event_i0_delay": "42"})
    for name in fleet.names():
        fleet.clear_log(name)

    plan = make_plan(site)
    assert sorted(c.key for c in plan.changes) == ["ptz-a/preset/yard",
                                                   "spot/event/gate-intrusion"]
    result = apply_plan(site, plan, playbook=load_playbook())
    assert {c.camera: c.status for c in result.cameras} == {
        "ptz-a": "changed", "ptz-b": "ok", "spot": "changed"}

    assert [(e.path, e.params) for e in writes(fleet, "ptz-a")] == [
        ("/cgi-bin/operator/preset.cgi", ("addpos", "index"))]
    assert [e.params for e in writes(fleet, "spot")] == [("event_i0_delay",)]
    assert writes(fleet, "ptz-b") == []
    assert {n: settings(fleet, n) for n in fleet.names()} == converged
    # The spotter's link tests: two (one per peer) for the plan, none for the read-back of
    # a step that changes an event and no peer (the re-plan checks that step's changes
    # only); the snapshot compares settings and tests no link.
    link_tests = [e for e in fleet.request_log("spot") if e.path == profile.LINK_TEST
                  and e.agent]
    assert len(link_tests) == 2
