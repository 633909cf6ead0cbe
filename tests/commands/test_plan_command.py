"""`camlink-provision plan` end to end: a subprocess, an emulated fleet, real HTTP."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from camlink_provision.demo_secrets import ensure_secrets

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "inventories" / "minimal"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CAMLINK_LOOPBACK_ONLY": "1"}
    return subprocess.run([sys.executable, "-m", "camlink_provision.cli", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def minimal(tmp_path: Path) -> list[str]:
    secrets = tmp_path / "secrets.yml"
    ensure_secrets(MINIMAL, secrets)
    return ["-i", str(MINIMAL), "--secrets", str(secrets), "--emulate",
            "--emulator-state", str(tmp_path / "fleet")]


def test_fresh_site_plans_changes_and_detailed_exitcode_says_so(minimal: list[str],
                                                                tmp_path: Path) -> None:
    result = run("plan", *minimal, "--detailed-exitcode", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert "to create" in result.stdout
    plain = run("plan", *minimal, cwd=tmp_path)
    assert plain.returncode == 0, plain.stderr


def test_after_apply_the_plan_is_empty_and_exits_0(minimal: list[str], tmp_path: Path) -> None:
    applied = run("apply", *minimal, "--yes", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    result = run("plan", *minimal, "--detailed-exitcode", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes" in result.stdout


def test_out_writes_the_json_plan_that_format_json_prints(minimal: list[str],
                                                          tmp_path: Path) -> None:
    out = tmp_path / "site.plan.json"
    printed = run("plan", *minimal, "--format", "json", "--out", str(out), cwd=tmp_path)
    assert printed.returncode == 0, printed.stderr
    assert out.read_text() == printed.stdout
    plan = json.loads(out.read_text())
    assert plan["totals"]["create"] > 0
    secrets = yaml.safe_load((tmp_path / "secrets.yml").read_text())
    for value in secrets.values():
        assert value not in printed.stdout


def test_limit_selects_cameras_by_group_and_glob(minimal: list[str], tmp_path: Path) -> None:
    everything = json.loads(run("plan", *minimal, "--format", "json", cwd=tmp_path).stdout)
    names = [c["camera"] for c in everything["cameras"]]
    assert len(names) == 2
    one = run("plan", *minimal, "--format", "json", "--limit", f"!{names[0]}", cwd=tmp_path)
    assert [c["camera"] for c in json.loads(one.stdout)["cameras"]] == names[1:]


def test_limit_that_matches_nothing_is_an_error_before_any_camera_is_read(
        minimal: list[str], tmp_path: Path) -> None:
    result = run("plan", *minimal, "--limit", "no-such-camera", cwd=tmp_path)
    assert result.returncode == 1
    assert "--limit term 'no-such-camera' matches no camera or group" in result.stderr
    assert not (tmp_path / "fleet").exists()


def test_emulate_from_inventory_writes_an_overlay_that_plan_can_use(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yml"
    ensure_secrets(MINIMAL, secrets)
    overlay = tmp_path / "overlay.yml"
    env = {**os.environ, "CAMLINK_LOOPBACK_ONLY": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "camlink_provision.cli", "emulate", "-i", str(MINIMAL),
         "--secrets", str(secrets), "--base-port", "0", "--overlay", str(overlay)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        lines = [server.stdout.readline() for _ in range(2)]
        assert all(line.split()[1].startswith("http://127.0.0.1:") for line in lines)
        result = run("plan", "-i", str(MINIMAL), "-i", str(overlay), "--secrets",
                     str(secrets), "--detailed-exitcode", cwd=tmp_path)
        assert result.returncode == 2, result.stderr
    finally:
        server.terminate()
        assert server.wait(timeout=30) == 0


@pytest.mark.parametrize("value", ["0", "-3", "many"])
def test_concurrency_must_be_a_positive_whole_number(value: str, tmp_path: Path) -> None:
    result = run("plan", "-i", str(MINIMAL), "--concurrency", value, cwd=tmp_path)
    assert result.returncode == 64  # a usage error; 2 means "changes"
    assert f"argument --concurrency: '{value}' is not a whole number of 1 or more" in (
        result.stderr)
