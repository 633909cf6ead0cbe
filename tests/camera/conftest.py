"""A small emulated fleet for the client tests, shared by the whole test area.

Three cameras on loopback: a PTZ camera that demands Digest, one that demands Basic, and a
fixed spotter that can call the first as its Camera Link peer. After every test the faults
are cleared and each camera is reset to factory state, so tests never see each other's
presets, rules or settings. Request logs are read as the slice after a test's own start.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Unpack

import pytest
from camera_support import (
    ADMIN_PASSWORD,
    PTZ_ADDRESS,
    PTZ_BASIC,
    PTZ_DIGEST,
    PTZ_MODEL,
    SPOTTER,
    SPOTTER_MODEL,
    TIMEOUT,
    VIEWER_PASSWORD,
    ConnectionFields,
    LogWatch,
    MakeClient,
    Watch,
)

from camlink_provision.camera import CameraClient
from camlink_provision.camera.auth import NonceBook
from camlink_provision.inventory.model import Connection, Credentials, Secret

if TYPE_CHECKING:  # imported for real only when present: the fixtures skip without it
    from camlink_provision.emulator import CameraSpec, Fleet


def _specs() -> list[CameraSpec]:
    from camlink_provision.emulator import AccountSpec, CameraSpec

    accounts = (AccountSpec("admin", ADMIN_PASSWORD, "admin"),
                AccountSpec("viewer", VIEWER_PASSWORD, "viewer"))
    return [
        CameraSpec(PTZ_DIGEST, PTZ_MODEL, address=PTZ_ADDRESS, auth="digest",
                   accounts=accounts),
        CameraSpec(PTZ_BASIC, PTZ_MODEL, address="10.20.0.12", auth="basic",
                   accounts=accounts),
        CameraSpec(SPOTTER, SPOTTER_MODEL, address="10.20.0.10", auth="digest",
                   accounts=accounts),
    ]


@pytest.fixture(scope="session")
def _fleet() -> Iterator[Fleet]:
    emulator = pytest.importorskip("camlink_provision.emulator")
    if not hasattr(emulator, "running_fleet"):
        pytest.skip("the emulator (camlink_provision.emulator.running_fleet) is not there yet")
    with emulator.running_fleet(_specs()) as fleet:
        yield fleet


@pytest.fixture
def fleet(_fleet: Fleet) -> Iterator[Fleet]:
    yield _fleet
    for name in (PTZ_DIGEST, PTZ_BASIC, SPOTTER):
        _fleet.clear_fault(name)
        _fleet.reset(name)


@pytest.fixture
def connect(fleet: Fleet) -> Iterator[MakeClient]:
    """``connect(name, username=..., password=..., retries=..., **Connection fields)``."""
    clients: list[CameraClient] = []

    def make(name: str, *, username: str = "admin", password: str = ADMIN_PASSWORD,
             retries: int = 2, backoff: float = 0.05, nonces: NonceBook | None = None,
             **connection: Unpack[ConnectionFields]) -> CameraClient:
        connection.setdefault("timeout", TIMEOUT)
        where = Connection(host="127.0.0.1", port=fleet.port(name), **connection)
        client = CameraClient(name, where, Credentials(username, Secret(password)),
                              retries=retries, backoff=backoff, nonces=nonces)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def watch(fleet: Fleet) -> Watch:
    return lambda name: LogWatch(fleet, name)
