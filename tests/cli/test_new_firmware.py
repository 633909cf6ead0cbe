"""A camera whose firmware names Camera Link otherwise than the built-in profile.

The field story of docs/new-firmware.md, over real HTTP: an emulated spotter started from a
captured dump (the shipped example, with ``cameralink_i*`` renamed ``camlink_i*``) and
speaking that firmware's names; ``probe`` names each missing pattern and its candidate,
sends no write, and writes an override; with it plan, apply and verify work and the second
plan is clean. Also: probe against a plain emulated site reports full coverage, a bad
override is refused before any request, and ``plan --record`` captures no secret.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from camlink_provision.cli import EXIT_ERROR, EXIT_OK
from camlink_provision.emulator import AccountSpec, CameraSpec, Fleet, running_fleet
from camlink_provision.emulator.dump import spec_from_dump
from camlink_provision.firmware.override import load_override

from .cli_kit import MINIMAL, ROOT, run, secrets_for

DUMP = ROOT / "examples" / "dumps" / "IB9391-EHT-v2-emulated.getparam.txt"
PASSWORD = "field-admin-pass-7731"
SPOTTER, PTZ = "gate-spotter", "lobby-ptz"
# What the camera's firmware really says (the emulator's truth; the tool must find it).
TRUTH = "peers: {group: camlink}\nlink_actions: {group: action_camlink}\n"
ACCOUNTS = (AccountSpec("admin", PASSWORD, "admin"),)


def _inventory(directory: Path, fleet: Fleet) -> Path:
    inventory = {
        "all": {
            "vars": {"credentials": {"username": "admin",
                                     "password": "{{ secret('admin_password') }}"},
                     "firmware": "2.2103.34.01d"},
            "children": {
                "spotters": {"hosts": {SPOTTER: {
                    "address": "192.0.2.21", "model": "IB9391-EHT-v2",
                    "connection": {"host": "127.0.0.1", "port": fleet.port(SPOTTER)},
                    "events": [{"name": "person-at-door",
                                "trigger": {"detection": "entrance"}}]}}},
                "ptz": {"hosts": {PTZ: {
                    "address": "192.0.2.31", "model": "SD9384-EHL",
                    "connection": {"host": "127.0.0.1", "port": fleet.port(PTZ)},
                    "presets": [{"name": "door", "pan": 1200, "tilt": -300, "zoom": 4}],
                    "tracking_rules": [{"name": "door-zone", "type": "intrusion",
                                        "condition": "enter",
                                        "field": [[2000, 2000], [8000, 2000], [8000, 9000],
                                                  [2000, 9000]]}]}}}}},
        "links": [{"name": "door", "spotter": SPOTTER, "event": "person-at-door",
                   "targets": [{"ptz": PTZ, "preset": "door", "track": "door-zone"}]}],
        "site": {"name": "new-firmware"},
    }
    path = directory / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False), encoding="utf-8")
    (directory / "secrets.yml").write_text(f"admin_password: {PASSWORD}\n", encoding="utf-8")
    return path


@pytest.fixture
def renamed_site(tmp_path: Path) -> Iterator[tuple[Path, Fleet]]:
    """A dump spotter whose firmware says camlink_i*, a plain PTZ, and their inventory."""
    dump = tmp_path / "field.getparam.txt"
    dump.write_text(DUMP.read_text(encoding="utf-8").replace("cameralink_i", "camlink_i"),
                    encoding="utf-8")
    truth = tmp_path / "truth.yml"
    truth.write_text(TRUTH, encoding="utf-8")
    spotter = dataclasses.replace(
        spec_from_dump(dump, SPOTTER, load_override(truth).base),
        address="192.0.2.21", accounts=ACCOUNTS)
    ptz = CameraSpec(PTZ, "SD9384-EHL", address="192.0.2.31", accounts=ACCOUNTS)
    with running_fleet([spotter, ptz], state_dir=None) as fleet:
        site = tmp_path / "site"
        site.mkdir()
        yield _inventory(site, fleet), fleet


def _spotter_override(directory: Path) -> Path:
    """The truth, for the spotter's model only (the PTZ speaks the built-in names)."""
    path = directory / "firmware.yml"
    path.write_text("models:\n  IB9391-EHT-v2:\n    " + TRUTH.replace("\n", "\n    ").rstrip()
                    + "\n", encoding="utf-8")
    return path


