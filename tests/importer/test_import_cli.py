"""``camlink-provision import`` as a user runs it: a bare inventory of a hand-built site, and
the construction site with --emulate; the report, the files, validate, and plan on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from verify.linkkit import ADMIN_PASSWORD, LINK_PASSWORD

from camlink_provision.cli import main
from camlink_provision.emulator import Fleet
from camlink_provision.inventory import load_site
from camlink_provision.plan import make_plan
from importer.sourcekit import bare_source, handmade_secrets, secrets_file

CONSTRUCTION = Path(__file__).resolve().parents[2] / "inventories" / "construction-site"
SECRETS = CONSTRUCTION / "secrets.example.yml"


def test_import_writes_files_reports_and_plans_nothing(
        tmp_path: Path, handmade: Fleet, capsys: pytest.CaptureFixture[str]) -> None:
    source = bare_source(tmp_path / "source", handmade)
    secrets = handmade_secrets(tmp_path / "secrets.yml")
    out = tmp_path / "adopted"
    assert main(["import", "-i", str(source), "--secrets", str(secrets), "--out",
                 str(out)]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == ("Imported 4 cameras (2 spotters, 2 PTZ): 3 links, 3 presets, "
                        "2 tracking rules, 3 events.")
    assert lines[1].startswith("Wrote 7 files to ")
    assert "  ptz1_link_password: new" in captured.out
    assert captured.err == ""  # no warning: the round trip holds
    secrets_file(secrets, {"site_admin_password": ADMIN_PASSWORD,
                           "ptz1_link_password": LINK_PASSWORD,
                           "ptz2_link_password": LINK_PASSWORD})
    assert main(["validate", "-i", str(out), "--secrets", str(secrets)]) == 0
    assert make_plan(load_site([out], secrets).site).changes == []
    assert ADMIN_PASSWORD not in captured.out + captured.err


def test_import_refuses_a_used_directory(tmp_path: Path, handmade: Fleet,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "adopted"
    out.mkdir()
    (out / "inventory.yml").write_text("site: {name: precious}\n")
    code = main(["import", "-i", str(bare_source(tmp_path / "source", handmade)),
                 "--secrets", str(handmade_secrets(tmp_path / "secrets.yml")),
                 "--out", str(out)])
    assert code == 1
    assert "never overwrites" in capsys.readouterr().err
    assert (out / "inventory.yml").read_text() == "site: {name: precious}\n"


def test_import_needs_address_and_credentials(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "cameras.yml"
    source.write_text("all:\n  hosts:\n    cam1: {model: SD9384-EHL}\n")
    assert main(["import", "-i", str(source), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "camera cam1 has no address" in err and "camera cam1 has no credentials" in err
    assert not (tmp_path / "out").exists()


def test_import_with_emulate_reads_the_emulated_site(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "state"
    assert main(["apply", "-i", str(CONSTRUCTION), "--secrets", str(SECRETS), "--emulate",
                 "--emulator-state", str(state), "--yes"]) == 0
    out = tmp_path / "adopted"
    capsys.readouterr()
    assert main(["import", "-i", str(CONSTRUCTION), "--secrets", str(SECRETS), "--emulate",
                 "--emulator-state", str(state), "--out", str(out), "--limit",
                 "yard"]) == 0
    assert capsys.readouterr().out.startswith(
        "Imported 4 cameras (1 spotter, 3 PTZ): 2 links, ")
    adopted = load_site([out], SECRETS).site
    assert [link.name for link in adopted.links] == ["yard-loitering", "yard-panic"]
    # The files keep the inventory's own connections, not the emulator's loopback ports.
    assert all(c.connection.host == c.address for c in adopted.cameras.values())
