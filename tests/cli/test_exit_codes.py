"""Exit statuses, one meaning each (cli.py defines them): 2 is only "plan found changes"."""

from __future__ import annotations

import signal
import socket
import subprocess
from pathlib import Path

import pytest

from camlink_provision.cli import (
    EXIT_CHANGES,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
)
from camlink_provision.sitelock import lock_dir, lock_path

from .cli_kit import COMMAND, MINIMAL, cli_env, run, secrets_for


def test_the_table() -> None:
    assert (EXIT_OK, EXIT_CHANGES, EXIT_USAGE, EXIT_INTERRUPTED, EXIT_TERMINATED) == (
        0, 2, 64, 130, 143)


@pytest.mark.parametrize("args", [
    ["plan", "--no-such-option"],
    ["plan"],  # -i is required
    ["frobnicate"],
    ["plan", "-i", "x", "--format", "yaml"],
    ["plan", "-i", "x", "--concurrency", "0"],
])
def test_a_usage_error_exits_64_never_2(args: list[str], tmp_path: Path) -> None:
    result = run(*args, cwd=tmp_path)
    assert result.returncode == EXIT_USAGE, result.stderr
    assert "usage:" in result.stderr and "error:" in result.stderr


def test_help_and_version_exit_0(tmp_path: Path) -> None:
    assert run("--help", cwd=tmp_path).returncode == EXIT_OK
    assert run("plan", "--help", cwd=tmp_path).returncode == EXIT_OK
    assert run("--version", cwd=tmp_path).returncode == EXIT_OK


def test_detailed_exitcode_2_means_changes(tmp_path: Path) -> None:
    secrets = secrets_for(MINIMAL, tmp_path / "s.yml")
    result = run("plan", "-i", str(MINIMAL), "--secrets", str(secrets), "--emulate",
                 "--detailed-exitcode", cwd=tmp_path)
    assert result.returncode == EXIT_CHANGES, result.stderr


@pytest.mark.parametrize(("sig", "code", "word"), [
    (signal.SIGINT, EXIT_INTERRUPTED, "interrupted"),
    (signal.SIGTERM, EXIT_TERMINATED, "terminated"),
])
def test_a_signal_mid_apply_exits_130_or_143_and_releases_the_lock(
        sig: signal.Signals, code: int, word: str, tmp_path: Path) -> None:
    """A camera that accepts the connection and never answers: apply is stuck reading it
    (holding the site's lock) when the signal comes."""
    secrets = secrets_for(MINIMAL, tmp_path / "s.yml")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        silent.settimeout(60)
        port = silent.getsockname()[1]
        overlay = tmp_path / "overlay.yml"
        overlay.write_text("host_vars:\n" + "".join(
            f"  {name}:\n    connection: {{host: 127.0.0.1, port: {port}}}\n"
            for name in ("entrance-spotter", "lobby-ptz")))
        process = subprocess.Popen(
            [*COMMAND, "apply", "-i", str(MINIMAL), "-i", str(overlay), "--secrets",
             str(secrets), "--yes"], cwd=tmp_path, env=cli_env(), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        try:
            connection, _ = silent.accept()  # the apply is now waiting for a reply
            with connection:
                process.send_signal(sig)
                _, err = process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
    assert process.returncode == code, err
    assert word in err
    assert not list(lock_dir().glob("*.lock"))
    assert lock_path("minimal", lock_dir()).with_name("minimal.lock.guard").exists()


def test_a_command_runs_with_the_collector_thresholds_and_gives_them_back(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import argparse
    import gc

    from camlink_provision import cli
    from camlink_provision.runner import COLLECTOR_THRESHOLDS

    seen: list[tuple[int, int, int]] = []

    def command(args: argparse.Namespace) -> int:
        seen.append(gc.get_threshold())
        return EXIT_OK

    monkeypatch.setattr(cli, "_handler", lambda name: command)
    before = gc.get_threshold()
    assert cli.main(["validate", "-i", str(tmp_path)]) == EXIT_OK
    assert seen == [COLLECTOR_THRESHOLDS] != [before]
    assert gc.get_threshold() == before
