"""Every [real] transport fact of firmware-contract.md §1-§3, checked on the raw bytes."""

from __future__ import annotations

import re
import socket

import pytest
from emu_support import ADMIN, OPERATOR, VIEWER, Cam, basic_header, build, exchange

STANDARD = [("Server", "Web Server"), ("Cache-control", "no-cache"), ("Pragma", "no-cache")]
INVALID = b"ERROR: Invalid command!\n"
DIGEST_CHALLENGE = re.compile(r'Digest realm="streaming_server", nonce="[0-9a-f]{32}", '
                              r'algorithm=MD5, qop="auth"')
REQUESTS = [
    ("spot1", "GET", "/cgi-bin/admin/getparam.cgi?system_hostname", ADMIN),  # 200 values
    ("spot1", "GET", "/cgi-bin/admin/getparam.cgi?no_such_thing", ADMIN),  # 200 error
    ("spot1", "GET", "/cgi-bin/admin/getparam.cgi", None),  # 401 Digest
    ("ptz1", "GET", "/cgi-bin/admin/getparam.cgi", None),  # 401 Basic
    ("ptz1", "GET", "/cgi-bin/camctrl/camctrl.cgi?getpan", ADMIN),  # 200 unquoted
    ("ptz1", "GET", "/VCA/Camera/Status", ADMIN),  # JSON
    ("ptz1", "DELETE", "/VCA/Config/RE/SmartTrackingAdvanced?RuleName=x", ADMIN),  # 400 JSON
    ("ptz1", "GET", "/cgi-bin/admin/nothing.cgi", ADMIN),  # 404
]


@pytest.mark.parametrize(("name", "method", "target", "auth"), REQUESTS)
def test_every_reply_carries_the_firmware_headers(cams: dict[str, Cam], name: str, method: str,
                                                  target: str,
                                                  auth: tuple[str, str] | None) -> None:
    reply = cams[name].send(method, target, auth=auth)
    assert reply.headers[:3] == STANDARD
    assert reply.headers[-1] == ("Connection", "close")
    assert reply.header("Content-Length") == str(len(reply.body))


def test_getparam_reply_is_name_quote_value_crlf(cams: dict[str, Cam]) -> None:
    reply = cams["spot1"].get("/cgi-bin/admin/getparam.cgi?system_info_modelname")
    assert reply.raw == (b"HTTP/1.1 200 OK\r\nServer: Web Server\r\nCache-control: no-cache\r\n"
                         b"Pragma: no-cache\r\nContent-type: text/plain\r\nContent-Length: 39"
                         b"\r\nConnection: close\r\n\r\nsystem_info_modelname='IB9389-EHT-v2'"
                         b"\r\n")


def test_invalid_command_is_a_24_byte_body_in_a_200(cams: dict[str, Cam]) -> None:
    reply = cams["spot1"].get("/cgi-bin/admin/getparam.cgi?no_such_parameter")
    assert reply.status_line == b"HTTP/1.1 200 OK"
    assert reply.header("Content-type") == "text/plain"
    assert reply.body == INVALID
    assert len(reply.body) == 24


def test_basic_401_form(cams: dict[str, Cam]) -> None:
    reply = cams["ptz1"].get("/cgi-bin/admin/getparam.cgi?system_hostname", auth=None)
    assert reply.status_line == b"HTTP/1.1 401 Unauthorized"
    assert reply.header("WWW-Authenticate") == 'Basic realm="streaming_server"'
    assert reply.header("Content-Type") == "text/html; charset=ISO-8859-1"
    assert b"<TITLE>401 Unauthorized</TITLE>" in reply.body


def test_digest_401_form_with_a_fresh_nonce_each_time(cams: dict[str, Cam]) -> None:
    first = cams["spot1"].get("/cgi-bin/admin/getparam.cgi", auth=None)
    second = cams["spot1"].get("/cgi-bin/admin/getparam.cgi", auth=None)
    assert first.status_line == b"HTTP/1.1 401 Unauthorized"
    assert first.header("Content-Type") == "text/html; charset=ISO-8859-1"
    assert b"<TITLE>401 Unauthorized</TITLE>" in first.body
    for reply in (first, second):
        assert DIGEST_CHALLENGE.fullmatch(reply.header("WWW-Authenticate") or "")
    assert first.header("WWW-Authenticate") != second.header("WWW-Authenticate")


