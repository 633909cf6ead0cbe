"""Faults per camera: latency, down, reset, 500/503 at a rate, reboot, partial writes."""

from __future__ import annotations

import socket
import time

import pytest
from emu_support import ADMIN, Cam, basic_header, build

from camlink_provision.emulator import Fault, Fleet
from camlink_provision.emulator.faults import parse_fault_spec

SET = "/cgi-bin/admin/setparam.cgi"
GET = "/cgi-bin/admin/getparam.cgi?system_hostname"


def attempt(cam: Cam, method: str = "GET", target: str = GET, body: bytes = b"") -> str | int:
    """'refused', 'reset', or the reply's status (Basic auth: one request, no challenge)."""
    data = build(method, target, cam.port, basic_header(*ADMIN), body,
                 "Content-Type: application/x-www-form-urlencoded\r\n" if body else "")
    try:
        with socket.create_connection(("127.0.0.1", cam.port), timeout=10) as sock:
            sock.sendall(data)
            reply = b""
            while chunk := sock.recv(65536):
                reply += chunk
    except ConnectionRefusedError:
        return "refused"
    except ConnectionResetError:
        return "reset"
    return int(reply.split(b" ")[1]) if reply else "reset"


def test_down_refuses_connections_until_cleared(cams: dict[str, Cam], fleet: Fleet) -> None:
    fleet.set_fault("ptz1", Fault(down=True))
    assert attempt(cams["ptz1"]) == "refused"
    fleet.clear_fault("ptz1")
    assert attempt(cams["ptz1"]) == 200


def test_reset_reads_the_request_then_resets_without_storing(cams: dict[str, Cam],
                                                             fleet: Fleet) -> None:
    fleet.set_fault("ptz1", Fault(reset=True))
    assert attempt(cams["ptz1"], "POST", SET, b"system_hostname=changed") == "reset"
    [entry] = fleet.request_log("ptz1")
    assert (entry.status, entry.write, entry.fault) == (0, False, "reset")
    fleet.clear_fault("ptz1")
    assert fleet.state("ptz1")["params"]["system_hostname"] == "ptz1"


def test_status_fault_answers_503_with_the_firmware_headers(cams: dict[str, Cam],
                                                            fleet: Fleet) -> None:
    fleet.set_fault("ptz1", Fault(status=503))
    reply = cams["ptz1"].get(GET)
    assert reply.status_line == b"HTTP/1.1 503 Service Unavailable"
    assert reply.header("Server") == "Web Server" and reply.header("Connection") == "close"
    fleet.set_fault("ptz1", Fault(status=500))
    assert attempt(cams["ptz1"]) == 500


def test_status_at_a_rate_is_a_repeatable_mix(cams: dict[str, Cam], fleet: Fleet) -> None:
    fleet.set_fault("ptz1", Fault(status=503, rate=0.5))
    outcomes = [attempt(cams["ptz1"]) for _ in range(40)]
    assert set(outcomes) == {200, 503}
    fleet.set_fault("ptz1", Fault(status=503, rate=0.0))
    assert {attempt(cams["ptz1"]) for _ in range(10)} == {200}


def test_match_skip_and_count(cams: dict[str, Cam], fleet: Fleet) -> None:
    ptz = cams["ptz1"]
    fleet.set_fault("ptz1", Fault(status=500, match="setparam", skip=1, count=2))
    assert attempt(ptz) == 200  # getparam does not match
    outcomes = [attempt(ptz, "POST", SET, b"system_hostname=h") for _ in range(4)]
    assert outcomes == [200, 500, 500, 200]  # first let through, two hit, then cleared
    assert fleet.camera("ptz1").spec.name == "ptz1"
    assert [e.fault for e in fleet.request_log("ptz1")] == [
        "", "", "status=500", "status=500", ""]


