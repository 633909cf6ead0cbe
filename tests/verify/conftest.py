"""One emulated fleet for the verify tests, rebuilt by hand (linkkit) before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.inventory.model import Site
from verify.linkkit import build_by_hand, fleet_specs, site_of


@pytest.fixture(scope="session")
def _verify_fleet() -> Iterator[Fleet]:
    with running_fleet(fleet_specs()) as fleet:
        yield fleet


@pytest.fixture
def fleet(_verify_fleet: Fleet) -> Iterator[Fleet]:
    _verify_fleet.reset_all()
    build_by_hand(_verify_fleet)
    yield _verify_fleet
    _verify_fleet.clear_faults()


@pytest.fixture
def site(fleet: Fleet) -> Site:
    return site_of(fleet)
