"""--state DIR: settings survive a restart; identity and accounts come from the specs."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from emu_support import PTZ_ADDRESS, Cam, fleet_specs
from test_emu_link import GATE_RULE, peer, setparam

from camlink_provision.cli import main
from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.emulator.persist import StateDir
from camlink_provision.errors import CamlinkError
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


def test_a_factory_reset_is_saved_and_a_broken_file_is_refused(tmp_path: Path) -> None:
    with running_fleet(fleet_specs(), state_dir=tmp_path) as fleet:
        setparam(_cams(fleet)["spot1"], {"system_hostname": "x"})
        fleet.reset("spot1")
    with running_fleet(fleet_specs(), state_dir=tmp_path) as fleet:
        assert fleet.state("spot1")["params"]["system_hostname"] == "spot1"
    (tmp_path / "ptz1.json").write_text("{not json")
    with pytest.raises(CamlinkError, match=r"ptz1\.json is not JSON \(line 1\)"), \
            running_fleet(fleet_specs(), state_dir=tmp_path):
        pass


def test_values_the_table_no_longer_accepts_are_dropped(tmp_path: Path) -> None:
    (tmp_path / "spot1.json").write_text(json.dumps({"format": 1, "settings": {"params": {
        "system_hostname": "ok", "event_i0_delay": "0", "nonsense": "1",
        "system_info_modelname": "X"}, "rules": {}}}))
    with running_fleet(fleet_specs(), state_dir=tmp_path) as fleet:
        params = fleet.state("spot1")["params"]
        assert params["system_hostname"] == "ok"
        assert params["event_i0_delay"] == "10"
        assert params["system_info_modelname"] == "IB9389-EHT-v2"


MINIMAL = Path(__file__).resolve().parents[2] / "inventories" / "minimal"


@pytest.mark.parametrize(("content", "reason"), [
    (b'{"format": 1, "camera": "lobby-ptz", "settings": {"params": {"ptz_preset_i0_name": 7}}}',
     "parameter ptz_preset_i0_name is not text (a JSON string)"),
    (b"{not json", "is not JSON (line 1)"),
    (b'["format", 1]', "is not an emulator state file of format 1"),
    (b'{"format": 1, "settings": {"params": [], "rules": {}}}',
     "'settings.params' is not a mapping"),
    (b'{"format": 1, "settings": {"params": {}, "rules": 3}}',
     "'settings.rules' is not a mapping"),
    (b'{"format": 1}', "has no 'settings' mapping"),
    (b'\xff\xfe{}', "is not UTF-8 text"),
])
def test_plan_refuses_a_corrupt_state_file_and_never_resets_the_camera(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes,
        reason: str) -> None:
    secrets = tmp_path / "secrets.yml"
    secrets.write_text("admin_password: persist-Secret-9q\n")
    state = tmp_path / "state"
    state.mkdir()
    corrupt = state / "lobby-ptz.json"
    corrupt.write_bytes(content)
    code = main(["plan", "-i", str(MINIMAL), "--secrets", str(secrets), "--emulate",
                 "--emulator-state", str(state)])
    err = capsys.readouterr().err
    assert code == 1
    assert f"emulator state file {corrupt} {reason}" in err
    assert "fix or delete the file" in err
    assert corrupt.read_bytes() == content  # left as it was: nothing reset it


def test_a_missing_state_file_is_a_factory_fresh_camera(tmp_path: Path) -> None:
    assert StateDir(tmp_path).load("nobody") is None
