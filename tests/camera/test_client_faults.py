"""Faults: what is retried (reads, and connections never made) and what never is (writes).

Each client is warmed with one read first, so its Digest nonce is known and every request
below reaches the camera already answered: the request log then shows exactly the attempts.
"""

from __future__ import annotations

import time

import pytest
from camera_support import PTZ_DIGEST, ClientCall, MakeClient, Watch

from camlink_provision.camera import CameraClient
from camlink_provision.emulator import Fault, Fleet
from camlink_provision.errors import CameraError, CameraProtocolError, CameraUnreachable
from camlink_provision.firmware import profile as fw

NEW_NAME = {fw.HOSTNAME: "after-fault"}
WARM = 2  # requests the warming read costs: the Digest challenge and the answer


def _warm(client: CameraClient) -> CameraClient:
    client.getparam([fw.HOSTNAME])
    assert client.requests_sent == WARM
    return client


def test_down_camera_is_unreachable_and_nothing_was_sent(connect: MakeClient, fleet: Fleet) -> None:
    client = connect(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(down=True))
    with pytest.raises(CameraUnreachable, match="connection refused") as caught:
        client.getparam([fw.HOSTNAME])
    assert caught.value.camera == PTZ_DIGEST
    with pytest.raises(CameraUnreachable) as write:
        client.setparam(NEW_NAME)
    assert "may have applied" not in str(write.value)  # it never left: nothing to doubt
    assert client.requests_sent == 0


def test_reset_mid_reply_on_a_read_is_retried(connect: MakeClient, fleet: Fleet,
                                              watch: Watch) -> None:
    client, log = _warm(connect(PTZ_DIGEST)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(reset=True, count=1, match=fw.GETPARAM))
    assert client.getparam([fw.HOSTNAME]) == {fw.HOSTNAME: PTZ_DIGEST}
    assert [e.status for e in log.entries(fw.GETPARAM)] == [0, 200]
    assert client.requests_sent - WARM == 2


def test_reset_on_a_write_is_reported_and_the_write_sent_once(connect: MakeClient, fleet: Fleet,
                                                              watch: Watch) -> None:
    client, log = _warm(connect(PTZ_DIGEST)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(reset=True, count=1, match=fw.SETPARAM))
    with pytest.raises(CameraUnreachable) as caught:
        client.setparam(NEW_NAME)
    assert "may have applied it; it was not repeated" in str(caught.value)
    assert [(e.method, e.status) for e in log.entries(fw.SETPARAM)] == [("POST", 0)]


@pytest.mark.parametrize(("operation", "path"), [
    (lambda c: c.move(10, 10, 1), fw.CAMCTRL),
    (lambda c: c.add_preset("gate"), fw.PRESET),
    (lambda c: c.set_do(1), fw.SETDO),
    (lambda c: c.delete_tracking_rule("gate"), fw.VCA_TRACKING),
])
def test_reset_on_any_write_is_never_repeated(connect: MakeClient, fleet: Fleet, watch: Watch,
                                              operation: ClientCall, path: str) -> None:
    client, log = _warm(connect(PTZ_DIGEST)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(reset=True, match=path))
    with pytest.raises(CameraUnreachable):
        operation(client)
    assert [e.status for e in log.entries(path)] == [0]


def test_503_on_reads_is_retried(connect: MakeClient, fleet: Fleet, watch: Watch) -> None:
    client, log = _warm(connect(PTZ_DIGEST)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(status=503, count=2, match=fw.GETPARAM))
    assert client.getparam([fw.HOSTNAME]) == {fw.HOSTNAME: PTZ_DIGEST}
    assert [e.status for e in log.entries(fw.GETPARAM)] == [503, 503, 200]


def test_503_that_lasts_is_unreachable_after_the_retries(connect: MakeClient, fleet: Fleet,
                                                         watch: Watch) -> None:
    client, log = _warm(connect(PTZ_DIGEST, retries=2)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(status=503, match=fw.GETPARAM))
    with pytest.raises(CameraUnreachable, match=r"unavailable \(503\)"):
        client.getparam([fw.HOSTNAME])
    assert [e.status for e in log.entries(fw.GETPARAM)] == [503] * 3


def test_500_on_a_write_is_not_retried(connect: MakeClient, fleet: Fleet, watch: Watch) -> None:
    client, log = _warm(connect(PTZ_DIGEST)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(status=500, match=fw.SETPARAM))
    with pytest.raises(CameraProtocolError, match="500") as caught:
        client.setparam(NEW_NAME)
    assert "may have been applied" in str(caught.value)
    assert [(e.method, e.status) for e in log.entries(fw.SETPARAM)] == [("POST", 500)]


def test_partial_write_is_reported_once(connect: MakeClient, fleet: Fleet, watch: Watch) -> None:
    client, log = _warm(connect(PTZ_DIGEST)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(partial_write=1, count=1, match=fw.SETPARAM))
    with pytest.raises(CameraError):
        client.setparam({fw.HOSTNAME: "half", fw.event_param(0, "name"): "never"})
    assert len(log.entries(fw.SETPARAM)) == 1


def test_read_timeout_is_unreachable(connect: MakeClient, fleet: Fleet, watch: Watch) -> None:
    client, log = _warm(connect(PTZ_DIGEST, timeout=0.2, retries=1)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(latency_ms=1500, match=fw.GETPARAM))
    with pytest.raises(CameraUnreachable, match=r"no reply within 0\.2 s"):
        client.getparam([fw.HOSTNAME])
    assert client.requests_sent - WARM == 2  # the read was retried once, as allowed
    # The camera answers both reads late (the replayed Digest header of the retry with a
    # 401); let it, so that its log entries land in this test and not in the next one's.
    deadline = time.monotonic() + 5
    while len(log.entries(fw.GETPARAM)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    assert len(log.entries(fw.GETPARAM)) == 2


def test_write_timeout_is_unreachable_and_the_write_arrives_once(connect: MakeClient, fleet: Fleet,
                                                                 watch: Watch) -> None:
    client, log = _warm(connect(PTZ_DIGEST, timeout=0.2)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(latency_ms=600, match=fw.SETPARAM))
    with pytest.raises(CameraUnreachable, match=r"no reply within .* not repeated"):
        client.setparam(NEW_NAME)
    assert client.requests_sent - WARM == 1
    assert len(log.wait_for(fw.SETPARAM, 1)) == 1


def test_write_after_a_short_reboot_goes_through_once(connect: MakeClient, fleet: Fleet,
                                                      watch: Watch) -> None:
    """Refused connections are retried for writes too: nothing had reached the camera."""
    client, log = _warm(connect(PTZ_DIGEST, retries=4, backoff=0.1)), watch(PTZ_DIGEST)
    fleet.set_fault(PTZ_DIGEST, Fault(reboot_seconds=0.2))
    assert client.setparam(NEW_NAME) == NEW_NAME
    assert [e.status for e in log.entries(fw.SETPARAM, answered=True)] == [200]
