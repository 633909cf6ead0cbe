"""The firmware profile as data: the packaged file, override files and their errors, the
translation between spellings, and clients that speak another firmware or only read —
the last over real HTTP against the emulator."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest

from camlink_provision.camera import CameraClient
from camlink_provision.camera.readonly import ReadOnlyClient
from camlink_provision.emulator import AccountSpec, CameraSpec, Fleet, running_fleet
from camlink_provision.errors import CameraCommandError, InventoryErrors
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import UNKNOWN, Naming
from camlink_provision.firmware.override import load_override
from camlink_provision.firmware.profile_data import packaged
from camlink_provision.inventory.model import Connection, Credentials, Secret

PASSWORD = "probe-test-pass-4411"
ACCOUNTS = (AccountSpec("admin", PASSWORD, "admin"),)
RENAMED = """\
peers:
  group: camlink
  fields:
    ipaddress: {name: ip}
link_test: {path: /cgi-bin/admin/camlink_test.cgi, result: answer}
tracking: {keys: {rule_name: Name}}
"""


def _override(tmp_path: Path, text: str, name: str = "o.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _errors(path: Path) -> str:
    with pytest.raises(InventoryErrors) as caught:
        load_override(path)
    return str(caught.value)


def test_the_packaged_profile_is_loaded_once() -> None:
    assert packaged() is packaged() is fw.DEFAULT
    assert fw.DEFAULT.source == "built-in profile"


def test_an_override_replaces_only_what_it_gives(tmp_path: Path) -> None:
    profiles = load_override(_override(tmp_path, RENAMED))
    base = profiles.base
    assert base.peer_group == "camlink"
    assert base.peer_fields["ipaddress"].name == "ip"
    assert base.peer_fields["ipaddress"].type == "address"  # kept from the built-in file
    assert base.peer_fields["name"].name == "name"
    assert base.link_group == fw.DEFAULT.link_group
    assert profiles.for_model("SD9384-EHL") is base
    assert profiles.describe() == f"firmware profile: built-in profile + {tmp_path}/o.yml"


def test_per_model_sections_override_the_common_part(tmp_path: Path) -> None:
    profiles = load_override(_override(
        tmp_path, "peers: {group: camlink}\nmodels:\n  IB9391-EHT-v2:\n    peers: {group: cl}\n"))
    assert profiles.for_model("IB9391-EHT-v2").peer_group == "cl"
    assert profiles.for_model("SD9384-EHL").peer_group == "camlink"
    assert profiles.describe().endswith("(models: IB9391-EHT-v2)")


def test_firmware_sections_win_over_models_by_the_most_specific_version(
        tmp_path: Path) -> None:
    profiles = load_override(_override(tmp_path, """\
peers: {group: common}
models:
  IB9391-EHT-v2: {peers: {group: model}}
firmware:
  "2.2103": {link_actions: {group: action_old}}
  "2.2103.40": {peers: {group: fw40}}
