"""getparam / setparam semantics (contract §2): groups, levels, refusal whole, encoding."""

from __future__ import annotations

import pytest
from emu_support import VIEWER, Cam

from camlink_provision.emulator import Fleet
from camlink_provision.firmware import profile as fw

INVALID = b"ERROR: Invalid command!\n"
GET = "/cgi-bin/admin/getparam.cgi"
SET = "/cgi-bin/admin/setparam.cgi"


def values(body: bytes) -> dict[str, str]:
    out = {}
    for line in body.decode("utf-8").split("\r\n"):
        if line:
            name, _, value = line.partition("=")
            assert value.startswith("'") and value.endswith("'"), line
            out[name] = value[1:-1]
    return out


def test_a_group_prefix_returns_every_parameter_under_it_in_order(cams: dict[str, Cam]) -> None:
    body = cams["ptz1"].get(f"{GET}?camctrl_c0_preset_i3").body
    assert list(values(body)) == [fw.preset_param(3, f) for f in ("name", "pan", "tilt", "zoom")]
    event = values(cams["spot1"].get(f"{GET}?event_i2").body)
    assert fw.event_param(2, "trigger") in event
    assert fw.link_action_param(2, 1, "track_rule") in event
    assert all(name.startswith("event_i2_") for name in event)


def test_several_names_and_groups_in_one_request(cams: dict[str, Cam]) -> None:
    body = cams["spot1"].get(f"{GET}?system_hostname&capability_nevent&system_info").body
    assert list(values(body))[:2] == ["system_hostname", "capability_nevent"]
    assert "system_info_serialnumber" in values(body)


def test_no_name_returns_everything_readable_at_the_directory_level(cams: dict[str, Cam]) -> None:
    spot = cams["spot1"]
    admin = values(spot.get(GET).body)
    viewer = values(spot.get("/cgi-bin/viewer/getparam.cgi", auth=VIEWER).body)
    anonymous = values(spot.get("/cgi-bin/anonymous/getparam.cgi", auth=None).body)
    assert "event_i0_name" in admin and "event_i0_name" not in viewer
    assert "system_hostname" in viewer and "system_hostname" not in anonymous
    assert "system_info_modelname" in anonymous
    assert not [name for name in admin if name.endswith("passwd")]


def test_getparam_by_post_with_names_in_the_body(cams: dict[str, Cam]) -> None:
    reply = cams["spot1"].post(GET, b"system_hostname&capability_ndo")
    assert values(reply.body) == {"system_hostname": "spot1", "capability_ndo": "1"}


def test_setparam_by_post_form_and_by_get_query_echo_what_was_stored(cams: dict[str, Cam]) -> None:
    spot = cams["spot1"]
    reply = spot.post(SET, b"system_hostname=gate&event_i0_enable=1")
    assert reply.body == b"system_hostname='gate'\r\nevent_i0_enable='1'\r\n"
    reply = spot.get(f"{SET}?event_i0_delay=30")
    assert reply.body == b"event_i0_delay='30'\r\n"
    assert values(spot.get(f"{GET}?system_hostname&event_i0_delay").body) == {
        "system_hostname": "gate", "event_i0_delay": "30"}


@pytest.mark.parametrize("body", [
    b"system_hostname=ok&no_such_parameter=1",  # an unknown name
    b"system_hostname=ok&event_i0_delay=0",  # out of range 1~999
    b"system_hostname=ok&event_i0_enable=2",  # not a boolean
    b"system_hostname=ok&event_i0_trigger=laser",  # not in the enumeration
    b"system_hostname=ok&event_i0_begintime=25:00",  # not a time
    b"system_hostname=ok&event_i0_name=" + b"x" * 40,  # string[40] holds fewer than 40
    b"system_hostname=ok&event_i0_name=a%27b",  # a quote
    b"system_hostname=ok&event_i0_name=a%3Cb",  # <
    b"system_hostname=ok&system_info_modelname=X",  # read-only
    b"system_hostname=ok&camctrl_c0_preset_i0_name=X",  # presets are made by preset.cgi
    b"system_hostname=ok&event_i0_enable",  # a bare name
    b"system_hostname=ok&event_i99_enable=1",  # no such slot
])
def test_a_setparam_with_any_bad_pair_is_refused_whole(cams: dict[str, Cam], fleet: Fleet,
                                                        body: bytes) -> None:
    reply = cams["ptz1"].post(SET, body)
    assert reply.status == 200
    assert reply.body == INVALID
    assert fleet.state("ptz1")["params"]["system_hostname"] == "ptz1"
    assert [e.write for e in fleet.request_log("ptz1") if e.status == 200] == [False]