def test_wrong_password_gets_401(cams: dict[str, Cam]) -> None:
    for name in ("spot1", "ptz1"):
        reply = cams[name].get("/cgi-bin/viewer/getparam.cgi", auth=("admin", "wrong"))
        assert reply.status == 401


def test_connection_closes_after_one_reply_even_if_asked_to_keep_alive(
        cams: dict[str, Cam]) -> None:
    port = cams["ptz1"].port
    request = build("GET", "/cgi-bin/anonymous/getparam.cgi?system_info_modelname", port,
                    extra="Connection: keep-alive\r\n")
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request * 2)  # a second request on the same connection is never read
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.count(b"HTTP/1.1 ") == 1


# ---- levels: the directory demands a level; the account must hold it [real] ----------------
ANYONE, VIEW, OPER, ADM = None, VIEWER, OPERATOR, ADMIN
LEVEL_CASES = [
    ("/cgi-bin/anonymous/getparam.cgi?system_info_modelname", [ANYONE, VIEW, OPER, ADM], []),
    ("/cgi-bin/viewer/getparam.cgi?system_info_modelname", [VIEW, OPER, ADM], [ANYONE]),
    ("/cgi-bin/operator/getparam.cgi?system_info_modelname", [OPER, ADM], [ANYONE, VIEW]),
    ("/cgi-bin/admin/getparam.cgi?system_info_modelname", [ADM], [ANYONE, VIEW, OPER]),
    ("/cgi-bin/camctrl/camctrl.cgi?getpan", [VIEW, OPER, ADM], [ANYONE]),
    ("/cgi-bin/viewer/recall.cgi?recall=nowhere", [VIEW, OPER, ADM], [ANYONE]),
    ("/cgi-bin/operator/preset.cgi?delpos=nowhere", [OPER, ADM], [ANYONE, VIEW]),
    ("/cgi-bin/dido/setdo.cgi?do1=0", [OPER, ADM], [ANYONE, VIEW]),
    ("/cgi-bin/admin/setvi.cgi?vi0=0", [ADM], [ANYONE, VIEW, OPER]),
    ("/VCA/Config/RE/SmartTrackingAdvanced", [ADM], [ANYONE, VIEW, OPER]),
    ("/VCA/Camera/Status", [VIEW, OPER, ADM], [ANYONE]),
]


@pytest.mark.parametrize(("target", "allowed", "refused"), LEVEL_CASES)
def test_levels(cams: dict[str, Cam], target: str, allowed: list[tuple[str, str] | None],
                refused: list[tuple[str, str] | None]) -> None:
    for camera in ("ptz1", "ptz2"):  # Basic and Digest
        for account in allowed:
            assert cams[camera].get(target, auth=account).status == 200, (camera, account)
        for account in refused:
            reply = cams[camera].get(target, auth=account)
            assert reply.status == 401, (camera, account)
            assert reply.header("WWW-Authenticate")


def test_a_name_above_the_directory_level_is_an_invalid_command(cams: dict[str, Cam]) -> None:
    spot = cams["spot1"]
    # Admin credentials, but the viewer directory: event settings (6/6) are not served there.
    assert spot.get("/cgi-bin/viewer/getparam.cgi?event_i0_name").body == INVALID
    assert spot.get("/cgi-bin/viewer/getparam.cgi?system_hostname").status == 200
    assert spot.post("/cgi-bin/operator/setparam.cgi", b"system_hostname=x").body == INVALID
    assert spot.get("/cgi-bin/anonymous/getparam.cgi?system_hostname", auth=None).body \
        == INVALID


def test_passwords_are_written_never_read(cams: dict[str, Cam]) -> None:
    spot = cams["spot1"]
    echo = spot.post("/cgi-bin/admin/setparam.cgi",
                     b"cameralink_i0_username=link&cameralink_i0_passwd=s3cret")
    assert echo.body == b"cameralink_i0_username='link'\r\n"
    assert spot.get("/cgi-bin/admin/getparam.cgi?cameralink_i0_passwd").body == INVALID
    for target in ("/cgi-bin/admin/getparam.cgi?cameralink", "/cgi-bin/admin/getparam.cgi"):
        body = spot.get(target).body
        assert b"passwd" not in body and b"s3cret" not in body
        assert b"cameralink_i0_username='link'" in body


