"""Events and Camera Link for real: a spotter calls its PTZ peers over HTTP (contract §5, §6).
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from urllib.parse import urlencode

import pytest
from emu_support import ADMIN, PTZ2_ADDRESS, PTZ_ADDRESS, VIEWER, Cam

from camlink_provision.emulator import Fault, Fleet
from camlink_provision.firmware import profile as fw

SET = "/cgi-bin/admin/setparam.cgi"
GATE_RULE = fw.rule_to_vca("gate-zone", "intrusion", [[0, 0], [9, 0], [9, 9]], True)
SATURDAY_NIGHT = datetime(2026, 11, 28, 3, 0)
MONDAY_NOON = datetime(2026, 11, 30, 12, 0)


def setparam(cam: Cam, values: dict[str, str]) -> None:
    reply = cam.post(SET, urlencode(values).encode())
    assert reply.status == 200 and not reply.body.startswith(b"ERROR"), reply.body


def peer(index: int, address: str, port: int = 80, user: tuple[str, str] = ADMIN,
         enable: str = "1") -> dict[str, str]:
    fields = {"enable": enable, "name": f"peer{index}", "ipaddress": address, "port": str(port),
              "username": user[0], "passwd": user[1]}
    return {fw.peer_param(index, k): v for k, v in fields.items()}


def event(slot: int, trigger: str = "vadp", **fields: str) -> dict[str, str]:
    values = {"name": f"ev{slot}", "enable": "1", "trigger": trigger}
    if trigger == "vadp":
        values["vadp_rule"] = "gate"
    values.update(fields)
    return {fw.event_param(slot, k): v for k, v in values.items()}


def link(slot: int, peer_index: int, preset: str = "gate", rule: str = "gate-zone",
         do: bool = True) -> dict[str, str]:
    fields = {"enable": "1", "preset": preset, "track_enable": "1" if rule else "0",
              "track_rule": rule, "do_enable": "1" if do else "0", "do_duration": "1"}
    return {fw.link_action_param(slot, peer_index, k): v for k, v in fields.items()}


def prepare_ptz(cam: Cam, fleet: Fleet, pan: int = 900) -> None:
    fleet.set_position(cam.name, pan, -100, 3)
    assert cam.get(f"{fw.PRESET}?addpos=gate").body == b""
    fleet.set_position(cam.name, 0, 0, 1)
    reply = cam.send("POST", fw.VCA_TRACKING, json.dumps({"gate-zone": GATE_RULE}).encode(),
                     extra="Content-Type: application/json\r\n")
    assert reply.status == 200


@pytest.fixture
def linked(cams: dict[str, Cam], fleet: Fleet) -> dict[str, Cam]:
    """spot1 event 0 (detection 'gate') -> ptz1 (Basic, port 80) and ptz2 (Digest, 8080)."""
    prepare_ptz(cams["ptz1"], fleet)
    prepare_ptz(cams["ptz2"], fleet, pan=-400)
    setparam(cams["spot1"], {**peer(0, PTZ_ADDRESS), **peer(1, PTZ2_ADDRESS, 8080),
                             **event(0), **link(0, 0), **link(0, 1)})
    fleet.clear_log("ptz1")
    fleet.clear_log("ptz2")
    return cams


def test_a_detection_makes_the_spotter_drive_its_peers(linked: dict[str, Cam],
                                                       fleet: Fleet) -> None:
    result = fleet.fire("spot1", "detection", rule="gate")
    [fired] = result["events"]
    assert (fired["slot"], fired["name"]) == (0, "ev0")
    assert [(p["peer"], p["result"]) for p in fired["peers"]] == [(0, "ok"), (1, "ok")]
    assert [c["call"] for c in fired["peers"][0]["calls"]] == [
        "/cgi-bin/viewer/recall.cgi?recall=gate",
        "/cgi-bin/camctrl/camctrl.cgi?auto=objtrack&rule=gate-zone",
        "/cgi-bin/dido/setdo.cgi?do1=1"]
    for name, pan in (("ptz1", 900), ("ptz2", -400)):
        state = fleet.state(name)
        assert state["position"] == {"pan": pan, "tilt": -100, "zoom": 3}
        assert state["tracking"] == {"status": "Tracking", "rule": "gate-zone"}
        assert state["action"] == "tracking"
        assert state["do"] is True
        # The peer saw real requests (authenticated: the first one may draw a 401).
        paths = [e.path for e in fleet.request_log(name) if e.status == 200]
        assert paths == [fw.RECALL, fw.CAMCTRL, fw.SETDO]


def test_the_output_is_released_after_its_duration(linked: dict[str, Cam], fleet: Fleet) -> None:
    fleet.fire("spot1", "detection", rule="gate")
    assert fleet.state("ptz1")["do"] is True
    assert _eventually(lambda: fleet.state("ptz1")["do"] is False)


def test_an_other_rule_or_a_disabled_event_does_nothing(linked: dict[str, Cam],
                                                        fleet: Fleet) -> None:
    assert fleet.fire("spot1", "detection", rule="elsewhere")["events"] == []
    setparam(linked["spot1"], {fw.event_param(0, "enable"): "0"})
    result = fleet.fire("spot1", "detection", rule="gate")
    assert result["events"] == []
    assert result["skipped"] == [{"slot": 0, "name": "ev0", "reason": "disabled"}]
    assert fleet.request_log("ptz1") == []


def test_the_schedule_decides(linked: dict[str, Cam], fleet: Fleet) -> None:
    weekdays = str(sum(1 << fw.WEEKDAY_BITS[d] for d in ("mon", "tue", "wed", "thu", "fri")))
    setparam(linked["spot1"], {fw.event_param(0, "weekday"): weekdays,
                               fw.event_param(0, "begintime"): "08:00",
                               fw.event_param(0, "endtime"): "18:00"})
    skipped = fleet.fire("spot1", "detection", rule="gate", at=SATURDAY_NIGHT)
    assert skipped["skipped"][0]["reason"] == "outside its schedule"
    assert fleet.fire("spot1", "detection", rule="gate",
                      at=MONDAY_NOON.replace(hour=19))["events"] == []
    assert len(fleet.fire("spot1", "detection", rule="gate", at=MONDAY_NOON)["events"]) == 1
    # Overnight: 22:00-06:00 includes 03:00 on a Saturday when Saturday is in the mask.
    setparam(linked["spot1"], {fw.event_param(0, "weekday"): str(fw.ALL_WEEK),
                               fw.event_param(0, "begintime"): "22:00",
                               fw.event_param(0, "endtime"): "06:00"})
    assert len(fleet.fire("spot1", "detection", rule="gate", at=SATURDAY_NIGHT)["events"]) == 1


def test_an_overnight_span_runs_on_the_day_it_starts(linked: dict[str, Cam],
                                                       fleet: Fleet) -> None:
    # Monday only, 19:00-06:30: Tuesday 03:00 is Monday's night (camlink_provision.schedule),
    # Monday 03:00 would be Sunday's and is not.
    setparam(linked["spot1"], {fw.event_param(0, "weekday"): str(1 << fw.WEEKDAY_BITS["mon"]),
                               fw.event_param(0, "begintime"): "19:00",
                               fw.event_param(0, "endtime"): "06:30"})
    tuesday_night = datetime(2026, 12, 1, 3, 0)
    assert len(fleet.fire("spot1", "detection", rule="gate", at=tuesday_night)["events"]) == 1
    skipped = fleet.fire("spot1", "detection", rule="gate", at=MONDAY_NOON.replace(hour=3))
    assert skipped["skipped"][0]["reason"] == "outside its schedule"


def test_wrong_stored_credentials_make_the_link_unauthorized(linked: dict[str, Cam],
                                                             fleet: Fleet) -> None:
    setparam(linked["spot1"], peer(0, PTZ_ADDRESS, user=("admin", "stale-password")))
    result = fleet.fire("spot1", "detection", rule="gate")
    by_peer = {p["peer"]: p for p in result["events"][0]["peers"]}
    assert by_peer[0]["result"] == "unauthorized"
    assert [c["status"] for c in by_peer[0]["calls"]] == [401]  # stops at the first refusal
    assert by_peer[1]["result"] == "ok"  # the other peer is unharmed
    assert fleet.state("ptz1")["position"] == {"pan": 0, "tilt": 0, "zoom": 1}
    assert {e.status for e in fleet.request_log("ptz1")} == {401}


def test_a_viewer_account_can_recall_but_not_pulse_the_output(linked: dict[str, Cam],
                                                              fleet: Fleet) -> None:
    setparam(linked["spot1"], peer(0, PTZ_ADDRESS, user=VIEWER))
    calls = fleet.fire("spot1", "detection", rule="gate")["events"][0]["peers"][0]["calls"]
    assert [(c["call"].split("?")[0], c["result"]) for c in calls] == [
        (fw.RECALL, "ok"), (fw.CAMCTRL, "ok"), (fw.SETDO, "unauthorized")]


def test_a_missing_preset_is_refused_but_tracking_still_starts(linked: dict[str, Cam],
                                                               fleet: Fleet) -> None:
    setparam(linked["spot1"], link(0, 0, preset="no-such-preset", do=False))
    report = fleet.fire("spot1", "detection", rule="gate")["events"][0]["peers"][0]
    assert [c["result"] for c in report["calls"]] == ["refused", "ok"]
    assert report["result"] == "refused"
    assert fleet.state("ptz1")["tracking"]["status"] == "Tracking"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback socket no camera owns: any connection to it would show in its queue."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield sock


def test_an_address_outside_the_fleet_is_unreachable_and_never_dialled(
        linked: dict[str, Cam], fleet: Fleet, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    setparam(linked["spot1"], {**peer(0, "127.0.0.1", port), **peer(1, "10.99.0.1", 80)})
    result = fleet.fire("spot1", "detection", rule="gate")
    peers = result["events"][0]["peers"]
    assert [p["result"] for p in peers] == ["unreachable", "unreachable"]
    assert [c["status"] for c in peers[0]["calls"]] == [0]
    readable, _, _ = select.select([listener], [], [], 0)
    assert readable == []  # nothing ever connected to it
    assert fleet.request_log("ptz1") == fleet.request_log("ptz2") == []


def test_a_peer_that_is_down_does_not_stop_the_spotter(linked: dict[str, Cam],
                                                       fleet: Fleet) -> None:
    fleet.set_fault("ptz1", Fault(down=True))
    setparam(linked["spot1"], event(0, action_do_i0_enable="1", action_do_i0_duration="5"))
    result = fleet.fire("spot1", "detection", rule="gate")
    peers = result["events"][0]["peers"]
    assert [p["result"] for p in peers] == ["unreachable", "ok"]
    assert result["events"][0]["local"] == {"do": "ok"}
    assert fleet.state("spot1")["do"] is True


def test_a_virtual_input_fires_vi_events(linked: dict[str, Cam], fleet: Fleet) -> None:
    setparam(linked["spot1"], {**event(1, "vi", vi="4"), **link(1, 0, rule="", do=False)})
    assert linked["spot1"].get(f"{fw.SETVI}?vi0=1").status == 200
    assert fleet.state("ptz1")["position"]["pan"] == 0  # vi0 is not in the mask (bit 2)
    assert linked["spot1"].get(f"{fw.SETVI}?vi2=1").body == b""
    assert fleet.state("ptz1")["position"]["pan"] == 900
    assert linked["spot1"].get(f"{fw.SETVI}?vi9=1").body == b"ERROR: Invalid command!\n"


def test_digital_input_and_motion_through_the_control_plane(linked: dict[str, Cam],
                                                            fleet: Fleet) -> None:
    setparam(linked["spot1"], {**event(2, "di"), **link(2, 0, rule="", do=False),
                               **event(3, "motion", mdwin="2"), **link(3, 1, do=False)})
    assert [e["slot"] for e in fleet.fire("spot1", "di", input=0)["events"]] == [2]
    assert fleet.fire("spot1", "motion", input=0)["events"] == []
    assert [e["slot"] for e in fleet.fire("spot1", "motion", input=1)["events"]] == [3]
    assert fleet.state("ptz2")["tracking"]["rule"] == "gate-zone"


def test_a_local_goto_action_on_a_ptz_spotter(cams: dict[str, Cam], fleet: Fleet) -> None:
    prepare_ptz(cams["ptz2"], fleet)
    setparam(cams["ptz2"], event(0, action_goto_enable="1", action_goto_name="gate"))
    result = fleet.fire("ptz2", "detection", rule="gate")
    assert result["events"][0]["local"] == {"goto": "ok"}
    assert fleet.state("ptz2")["position"]["pan"] == 900


# ---- the Test buttons --------------------------------------------------------------------
def test_link_test_ok_unauthorized_unreachable(linked: dict[str, Cam], fleet: Fleet) -> None:
    spot = linked["spot1"]
    test = fw.LINK_TEST
    assert spot.get(f"{test}?index=0").body == b"result='ok'\r\n"
    assert spot.get(f"{test}?index=1").body == b"result='ok'\r\n"
    setparam(spot, {**peer(0, PTZ_ADDRESS, user=("admin", "bad")), **peer(2, "10.1.1.1")})
    assert spot.get(f"{test}?index=0").body == b"result='unauthorized'\r\n"
    assert spot.get(f"{test}?index=2").body == b"result='unreachable'\r\n"
    fleet.set_fault("ptz2", Fault(down=True))
    assert spot.get(f"{test}?index=1").body == b"result='unreachable'\r\n"
    assert spot.get(f"{test}?index=3").body == b"ERROR: Invalid command!\n"
    assert spot.get(f"{test}?index=0", auth=VIEWER).status == 401


def test_link_test_with_an_event_performs_its_action_now(linked: dict[str, Cam],
                                                         fleet: Fleet) -> None:
    setparam(linked["spot1"], {fw.event_param(0, "enable"): "0"})  # the Test ignores enable
    body = linked["spot1"].get(f"{fw.LINK_TEST}?index=1&event=0").body
    assert body == b"result='ok'\r\naction='ok'\r\n"
    assert fleet.state("ptz2")["position"]["pan"] == -400
    assert fleet.state("ptz1")["position"]["pan"] == 0  # only the peer that was tested


def _eventually(check: Callable[[], object], deadline: float = 10.0) -> bool:
    """Poll a condition until it holds or a generous deadline passes (not a timing test)."""
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.05)
    return False


def test_the_digital_output_and_its_status(cams: dict[str, Cam], fleet: Fleet) -> None:
    ptz = cams["ptz1"]
    assert ptz.get(f"{fw.SETDO}?do1=1").body == b""
    assert ptz.get(f"/cgi-bin/viewer/getparam.cgi?{fw.DO_STATUS}").body == b"status_do_i0='1'\r\n"
    assert ptz.get(f"{fw.SETDO}?do1=0").body == b""
    assert fleet.state("ptz1")["do"] is False
    assert ptz.get(f"{fw.SETDO}?do2=1").body == b"ERROR: Invalid command!\n"  # one output
    assert ptz.get(f"{fw.SETDO}?do1=on").body == b"ERROR: Invalid command!\n"