def test_values_decode_exactly(cams: dict[str, Cam], fleet: Fleet) -> None:
    spot = cams["spot1"]
    reply = spot.post(SET, b"system_hostname=a%3Db%25c+d%2Be")
    assert reply.body == b"system_hostname='a=b%c d+e'\r\n"
    unicode = "Tor Süd 東".encode()
    reply = spot.post(SET, b"event_i0_name=" + _percent(unicode))
    assert reply.body == b"event_i0_name='" + unicode + b"'\r\n"
    assert fleet.state("spot1")["params"]["event_i0_name"] == "Tor Süd 東"


def test_an_encoded_ampersand_never_creates_another_parameter(cams: dict[str, Cam],
                                                              fleet: Fleet) -> None:
    spot = cams["spot1"]
    # '&' is not allowed in a string: the whole request is refused, and nothing is smuggled.
    reply = spot.post(SET, b"system_hostname=x%26event_i0_enable%3D1")
    assert reply.body == INVALID
    assert fleet.state("spot1")["params"]["event_i0_enable"] == "0"
    # A newline inside a value is refused too, never read as a line break of the reply.
    assert spot.post(SET, b"system_hostname=x%0Aevent_i0_enable='1'").body == INVALID
    assert fleet.state("spot1")["params"]["system_hostname"] == "spot1"


def test_bytes_that_are_not_utf8_are_an_invalid_command(cams: dict[str, Cam]) -> None:
    assert cams["spot1"].post(SET, b"system_hostname=%FF%FE").body == INVALID


def test_a_password_may_hold_equals_and_percent(cams: dict[str, Cam], fleet: Fleet) -> None:
    reply = cams["spot1"].post(SET, b"cameralink_i1_passwd=a%3D1%25b")
    assert reply.body == b""  # stored, not readable, so not echoed
    assert fleet.camera("spot1").params.value(fw.peer_param(1, "passwd")) == "a=1%b"
    assert "cameralink_i1_passwd" not in fleet.state("spot1")["params"]


def test_the_request_log_keeps_names_never_values(cams: dict[str, Cam], fleet: Fleet) -> None:
    cams["spot1"].post(SET, b"cameralink_i0_passwd=TopSecret1&system_hostname=h")
    entries = [e for e in fleet.request_log("spot1") if e.status == 200]
    assert [(e.method, e.path, e.params, e.write) for e in entries] == [
        ("POST", SET, ("cameralink_i0_passwd", "system_hostname"), True)]
    assert "TopSecret1" not in repr(fleet.request_log("spot1"))


def _percent(data: bytes) -> bytes:
    return "".join(f"%{b:02X}" for b in data).encode()


def test_a_read_is_each_parameter_as_value_gives_it_through_stores_and_resets() -> None:
    """The store reads a group as its table defaults with the values that differ put in
    their places: the same pairs, in the same order, as asking each parameter's value."""
    from camlink_provision.emulator.params import ParamStore, ParamTable, readable
    from camlink_provision.firmware.profile import parameter_table

    table = ParamTable(parameter_table(fw.Capabilities(
        npreset=8, ndi=1, ndo=1, nvi=0, nevent=3, npeer=3, cameralink=True, ptz=True)))
    base = {"system_hostname": "cam-1", fw.preset_param(0, "name"): "factory"}
    store = ParamStore(table, base)
    groups = ["camctrl_c0_preset", "event", "system_hostname", "capability",
              fw.preset_param(0, "name")]

    def expected(names: list[str], level: int) -> list[tuple[str, str]] | None:
        shown = [[(s.name, store.value(s.name)) for s in table.matching(g)
                  if readable(s, level)] for g in names]
        return None if not all(shown) else [pair for pairs in shown for pair in pairs]

    def check() -> None:
        for level in fw.PRIVILEGE_LEVELS.values():
            for names in (groups, groups[2:]):
                assert store.read(names, level) == expected(names, level)
        assert store.read(groups, fw.PRIVILEGE_LEVELS["admin"])  # not refused

    check()
    store.store({fw.preset_param(1, "name"): "gate", fw.preset_param(1, "pan"): "90",
                 "system_hostname": "renamed", fw.event_param(2, "delay"): "7"})
    check()
    store.store({"system_hostname": "cam-1", fw.preset_param(1, "pan"): "0",
                 fw.preset_param(0, "name"): ""})  # back to base and default; base cleared
    check()
    store.factory_reset()
    check()
    assert store.read(["no_such_group"], fw.PRIVILEGE_LEVELS["admin"]) is None
