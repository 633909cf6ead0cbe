"""A slow site converges in one apply: 2 s latency with 1 s jitter on every camera.

The real emulator in its own process (`camlink-provision emulate`, faults from its command
line), the real apply in another, against the overlay the emulator writes. Before the link
test got a budget for both hops, every spotter failed here with "could not read the camera
back after writing: no reply within 5 s".
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from camlink_provision import netguard
from camlink_provision.demo_secrets import ensure_secrets

MINIMAL = Path(__file__).parents[2] / "inventories" / "minimal"
COMMAND = [sys.executable, "-m", "camlink_provision.cli"]
SLOW = "latency=2000,jitter=1000"


@pytest.mark.slow
def test_two_seconds_of_latency_with_jitter_converge_in_one_apply(tmp_path: Path) -> None:
    secrets, overlay = tmp_path / "secrets.yml", tmp_path / "overlay.yml"
    ensure_secrets(MINIMAL, secrets)
    env = {**os.environ, netguard.ENV_FLAG: "1"}
    emulator = subprocess.Popen(
        [*COMMAND, "emulate", "-i", str(MINIMAL), "--secrets", str(secrets), "--base-port", "0",
         "--fault", f"entrance-spotter:{SLOW}", "--fault", f"lobby-ptz:{SLOW}",
         "--overlay", str(overlay)], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while not (overlay.exists() and "lobby-ptz" in overlay.read_text()):
            assert emulator.poll() is None and time.monotonic() < deadline, "no emulator"
            time.sleep(0.1)
        applied = subprocess.run(
            [*COMMAND, "apply", "-i", str(MINIMAL), "-i", str(overlay), "--secrets",
             str(secrets), "--yes"], cwd=tmp_path, env=env, capture_output=True, text=True,
            timeout=300, check=False)
    finally:
        emulator.terminate()
        emulator.wait(timeout=30)
    everything = applied.stdout + applied.stderr
    assert applied.returncode == 0, everything
    assert "changed=2 failed=0 unreachable=0" in applied.stdout
    assert "credentials" not in everything and "no reply within" not in everything
