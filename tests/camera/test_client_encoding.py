"""No value can smuggle in another parameter; every legal value round-trips intact."""

from __future__ import annotations

import pytest
from camera_support import PTZ_DIGEST, MakeClient, Watch

from camlink_provision.errors import CameraCommandError
from camlink_provision.firmware import profile as fw

# Characters that are syntax in a query or form body, and text that must survive as is.
ROUND_TRIP = [
    "a=b",
    "100%",
    "%41%42",  # must stay literally, not become "AB"
    "a+b",  # must stay a plus, not become a space
    "gate ptz",
    " lead and trail ",
    "ü Ö 漢字 ☃",
    "semi;colon,comma/slash?question#hash",
]


@pytest.mark.parametrize("value", ROUND_TRIP)
def test_setparam_value_round_trips(connect: MakeClient, value: str) -> None:
    client = connect(PTZ_DIGEST)
    assert client.setparam({fw.HOSTNAME: value}) == {fw.HOSTNAME: value}
    assert client.getparam([fw.HOSTNAME]) == {fw.HOSTNAME: value}


@pytest.mark.parametrize("value", ROUND_TRIP)
def test_preset_name_round_trips_through_the_query(connect: MakeClient, value: str) -> None:
    client = connect(PTZ_DIGEST)
    client.move(300, 200, 2)
    client.add_preset(value, index=3)
    assert client.getparam([fw.preset_param(3, "name")]) == {fw.preset_param(3, "name"): value}
    client.move(0, 0, 1)
    client.recall(value)
    assert client.position() == (300, 200, 2)
    client.delete_preset(value)
    assert client.getparam([fw.preset_param(3, "name")]) == {fw.preset_param(3, "name"): ""}


def test_ampersand_cannot_smuggle_a_second_parameter(connect: MakeClient, watch: Watch) -> None:
    """Were ``&`` sent raw, the camera would see two valid pairs and store both."""
    client, log = connect(PTZ_DIGEST), watch(PTZ_DIGEST)
    smuggled = fw.event_param(0, "name")
    with pytest.raises(CameraCommandError):  # '&' is not allowed in a string[n] [real]
        client.setparam({fw.HOSTNAME: f"x&{smuggled}=pwned"})
    assert client.getparam([fw.HOSTNAME, smuggled]) == {fw.HOSTNAME: PTZ_DIGEST, smuggled: ""}
    [write] = log.entries(fw.SETPARAM, answered=True)
    assert write.params == (fw.HOSTNAME,)


def test_ampersand_in_a_query_value_stays_in_that_value(connect: MakeClient, watch: Watch) -> None:
    client, log = connect(PTZ_DIGEST), watch(PTZ_DIGEST)
    with pytest.raises(CameraCommandError):
        client.recall(f"gate&{fw.PRESET_DELETE}=gate")
    [recall] = log.entries(fw.RECALL, answered=True)
    assert recall.params == (fw.RECALL_NAME,)


@pytest.mark.parametrize("value", ["line\nbreak", "carriage\r\nreturn", "nul\x00byte"])
def test_control_characters_are_refused_whole_not_split(connect: MakeClient, watch: Watch,
                                                        value: str) -> None:
    client, log = connect(PTZ_DIGEST), watch(PTZ_DIGEST)
    with pytest.raises(CameraCommandError):
        client.setparam({fw.HOSTNAME: value})
    assert client.getparam([fw.HOSTNAME]) == {fw.HOSTNAME: PTZ_DIGEST}
    [write] = log.entries(fw.SETPARAM, answered=True)
    assert write.params == (fw.HOSTNAME,)


def test_rule_name_with_query_syntax_is_deleted_exactly(connect: MakeClient) -> None:
    """VCA rule names travel in JSON one way and in the DELETE query the other."""
    client = connect(PTZ_DIGEST)
    tricky = "zone=1+2 %41 ü"  # mangled, it would name "zone" (or "zone=1 2 A ü")
    field = [[0, 0], [100, 0], [100, 100]]
    names = (tricky, "zone", "zone=1 2 A ü")
    client.put_tracking_rules({n: fw.rule_to_vca(n, "intrusion", field, False) for n in names})
    client.delete_tracking_rule(tricky)
    assert set(client.tracking_rules()) == {"zone", "zone=1 2 A ü"}
