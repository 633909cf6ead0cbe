"""The site lock as operators meet it: two checkouts applying one site, and `unlock`."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from camlink_provision import netguard
from camlink_provision.demo_secrets import ensure_secrets
from camlink_provision.sitelock import lock_path

INVENTORY = Path(__file__).parents[2] / "inventories" / "construction-site"
SITE = "construction-site"
COMMAND = [sys.executable, "-m", "camlink_provision.cli"]


def _env() -> dict[str, str]:
    return {**os.environ, netguard.ENV_FLAG: "1"}


def _apply(cwd: Path, secrets: Path, emulator_state: Path) -> subprocess.Popen[str]:
    cwd.mkdir(parents=True, exist_ok=True)
    return subprocess.Popen([*COMMAND, "apply", "-i", str(INVENTORY), "--secrets", str(secrets),
                             "--emulate", "--emulator-state", str(emulator_state), "--yes"],
                            cwd=cwd, env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True)


def test_two_checkouts_applying_one_site_at_once_exactly_one_runs(tmp_path: Path,
                                                                   lock_dir: Path) -> None:
    """Two working directories (two checkouts), one emulated site (one state directory)."""
    secrets = tmp_path / "secrets.yml"
    ensure_secrets(INVENTORY, secrets)
    state = tmp_path / "emulated-site"
    first, second = (_apply(tmp_path / name, secrets, state) for name in ("a", "b"))
    results = [(p, *p.communicate(timeout=240)) for p in (first, second)]
    ran = [(out, err) for p, out, err in results if p.returncode == 0]
    refused = [(p.returncode, out, err) for p, out, err in results if p.returncode != 0]
    assert len(ran) == 1 and len(refused) == 1, results
    assert "changed=12" in ran[0][0] and "RECAP" in ran[0][0]
    code, out, err = refused[0]
    assert code == 1
    assert f"site {SITE!r} is locked by pid" in err and socket.gethostname() in err
    assert "camlink-provision unlock construction-site" in err
    assert "Plan:" not in out  # refused before a camera was read
    assert not lock_path(SITE, lock_dir).exists()
    again = _apply(tmp_path / "c", secrets, state)  # the same emulated site: all in place
    out, err = again.communicate(timeout=240)
    assert again.returncode == 0, out + err
    assert "Nothing to apply." in out


def _unlock(cwd: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, "unlock", SITE, *extra], cwd=cwd, env=_env(),
                          capture_output=True, text=True, timeout=60, check=False)


def _plant(lock_dir: Path, text: str) -> Path:
    path = lock_path(SITE, lock_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


FOREIGN = json.dumps({"pid": 4242, "host": "build-7.example", "user": "ci",
                      "started": "2026-11-30T10:00:00+00:00", "cwd": "/builds/site"})


def test_unlock_releases_a_lock_from_another_host_only_when_confirmed(tmp_path: Path,
                                                                      lock_dir: Path) -> None:
    path = _plant(lock_dir, FOREIGN)
    refused = _unlock(tmp_path)
    assert refused.returncode == 1
    assert "pid 4242 of ci@build-7.example, since 2026-11-30" in refused.stdout
    assert "refusing to release the lock without confirmation" in refused.stderr
    assert path.exists()
    released = _unlock(tmp_path, "--yes")
    assert released.returncode == 0, released.stderr
    assert "Released the lock" in released.stdout
    assert not path.exists()
    assert _unlock(tmp_path).returncode == 0  # nothing to release: said, and fine


def test_unlock_releases_a_corrupt_lock(tmp_path: Path, lock_dir: Path) -> None:
    path = _plant(lock_dir, '{"pid": 42')
    released = _unlock(tmp_path, "--yes")
    assert released.returncode == 0, released.stderr
    assert "corrupt (cut off or not JSON)" in released.stdout and str(path) in released.stdout
    assert not path.exists()


def test_unlock_never_releases_a_live_apply_on_this_host(tmp_path: Path, lock_dir: Path) -> None:
    path = _plant(lock_dir, json.dumps({"pid": os.getpid(), "host": socket.gethostname(),
                                        "user": "tester", "started": "2026-11-30T10:00:00"}))
    refused = _unlock(tmp_path, "--yes")
    assert refused.returncode == 1
    assert f"pid {os.getpid()} still runs on this host" in refused.stderr
    assert path.exists()


def test_unlock_takes_the_lock_dir_option(tmp_path: Path) -> None:
    path = _plant(tmp_path / "shared", FOREIGN)
    assert _unlock(tmp_path, "--yes").stdout.startswith(f"Site {SITE!r} is not locked")
    assert _unlock(tmp_path, "--yes", "--lock-dir", str(tmp_path / "shared")).returncode == 0
    assert not path.exists()


@pytest.mark.parametrize("answer", ["no", "yes"])
def test_unlock_on_a_terminal_asks(tmp_path: Path, lock_dir: Path, answer: str) -> None:
    import argparse
    import io

    from camlink_provision.commands.terminal import Terminal
    from camlink_provision.commands.unlock_cmd import unlock_command

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    path = _plant(lock_dir, FOREIGN)
    args = argparse.Namespace(site=SITE, lock_dir=None, yes=False)
    code = unlock_command(args, Terminal(out=io.StringIO(), stdin=Tty(), ask=lambda _: answer))
    assert code == (0 if answer == "yes" else 1)
    assert path.exists() == (answer == "no")


def test_apply_takes_over_the_lock_of_a_dead_apply_and_says_so(tmp_path: Path,
                                                               lock_dir: Path) -> None:
    secrets = tmp_path / "secrets.yml"
    ensure_secrets(INVENTORY, secrets)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _plant(lock_dir, json.dumps({"pid": dead.pid, "host": socket.gethostname(), "user": "ana",
                                 "started": "2026-11-30T10:00:00+00:00", "cwd": "/elsewhere"}))
    done = subprocess.run([*COMMAND, "apply", "-i", str(INVENTORY), "--secrets", str(secrets),
                           "--emulate", "--limit", "ptz-crane", "--yes"], cwd=tmp_path,
                          env=_env(), capture_output=True, text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (f"note: took over the lock of site {SITE!r} left by pid {dead.pid} of ana@"
            in done.stdout)
    assert "working in /elsewhere (that process no longer runs)" in done.stdout
    assert not lock_path(SITE, lock_dir).exists()
