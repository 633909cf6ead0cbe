"""The control plane under /_emulator/ (contract §8), over HTTP without credentials."""

from __future__ import annotations

import json
from typing import Any

from emu_support import Cam, Raw, build, exchange
from test_emu_faults import attempt
from test_emu_link import linked  # noqa: F401 - the fixture

from camlink_provision.emulator import Fault, Fleet
from camlink_provision.firmware import profile as fw


def control(cam: Cam, method: str, path: str, body: Any = None) -> Raw:
    data = json.dumps(body).encode() if body is not None else b""
    return exchange(cam.port, build(method, f"/_emulator/{path}", cam.port, body=data,
                                    extra="Content-Type: application/json\r\n"))


def test_fire_over_http_returns_what_the_spotter_did(linked: dict[str, Cam],  # noqa: F811
                                                     fleet: Fleet) -> None:
    reply = control(linked["spot1"], "POST", "fire", {"kind": "detection", "rule": "gate",
                                                      "at": "2026-11-30T12:00:00"})
    assert reply.status == 200
    result = json.loads(reply.body)
    assert result["at"] == "2026-11-30T12:00:00"
    assert [p["result"] for p in result["events"][0]["peers"]] == ["ok", "ok"]
    assert fleet.state("ptz1")["tracking"]["status"] == "Tracking"


def test_fault_set_and_cleared_over_http_even_for_a_camera_that_is_down(
        cams: dict[str, Cam]) -> None:
    spot, ptz = cams["spot1"], cams["ptz1"]
    reply = control(ptz, "PUT", "fault", {"down": True})
    assert json.loads(reply.body)["down"] is True
    assert attempt(ptz) == "refused"
    # Its own port is closed; any other camera of the fleet can address it by name.
    assert control(spot, "DELETE", "fault?camera=ptz1").status == 200
    assert attempt(ptz) == 200


def test_bad_control_requests_get_400(cams: dict[str, Cam]) -> None:
    ptz = cams["ptz1"]
    assert control(ptz, "PUT", "fault", {"status": 404}).status == 400
    assert control(ptz, "PUT", "fault", {"explode": True}).status == 400
    assert control(ptz, "POST", "fire", {"kind": "earthquake"}).status == 400
    assert control(ptz, "GET", "state?camera=nobody").status == 400
    assert control(ptz, "GET", "nothing").status == 404
    bad = exchange(ptz.port, build("POST", "/_emulator/fire", ptz.port, body=b"{"))
    assert bad.status == 400 and json.loads(bad.body)["Error"]


def test_log_lists_names_only_and_control_requests_are_not_in_it(cams: dict[str, Cam]) -> None:
    spot = cams["spot1"]
    spot.post("/cgi-bin/admin/setparam.cgi", b"cameralink_i0_passwd=hunter22")
    control(spot, "GET", "state")
    log = json.loads(control(spot, "GET", "log").body)
    assert [(e["method"], e["path"], e["params"], e["status"], e["write"]) for e in log] == [
        ("POST", "/cgi-bin/admin/setparam.cgi", ["cameralink_i0_passwd"], 401, False),
        ("POST", "/cgi-bin/admin/setparam.cgi", ["cameralink_i0_passwd"], 200, True)]
    assert b"hunter22" not in control(spot, "GET", "log").body
    assert b"hunter22" not in control(spot, "GET", "state").body
    assert control(spot, "DELETE", "log").status == 200
    assert json.loads(control(spot, "GET", "log").body) == []


def test_state_position_and_reset(cams: dict[str, Cam], fleet: Fleet) -> None:
    ptz = cams["ptz1"]
    assert json.loads(control(ptz, "POST", "position", {"pan": 5, "tilt": 6, "zoom": 7}).body) \
        == {"pan": 5, "tilt": 6, "zoom": 7}
    ptz.get(f"{fw.PRESET}?addpos=here")
    state = json.loads(control(ptz, "GET", "state").body)
    assert state["presets"] == [{"index": 0, "name": "here", "pan": 5, "tilt": 6, "zoom": 7}]
    assert set(state) >= {"params", "presets", "rules", "position", "action", "tracking", "do"}
    assert control(ptz, "POST", "position", {"pan": "left"}).status == 400
    reset = json.loads(control(ptz, "POST", "reset").body)
    assert reset["presets"] == [] and reset["position"] == {"pan": 0, "tilt": 0, "zoom": 0}
    assert fleet.state("ptz1")["params"]["system_hostname"] == "ptz1"


def test_factory_reset_restores_every_setting(cams: dict[str, Cam], fleet: Fleet) -> None:
    spot = cams["spot1"]
    spot.post("/cgi-bin/admin/setparam.cgi",
              b"system_hostname=renamed&event_i0_enable=1&cameralink_i0_passwd=p")
    fleet.reset("spot1")
    params = fleet.state("spot1")["params"]
    assert (params["system_hostname"], params["event_i0_enable"]) == ("spot1", "0")
    assert fleet.camera("spot1").params.value(fw.peer_param(0, "passwd")) == ""


def test_reset_all_leaves_every_camera_fresh_working_and_unlogged(cams: dict[str, Cam],
                                                                   fleet: Fleet) -> None:
    ptz = [n for n in fleet.names() if fleet.state(n)["position"] is not None]
    factory = {name: fleet.state(name)["position"] for name in ptz}
    for name in ptz:
        fleet.set_position(name, 1, 2, 3)
    first, second = fleet.names()[:2]
    fleet.set_fault(first, Fault(down=True))
    fleet.set_fault(second, Fault(status=503))
    assert (attempt(cams[first]), attempt(cams[second])) == ("refused", 503)
    fleet.reset_all()
    assert all(fleet.request_log(name) == [] for name in fleet.names())
    assert attempt(cams[first]) != "refused" and attempt(cams[second]) != 503
    assert {name: fleet.state(name)["position"] for name in ptz} == factory


def test_clear_faults_keeps_settings(cams: dict[str, Cam], fleet: Fleet) -> None:
    name = next(n for n in fleet.names() if fleet.state(n)["position"] is not None)
    fleet.set_position(name, 11, 12, 13)
    fleet.set_fault(name, Fault(down=True))
    fleet.clear_faults()
    assert attempt(cams[name]) != "refused"
    assert fleet.state(name)["position"] == {"pan": 11, "tilt": 12, "zoom": 13}