def _cli(*args: str, inventory: Path) -> tuple[int, str, str]:
    done = run(*args, "-i", str(inventory), "--secrets", str(inventory.parent / "secrets.yml"),
               cwd=inventory.parent)
    return done.returncode, done.stdout, done.stderr


def test_probe_names_the_renamed_patterns_and_the_override_makes_the_site_work(
        renamed_site: tuple[Path, Fleet]) -> None:
    inventory, fleet = renamed_site
    override = inventory.parent / "firmware.yml"
    fleet.clear_log(SPOTTER)
    code, out, err = _cli("probe", "--limit", SPOTTER, "--format", "json",
                          "--write-profile", str(override), inventory=inventory)
    assert code == EXIT_ERROR, err
    report = json.loads(out)["cameras"][0]
    assert report["usable"] is False
    names = {n["pattern"]: n for n in report["names"]}
    for field in ("enable", "name", "ipaddress", "port", "username"):
        missing = names[f"cameralink_i<N>_{field}"]
        assert missing["status"] == "missing"
        assert missing["candidates"][0]["pattern"] == f"camlink_i<N>_{field}"
        action = names.get(f"event_i<N>_action_cameralink_i<N>_{field}")
        if action is not None:
            assert action["candidates"][0]["pattern"] == \
                f"event_i<N>_action_camlink_i<N>_{field}"
    assert names["event_i<N>_action_cameralink_i<N>_preset"]["candidates"][0]["pattern"] == \
        "event_i<N>_action_camlink_i<N>_preset"
    assert names["event_i<N>_name"]["status"] == "ok"  # a [real] name, unaffected
    assert "plan and apply cannot run" in report["verdict"]

    # the probe only read: GETs of getparam, nothing stored
    log = fleet.request_log(SPOTTER)
    assert log and all(e.method == "GET" and not e.write for e in log)
    assert {e.path for e in log} <= {f"/cgi-bin/{d}/getparam.cgi"
                                     for d in ("admin", "viewer", "anonymous")}

    written = yaml.safe_load(override.read_text(encoding="utf-8"))
    assert written["models"] == {"IB9391-EHT-v2": {"peers": {"group": "camlink"},
                                                   "link_actions": {"group": "action_camlink"}}}

    code, out, err = _cli("probe", "--limit", SPOTTER, "--profile", str(override),
                          inventory=inventory)
    assert code == EXIT_OK, out + err
    # the command says which profile it spoke (the path as the user's directory shows it)
    assert "firmware profile: built-in profile + firmware.yml (models: IB9391-EHT-v2)" in err

    code, out, err = _cli("plan", "--profile", str(override), inventory=inventory)
    assert code == EXIT_OK, out + err
    code, out, err = _cli("apply", "--yes", "--profile", str(override), inventory=inventory)
    assert code == EXIT_OK, out + err
    stored = fleet.state(SPOTTER)["params"]
    assert stored["camlink_i0_ipaddress"] == "192.0.2.31"  # the camera's own names
    assert "cameralink_i0_ipaddress" not in stored
    code, out, err = _cli("verify", "--profile", str(override), inventory=inventory)
    assert code == EXIT_OK, out + err
    code, out, err = _cli("plan", "--detailed-exitcode", "--profile", str(override),
                          inventory=inventory)
    assert code == EXIT_OK, out + err  # 0, not 2: nothing left to change
    assert "No changes" in out


def test_without_the_override_apply_fails_on_that_camera(
        renamed_site: tuple[Path, Fleet]) -> None:
    """The test above is not vacuous: the built-in names do not work on this firmware."""
    inventory, fleet = renamed_site
    code, _, _ = _cli("apply", "--yes", inventory=inventory)
    assert code == EXIT_ERROR
    assert fleet.state(SPOTTER)["params"]["camlink_i0_ipaddress"] == ""


