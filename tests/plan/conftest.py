"""One emulated fleet for the planner's HTTP tests, factory-fresh before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from resources.sitekit import build_site, with_connections

from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.inventory.model import Site
from plan.httpkit import SITE, fleet_specs


@pytest.fixture(scope="session")
def _plan_fleet() -> Iterator[Fleet]:
    with running_fleet(fleet_specs(build_site(SITE))) as fleet:
        yield fleet


@pytest.fixture
def fleet(_plan_fleet: Fleet) -> Iterator[Fleet]:
    _plan_fleet.reset_all()
    yield _plan_fleet
    _plan_fleet.clear_faults()


@pytest.fixture
def site(fleet: Fleet) -> Site:
    """The site with every camera's connection aimed at its emulated port."""
    base = build_site(SITE)
    return with_connections(base, {name: fleet.port(name) for name in base.cameras})
