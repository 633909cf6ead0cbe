"""One emulated fleet for the emulator's tests; every camera back to factory state after
each test (settings, faults, request log), so tests never see each other's changes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from emu_support import Cam, fleet_specs

from camlink_provision.emulator import Fleet, running_fleet


@pytest.fixture(scope="session")
def _fleet() -> Iterator[Fleet]:
    with running_fleet(fleet_specs()) as fleet:
        yield fleet


@pytest.fixture
def fleet(_fleet: Fleet) -> Iterator[Fleet]:
    yield _fleet
    _fleet.reset_all()


@pytest.fixture
def cams(fleet: Fleet) -> dict[str, Cam]:
    return {name: Cam(name, fleet.port(name), fleet.camera(name).spec.auth)
            for name in fleet.names()}
