"""--state DIR: settings survive a restart; identity and accounts come from the specs."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from emu_support import PTZ_ADDRESS, Cam, fleet_specs
from test_emu_link import GATE_RULE, peer, setparam

from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.firmware import profile as fw


def _cams(fleet: Fleet) -> dict[str, Cam]:
    return {n: Cam(n, fleet.port(n), fleet.camera(n).spec.auth) for n in fleet.names()}


def test_settings_survive_a_restart(tmp_path: Path) -> None:
    with running_fleet(fleet_specs(), state_dir=tmp_path) as fleet:
        cams = _cams(fleet)
        setparam(cams["spot1"], {"system_hostname": "gate spotter", **peer(0, PTZ_ADDRESS)})
        fleet.set_position("ptz1", 300, 40, 2)
        cams["ptz1"].get(f"{fw.PRESET}?addpos=gate&index=4")
        cams["ptz1"].send("POST", fw.VCA_TRACKING, json.dumps({"gate-zone": GATE_RULE}).encode())
    with running_fleet(fleet_specs(), state_dir=tmp_path) as fleet:
        cams = _cams(fleet)
        assert fleet.state("spot1")["params"]["system_hostname"] == "gate spotter"
        assert fleet.state("ptz1")["presets"] == [
            {"index": 4, "name": "gate", "pan": 300, "tilt": 40, "zoom": 2}]
        assert fleet.state("ptz1")["rules"] == {"gate-zone": GATE_RULE}
        # The stored peer password came back too: the link test passes with it.
        assert cams["spot1"].get(f"{fw.LINK_TEST}?index=0").body == b"result='ok'\r\n"


def test_one_file_per_camera_private_and_rewritten_atomically(tmp_path: Path) -> None:
    with running_fleet(fleet_specs(), state_dir=tmp_path) as fleet:
        setparam(_cams(fleet)["spot1"], {"system_hostname": "a"})
        setparam(_cams(fleet)["spot1"], {"system_hostname": "b"})
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["spot1.json"]  # no temporary file left behind
    assert stat.S_IMODE((tmp_path / "spot1.json").stat().st_mode) == 0o600
    saved = json.loads((tmp_path / "spot1.json").read_text())
    assert saved["settings"]["params"] == {"system_hostname": "b"}


def test_a_factory_reset_is_saved_and_a_broken_file_is_ignored(tmp_path: Path) -> None:
    with running_fleet(fleet_specs(), state_dir=tmp_path) as fleet:
        setparam(_cams(fleet)["spot1"], {"system_hostname": "x"})
        setparam(_cams(fleet)["ptz1"], {"system_hostname": "y"})
        fleet.reset("spot1")
    (tmp_path / "ptz1.json").write_text("{not json")
    with running_fleet(fleet_specs(), state_dir=tmp_path) as fleet:
        assert fleet.state("spot1")["params"]["system_hostname"] == "spot1"
        assert fleet.state("ptz1")["params"]["system_hostname"] == "ptz1"


def test_values_the_table_no_longer_accepts_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "spot1.json").write_text(json.dumps({"format": 1, "settings": {"params": {
        "system_hostname": "ok", "event_i0_delay": "0", "nonsense": "1",
        "system_info_modelname": "X"}, "rules": {}}}))
    with running_fleet(fleet_specs(), state_dir=tmp_path) as fleet:
        params = fleet.state("spot1")["params"]
        assert params["system_hostname"] == "ok"
        assert params["event_i0_delay"] == "10"
        assert params["system_info_modelname"] == "IB9389-EHT-v2"