def test_latency_delays_the_reply_and_is_logged(cams: dict[str, Cam], fleet: Fleet) -> None:
    fleet.set_fault("ptz1", Fault(latency_ms=150, jitter_ms=10, count=1))
    started = time.monotonic()
    assert attempt(cams["ptz1"]) == 200
    assert time.monotonic() - started >= 0.15  # a lower bound only: never flaky
    assert attempt(cams["ptz1"]) == 200
    assert [e.fault for e in fleet.request_log("ptz1")] == ["latency", ""]


def test_partial_write_stores_the_first_k_pairs_then_resets(cams: dict[str, Cam],
                                                            fleet: Fleet) -> None:
    fleet.set_fault("ptz1", Fault(partial_write=2, match="setparam"))
    body = b"event_i0_name=a&event_i0_delay=20&event_i0_enable=1&system_hostname=z"
    assert attempt(cams["ptz1"], "POST", SET, body) == "reset"
    params = fleet.state("ptz1")["params"]
    assert (params["event_i0_name"], params["event_i0_delay"]) == ("a", "20")
    assert (params["event_i0_enable"], params["system_hostname"]) == ("0", "ptz1")
    assert attempt(cams["ptz1"]) == 200  # reads are untouched
    [write, read] = fleet.request_log("ptz1")
    assert (write.status, write.write, write.fault) == (0, True, "partial_write=2")
    assert read.fault == ""


def test_reboot_is_refused_for_a_while_then_back_with_settings(cams: dict[str, Cam],
                                                               fleet: Fleet) -> None:
    ptz = cams["ptz1"]
    assert attempt(ptz, "POST", SET, b"system_hostname=kept") == 200
    assert attempt(ptz, "GET", "/cgi-bin/dido/setdo.cgi?do1=1") == 200
    fleet.set_fault("ptz1", Fault(reboot_seconds=0.5))
    assert attempt(ptz) == "refused"
    deadline = time.monotonic() + 10
    while attempt(ptz) == "refused" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ptz.get(GET).body == b"system_hostname='kept'\r\n"
    assert fleet.state("ptz1")["do"] is False  # a restart drops the output


def test_the_fleet_latency_applies_to_every_request(fleet: Fleet) -> None:
    from camlink_provision.emulator import CameraSpec, running_fleet

    with running_fleet([CameraSpec("slow", "FD9369", auth="basic")], latency_ms=120) as slow:
        cam = Cam("slow", slow.port("slow"), "basic")
        started = time.monotonic()
        assert attempt(cam) == 200
        assert time.monotonic() - started >= 0.12


@pytest.mark.parametrize(("text", "name", "fault"), [
    ("ptz1:down", "ptz1", Fault(down=True)),
    ("spot1:latency=200,jitter=50", "spot1", Fault(latency_ms=200, jitter_ms=50)),
    ("ptz2:status=503,rate=0.5", "ptz2", Fault(status=503, rate=0.5)),
    ("ptz3:partial_write=2,match=setparam", "ptz3", Fault(partial_write=2, match="setparam")),
    ("p:reboot=3", "p", Fault(reboot_seconds=3)),
    ("p:reset,count=1,skip=2", "p", Fault(reset=True, count=1, skip=2)),
])
def test_command_line_fault_specs(text: str, name: str, fault: Fault) -> None:
    assert parse_fault_spec(text) == (name, fault)


@pytest.mark.parametrize("text", ["ptz1", "ptz1:", "ptz1:explode", "ptz1:status=404",
                                  "ptz1:rate=2", "ptz1:latency=fast", "ptz1:count=0"])
def test_bad_fault_specs_are_refused_with_a_reason(text: str) -> None:
    with pytest.raises(ValueError, match="--fault"):
        parse_fault_spec(text)


def test_the_fleet_latency_is_not_reported_as_a_fault(fleet: Fleet) -> None:
    from camlink_provision.emulator import CameraSpec, running_fleet

    with running_fleet([CameraSpec("slow", "FD9369", auth="basic")], latency_ms=1) as slow:
        assert attempt(Cam("slow", slow.port("slow"), "basic")) == 200
        assert [e.fault for e in slow.request_log("slow")] == [""]
