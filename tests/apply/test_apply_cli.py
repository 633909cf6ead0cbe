"""`camlink-provision apply` as an operator runs it: a subprocess against --emulate."""

from __future__ import annotations

import io
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from camlink_provision import netguard
from camlink_provision.cli import build_parser
from camlink_provision.commands.apply_cmd import Terminal, apply_command
from camlink_provision.demo_secrets import ensure_secrets
from camlink_provision.inventory import load_site
from camlink_provision.journal import read_journal
from camlink_provision.sitelock import lock_dir, lock_path

INVENTORY = Path(__file__).parents[2] / "inventories" / "construction-site"
SITE = "construction-site"
CAMERAS = 12


@pytest.fixture
def secrets(tmp_path: Path) -> Path:
    path = tmp_path / "secrets.yml"
    ensure_secrets(INVENTORY, path)
    return path


def _passwords(secrets: Path) -> list[str]:
    site = load_site([INVENTORY], secrets).site
    values = [c.credentials.password.reveal() for c in site.cameras.values()]
    values += [c.link_credentials.password.reveal() for c in site.cameras.values()
               if c.link_credentials]
    return sorted(set(values))


def _cli(secrets: Path, *extra: str,
         stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "camlink_provision.cli", "apply", "-i", str(INVENTORY),
               "--secrets", str(secrets), "--emulate", *extra]
    env = {**os.environ, netguard.ENV_FLAG: "1"}
    return subprocess.run(command, cwd=secrets.parent, env=env, capture_output=True,
                          text=True, timeout=240, input=stdin if stdin is not None else "",
                          check=False)


def _journals(root: Path) -> list[Path]:
    return sorted((root / ".camlink" / "journal" / SITE).glob("*.jsonl"))


def test_apply_twice_second_run_changes_nothing_and_no_secret_leaks(secrets: Path) -> None:
    first = _cli(secrets, "--yes")
    assert first.returncode == 0, first.stdout + first.stderr
    assert f"changed={CAMERAS}" in first.stdout and "failed=0" in first.stdout
    second = _cli(secrets, "--yes")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "Nothing to apply." in second.stdout and "RECAP" not in second.stdout

    journals = _journals(secrets.parent)
    assert len(journals) == 2
    records = read_journal(journals[0])
    assert records[0]["record"] == "run_started"
    assert records[-1]["record"] == "run_ended" and records[-1]["in_flight"] == []
    assert not any(r["record"] == "request_done" for r in read_journal(journals[1]))
    everything = first.stdout + first.stderr + second.stdout + second.stderr
    everything += "".join(p.read_text() for p in journals)
    for password in _passwords(secrets):
        assert password not in everything
    assert not lock_path(SITE, lock_dir()).exists()


def test_without_a_terminal_and_without_yes_nothing_is_applied(secrets: Path) -> None:
    refused = _cli(secrets)
    assert refused.returncode == 1
    assert "refusing to apply without confirmation" in refused.stderr
    assert "Plan:" in refused.stdout  # the plan was shown first
    records = read_journal(_journals(secrets.parent)[0])
    assert [r["record"] for r in records[-2:]] == ["run_refused", "run_ended"]
    assert not any(r["record"] == "request_done" for r in records)


def test_a_stale_plan_file_is_refused_naming_the_cameras(secrets: Path) -> None:
    env = {**os.environ, netguard.ENV_FLAG: "1"}
    plan = subprocess.run([sys.executable, "-m", "camlink_provision.cli", "plan", "-i",
                           str(INVENTORY), "--secrets", str(secrets), "--emulate", "--out",
                           "plan.json"], cwd=secrets.parent, env=env, capture_output=True,
                          text=True, timeout=240, check=False)
    assert plan.returncode == 0, plan.stderr
    converged = _cli(secrets, "--yes", "--limit", "ptz-crane")  # moves ptz-crane on
    assert converged.returncode == 0, converged.stdout + converged.stderr
    stale = _cli(secrets, "--yes", "plan.json")
    assert stale.returncode == 1
    assert "stale" in stale.stderr and "ptz-crane" in stale.stderr
    assert "ptz-gate-north" not in stale.stderr


def test_a_second_apply_is_refused_while_the_site_is_locked(secrets: Path) -> None:
    path = lock_path(SITE, lock_dir())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                "user": "tester", "started": "2026-11-25T08:00:00+00:00"}))
    locked = _cli(secrets, "--yes")
    assert locked.returncode == 1
    assert f"locked by pid {os.getpid()} of tester@" in locked.stderr
    assert path.exists()


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("answer", "code"), [("no", 1), ("yes", 0)])
def test_on_a_terminal_only_yes_goes_on(secrets: Path, monkeypatch: pytest.MonkeyPatch,
                                        answer: str, code: int) -> None:
    monkeypatch.chdir(secrets.parent)
    args = build_parser().parse_args(["apply", "-i", str(INVENTORY), "--secrets",
                                      str(secrets), "--emulate", "--limit", "ptz-crane"])
    out = io.StringIO()
    asked: list[str] = []

    def ask(prompt: str) -> str:
        asked.append(prompt)
        return answer

    assert apply_command(args, Terminal(out=out, stdin=_Tty(), ask=ask)) == code
    assert asked and "Only 'yes' goes on" in asked[0]
    if answer == "no":
        assert "Apply cancelled: nothing was written." in out.getvalue()
    else:
        assert "changed=1" in out.getvalue()


def test_a_bad_playbook_is_refused_before_any_camera_is_read(secrets: Path) -> None:
    bad = secrets.parent / "bad.yml"
    bad.write_text("- hosts: all\n  kinds: [presets]\n")
    refused = _cli(secrets, "--yes", "--playbook", str(bad))
    assert refused.returncode == 1
    assert f"{bad}:2:11: play 1.kinds[0]: 'presets' is not one of" in refused.stderr
    assert not (secrets.parent / ".camlink" / "journal").exists()
