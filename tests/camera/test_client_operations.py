"""Every client operation over real HTTP against the emulator, checked on the camera's side."""

from __future__ import annotations

import pytest
from camera_support import (
    ADMIN_PASSWORD,
    PTZ_ADDRESS,
    PTZ_DIGEST,
    PTZ_MODEL,
    SPOTTER,
    ClientCall,
    MakeClient,
    Watch,
    wait_until,
)

from camlink_provision import __version__
from camlink_provision.camera import CameraClient, LinkTestResult, Position, TrackingStatus
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Secret

GATE_RULE = fw.rule_to_vca("gate-zone", "intrusion", [[0, 0], [5000, 0], [5000, 5000]], True,
                           condition="enter")
FENCE_RULE = fw.rule_to_vca("fence", "linecrossing", [[0, 0], [10000, 10000]], False,
                            direction="AtoB")


def test_getparam_reads_names_and_groups_in_one_request(connect: MakeClient, watch: Watch) -> None:
    client, log = connect(PTZ_DIGEST), watch(PTZ_DIGEST)
    values = client.getparam([fw.MODELNAME, "capability", fw.HOSTNAME])
    assert values[fw.MODELNAME] == PTZ_MODEL
    assert values[fw.HOSTNAME] == PTZ_DIGEST
    assert int(values[fw.CAP_NPRESET]) > 0 and values[fw.CAP_CAMERALINK] == "1"
    [read] = log.entries(fw.GETPARAM, answered=True)
    assert (read.method, read.status) == ("GET", 200)
    assert set(read.params) == {fw.MODELNAME, "capability", fw.HOSTNAME}


def test_setparam_writes_many_in_one_post_and_returns_the_echo(connect: MakeClient,
                                                               watch: Watch) -> None:
    client, log = connect(PTZ_DIGEST), watch(PTZ_DIGEST)
    wanted = {fw.HOSTNAME: "gate ptz", fw.event_param(0, "name"): "intruder",
              fw.event_param(0, "delay"): "30"}
    assert client.setparam(wanted) == wanted
    assert client.getparam(list(wanted)) == wanted
    [write] = log.entries(fw.SETPARAM, answered=True)
    assert (write.method, write.status, write.write) == ("POST", 200, True)
    assert set(write.params) == set(wanted)


def test_setparam_writes_a_secret_that_is_never_read_back(connect: MakeClient) -> None:
    spotter = connect(SPOTTER)
    passwd, user = fw.peer_param(0, "passwd"), fw.peer_param(0, "username")
    echo = spotter.setparam({user: "linker", passwd: Secret("peer-Pa55-zz9")})
    assert echo == {user: "linker"}  # 7/6: stored, left out of the echo
    assert passwd not in spotter.getparam([fw.PEER_GROUP])


