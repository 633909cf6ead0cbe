"""Slow cameras: a Digest answer that timed out and was sent again is answered afresh.

urllib3 repeats a timed-out GET with the very same headers, so the repeat carries the Digest
answer (nonce count) the camera has meanwhile accepted from the late first attempt: the
camera refuses it as a replay with a new challenge. That 401 says nothing about the password
and must be answered, never reported as "credentials refused".

Timings (fleet latency B on every request, a fault adding L to one): the late first attempt
takes B+L > T (the client's timeout), so it is repeated; the repeat takes B < T, and reaches
the camera after the first attempt was handled (B+L < T+B).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from camera_support import ADMIN_PASSWORD, PTZ_DIGEST, PTZ_MODEL

from camlink_provision.camera import CameraClient
from camlink_provision.emulator import AccountSpec, CameraSpec, Fault, Fleet, running_fleet
from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Connection, Credentials, Secret

TIMEOUT, BASE_MS, EXTRA_MS = 1.0, 500.0, 800.0


@pytest.fixture(scope="module")
def slow_fleet() -> Iterator[Fleet]:
    spec = CameraSpec(PTZ_DIGEST, PTZ_MODEL, address="10.20.0.11", auth="digest",
                      accounts=(AccountSpec("admin", ADMIN_PASSWORD, "admin"),))
    with running_fleet([spec], latency_ms=BASE_MS) as fleet:
        yield fleet


def _client(fleet: Fleet) -> CameraClient:
    where = Connection(host="127.0.0.1", port=fleet.port(PTZ_DIGEST), timeout=TIMEOUT)
    return CameraClient(PTZ_DIGEST, where, Credentials("admin", Secret(ADMIN_PASSWORD)),
                        retries=2, backoff=0.0)


@pytest.mark.parametrize("skip", [1, 2], ids=["challenge-answer", "later-request"])
def test_a_repeated_digest_answer_is_reauthenticated_not_called_wrong_credentials(
        slow_fleet: Fleet, skip: int) -> None:
    """skip=1: the answer to the first challenge is the late one; skip=2: a later request
    (nonce already known) is."""
    slow_fleet.reset(PTZ_DIGEST)
    with _client(slow_fleet) as client:
        if skip == 2:
            client.getparam([fw.HOSTNAME])  # challenge + answer: the nonce is known
        slow_fleet.set_fault(PTZ_DIGEST, Fault(latency_ms=EXTRA_MS, match=fw.GETPARAM,
                                               skip=skip % 2, count=1))
        try:
            assert client.getparam([fw.HOSTNAME]) == {fw.HOSTNAME: PTZ_DIGEST}
        except CameraError as error:
            pytest.fail(f"a slow camera was reported as: {error}")
        finally:
            slow_fleet.clear_fault(PTZ_DIGEST)
    statuses = [e.status for e in slow_fleet.request_log(PTZ_DIGEST)]
    assert statuses.count(401) >= 2, statuses  # the replay was refused, and answered again
