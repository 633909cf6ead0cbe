"""Slow cameras: a Digest answer that timed out and was sent again is answered afresh.

The transport repeats a timed-out GET with the very same headers, so the repeat carries the
Digest answer (nonce count) the camera has meanwhile accepted from the late first attempt:
the camera refuses it as a replay with a new challenge. That 401 says nothing about the password
and must be answered, never reported as "credentials refused".

Timings (fleet latency B on every request, a fault adding L to one): the late first attempt
takes B+L > T (the client's timeout), so it is repeated; the repeat takes B < T, and reaches
the camera after the first attempt was handled (B+L < T+B).

And a link test: the spotter answers only once it has called its PTZ, so the client's wait
for that reply covers both hops; the emulated spotter waits for each request to its peer
(the challenge, the answer, each action) up to the firmware's own timeout.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from camera_support import (
    ADMIN_PASSWORD,
    PTZ_ADDRESS,
    PTZ_DIGEST,
    PTZ_MODEL,
    SPOTTER,
    TIMEOUT,
    MakeClient,
)

from camlink_provision.camera import CameraClient
from camlink_provision.camera.client import LinkTestResult
from camlink_provision.emulator import AccountSpec, CameraSpec, Fault, Fleet, running_fleet
from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Connection, Credentials, Secret

SLOW_TIMEOUT, BASE_MS, EXTRA_MS = 1.0, 500.0, 800.0


@pytest.fixture(scope="module")
def slow_fleet() -> Iterator[Fleet]:
    spec = CameraSpec(PTZ_DIGEST, PTZ_MODEL, address="192.0.2.21", auth="digest",
                      accounts=(AccountSpec("admin", ADMIN_PASSWORD, "admin"),))
    with running_fleet([spec], latency_ms=BASE_MS) as fleet:
        yield fleet


def _client(fleet: Fleet) -> CameraClient:
    where = Connection(host="127.0.0.1", port=fleet.port(PTZ_DIGEST), timeout=SLOW_TIMEOUT)
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


# -- the link test: the spotter's own reply waits for its calls to the PTZ --------------------


def _link(spotter: CameraClient) -> None:
    spotter.setparam({
        fw.peer_param(0, "enable"): "1", fw.peer_param(0, "name"): PTZ_DIGEST,
        fw.peer_param(0, "ipaddress"): PTZ_ADDRESS, fw.peer_param(0, "port"): "80",
        fw.peer_param(0, "username"): "admin", fw.peer_param(0, "passwd"): Secret(ADMIN_PASSWORD),
        fw.event_param(0, "name"): "gate", fw.event_param(0, "enable"): "1",
        fw.event_param(0, "trigger"): "vi", fw.event_param(0, "vi"): "1",
        fw.link_action_param(0, 0, "enable"): "1", fw.link_action_param(0, 0, "preset"): "gate",
    })


def test_a_link_test_through_two_slow_cameras_gets_a_budget_for_both_hops(
        connect: MakeClient, fleet: Fleet) -> None:
    """1 s on the spotter, then 1 s per request to the PTZ (challenge + answer, then the
    preset's recall): 3-5 s in all, beyond the client's 2 s timeout for one request."""
    spotter, ptz = connect(SPOTTER), connect(PTZ_DIGEST)
    assert spotter.connection.timeout == TIMEOUT == 2.0
    ptz.add_preset("gate")
    _link(spotter)
    fleet.set_fault(SPOTTER, Fault(latency_ms=1000, match=fw.LINK_TEST))
    fleet.set_fault(PTZ_DIGEST, Fault(latency_ms=1000))
    started = time.monotonic()
    try:
        assert spotter.link_test(0) == "ok"
        assert spotter.link_test_action(0, 0) == LinkTestResult("ok", "ok")
    except CameraError as error:
        pytest.fail(f"a slow link was reported as: {error}")
    assert time.monotonic() - started > 2 * TIMEOUT  # it did take longer than one timeout


def test_the_spotter_gives_each_request_to_its_peer_its_own_timeout(connect: MakeClient,
                                                                     fleet: Fleet) -> None:
    """2.6 s per PTZ request: the contact (challenge + answer) takes 5.2 s, more than the
    firmware's wait for one request but within it for each: the link works."""
    spotter = connect(SPOTTER)
    _link(spotter)
    fleet.set_fault(PTZ_DIGEST, Fault(latency_ms=2600))
    assert 2 * 2.6 > fw.LINK_PEER_TIMEOUT > 2.6
    try:
        assert spotter.link_test(0) == "ok"
    except CameraError as error:
        pytest.fail(f"a slow link was reported as: {error}")
