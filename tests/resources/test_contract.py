"""The contract every resource kind passes (NAPALM's shared driver tests, for resources).

- it implements every method of ``base.Resource`` with the same parameters;
- ``observed`` is a pure parse: same reply, same result, the reply untouched;
- the Ops of a plan, applied the way the firmware contract says (``Simulator``), bring the
  camera to a state that plans no change, and every named thing then has a no-op reason;
- everything it writes with setparam is a parameter the camera has, and may be written;
- removing everything (``state: absent``) and applying leaves nothing of it on the camera.
"""

from __future__ import annotations

import inspect
import json
from dataclasses import replace
from typing import Any

import pytest

from camlink_provision.firmware import profile
from camlink_provision.inventory.model import RESOURCE_KINDS, Camera, Site
from camlink_provision.model import Observed
from camlink_provision.order import requests_of
from camlink_provision.plan import plan_camera_detail
from camlink_provision.resources import KINDS, Resource
from camlink_provision.resources.peers import RESOURCE as PEERS
from resources.sitekit import (
    Simulator,
    build_site,
    capabilities,
    link_password_of,
    observed_from,
    password_of,
)

SITE: dict[str, Any] = {
    "cameras": [
        {"name": "ptz1", "role": "ptz", "address": "10.0.0.21",
         "presets": [{"name": "gate", "pan": 100, "tilt": -10, "zoom": 2},
                     {"name": "yard", "pan": -200, "tilt": 0, "zoom": 1}],
         "tracking_rules": [
             {"name": "gate-track", "type": "intrusion",
              "field": [[0, 0], [5000, 0], [5000, 5000]], "condition": "both"},
             {"name": "fence", "type": "linecrossing", "field": [[0, 1], [9, 1]]}]},
        {"name": "ptz2", "role": "ptz", "address": "10.0.0.22", "site_port": 8080,
         "presets": [{"name": "dock", "pan": 1, "tilt": 2, "zoom": 3}]},
        {"name": "spot1", "role": "spotter",
         "events": [{"name": "gate-intrusion",
                     "trigger": {"kind": "detection", "rule": "gate-zone"},
                     "priority": "high", "do_duration": 3},
                    {"name": "door", "trigger": {"kind": "di", "inputs": [0]}}]},
    ],
    "links": [
        {"name": "gate", "spotter": "spot1", "event": "gate-intrusion",
         "targets": [{"ptz": "ptz1", "preset": "gate", "track_rule": "gate-track"},
                     {"ptz": "ptz2", "preset": "dock", "do_duration": 4}]},
        {"name": "door", "spotter": "spot1", "event": "door",
         "targets": [{"ptz": "ptz2", "preset": "dock"}]},
    ],
}
HOLDS: dict[str, Any] = {
    "presets": {0: {"name": "by-hand", "pan": 5}},
    "events": {1: {"name": "theirs", "enable": 1}},
    "peers": {2: {"enable": 1, "name": "other", "ipaddress": "192.0.2.99"}},
    "rules": {"theirs": {"RuleName": "theirs", "Type": "intrusion", "Field": [[0, 0], [1, 1]],
                         "ConnectEvent": False, "Condition": "enter"}},
}
IDS = [kind.kind for kind in KINDS]


def _converge(site: Site, camera: Camera, observed: Observed) -> Observed:
    """Plan, apply the step's requests to a simulated camera, and read it back."""
    plan = plan_camera_detail(site, camera, observed).plan
    assert not plan.error, plan.error
    sim = Simulator(site, camera, observed)
    for request in requests_of(plan.changes):
        sim.run(request.command)
    back = Observed(camera.name, sim.params, sim.rules)
    return sim.observed(PEERS.slots_to_test(site, camera, back))


def _holds(camera: Camera) -> dict[str, Any]:
    if camera.role == "ptz":
        return {"presets": HOLDS["presets"], "rules": HOLDS["rules"]}
    return {"events": HOLDS["events"], "peers": HOLDS["peers"]}


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_implements_the_protocol(kind: Resource) -> None:
    for name, member in inspect.getmembers(Resource, inspect.isfunction):
        if name.startswith("_"):
            continue
        mine = getattr(kind, name)
        expected = list(inspect.signature(member).parameters)[1:]
        assert list(inspect.signature(mine).parameters) == expected, name
    assert kind.kind in RESOURCE_KINDS


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_observed_is_a_pure_parse(kind: Resource) -> None:
    site = build_site(SITE)
    for camera in site.cameras.values():
        observed = observed_from(camera, _holds(camera))
        before = json.dumps(observed.params, sort_keys=True)
        assert kind.observed(observed) == kind.observed(observed)
        assert json.dumps(observed.params, sort_keys=True) == before


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
@pytest.mark.parametrize("start", ["factory", "held"])
def test_applying_the_plan_converges(kind: Resource, start: str) -> None:
    site = build_site(SITE)
    for camera in site.cameras.values():
        observed = observed_from(camera, _holds(camera) if start == "held" else {})
        first = plan_camera_detail(site, camera, observed).plan
        again = plan_camera_detail(site, camera, _converge(site, camera, observed))
        assert [c.key for c in again.plan.changes if c.kind == kind.kind] == []
        assert again.plan.warnings == ()
        wanted = {w.name for w in kind.desired(site, camera)}
        in_sync = {n.name for n in again.noops if n.kind == kind.kind}
        assert in_sync == wanted
        assert all("already" in n.reason for n in again.noops)
        if wanted:
            assert any(c.kind == kind.kind for c in first.changes)


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_writes_only_writable_parameters(kind: Resource) -> None:
    site = build_site(SITE)
    for camera in site.cameras.values():
        table = profile.parameter_table(capabilities(camera.model))
        plan = plan_camera_detail(site, camera, observed_from(camera, _holds(camera))).plan
        for change in plan.changes:
            assert change.ops, change.key
            for op in change.ops:
                if op.call == "setparam":
                    for name in op.args:
                        assert name in table and table[name].set_level <= 6, name


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_absent_removes_everything(kind: Resource) -> None:
    site = build_site(SITE)
    gone = _all_absent(site)
    for camera in site.cameras.values():
        converged = _converge(site, camera, observed_from(camera, {}))
        after = _converge(gone, gone.cameras[camera.name], converged)
        left = {h.name for h in kind.observed(after)}
        assert not left & {w.name for w in kind.desired(site, camera)}


def test_no_secret_in_any_change() -> None:
    site = build_site(SITE)
    secrets = [f(name) for name in site.cameras for f in (password_of, link_password_of)]
    for camera in site.cameras.values():
        plan = plan_camera_detail(site, camera, observed_from(camera, _holds(camera))).plan
        text = json.dumps(plan.to_json()) + repr(plan)
        assert not [s for s in secrets if s in text]


def _all_absent(site: Site) -> Site:
    cameras = {}
    for name, cam in site.cameras.items():
        cameras[name] = replace(
            cam, presets=tuple(replace(p, state="absent") for p in cam.presets),
            tracking_rules=tuple(replace(r, state="absent") for r in cam.tracking_rules),
            events=tuple(replace(e, state="absent") for e in cam.events))
    links = tuple(replace(link, state="absent") for link in site.links)
    return replace(site, cameras=cameras, links=links)