def test_move_then_position(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    client.move(1200, -300, 4)
    assert client.position() == Position(1200, -300, 4)
    assert client.action() == "idle"


def test_preset_saved_in_a_chosen_slot_recalled_and_deleted(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    client.move(900, -450, 2)
    client.add_preset("gate", index=7)
    assert client.getparam([fw.preset_param(7, f) for f in ("name", "pan", "tilt", "zoom")]) \
        == {fw.preset_param(7, "name"): "gate", fw.preset_param(7, "pan"): "900",
            fw.preset_param(7, "tilt"): "-450", fw.preset_param(7, "zoom"): "2"}
    client.move(0, 0, 1)
    client.recall("gate")
    assert client.position() == Position(900, -450, 2)
    client.delete_preset("gate")
    assert client.getparam([fw.preset_param(7, "name")]) == {fw.preset_param(7, "name"): ""}


def test_preset_without_index_takes_a_free_slot(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    client.add_preset("yard")
    names = client.getparam([fw.PRESET_GROUP])
    assert [k for k, v in names.items() if k.endswith("_name") and v == "yard"]


def test_tracking_rules_put_read_and_delete(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    assert client.tracking_rules() == {}
    client.put_tracking_rules({"gate-zone": GATE_RULE, "fence": FENCE_RULE})
    assert client.tracking_rules() == {"gate-zone": GATE_RULE, "fence": FENCE_RULE}
    client.delete_tracking_rule("fence")
    assert client.tracking_rules() == {"gate-zone": GATE_RULE}


def test_start_and_stop_tracking(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    client.put_tracking_rules({"gate-zone": GATE_RULE})
    client.start_tracking("gate-zone")
    status = client.tracking_status()
    assert status.rule == "gate-zone" and status.status in fw.TRACKING_STATUSES
    assert client.action() == "tracking"
    client.stop_tracking()
    assert client.action() == "idle"
    assert client.tracking_status() == TrackingStatus("Waiting", "")


def test_set_do_drives_the_output(connect: MakeClient) -> None:
    client = connect(PTZ_DIGEST)
    client.set_do(1)
    assert client.getparam([fw.DO_STATUS]) == {fw.DO_STATUS: "1"}
    client.set_do(0)
    assert client.getparam([fw.DO_STATUS]) == {fw.DO_STATUS: "0"}


def _link_spotter_to_ptz(spotter: CameraClient, password: str) -> None:
    spotter.setparam({
        fw.peer_param(0, "enable"): "1", fw.peer_param(0, "name"): PTZ_DIGEST,
        fw.peer_param(0, "ipaddress"): PTZ_ADDRESS, fw.peer_param(0, "port"): "80",
        fw.peer_param(0, "username"): "admin",
        fw.peer_param(0, "passwd"): Secret(password or ADMIN_PASSWORD),
    })


@pytest.mark.parametrize(("password", "address", "expected"), [
    ("", PTZ_ADDRESS, "ok"),
    ("not-the-password", PTZ_ADDRESS, "unauthorized"),
    ("", "10.20.99.99", "unreachable"),
])
def test_link_test_reports_what_the_spotter_saw(connect: MakeClient, password: str, address: str,
                                                expected: str) -> None:
    spotter = connect(SPOTTER)
    _link_spotter_to_ptz(spotter, password)
    spotter.setparam({fw.peer_param(0, "ipaddress"): address})
    assert spotter.link_test(0) == expected


def test_the_tool_names_itself_to_the_camera_and_a_spotters_call_does_not(
        connect: MakeClient, watch: Watch) -> None:
    spotter, ptz = connect(SPOTTER), connect(PTZ_DIGEST)
    ptz.getparam([fw.MODELNAME])
    _link_spotter_to_ptz(spotter, "")
    seen = watch(PTZ_DIGEST)
    assert spotter.link_test(0) == "ok"  # the spotter logs in to the PTZ itself
    ptz.getparam([fw.MODELNAME])
    agents = [entry.agent for entry in seen.entries(answered=True)]
    assert agents == ["", f"camlink-provision/{__version__}"]


def _gate_event_on_vi0(spotter: CameraClient) -> None:
    """Event slot 0: virtual input 0 sends the PTZ to its preset "gate"."""
    spotter.setparam({
        fw.event_param(0, "name"): "gate", fw.event_param(0, "enable"): "1",
        fw.event_param(0, "trigger"): "vi", fw.event_param(0, "vi"): "1",
        fw.link_action_param(0, 0, "enable"): "1",
        fw.link_action_param(0, 0, "preset"): "gate",
    })


def test_link_test_with_event_performs_the_action_on_the_peer(connect: MakeClient) -> None:
    spotter, ptz = connect(SPOTTER), connect(PTZ_DIGEST)
    ptz.move(2500, 100, 3)
    ptz.add_preset("gate")
    ptz.move(0, 0, 1)
    _link_spotter_to_ptz(spotter, "")
    _gate_event_on_vi0(spotter)
    assert spotter.link_test(0, event=0) == "ok"
    assert wait_until(lambda: ptz.position() == Position(2500, 100, 3))


def test_link_test_action_answers_the_spotters_action_first_hand(connect: MakeClient,
                                                                 watch: Watch) -> None:
    spotter, ptz, log = connect(SPOTTER), connect(PTZ_DIGEST), watch(SPOTTER)
    ptz.move(2500, 100, 3)
    ptz.add_preset("gate")
    ptz.move(0, 0, 1)
    _link_spotter_to_ptz(spotter, "")
    _gate_event_on_vi0(spotter)
    assert spotter.link_test_action(0, 0) == LinkTestResult("ok", "ok")
    assert wait_until(lambda: ptz.position() == Position(2500, 100, 3))
    [test] = log.entries(fw.LINK_TEST, answered=True)
    assert (test.method, set(test.params)) == ("POST", {fw.LINK_TEST_INDEX, fw.LINK_TEST_EVENT})


def test_link_test_action_reports_a_preset_the_peer_refused(connect: MakeClient) -> None:
    spotter, ptz = connect(SPOTTER), connect(PTZ_DIGEST)
    ptz.move(0, 0, 1)
    _link_spotter_to_ptz(spotter, "")
    _gate_event_on_vi0(spotter)  # the PTZ holds no preset "gate"
    assert spotter.link_test_action(0, 0) == LinkTestResult("ok", "refused")
    assert ptz.position() == Position(0, 0, 1)


def test_link_test_action_when_the_contact_fails_performs_nothing(connect: MakeClient) -> None:
    spotter = connect(SPOTTER)
    _link_spotter_to_ptz(spotter, "not-the-password")
    _gate_event_on_vi0(spotter)
    assert spotter.link_test_action(0, 0) == LinkTestResult("unauthorized", "")


def test_set_vi_fires_the_event_that_moves_the_peer(connect: MakeClient) -> None:
    spotter, ptz = connect(SPOTTER), connect(PTZ_DIGEST)
    ptz.move(-700, 50, 5)
    ptz.add_preset("gate")
    ptz.move(0, 0, 1)
    _link_spotter_to_ptz(spotter, "")
    _gate_event_on_vi0(spotter)
    spotter.set_vi(0, 1)
    assert wait_until(lambda: ptz.position() == Position(-700, 50, 5))


# Each operation and the method the camera must see: reads GET (retried), everything that
# changes or does something POST, the VCA rule removal DELETE (never retried either).
OPERATIONS: list[tuple[str, ClientCall, str, str]] = [
    ("getparam", lambda c: c.getparam([fw.HOSTNAME]), "GET", fw.GETPARAM),
    ("position", lambda c: c.position(), "GET", fw.CAMCTRL),
    ("action", lambda c: c.action(), "GET", fw.CAMCTRL),
    ("tracking_rules", lambda c: c.tracking_rules(), "GET", fw.VCA_TRACKING),
    ("tracking_status", lambda c: c.tracking_status(), "GET", fw.VCA_STATUS),
    ("setparam", lambda c: c.setparam({fw.HOSTNAME: "x"}), "POST", fw.SETPARAM),
    ("move", lambda c: c.move(1, 2, 3), "POST", fw.CAMCTRL),
    ("add_preset", lambda c: c.add_preset("p1"), "POST", fw.PRESET),
    ("put_tracking_rules", lambda c: c.put_tracking_rules({"fence": FENCE_RULE}), "POST",
     fw.VCA_TRACKING),
    ("start_tracking", lambda c: c.start_tracking("fence"), "POST", fw.CAMCTRL),
    ("stop_tracking", lambda c: c.stop_tracking(), "POST", fw.CAMCTRL),
    ("recall", lambda c: c.recall("p1"), "POST", fw.RECALL),
    ("delete_preset", lambda c: c.delete_preset("p1"), "POST", fw.PRESET),
    ("delete_tracking_rule", lambda c: c.delete_tracking_rule("fence"), "DELETE",
     fw.VCA_TRACKING),
    ("set_do", lambda c: c.set_do(1), "POST", fw.SETDO),
    ("set_vi", lambda c: c.set_vi(0, 1), "POST", fw.SETVI),
]


def test_reads_are_get_and_writes_are_post(connect: MakeClient, watch: Watch) -> None:
    """In this order the operations are all valid: a preset and a rule exist when used."""
    client, log = connect(PTZ_DIGEST), watch(PTZ_DIGEST)
    seen = []
    for _name, operation, _method, _path in OPERATIONS:
        operation(client)
        seen.append(log.entries(answered=True)[-1])
    assert [(e.method, e.path, e.status) for e in seen] == \
        [(method, path, 200) for _n, _o, method, path in OPERATIONS]


def test_link_test_is_a_post(connect: MakeClient, watch: Watch) -> None:
    spotter, log = connect(SPOTTER), watch(SPOTTER)
    _link_spotter_to_ptz(spotter, "")
    spotter.link_test(0)
    [test] = log.entries(fw.LINK_TEST, answered=True)
    assert (test.method, set(test.params)) == ("POST", {fw.LINK_TEST_INDEX})
