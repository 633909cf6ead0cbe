"""Presets, position, action, tracking rules and tracking (contract §4, §7)."""

from __future__ import annotations

import json

import pytest
from emu_support import Cam

from camlink_provision.emulator import Fleet
from camlink_provision.firmware import profile as fw

INVALID = b"ERROR: Invalid command!\n"
CAMCTRL = fw.CAMCTRL
RULES = fw.VCA_TRACKING
GATE_RULE = fw.rule_to_vca("gate-zone", "intrusion", [[0, 0], [5000, 0], [5000, 5000]], True,
                           condition="enter")
LINE_RULE = fw.rule_to_vca("fence", "linecrossing", [[0, 0], [10000, 10000]], False,
                           direction="AtoB")
LOITER_RULE = fw.rule_to_vca("yard", "loitering", [[1, 1], [2, 2], [3, 1]], False, duration=5)


def post_rules(cam: Cam, rules: object) -> tuple[int, object]:
    reply = cam.send("POST", RULES, json.dumps(rules).encode(),
                     extra="Content-Type: application/json\r\n")
    return reply.status, json.loads(reply.body)


def test_move_and_read_the_position_back(cams: dict[str, Cam]) -> None:
    ptz = cams["ptz1"]
    assert ptz.get(f"{CAMCTRL}?setpan=1200&settilt=-300&setzoom=4").body == b""
    position = ptz.get(f"{CAMCTRL}?getpan&gettilt&getzoom").body
    assert position == b"pan=1200\r\ntilt=-300\r\nzoom=4\r\n"
    assert ptz.get(f"{CAMCTRL}?getaction").body == b"action=idle\r\n"
    assert ptz.get(f"{CAMCTRL}?setpan=99999").body == INVALID
    assert ptz.get(f"{CAMCTRL}?spin=1").body == INVALID


def test_presets_save_the_current_position(cams: dict[str, Cam], fleet: Fleet) -> None:
    ptz = cams["ptz1"]
    ptz.get(f"{CAMCTRL}?setpan=100&settilt=20&setzoom=3")
    assert ptz.get(f"{fw.PRESET}?addpos=gate").body == b""
    ptz.get(f"{CAMCTRL}?setpan=-50&settilt=0&setzoom=1")
    assert ptz.get(f"{fw.PRESET}?addpos=yard&index=7").status == 200
    body = ptz.get(f"/cgi-bin/admin/getparam.cgi?{fw.preset_param(0, 'name')}&"
                   f"{fw.preset_param(0, 'pan')}&{fw.preset_param(7, 'name')}").body
    assert body == (b"camctrl_c0_preset_i0_name='gate'\r\ncamctrl_c0_preset_i0_pan='100'\r\n"
                    b"camctrl_c0_preset_i7_name='yard'\r\n")
    assert fleet.state("ptz1")["presets"] == [
        {"index": 0, "name": "gate", "pan": 100, "tilt": 20, "zoom": 3},
        {"index": 7, "name": "yard", "pan": -50, "tilt": 0, "zoom": 1}]
    writes = [e.write for e in fleet.request_log("ptz1") if e.path == fw.PRESET]
    assert writes == [True, True]


def test_preset_refusals(cams: dict[str, Cam]) -> None:
    ptz = cams["ptz1"]
    assert ptz.get(f"{fw.PRESET}?addpos=gate&index=2").body == b""
    assert ptz.get(f"{fw.PRESET}?addpos=gate&index=3").body == INVALID  # names are unique
    assert ptz.get(f"{fw.PRESET}?addpos=other&index=256").body == INVALID  # no such slot
    assert ptz.get(f"{fw.PRESET}?addpos=a%27b").body == INVALID  # not a valid name
    assert ptz.get(f"{fw.PRESET}?delpos=nothing").body == INVALID
    assert ptz.get(f"{fw.PRESET}?addpos=x&delpos=gate").body == INVALID
    # Never saved over, not even by its own name in its own slot: re-saving is delete + add.
    assert ptz.get(f"{fw.PRESET}?addpos=gate&index=2").body == INVALID
    assert ptz.get(f"{fw.PRESET}?addpos=other&index=2").body == INVALID  # slot in use
    assert ptz.get(f"{fw.PRESET}?delpos=gate").body == b""
    assert ptz.get(f"{fw.PRESET}?addpos=other&index=2").body == b""


def test_delete_and_recall(cams: dict[str, Cam], fleet: Fleet) -> None:
    ptz = cams["ptz1"]
    fleet.set_position("ptz1", 700, 10, 2)
    ptz.get(f"{fw.PRESET}?addpos=gate")
    fleet.set_position("ptz1", 0, 0, 1)
    assert ptz.get(f"{fw.RECALL}?recall=gate").body == b""
    assert fleet.state("ptz1")["position"] == {"pan": 700, "tilt": 10, "zoom": 2}
    assert ptz.get(f"{fw.RECALL}?recall=nowhere").body == INVALID
    assert ptz.get(f"{fw.PRESET}?delpos=gate").body == b""
    assert fleet.state("ptz1")["presets"] == []
    assert ptz.get(f"{fw.RECALL}?recall=gate").body == INVALID


