"""Basic and Digest as the camera demands, round trips counted, refusals named."""

from __future__ import annotations

import threading

import pytest
from camera_fakes import Canned, fake_camera
from camera_support import (
    ADMIN_PASSWORD,
    PTZ_BASIC,
    PTZ_DIGEST,
    VIEWER_PASSWORD,
    Auth,
    MakeClient,
    Watch,
)

from camlink_provision.camera import CameraClient
from camlink_provision.camera.auth import NonceBook
from camlink_provision.errors import CameraAuthError
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Connection, Credentials, Secret


def _three_reads(client: CameraClient) -> None:
    for _ in range(3):
        assert client.getparam([fw.HOSTNAME])


@pytest.mark.parametrize(("camera", "auth", "sent"), [
    (PTZ_DIGEST, "auto", 4),  # one challenge, then the nonce is reused: 2 + 1 + 1
    (PTZ_DIGEST, "digest", 4),
    (PTZ_BASIC, "auto", 4),  # one challenge decides Basic, later requests carry it at once
    (PTZ_BASIC, "basic", 3),  # pinned Basic is sent from the first request
])
def test_round_trips_per_scheme(connect: MakeClient, watch: Watch, camera: str, auth: Auth,
                                sent: int) -> None:
    client, log = connect(camera, auth=auth), watch(camera)
    _three_reads(client)
    assert client.requests_sent == sent
    assert [e.status for e in log.entries(fw.GETPARAM)] == [401] * (sent - 3) + [200] * 3


def test_digest_nonce_is_reused_across_threads(connect: MakeClient) -> None:
    """The digest state belongs to the client, not to the thread that happened to call."""
    client = connect(PTZ_DIGEST)
    for _ in range(3):
        worker = threading.Thread(target=client.getparam, args=([fw.HOSTNAME],))
        worker.start()
        worker.join()
    assert client.requests_sent == 4


def test_digest_answers_each_write_in_one_round_trip_after_the_first(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    client.setparam({fw.HOSTNAME: "one"})
    client.setparam({fw.HOSTNAME: "two"})
    client.move(1, 2, 3)
    assert client.requests_sent == 4
    assert client.getparam([fw.HOSTNAME]) == {fw.HOSTNAME: "two"}


@pytest.mark.parametrize("camera", [PTZ_DIGEST, PTZ_BASIC])
def test_wrong_password_is_refused_credentials_naming_the_camera(connect: MakeClient,
                                                                 camera: str) -> None:
    client = connect(camera, password="wrong-Pa55-yy1")
    with pytest.raises(CameraAuthError) as caught:
        client.getparam([fw.HOSTNAME])
    text = str(caught.value)
    assert caught.value.camera == camera
    assert f"credentials refused by {camera}" in text and "'admin'" in text
    assert f"GET {fw.GETPARAM} [{fw.HOSTNAME}]" in text
    assert "wrong-Pa55-yy1" not in text + repr(caught.value)
    assert client.requests_sent == 2  # the challenge and one answer; a refusal is final


def test_account_below_the_directory_level_is_refused(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST, username="viewer", password=VIEWER_PASSWORD)
    with pytest.raises(CameraAuthError, match=f"refused by {PTZ_DIGEST}"):
        client.setparam({fw.HOSTNAME: "nope"})


def test_pinned_digest_never_answers_a_basic_challenge(connect: MakeClient, watch: Watch) -> None:
    client, log = connect(PTZ_BASIC, auth="digest"), watch(PTZ_BASIC)
    with pytest.raises(CameraAuthError, match="asked for Basic but the inventory pins Digest"):
        client.getparam([fw.HOSTNAME])
    assert client.requests_sent == 1
    assert [e.status for e in log.entries()] == [401]


def _digest_challenge(_method: str, _path: str, _headers: dict[str, str]) -> Canned:
    challenge = 'Digest realm="streaming_server", nonce="0123456789abcdef0123456789abcdef", ' \
                'algorithm=MD5, qop="auth"'
    return Canned(401, b"<html>401 Unauthorized</html>",
                  (("Content-Type", "text/html"), ("WWW-Authenticate", challenge)))


@pytest.mark.parametrize("auth", ["auto", "digest"])
def test_no_basic_password_goes_to_a_camera_that_asked_for_digest(auth: Auth) -> None:
    """A camera that keeps refusing: the client answers with Digest only, and gives up."""
    with fake_camera(_digest_challenge) as (port, seen):
        client = CameraClient("fake", Connection("127.0.0.1", port, auth=auth, timeout=2),
                              Credentials("admin", Secret(ADMIN_PASSWORD)))
        with pytest.raises(CameraAuthError):
            client.getparam([fw.HOSTNAME])
        client.close()
    sent = [headers.get("Authorization", "") for _m, _p, headers in seen.requests]
    assert sent[0] == ""
    assert sent[1].startswith("Digest ") and 'username="admin"' in sent[1]
    assert len(sent) == 2


def test_login_check_reuses_the_cameras_digest_nonce(connect: MakeClient) -> None:
    """A nonce is the camera's, not an account's: after the admin's first request, checking
    another account's password costs one round trip; a wrong one is still refused."""
    client = connect(PTZ_DIGEST)
    client.getparam([fw.HOSTNAME])
    assert client.requests_sent == 2
    assert client.login_accepted(Credentials("viewer", Secret(VIEWER_PASSWORD)))
    assert client.requests_sent == 3
    assert not client.login_accepted(Credentials("viewer", Secret("not-the-password")))
    assert client.requests_sent == 5  # refused, a fresh nonce answered once, refused again
    assert client.getparam([fw.HOSTNAME])  # the admin's own nonce and count still work
    assert client.requests_sent == 6


def test_login_check_on_a_basic_camera_waits_for_its_challenge(connect: MakeClient,
                                                                watch: Watch) -> None:
    client, log = connect(PTZ_BASIC), watch(PTZ_BASIC)
    client.getparam([fw.HOSTNAME])
    assert client.login_accepted(Credentials("viewer", Secret(VIEWER_PASSWORD)))
    assert [e.status for e in log.entries(fw.LOGIN_CHECK)] == [401, 200]


def test_clients_of_one_run_share_the_cameras_digest_nonce(connect: MakeClient,
                                                           watch: Watch) -> None:
    """Plan then apply make a client each per camera; with the run's NonceBook the second
    client's first request is answered at once, and Basic is never sent unasked."""
    book = NonceBook()
    first, log = connect(PTZ_DIGEST, nonces=book), watch(PTZ_DIGEST)
    first.getparam([fw.HOSTNAME])
    second = connect(PTZ_DIGEST, nonces=book)
    second.getparam([fw.HOSTNAME])
    second.getparam([fw.HOSTNAME])
    assert (first.requests_sent, second.requests_sent) == (2, 2)
    assert [e.status for e in log.entries(fw.GETPARAM)] == [401, 200, 200, 200]
    basic_log = watch(PTZ_BASIC)
    connect(PTZ_BASIC, nonces=book).getparam([fw.HOSTNAME])
    later = connect(PTZ_BASIC, nonces=book)
    later.getparam([fw.HOSTNAME])
    assert later.requests_sent == 2  # Basic waits for the camera to ask, every client
    assert [e.status for e in basic_log.entries(fw.GETPARAM)] == [401, 200, 401, 200]
