"""Helpers for planning against the emulator over real HTTP on loopback.

``SITE`` is a small Camera Link site (two PTZ cameras, two spotters, three links) as the
dict ``resources.sitekit.build_site`` reads; ``fleet_specs`` gives the emulated cameras it
needs (model, site address, the admin account and, on PTZ cameras, the account spotters
use); ``run_plan`` sends a plan's requests with the real client, step by step, looking
secrets up in the Site (what apply does; here only to put cameras into known states).
"""

from __future__ import annotations

from typing import Any

from camlink_provision.camera import CameraClient
from camlink_provision.emulator import AccountSpec, CameraSpec
from camlink_provision.inventory.model import Camera, Site
from camlink_provision.model import Plan

SITE: dict[str, Any] = {
    "name": "http-site",
    "cameras": [
        {"name": "ptz1", "role": "ptz", "model": "SD9384-EHL", "address": "192.0.2.1",
         "presets": [{"name": "gate", "pan": 100, "tilt": -10, "zoom": 2},
                     {"name": "yard", "pan": -2000, "tilt": 5, "zoom": 1}],
         "tracking_rules": [
             {"name": "gate-track", "type": "intrusion",
              "field": [[0, 0], [5000, 0], [5000, 5000]], "condition": "both"},
             {"name": "fence", "type": "linecrossing", "field": [[0, 10], [9000, 10]]}]},
        {"name": "ptz2", "role": "ptz", "model": "SD9368-EHL", "address": "192.0.2.2",
         "site_port": 8080, "presets": [{"name": "dock", "pan": 1, "tilt": 2, "zoom": 3}]},
        {"name": "spot1", "role": "spotter", "model": "IB9389-EH-v2", "address": "192.0.2.11",
         "events": [{"name": "gate-intrusion",
                     "trigger": {"kind": "detection", "rule": "gate-zone"},
                     "priority": "high", "do_duration": 3},
                    {"name": "door", "trigger": {"kind": "di", "inputs": [0]}}]},
        {"name": "spot2", "role": "spotter", "model": "FD9389-EHV-v2", "address": "192.0.2.12",
         "events": [{"name": "yard-motion", "trigger": {"kind": "motion"}}]},
    ],
    "links": [
        {"name": "gate", "spotter": "spot1", "event": "gate-intrusion",
         "targets": [{"ptz": "ptz1", "preset": "gate", "track_rule": "gate-track"},
                     {"ptz": "ptz2", "preset": "dock", "do_duration": 4}]},
        {"name": "door", "spotter": "spot1", "event": "door",
         "targets": [{"ptz": "ptz2", "preset": "dock"}]},
        {"name": "yard", "spotter": "spot2", "event": "yard-motion",
         "targets": [{"ptz": "ptz1", "preset": "yard"}]},
    ],
}


def spec_of(camera: Camera, firmware: str = "2.2103.34.01d") -> CameraSpec:
    accounts = [AccountSpec(camera.credentials.username,
                            camera.credentials.password.reveal(), "admin")]
    link = camera.link_credentials
    if link is not None and link.username != camera.credentials.username:
        accounts.append(AccountSpec(link.username, link.password.reveal(), link.privilege))
    return CameraSpec(name=camera.name, model=camera.model, firmware=firmware,
                      address=camera.address, site_port=camera.site_port,
                      accounts=tuple(accounts))


def fleet_specs(site: Site) -> list[CameraSpec]:
    return [spec_of(camera) for camera in site.cameras.values()]


def client_for(site: Site, name: str) -> CameraClient:
    camera = site.cameras[name]
    return CameraClient(camera.name, camera.connection, camera.credentials)


def run_plan(site: Site, plan: Plan) -> None:
    """Send a plan's requests with the real client: step by step, phase by phase, exactly
    as the plan lists them (what apply sends, without its snapshots and read-backs)."""
    for step in plan.steps:
        with client_for(site, step.camera) as client:
            for request in step.requests:
                request.command.send(client, site)