def test_site_firmware_profile_in_the_inventory(renamed_site: tuple[Path, Fleet]) -> None:
    inventory, _ = renamed_site
    _spotter_override(inventory.parent)
    text = inventory.read_text(encoding="utf-8")
    inventory.write_text(text.replace("site:\n  name: new-firmware",
                                      "site:\n  name: new-firmware\n  firmware_profile: "
                                      "firmware.yml"), encoding="utf-8")
    code, out, err = _cli("apply", "--yes", inventory=inventory)
    assert code == EXIT_OK, out + err
    assert "firmware.yml (models: IB9391-EHT-v2)" in err


def test_a_bad_override_is_refused_before_any_request(
        renamed_site: tuple[Path, Fleet]) -> None:
    inventory, fleet = renamed_site
    bad = inventory.parent / "bad.yml"
    bad.write_text("peers:\n  group: camlink\n  feilds: {}\nmodels:\n  NOPE-1: {}\n",
                   encoding="utf-8")
    fleet.clear_log(SPOTTER)
    fleet.clear_log(PTZ)
    code, _, err = _cli("plan", "--profile", str(bad), inventory=inventory)
    assert code == EXIT_ERROR
    assert "bad.yml:3:3: peers: unknown key 'feilds'" in err
    assert "the keys here are: group, fields" in err
    assert "bad.yml:5:3: models: 'NOPE-1' is not a known model" in err
    assert fleet.request_log(SPOTTER) == [] and fleet.request_log(PTZ) == []


def test_the_record_holds_every_exchange_and_no_secret(
        renamed_site: tuple[Path, Fleet]) -> None:
    inventory, _ = renamed_site
    record = inventory.parent / "capture"
    code, out, err = _cli("plan", "--record", str(record), "--profile",
                          str(_spotter_override(inventory.parent)), inventory=inventory)
    assert code == EXIT_OK, out + err
    files = sorted(p.name for p in record.iterdir())
    assert files == [f"{SPOTTER}.jsonl", f"{PTZ}.jsonl"]
    text = "".join(p.read_text(encoding="utf-8") for p in record.iterdir())
    assert PASSWORD not in text
    for header in ("Authorization", "Digest", "Basic", "nonce"):
        assert header not in text
    first = json.loads((record / f"{SPOTTER}.jsonl").read_text().splitlines()[0])
    assert first["method"] == "GET" and first["status"] == 200
    assert ["capability", None] in first["params"]
    assert "camlink_i0_enable='0'" in first["reply"]  # the camera's reply, as it came


