"""One emulated fleet for the emulator's tests; every camera back to factory state after
each test (settings, faults, request log), so tests never see each other's changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from emu_support import ADMIN, Raw, call, fleet_specs

from camlink_provision.emulator import Fleet, running_fleet


@dataclass
class Cam:
    """One camera of the fleet, spoken to over raw HTTP with its own auth scheme."""

    name: str
    port: int
    scheme: str

    def get(self, target: str, auth: tuple[str, str] | None = ADMIN, extra: str = "") -> Raw:
        return call(self.port, "GET", target, auth=auth, scheme=self.scheme, extra=extra)

    def post(self, target: str, body: bytes, auth: tuple[str, str] | None = ADMIN,
             extra: str = "Content-Type: application/x-www-form-urlencoded\r\n") -> Raw:
        return call(self.port, "POST", target, auth=auth, scheme=self.scheme, body=body,
                    extra=extra)

    def send(self, method: str, target: str, body: bytes = b"",
             auth: tuple[str, str] | None = ADMIN, extra: str = "") -> Raw:
        return call(self.port, method, target, auth=auth, scheme=self.scheme, body=body,
                    extra=extra)


@pytest.fixture(scope="session")
def _fleet() -> Iterator[Fleet]:
    with running_fleet(fleet_specs()) as fleet:
        yield fleet


@pytest.fixture
def fleet(_fleet: Fleet) -> Iterator[Fleet]:
    yield _fleet
    for name in _fleet.names():
        _fleet.clear_fault(name)
        _fleet.reset(name)
        _fleet.clear_log(name)


@pytest.fixture
def cams(fleet: Fleet) -> dict[str, Cam]:
    return {name: Cam(name, fleet.port(name), fleet.camera(name).spec.auth)
            for name in fleet.names()}
