"""An emulated fleet for the import tests: the hand-built site of verify.linkkit, rebuilt
through the cameras' firmware interface before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from verify.linkkit import build_by_hand, fleet_specs

from camlink_provision.emulator import Fleet, running_fleet


@pytest.fixture(scope="session")
def _import_fleet() -> Iterator[Fleet]:
    with running_fleet(fleet_specs()) as fleet:
        yield fleet


@pytest.fixture
def handmade(_import_fleet: Fleet) -> Iterator[Fleet]:
    _import_fleet.reset_all()
    build_by_hand(_import_fleet)
    yield _import_fleet