def test_identity_and_capabilities(cams: dict[str, Cam]) -> None:
    anonymous = "/cgi-bin/anonymous/getparam.cgi?system_info&capability"
    ptz = dict(_lines(cams["ptz1"].get(anonymous, auth=None).body))
    assert ptz["system_info_modelname"] == "SD9384-EHL"
    assert re.fullmatch(r"0002D1[0-9A-F]{6}", ptz["system_info_serialnumber"])
    assert ptz["system_info_firmwareversion"] == "SD9384-VVTK-2.2103.34.01d"
    assert (ptz["capability_npreset"], ptz["capability_cameralink"]) == ("256", "1")
    assert ptz["capability_ptzenabled"] != "0"
    assert (ptz["capability_ndi"], ptz["capability_ndo"], ptz["capability_nvi"]) == \
        ("1", "1", "8")
    assert ptz["capability_cameralink_npeer"] == "3"
    fixed = dict(_lines(cams["spot1"].get(anonymous, auth=None).body))
    assert (fixed["capability_npreset"], fixed["capability_ptzenabled"]) == ("0", "0")
    assert fixed["system_info_firmwareversion"] == "IB9389-VVTK-2.2103.34.01d"
    hostname = cams["spot1"].get("/cgi-bin/viewer/getparam.cgi?system_hostname").body
    assert hostname == b"system_hostname='spot1'\r\n"


def test_camera_link_needs_firmware_2103(cams: dict[str, Cam]) -> None:
    old = cams["old1"]
    caps = dict(_lines(old.get("/cgi-bin/admin/getparam.cgi?capability").body))
    assert caps["capability_cameralink"] == "0"
    assert old.get("/cgi-bin/admin/getparam.cgi?cameralink").body == INVALID
    assert old.get("/cgi-bin/admin/cameralink_test.cgi?index=0").body == INVALID
    assert b"cameralink" not in old.get("/cgi-bin/admin/getparam.cgi?event_i0").body


def test_every_response_of_a_fixed_camera_to_ptz_commands_is_invalid(cams: dict[str, Cam]) -> None:
    spot = cams["spot1"]
    for target in ("/cgi-bin/camctrl/camctrl.cgi?getpan", "/cgi-bin/viewer/recall.cgi?recall=a",
                   "/cgi-bin/operator/preset.cgi?addpos=a"):
        assert spot.get(target).body == INVALID
    assert spot.get("/VCA/Config/RE/SmartTrackingAdvanced").status == 404


def _lines(body: bytes) -> list[tuple[str, str]]:
    out = []
    for line in body.decode().split("\r\n"):
        if line:
            name, _, value = line.partition("=")
            out.append((name, value.strip("'")))
    return out


def test_bad_http_gets_400_and_unknown_paths_404(cams: dict[str, Cam]) -> None:
    port = cams["spot1"].port
    assert exchange(port, b"NONSENSE\r\n\r\n").status == 400
    assert cams["spot1"].get("/index.html").status == 404


def test_expect_100_continue_and_a_half_closed_client(cams: dict[str, Cam]) -> None:
    port = cams["ptz1"].port
    body = b"system_hostname=continued"
    head = build("POST", "/cgi-bin/admin/setparam.cgi", port, basic_header(*ADMIN), body,
                 "Expect: 100-continue\r\n")[:-len(body)]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(head)
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(body)
        sock.shutdown(socket.SHUT_WR)  # the reply must still come
        data = b""
        while chunk := sock.recv(4096):
            data += chunk
    assert data.endswith(b"\r\n\r\nsystem_hostname='continued'\r\n")


def test_chunked_bodies_are_refused(cams: dict[str, Cam]) -> None:
    port = cams["ptz1"].port
    reply = exchange(port, b"POST /cgi-bin/admin/setparam.cgi HTTP/1.1\r\nHost: x\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert reply.status == 400