def test_probe_against_the_emulator_reports_full_coverage(tmp_path: Path) -> None:
    secrets = secrets_for(MINIMAL, tmp_path / "s.yml")
    done = run("probe", "-i", str(MINIMAL), "--secrets", str(secrets), "--emulate",
               "--emulator-state", str(tmp_path / "emu"), "--format", "json", cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    cameras = json.loads(done.stdout)["cameras"]
    assert [c["camera"] for c in cameras] == ["entrance-spotter", "lobby-ptz"]
    for camera in cameras:
        assert camera["usable"] is True
        statuses = {n["pattern"]: n["status"] for n in camera["names"]}
        assert set(statuses.values()) <= {"ok", "write-only"}
        assert statuses["cameralink_i<N>_passwd"] == "write-only"
        assert sum(n["modelled"] for n in camera["names"]) == 16
    paths = {p["what"]: p["status"] for p in cameras[1]["paths"]}
    assert paths["tracking rules"] == "ok" and paths["link test"] == "not checked"


def test_the_shipped_dump_starts_the_camera_it_was_taken_from(tmp_path: Path) -> None:
    """Byte for byte: the dump camera's getparam reply is the dump (CRLF, in order), but
    for root's password, which the camera lists to an admin (6/6) and the dump blanked."""
    import requests

    spec = dataclasses.replace(spec_from_dump(DUMP), accounts=ACCOUNTS)
    lines = [line for line in DUMP.read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    with running_fleet([spec], state_dir=None) as fleet:
        reply = requests.get(fleet.url(spec.name) + "/cgi-bin/admin/getparam.cgi",
                             auth=requests.auth.HTTPDigestAuth("admin", PASSWORD),
                             timeout=5)
    assert f"security_user_i0_pass='{ACCOUNTS[0].password}'" in reply.text
    blanked = reply.text.replace(f"_pass='{ACCOUNTS[0].password}'", "_pass='(removed)'")
    assert blanked == "".join(f"{line}\r\n" for line in lines)


def test_a_readable_password_never_leaves_in_a_report_or_a_dump(tmp_path: Path) -> None:
    """A real camera lists root's password to admin (security_user_i0_pass, 6/6): the
    probe's report shows no value, and the dump it saves has the value blanked."""
    root_password = "root-pass-in-the-dump-9035"
    # slot 0 (root's) holds root; the probe logs in as admin, in slot 1
    spec = dataclasses.replace(spec_from_dump(DUMP, SPOTTER), accounts=(
        AccountSpec("root", root_password, "admin"), *ACCOUNTS))
    with running_fleet([spec], state_dir=None) as fleet:
        site = tmp_path / "site"
        site.mkdir()
        (site / "secrets.yml").write_text(f"admin_password: {PASSWORD}\n", encoding="utf-8")
        outputs = []
        for form in ("text", "json"):
            done = run("probe", "--host", "127.0.0.1", "--port", str(fleet.port(SPOTTER)),
                       "--user", "admin", "--secrets", "secrets.yml", "--format", form,
                       "--save-dump", "dumps", cwd=site)
            assert done.returncode == EXIT_OK, done.stdout + done.stderr
            outputs.append(done.stdout + done.stderr)
    saved = (site / "dumps" / "127.0.0.1.getparam.txt").read_text(encoding="utf-8")
    assert "security_user_i0_pass='(removed)'" in saved
    assert "security_user_i0_name='root'" in saved
    for text in (*outputs, saved):
        assert root_password not in text and PASSWORD not in text


def test_validate_checks_the_inventorys_firmware_profile(tmp_path: Path) -> None:
    inventory = tmp_path / "inventory.yml"
    inventory.write_text((MINIMAL / "inventory.yml").read_text(encoding="utf-8").replace(
        "site:\n  name: minimal", "site:\n  name: minimal\n  firmware_profile: fw.yml"),
        encoding="utf-8")
    done = run("validate", "-i", str(inventory), cwd=tmp_path)
    assert done.returncode == EXIT_ERROR
    assert "inventory.yml:44:21: firmware_profile: 'fw.yml' is not a file" in done.stdout
    (tmp_path / "fw.yml").write_text("link_actions: {group: 7 up}\n", encoding="utf-8")
    done = run("validate", "-i", str(inventory), cwd=tmp_path)
    assert done.returncode == EXIT_ERROR
    assert "fw.yml:1:23: link_actions.group: '7 up' is not valid here" in done.stdout
    (tmp_path / "fw.yml").write_text("link_actions: {group: action_camlink}\n",
                                     encoding="utf-8")
    done = run("validate", "-i", str(inventory), cwd=tmp_path)
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    assert "firmware profile: built-in profile + fw.yml\n" in done.stdout


def test_an_emulated_site_rehearses_against_the_corrected_profile(tmp_path: Path) -> None:
    """--emulate builds the fleet speaking the profile the run uses: the requests carry the
    corrected names, apply converges, and the probe finds the fleet fully covered."""
    secrets = secrets_for(MINIMAL, tmp_path / "s.yml")
    profile = tmp_path / "firmware.yml"
    profile.write_text("peers: {group: camlink}\nlink_actions: {group: action_camlink}\n",
                       encoding="utf-8")
    common = ["-i", str(MINIMAL), "--secrets", str(secrets), "--emulate",
              "--emulator-state", str(tmp_path / "emu"), "--profile", str(profile)]
    applied = run("apply", *common, "--yes", "-v", cwd=tmp_path)
    assert applied.returncode == EXIT_OK, applied.stdout + applied.stderr
    assert ", camlink, event," in applied.stderr  # the peers' group, read as renamed
    assert "cameralink_i" not in applied.stderr
    again = run("apply", *common, "--yes", cwd=tmp_path)
    assert again.returncode == EXIT_OK and "Nothing to apply." in again.stdout
    probed = run("probe", *common, "--format", "json", cwd=tmp_path)
    assert probed.returncode == EXIT_OK, probed.stdout + probed.stderr
    names = json.loads(probed.stdout)["cameras"][0]["names"]
    assert {n["pattern"] for n in names if n["status"] == "ok"} >= {
        "camlink_i<N>_name", "event_i<N>_action_camlink_i<N>_preset"}
