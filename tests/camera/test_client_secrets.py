"""No password in any error text, traceback or repr: the client's own, and a written secret."""

from __future__ import annotations

import base64
import logging
import traceback

import pytest
from camera_support import ADMIN_PASSWORD, PTZ_BASIC, PTZ_DIGEST, SPOTTER, Auth, MakeClient, Watch

from camlink_provision.emulator import Fault, Fleet
from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Secret

PEER_PASSWORD = "Peer-S3cret-mm4"
WRONG_PASSWORD = "Wrong-S3cret-jj8"


def _everything_said_about(error: BaseException) -> str:
    """The message, the repr, the whole printed traceback, and every chained exception."""
    text = [str(error), repr(error), "".join(traceback.format_exception(error))]
    linked = error.__cause__ or error.__context__
    while linked is not None:
        text += [str(linked), repr(linked)]
        linked = linked.__cause__ or linked.__context__
    return "\n".join(text)


def _assert_no_secret(text: str) -> None:
    """Neither a password nor the Basic ``Authorization`` value that carries it (base64)."""
    for secret in (ADMIN_PASSWORD, PEER_PASSWORD, WRONG_PASSWORD):
        assert secret not in text
        assert base64.b64encode(f"admin:{secret}".encode()).decode() not in text


@pytest.mark.parametrize("camera", [PTZ_DIGEST, PTZ_BASIC])
@pytest.mark.parametrize("auth", ["auto", "basic", "digest"])
def test_refused_credentials_never_show_the_password(connect: MakeClient, camera: str,
                                                     auth: Auth) -> None:
    client = connect(camera, password=WRONG_PASSWORD, auth=auth)
    with pytest.raises(CameraError) as caught:
        client.getparam([fw.HOSTNAME])
    _assert_no_secret(_everything_said_about(caught.value))


@pytest.mark.parametrize("fault", [
    Fault(status=500, match=fw.SETPARAM),
    Fault(reset=True, match=fw.SETPARAM),
    Fault(latency_ms=500, match=fw.SETPARAM),
    Fault(down=True),
], ids=["500", "reset", "timeout", "down"])
def test_a_failed_secret_write_never_shows_the_secret(connect: MakeClient, fleet: Fleet,
                                                      watch: Watch,
                                                      caplog: pytest.LogCaptureFixture,
                                                      fault: Fault) -> None:
    spotter, log = connect(SPOTTER, timeout=0.2, retries=1), watch(SPOTTER)
    spotter.getparam([fw.HOSTNAME])
    fleet.set_fault(SPOTTER, fault)
    with caplog.at_level(logging.DEBUG), pytest.raises(CameraError) as caught:
        spotter.setparam({fw.peer_param(0, "username"): "admin",
                          fw.peer_param(0, "passwd"): Secret(PEER_PASSWORD)})
    if fault.latency_ms:  # the late write lands now, not after the next test's reset
        log.wait_for(fw.SETPARAM, 1)
    _assert_no_secret(_everything_said_about(caught.value) + caplog.text)
    assert fw.peer_param(0, "passwd") in str(caught.value)  # the name, yes; never the value


def test_a_refused_secret_write_never_shows_the_secret(connect: MakeClient) -> None:
    spotter = connect(SPOTTER)
    with pytest.raises(CameraError) as caught:
        spotter.setparam({fw.peer_param(0, "port"): "0",  # out of range: refused whole
                          fw.peer_param(0, "passwd"): Secret(PEER_PASSWORD)})
    _assert_no_secret(_everything_said_about(caught.value))


def test_client_repr_and_state_never_show_the_password(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    client.getparam([fw.HOSTNAME])
    _assert_no_secret(repr(client) + str(client) + repr(vars(client)))
