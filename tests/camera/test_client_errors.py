"""Errors hidden in 200 replies, VCA refusals and replies that break the contract."""

from __future__ import annotations

import pytest
from camera_fakes import Canned, always, fake_camera
from camera_support import ADMIN_PASSWORD, PTZ_DIGEST, ClientCall, MakeClient

from camlink_provision.camera import CameraClient, LinkTestResult
from camlink_provision.errors import CameraCommandError, CameraProtocolError
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Connection, Credentials, Secret


def test_unknown_name_is_a_command_error_naming_camera_and_request(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    with pytest.raises(CameraCommandError) as caught:
        client.getparam([fw.HOSTNAME, "no_such_parameter"])
    assert caught.value.camera == PTZ_DIGEST
    assert caught.value.request == f"GET {fw.GETPARAM} [{fw.HOSTNAME}, no_such_parameter]"
    assert "Invalid command" in str(caught.value)


def test_refused_setparam_names_parameters_never_values_and_stores_nothing(
        connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    with pytest.raises(CameraCommandError) as caught:
        client.setparam({fw.HOSTNAME: "VALUE-MARKER", fw.event_param(0, "delay"): "1000"})
    assert "VALUE-MARKER" not in str(caught.value)
    assert caught.value.request == \
        f"POST {fw.SETPARAM} [{fw.HOSTNAME}, {fw.event_param(0, 'delay')}]"
    assert client.getparam([fw.HOSTNAME]) == {fw.HOSTNAME: PTZ_DIGEST}


def test_read_only_parameter_is_refused(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    with pytest.raises(CameraCommandError):
        client.setparam({fw.MODELNAME: "SD0000"})


def test_command_refused_in_a_200(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    with pytest.raises(CameraCommandError, match=f"POST {fw.RECALL} \\[{fw.RECALL_NAME}\\]"):
        client.recall("no-such-preset")


def test_vca_400_carries_the_cameras_reason(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    bad = {"odd": {"RuleName": "odd", "Type": "teleport", "Field": [[0, 0], [1, 1]],
                   "ConnectEvent": False}}
    with pytest.raises(CameraCommandError) as caught:
        client.put_tracking_rules(bad)
    message = caught.value.message
    assert message.startswith("the camera refused the request: ")
    assert len(message) > len("the camera refused the request: ")
    assert caught.value.request == f"POST {fw.VCA_TRACKING} [odd]"
    assert client.tracking_rules() == {}


def test_tracking_an_unknown_rule_is_refused(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    with pytest.raises(CameraCommandError):
        client.start_tracking("no-such-rule")


# -- replies that break the contract (a fake camera: the emulator never sends these) ---------

def _client(port: int) -> CameraClient:
    return CameraClient("odd-camera", Connection("127.0.0.1", port, auth="basic", timeout=2),
                        Credentials("admin", Secret(ADMIN_PASSWORD)), retries=0)


@pytest.mark.parametrize(("body", "call"), [
    (b"system_hostname='gate'\r\nthis is not a pair\r\n",
     lambda c: c.getparam([fw.HOSTNAME])),
    (b"pan=10\r\ntilt=20\r\n", lambda c: c.position()),  # zoom missing
    (b"pan=ten\r\ntilt=20\r\nzoom=1\r\n", lambda c: c.position()),
    (b"result='maybe'\r\n", lambda c: c.link_test(0)),
    (b"result='ok'\r\n", lambda c: c.link_test_action(0, 0)),  # the action line missing
    (b"result='ok'\r\naction='maybe'\r\n", lambda c: c.link_test_action(0, 0)),
    (b"{not json", lambda c: c.tracking_rules()),
    (b'{"gate": 3}', lambda c: c.tracking_rules()),
    (b'{"PTZInfo": "Tracking"}', lambda c: c.tracking_status()),
    (b"\xff\xfe", lambda c: c.getparam([fw.HOSTNAME])),
])
def test_malformed_reply_is_a_protocol_error(body: bytes, call: ClientCall) -> None:
    with fake_camera(always(body)) as (port, _seen):
        client = _client(port)
        with pytest.raises(CameraProtocolError) as caught:
            call(client)
        client.close()
    assert caught.value.camera == "odd-camera"


def test_no_action_line_is_fine_without_event_or_when_the_contact_failed() -> None:
    with fake_camera(always(b"result='ok'\r\n")) as (port, _seen):
        client = _client(port)
        assert client.link_test(0) == "ok"
        client.close()
    with fake_camera(always(b"result='unreachable'\r\n")) as (port, _seen):
        client = _client(port)
        assert client.link_test_action(0, 0) == LinkTestResult("unreachable", "")
        client.close()


def test_lenient_about_bare_lf_and_unquoted_values() -> None:
    body = b"system_hostname='gate'\nsystem_info_modelname=SD9384-EHL\n\n"
    with fake_camera(always(body)) as (port, _seen):
        client = _client(port)
        assert client.getparam(["system"]) == {fw.HOSTNAME: "gate",
                                               fw.MODELNAME: "SD9384-EHL"}
        client.close()


def test_404_is_a_command_the_firmware_does_not_know() -> None:
    with fake_camera(always(b"Not Found", status=404)) as (port, _seen):
        client = _client(port)
        with pytest.raises(CameraCommandError, match="does not know this request"):
            client.link_test(1)
        client.close()


def test_vca_400_without_json_still_names_the_refusal() -> None:
    answer = lambda _m, _p, _h: Canned(400, b"<html>bad</html>")  # noqa: E731
    with fake_camera(answer) as (port, _seen):
        client = _client(port)
        with pytest.raises(CameraCommandError, match=r"refused the request \(400\)"):
            client.delete_tracking_rule("x")
        client.close()


def test_names_that_would_be_query_syntax_are_rejected_before_sending(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    with pytest.raises(ValueError, match="not a parameter name"):
        client.getparam([f"{fw.HOSTNAME}&{fw.MODELNAME}"])
    with pytest.raises(ValueError, match="not a parameter name"):
        client.setparam({"a=b": "1"})
    assert client.requests_sent == 0
