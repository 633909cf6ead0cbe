"""verify --read-only against the emulator over HTTP: no request that moves, pulses or
stores reaches any camera; the read checks still run and still fail; the others are
reported skipped (never passed); --read-only with --end-to-end is a usage error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from camlink_provision.cli import main
from camlink_provision.emulator import Fleet
from camlink_provision.firmware import profile
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Secret, Site
from camlink_provision.verify import verify_site
from verify.linkkit import client
from verify.test_verify_cli import handmade_inventory

ALL = ["ptz1", "ptz2", "spot1", "spot2"]
MOVING_PATHS = {fw.CAMCTRL, fw.RECALL, fw.PRESET, fw.SETDO, fw.SETPARAM, fw.VCA_TRACKING}


def changing_requests(fleet: Fleet) -> list[str]:
    """Every request that could move, pulse or store something, on any camera."""
    found = []
    for name in ALL:
        for entry in fleet.request_log(name):
            moving = entry.method != "GET" and entry.path in MOVING_PATHS
            action = entry.path == fw.LINK_TEST and fw.LINK_TEST_EVENT in entry.params
            if moving or action or entry.write:
                found.append(f"{name}: {entry.method} {entry.path} {entry.params}")
    return found


def test_read_only_changes_nothing_and_reports_skipped_checks(site: Site,
                                                              fleet: Fleet) -> None:
    fleet.set_position("ptz1", 1234, -56, 7)
    before = {name: fleet.state(name) for name in ("ptz1", "ptz2")}
    for name in ALL:
        fleet.clear_log(name)
    report = verify_site(site, ALL, concurrency=4, settle=0.0, read_only=True)
    assert report.ok and report.read_only
    assert changing_requests(fleet) == []
    assert {n: fleet.state(n) for n in ("ptz1", "ptz2")} == before
    link_tests = [e for e in fleet.request_log("spot1") if e.path == fw.LINK_TEST]
    assert link_tests  # the plain contact test did run
    gate = next(r for r in report.results if (r.link, r.ptz) == ("gate", "ptz1"))
    assert [(c.name, c.status) for c in gate.checks] == [
        ("event", "passed"), ("peer", "passed"), ("action", "passed"),
        ("link test", "passed"), ("preset", "passed"), ("tracking rule", "passed"),
        ("link account", "passed"),
        ("test preset", "skipped"), ("position", "skipped"), ("tracking", "skipped")]
    dock = next(r for r in report.results if (r.link, r.ptz) == ("gate", "ptz2"))
    assert [c.name for c in dock.skipped] == ["test preset", "position", "output"]
    totals = report.to_json()["totals"]
    assert totals == {"links": 4, "passed": 4, "failed": 0, "skipped_checks": 10}


def test_read_only_still_finds_wrong_stored_settings(site: Site, fleet: Fleet) -> None:
    with client(fleet, "spot1") as spot1:
        spot1.setparam({profile.peer_param(0, "passwd"): Secret("not-the-password")})
    with client(fleet, "ptz2") as ptz2:
        ptz2.delete_preset("dock")
    for name in ALL:
        fleet.clear_log(name)
    report = verify_site(site, ALL, concurrency=4, settle=0.0, read_only=True)
    assert {(r.link, r.ptz): r.cause for r in report.failed} == {
        ("gate", "ptz1"): "credentials_refused", ("gate", "ptz2"): "preset_missing",
        ("door", "ptz2"): "preset_missing"}
    assert changing_requests(fleet) == []


def test_without_read_only_the_ptz_is_moved_as_before(site: Site, fleet: Fleet) -> None:
    for name in ALL:
        fleet.clear_log(name)
    report = verify_site(site, ALL, concurrency=4, settle=0.0)
    assert report.ok and not report.read_only
    assert all(not c.skipped for r in report.results for c in r.checks)
    assert changing_requests(fleet)  # recalls, link tests with an event, DO pulses
    assert "skipped_checks" not in report.to_json()["totals"]


def test_the_command_says_what_was_skipped(tmp_path: Path, fleet: Fleet,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    inventory, secrets = handmade_inventory(tmp_path, fleet)
    command = ["verify", "-i", str(inventory), "--secrets", str(secrets), "--read-only"]
    for name in ALL:
        fleet.clear_log(name)
    capsys.readouterr()
    assert main(command) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("Site: handmade — 4 of 4 link target(s) passed "
                                   "(read-only: nothing moved or pulsed)")
    assert ("  ptz1  passed  link test (read checks only; skipped: test preset, position, "
            "tracking)") in out
    assert ("Verify: 4 passed, 0 failed, 10 check(s) skipped (read-only: they move or "
            "pulse a PTZ; not run, not passed).") in out
    assert main([*command, "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["read_only"] is True and report["totals"]["skipped_checks"] == 10
    checks = [c for link in report["results"] for c in link["checks"]]
    skipped = [c for c in checks if c["status"] == "skipped"]
    assert len(skipped) == 10 and {c["ok"] for c in skipped} == {None}  # not passed
    assert main([*command, "--format", "markdown"]) == 0
    assert "10 check(s) skipped" in capsys.readouterr().out
    assert changing_requests(fleet) == []


def test_read_only_with_end_to_end_is_a_usage_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["verify", "-i", str(tmp_path), "--emulate", "--end-to-end", "--read-only"])
    assert exited.value.code == 64
    assert "not allowed with argument" in capsys.readouterr().err


def test_read_only_refuses_a_firer(site: Site) -> None:
    with pytest.raises(ValueError, match="read-only"):
        verify_site(site, ALL, read_only=True, firer=object())  # type: ignore[arg-type]


def test_help_says_what_verify_moves_and_what_read_only_does(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["verify", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "MOVES PTZ cameras" in text and "PULSES digital outputs" in text
    assert "--read-only" in text and "changes nothing on any camera" in text
