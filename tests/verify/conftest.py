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
    for name in _verify_fleet.names():
        _verify_fleet.clear_fault(name)
        _verify_fleet.reset(name)
    build_by_hand(_verify_fleet)
    yield _verify_fleet
    for name in _verify_fleet.names():
        _verify_fleet.clear_fault(name)


@pytest.fixture
def site(fleet: Fleet) -> Site:
    return site_of(fleet)
