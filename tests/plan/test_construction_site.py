"""The flagship inventory, loaded with ``load_site``, planned against an emulated fleet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from resources.sitekit import with_connections

from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.inventory import load_site
from camlink_provision.inventory.model import Site
from camlink_provision.plan import make_plan
from plan.httpkit import client_for, fleet_specs, run_plan

INVENTORY = Path(__file__).parents[2] / "inventories" / "construction-site"
SECRETS = INVENTORY / "secrets.example.yml"


@pytest.fixture(scope="module")
def loaded() -> Site:
    return load_site([INVENTORY], secrets=SECRETS).site


@pytest.fixture(scope="module")
def site_fleet(loaded: Site) -> Iterator[tuple[Site, Fleet]]:
    with running_fleet(fleet_specs(loaded)) as fleet:
        yield with_connections(loaded, {name: fleet.port(name) for name in loaded.cameras}), \
            fleet


def test_fresh_then_converged(site_fleet: tuple[Site, Fleet]) -> None:
    site, _ = site_fleet
    with client_for(site, "ptz-yard-east") as ptz:  # the one preset the inventory adopts
        ptz.add_preset("yard-gate", index=7)
    fresh = make_plan(site)
    assert not fresh.failed
    assert {c.action for c in fresh.changes} == {"create"}
    kinds = {c.kind for c in fresh.changes}
    assert kinds == {"preset", "tracking_rule", "peer", "event"}
    assert all(not cam.warnings and not cam.unmanaged for cam in fresh.cameras)
    roles = [cam.role for cam in fresh.cameras]
    assert roles == sorted(roles)  # "ptz" before "spotter": PTZ cameras first
    assert len(fresh.links) == sum(len(link.targets) for link in site.links
                                   if link.state == "present")
    secrets = {c.credentials.password.reveal() for c in site.cameras.values()}
    secrets |= {c.peer_credentials.password.reveal() for c in site.cameras.values()}
    text = json.dumps(fresh.to_json())
    assert [s for s in secrets if s in text] == []

    run_plan(site, fresh)
    again = make_plan(site)
    assert again.changes == [] and not again.failed
    assert all(not link["changed"] for link in again.links)