def test_rules_create_read_replace_delete(cams: dict[str, Cam]) -> None:
    ptz = cams["ptz1"]
    assert json.loads(ptz.get(RULES).body) == {}
    status, _ = post_rules(ptz, {"gate-zone": GATE_RULE, "fence": LINE_RULE})
    assert status == 200
    status, _ = post_rules(ptz, {"yard": LOITER_RULE})
    assert status == 200
    reply = ptz.get(RULES)
    assert reply.header("Content-type") == "application/json"
    assert json.loads(reply.body) == {"gate-zone": GATE_RULE, "fence": LINE_RULE,
                                      "yard": LOITER_RULE}
    changed = {**LINE_RULE, "Direction": "both"}
    post_rules(ptz, {"fence": changed})
    assert json.loads(ptz.get(RULES).body)["fence"] == changed
    assert ptz.send("DELETE", f"{RULES}?RuleName=fence").status == 200
    assert list(json.loads(ptz.get(RULES).body)) == ["gate-zone", "yard"]


@pytest.mark.parametrize("rules", [
    {"a": {**GATE_RULE, "RuleName": "a", "Type": "running"}},
    {"gate-zone": {**GATE_RULE, "Condition": "sideways"}},
    {"gate-zone": {**GATE_RULE, "Field": [[0, 0], [1, 1]]}},  # a zone needs 3 points
    {"gate-zone": {**GATE_RULE, "Field": [[0, 0], [1, 1], [1, 10001]]}},
    {"fence": {**LINE_RULE, "Field": [[0, 0], [1, 1], [2, 2]]}},  # a line has 2
    {"yard": {**LOITER_RULE, "Duration": 0}},
    {"gate-zone": {**GATE_RULE, "ConnectEvent": "yes"}},
    {"gate-zone": {**GATE_RULE, "Direction": "AtoB"}},  # not a key of intrusion
    {"other": GATE_RULE},  # RuleName must equal its key
    {"gate-zone": GATE_RULE, "bad": 3},  # one bad rule refuses the request
    [GATE_RULE],
    {},
])
def test_bad_rules_get_400_with_a_reason_and_nothing_changes(cams: dict[str, Cam],
                                                             rules: object) -> None:
    status, body = post_rules(cams["ptz1"], rules)
    assert status == 400
    assert isinstance(body, dict) and list(body) == ["Error"] and body["Error"]
    assert json.loads(cams["ptz1"].get(RULES).body) == {}


def test_rules_body_must_be_json_and_delete_must_name_a_rule(cams: dict[str, Cam]) -> None:
    ptz = cams["ptz1"]
    reply = ptz.send("POST", RULES, b"{not json", extra="Content-Type: application/json\r\n")
    assert reply.status == 400 and json.loads(reply.body)["Error"]
    assert ptz.send("DELETE", f"{RULES}?RuleName=ghost").status == 400


def test_tracking_starts_with_a_known_rule_and_stops(cams: dict[str, Cam], fleet: Fleet) -> None:
    ptz = cams["ptz1"]
    assert json.loads(ptz.get(fw.VCA_STATUS).body) == {
        "PTZInfo": {"Status": "Waiting", "Rule": ""}}
    assert ptz.get(f"{CAMCTRL}?auto=objtrack&rule=gate-zone").body == INVALID  # no rule yet
    post_rules(ptz, {"gate-zone": GATE_RULE})
    assert ptz.get(f"{CAMCTRL}?auto=objtrack&rule=gate-zone").body == b""
    assert ptz.get(f"{CAMCTRL}?getaction").body == b"action=tracking\r\n"
    assert json.loads(ptz.get(fw.VCA_STATUS).body) == {
        "PTZInfo": {"Status": "Tracking", "Rule": "gate-zone"}}
    assert ptz.get(f"{CAMCTRL}?auto=stop").body == b""
    assert ptz.get(f"{CAMCTRL}?getaction").body == b"action=idle\r\n"
    assert fleet.state("ptz1")["tracking"] == {"status": "Waiting", "rule": ""}


def test_a_move_or_deleting_the_rule_ends_tracking(cams: dict[str, Cam], fleet: Fleet) -> None:
    ptz = cams["ptz1"]
    post_rules(ptz, {"gate-zone": GATE_RULE})
    ptz.get(f"{CAMCTRL}?auto=objtrack&rule=gate-zone")
    ptz.get(f"{CAMCTRL}?setpan=5")
    assert fleet.state("ptz1")["action"] == "idle"
    ptz.get(f"{CAMCTRL}?auto=objtrack&rule=gate-zone")
    ptz.send("DELETE", f"{RULES}?RuleName=gate-zone")
    assert fleet.state("ptz1")["tracking"] == {"status": "Waiting", "rule": ""}


def test_rule_writes_are_logged_as_writes(cams: dict[str, Cam], fleet: Fleet) -> None:
    post_rules(cams["ptz1"], {"gate-zone": GATE_RULE})
    cams["ptz1"].get(RULES)
    log = [(e.method, e.write) for e in fleet.request_log("ptz1") if e.path == RULES
           and e.status == 200]
    assert log == [("POST", True), ("GET", False)]
