"""Names, passwords and small helpers shared by the client tests (fixtures: conftest.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal, Protocol, TypedDict, Unpack

from camlink_provision.camera import CameraClient
from camlink_provision.camera.auth import NonceBook

if TYPE_CHECKING:  # conftest.py imports the emulator only once it is known to be there
    from camlink_provision.emulator import Fleet, LogEntry

# Distinctive on purpose: tests search every error text for them.
ADMIN_PASSWORD = "Adm1n-S3cret-xq7"
VIEWER_PASSWORD = "V1ewer-S3cret-kp2"
PTZ_DIGEST, PTZ_BASIC, SPOTTER = "ptz-digest", "ptz-basic", "spotter"
PTZ_ADDRESS = "10.20.0.11"
PTZ_MODEL, SPOTTER_MODEL = "SD9384-EHL", "IB9389-EHT-v2"
TIMEOUT = 2.0


class LogWatch:
    """The part of one camera's request log written since this watch began."""

    def __init__(self, fleet: Fleet, name: str) -> None:
        self._fleet, self._name = fleet, name
        self._start = len(fleet.request_log(name))

    def entries(self, path: str | None = None, *, answered: bool = False) -> list[LogEntry]:
        """Entries since the start, for one path; ``answered`` drops auth challenges."""
        new = self._fleet.request_log(self._name)[self._start:]
        return [e for e in new if (path is None or e.path == path)
                and not (answered and e.status == 401)]

    def wait_for(self, path: str, count: int, within: float = 5.0) -> list[LogEntry]:
        """Entries for ``path`` once there are ``count`` (the log is written after a reply
        has gone out, so a reply delayed by a latency fault shows up a little later)."""
        deadline = time.monotonic() + within
        while len(self.entries(path, answered=True)) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.entries(path, answered=True)


Auth = Literal["auto", "basic", "digest"]


class ConnectionFields(TypedDict, total=False):
    """The ``Connection`` fields a test may set; host and port always point at the fleet."""

    scheme: Literal["http", "https"]
    ca_bundle: str | None
    verify_tls: bool
    auth: Auth
    timeout: float


class MakeClient(Protocol):
    """The ``connect`` fixture: a client for one camera of the fleet, closed after the test."""

    def __call__(self, name: str, *, username: str = ..., password: str = ...,
                 retries: int = ..., backoff: float = ..., nonces: NonceBook | None = ...,
                 **connection: Unpack[ConnectionFields]) -> CameraClient: ...


Watch = Callable[[str], LogWatch]

ClientCall = Callable[[CameraClient], object]  # one operation on a client, its result unused


def wait_until(check: Callable[[], bool], within: float = 5.0) -> bool:
    """Poll ``check`` until it holds (events fire asynchronously in the emulator)."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True