"""))
    spotter, dome = "IB9391-EHT-v2", "SD9384-EHL"
    assert profiles.for_camera(spotter, "2.2103.34.01d").peer_group == "model"
    assert profiles.for_camera(spotter, "2.2103.34.01d").link_group == "action_old"
    assert profiles.for_camera(spotter, "IB9391-VVTK-2.2103.40.02").peer_group == "fw40"
    assert profiles.for_camera(dome, "2.2103.40.02").peer_group == "fw40"
    assert profiles.for_camera(dome, "2.2104.01").peer_group == "common"  # no section
    assert profiles.for_camera(dome, "2.2103.4").peer_group == "common"  # not 2.2103.40
    assert profiles.for_camera(dome, "").peer_group == "common"
    assert profiles.describe().endswith("(models: IB9391-EHT-v2; firmware: 2.2103, 2.2103.40)")


@pytest.mark.parametrize(("text", "expected"), [
    ("", "o.yml:1:1: the firmware profile override is empty or not a mapping"),
    ("peers: [1]\n", "o.yml:1:8: peers: [1] is not of type 'object'"),
    ("peers:\n  fields:\n    adress: {name: ip}\n",
     "o.yml:3:5: peers.fields: unknown key 'adress' — the keys here are: enable, name, "
     "ipaddress, port, username, passwd"),
    ("peers:\n  fields:\n    port: {type: 'int 1-65535'}\n",
     "o.yml:3:18: peers.fields.port.type: 'int 1-65535' is not valid here — write bool, "
     "address, 'int LOW~HIGH'"),
    ("peers:\n  fields:\n    name: {name: enable}\n",
     "peers: fields 'enable' and 'name' are both spelled 'enable'"),
    ("peers: {group: 'camera link'}\n", "o.yml:1:16: peers.group: 'camera link' is not valid "
     "here — write a name as the firmware spells it"),
    ("models:\n  SD9999: {}\n", "o.yml:2:3: models: 'SD9999' is not a known model"),
    ("peers: {group: x\n", "o.yml:2:1"),
    ("firmware:\n  v2103: {}\n", "o.yml:2:3: firmware: 'v2103' is not valid here"),
    ("firmware:\n  '2.2103':\n    peers: {fields: {port: {name: enable}}}\n",
     "o.yml:2:3: peers: fields 'enable' and 'port' are both spelled 'enable' for firmware "
     "2.2103"),
])
def test_a_bad_override_names_file_line_and_what_to_do(tmp_path: Path, text: str,
                                                       expected: str) -> None:
    message = _errors(_override(tmp_path, text))
    assert expected in message
    assert " — " in message  # every error says what to do


def test_naming_translates_every_family_both_ways(tmp_path: Path) -> None:
    naming = Naming(load_override(_override(tmp_path, RENAMED)).base)
    cases = {
        fw.peer_param(2, fw.PEER_ADDRESS): "camlink_i2_ip",
        fw.peer_param(0, fw.PEER_NAME): "camlink_i0_name",
        fw.PEER_GROUP: "camlink",
        fw.link_action_param(4, 1, fw.ACTION_PRESET): fw.link_action_param(4, 1, fw.ACTION_PRESET),
        fw.event_param(3, fw.EVENT_NAME): fw.event_param(3, fw.EVENT_NAME),
        fw.MODELNAME: fw.MODELNAME,
    }
    for builtin, wire in cases.items():
        assert naming.param_out(builtin) == wire
        assert naming.param_in(wire) == builtin
    assert naming.param_in(fw.peer_param(0, fw.PEER_NAME)) == \
        fw.peer_param(0, fw.PEER_NAME) + UNKNOWN  # a spelling this firmware does not use
    assert naming.path_out(fw.LINK_TEST) == "/cgi-bin/admin/camlink_test.cgi"
    assert naming.arg_in("link_test", "answer") == fw.LINK_TEST_RESULT
    rule = {fw.VCA_RULE_NAME: "r", fw.VCA_TYPE: "intrusion"}
    assert naming.rules_out({"r": rule}) == {"r": {"Name": "r", fw.VCA_TYPE: "intrusion"}}
    assert naming.rules_in(naming.rules_out({"r": rule})) == {"r": rule}
    assert Naming(fw.DEFAULT).identity


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Fleet, Naming]]:
    path = tmp_path_factory.mktemp("o") / "o.yml"
    path.write_text(RENAMED, encoding="utf-8")
    renamed = load_override(path).base
    specs = [CameraSpec("ptz", "SD9384-EHL", address="192.0.2.2", accounts=ACCOUNTS),
             dataclasses.replace(CameraSpec("spot", "IB9391-EHT-v2", address="192.0.2.1",
                                            accounts=ACCOUNTS), profile=renamed)]
    with running_fleet(specs, state_dir=None) as running:
        yield running, Naming(renamed)


def _client(fleet: Fleet, name: str, naming: Naming | None = None,
            kind: type[CameraClient] = CameraClient) -> CameraClient:
    connection = Connection("127.0.0.1", fleet.port(name), timeout=5.0)
    return kind(name, connection, Credentials("admin", Secret(PASSWORD)),
                naming=naming or Naming(fw.DEFAULT))


def test_a_client_speaks_the_cameras_spelling(fleet: tuple[Fleet, Naming]) -> None:
    running, naming = fleet
    with _client(running, "spot", naming) as client:
        echoed = client.setparam({fw.peer_param(0, fw.PEER_ADDRESS): "192.0.2.2",
                                  fw.peer_param(0, fw.PEER_PORT): "80",
                                  fw.peer_param(0, fw.PEER_USERNAME): "admin",
                                  fw.peer_param(0, fw.PEER_PASSWORD): Secret(PASSWORD)})
        assert echoed[fw.peer_param(0, fw.PEER_ADDRESS)] == "192.0.2.2"
        read = client.getparam([fw.PEER_GROUP])
        assert read[fw.peer_param(0, fw.PEER_ADDRESS)] == "192.0.2.2"
        assert client.link_test(0) == fw.LINK_TEST_OK  # renamed path and reply key
    assert running.state("spot")["params"]["camlink_i0_ip"] == "192.0.2.2"
    with _client(running, "spot") as plain, pytest.raises(CameraCommandError):
        plain.getparam([fw.PEER_GROUP])  # the built-in spelling: not this firmware's


def test_a_read_only_client_sends_nothing_but_reads(fleet: tuple[Fleet, Naming]) -> None:
    running, _ = fleet
    running.clear_log("ptz")
    with _client(running, "ptz", kind=ReadOnlyClient) as client:
        assert client.dump("viewer")[fw.MODELNAME] == "SD9384-EHL"
        assert client.tracking_rules() == {}
        for write in (lambda: client.setparam({fw.HOSTNAME: "x"}),
                      lambda: client.move(1, 2, 3), lambda: client.add_preset("p"),
                      lambda: client.put_tracking_rules({}), lambda: client.set_do(1),
                      lambda: client.delete_tracking_rule("r"), lambda: client.link_test(0)):
            with pytest.raises(CameraCommandError, match="only reads"):
                write()
    log = running.request_log("ptz")
    assert [(e.method, e.path) for e in log if e.status != 401] == [
        ("GET", "/cgi-bin/viewer/getparam.cgi"), ("GET", fw.VCA_TRACKING)]


def test_an_emulated_camera_types_its_parameters_as_its_profile_says(tmp_path: Path) -> None:
    """Types and levels are data too: a profile saying ports end at 1024 makes the
    emulated firmware refuse 8080, which the built-in one accepts."""
    narrow = load_override(_override(
        tmp_path, "peers:\n  fields:\n    port: {type: 'int 1~1024', default: '81'}\n")).base
    specs = [dataclasses.replace(CameraSpec("narrow", "IB9391-EHT-v2", accounts=ACCOUNTS),
                                 profile=narrow),
             CameraSpec("plain", "IB9391-EHT-v2", accounts=ACCOUNTS)]
    port = fw.peer_param(0, fw.PEER_PORT)
    with running_fleet(specs, state_dir=None) as running:
        with _client(running, "narrow", Naming(narrow)) as client:
            assert client.getparam([port]) == {port: "81"}  # the profile's default
            with pytest.raises(CameraCommandError):
                client.setparam({port: "8080"})
            assert client.setparam({port: "1024"}) == {port: "1024"}
        with _client(running, "plain") as client:
            assert client.setparam({port: "8080"}) == {port: "8080"}


def test_the_probe_compares_the_tracking_rules_keys(tmp_path: Path) -> None:
    """A PTZ whose firmware writes its rules with other keys: the probe (built-in profile)
    says which keys differ and finds the renamed ones; with them corrected it is usable."""
    from camlink_provision.probe.override import corrections
    from camlink_provision.probe.run import probe_camera

    keyed = load_override(_override(
        tmp_path, "tracking: {keys: {rule_name: Name, connect_event: ConnectToEvent}}\n")).base
    spec = dataclasses.replace(CameraSpec("dome", "SD9384-EHL", accounts=ACCOUNTS),
                               profile=keyed)
    rule = fw.rule_to_vca("gate", "intrusion", [[0, 0], [10, 0], [10, 10]], True)
    with running_fleet([spec], state_dir=None) as running:
        with _client(running, "dome", Naming(keyed)) as client:
            client.put_tracking_rules({"gate": rule})
        assert running.camera("dome").rules.as_json()["gate"][fw.VCA_RULE_NAME] == "gate"
        with _client(running, "dome", kind=ReadOnlyClient) as client:
            probed = probe_camera(client, Naming(fw.DEFAULT))
        with _client(running, "dome", Naming(keyed), kind=ReadOnlyClient) as client:
            corrected = probe_camera(client, Naming(keyed))
    assert probed.rule_keys is not None and probed.rule_keys.status == "keys differ"
    assert probed.rule_keys.candidates == {"rule_name": "Name",
                                           "connect_event": "ConnectToEvent"}
    assert not probed.usable and "keys differ" in " ".join(
        [probed.rule_keys.status, probed.rule_keys.detail])
    changes = corrections("SD9384-EHL", probed.findings, fw.DEFAULT,
                          probed.rule_keys.candidates).changes
    assert changes == {"tracking": {"keys": {"rule_name": "Name",
                                             "connect_event": "ConnectToEvent"}}}
    assert corrected.rule_keys is not None and corrected.rule_keys.status == "ok"
    assert corrected.usable


def test_an_emulated_spotter_calls_its_peer_in_its_own_spelling(tmp_path: Path) -> None:
    """The camera-link action's tracking call carries the rule under the name the firmware
    profile gives camctrl.cgi's argument, and a PTZ of that firmware tracks it."""
    renamed = load_override(_override(tmp_path, "commands: {track_rule: rulename}\n")).base
    naming = Naming(renamed)
    specs = [dataclasses.replace(CameraSpec(name, model, address=address, accounts=ACCOUNTS),
                                 profile=renamed)
             for name, model, address in (("ptz", "SD9384-EHL", "192.0.2.2"),
                                          ("spot", "IB9391-EHT-v2", "192.0.2.1"))]
    rule = fw.rule_to_vca("zone", "intrusion", [[0, 0], [10, 0], [10, 10]], False)
    with running_fleet(specs, state_dir=None) as running:
        with _client(running, "ptz", naming) as ptz:
            ptz.add_preset("door")
            ptz.put_tracking_rules({"zone": rule})
        with _client(running, "spot", naming) as spot:
            spot.setparam({fw.peer_param(0, fw.PEER_ENABLE): fw.ON,
                           fw.peer_param(0, fw.PEER_ADDRESS): "192.0.2.2",
                           fw.peer_param(0, fw.PEER_USERNAME): "admin",
                           fw.peer_param(0, fw.PEER_PASSWORD): Secret(PASSWORD),
                           fw.link_action_param(0, 0, fw.ACTION_ENABLE): fw.ON,
                           fw.link_action_param(0, 0, fw.ACTION_PRESET): "door",
                           fw.link_action_param(0, 0, fw.ACTION_TRACK_ENABLE): fw.ON,
                           fw.link_action_param(0, 0, fw.ACTION_TRACK_RULE): "zone"})
            running.clear_log("ptz")
            assert spot.link_test_action(0, event=0) == (fw.LINK_TEST_OK, fw.LINK_TEST_OK)
        assert running.state("ptz")["tracking"] == {"status": fw.TRACKING_ACTIVE,
                                                    "rule": "zone"}
        tracked = [e for e in running.request_log("ptz") if e.path == fw.CAMCTRL]
        assert tracked and "rulename" in tracked[-1].params
