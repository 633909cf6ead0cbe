"""Signals in the middle of a rollout: SIGINT, SIGTERM, SIGHUP, and a second one.

The apply runs as its own process against emulated cameras served by this test (50 ms per
request, so that steps are in flight when the signal comes). The signal is sent when the
cameras have answered the k-th request. Then:

- the process exits 130 (SIGINT) or 143 (SIGTERM, SIGHUP) and prints the recap;
- every camera is either exactly as it was (factory-fresh) or exactly converged;
- no camera receives a request once the site's lock is gone;
- the next apply converges every camera.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from camlink_provision.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED
from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.emulator.inventory_fleet import (
    overlay_data,
    point_site_at_fleet,
    seed_adopted_presets,
    specs_for_site,
)
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.loader import load_site
from camlink_provision.sitelock import lock_dir

from .cli_kit import COMMAND, CONSTRUCTION, cli_env, secrets_for

LATENCY_MS = 50.0


def settings(fleet: Fleet, name: str) -> dict[str, Any]:
    """What a camera holds, without what is not a setting (position, status)."""
    state = fleet.state(name)
    params = {k: v for k, v in state["params"].items() if not k.startswith("status_")}
    return {"params": params, "presets": state["presets"], "rules": state["rules"]}


class Site:
    """The construction site on a fresh emulated fleet, and how to apply it as a process."""

    def __init__(self, fleet: Fleet, root: Path, secrets: Path) -> None:
        self.fleet = fleet
        self.root = root
        self.overlay = root / "overlay.yml"
        self.overlay.write_text(yaml.safe_dump(overlay_data(fleet)))
        self.secrets = secrets
        self.names = fleet.names()

    def start(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*COMMAND, "apply", "-i", str(CONSTRUCTION), "-i", str(self.overlay),
             "--secrets", str(self.secrets), "--yes", "--concurrency", "4"],
            cwd=self.root, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, start_new_session=True)

    def answered(self) -> int:
        return sum(len(self.fleet.request_log(name)) for name in self.names)

    def commands(self) -> int:
        """Requests that change a camera (what the rollout sends; planning only reads)."""
        return sum(1 for name in self.names for entry in self.fleet.request_log(name)
                   if entry.method != "GET" and entry.path != fw.LINK_TEST)

    def states(self) -> dict[str, dict[str, Any]]:
        return {name: settings(self.fleet, name) for name in self.names}

    def lock_files(self) -> list[Path]:
        return list(lock_dir().glob("*.lock"))  # $CAMLINK_LOCK_DIR: this test's own


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return secrets_for(CONSTRUCTION, tmp_path_factory.mktemp("secrets") / "secrets.yml")


def _fleet(secrets: Path) -> Iterator[Fleet]:
    loaded = load_site([CONSTRUCTION], secrets).site
    with running_fleet(specs_for_site(loaded), latency_ms=LATENCY_MS) as fleet:
        seed_adopted_presets(point_site_at_fleet(loaded, fleet))  # as --emulate does
        for name in fleet.names():
            fleet.clear_log(name)  # the log holds the apply's requests only
        yield fleet


@pytest.fixture(scope="module")
def converged(secrets: Path, tmp_path_factory: pytest.TempPathFactory
              ) -> tuple[dict[str, Any], dict[str, Any]]:
    """Every camera's settings factory-fresh, and after one whole apply."""
    fleets = _fleet(secrets)
    site = Site(next(fleets), tmp_path_factory.mktemp("reference"), secrets)
    before = site.states()
    done = site.start()
    _, err = done.communicate(timeout=300)
    assert done.returncode == EXIT_OK, err
    after = site.states()
    fleets.close()  # the reference fleet stops here
    return before, after


@pytest.fixture
def site(secrets: Path, tmp_path: Path) -> Iterator[Site]:
    for fleet in _fleet(secrets):
        yield Site(fleet, tmp_path, secrets)


def _signal_after(site: Site, process: subprocess.Popen[str], commands: int,
                  signals: list[signal.Signals]) -> tuple[str, str, int]:
    """Send ``signals`` (0.2 s apart) once the cameras have answered ``commands`` writing
    requests; then follow the lock: the number of requests answered when it went away."""
    deadline = time.monotonic() + 120
    while site.commands() < commands and process.poll() is None:
        assert time.monotonic() < deadline, "the apply never got that far"
        time.sleep(0.005)
    for number, sig in enumerate(signals):
        if number:
            time.sleep(0.2)
        os.killpg(process.pid, sig)  # as a terminal or CI runner signals the job
    at_unlock = -1
    while process.poll() is None:
        if at_unlock < 0 and not site.lock_files():
            at_unlock = site.answered()
        time.sleep(0.002)
    if at_unlock < 0:
        at_unlock = site.answered()
    out, err = process.communicate(timeout=60)
    return out, err, at_unlock


# (label, signals, exit status, after how many writing requests)
CASES = [
    ("SIGINT", [signal.SIGINT], EXIT_INTERRUPTED, 1),
    ("SIGTERM", [signal.SIGTERM], EXIT_TERMINATED, 6),
    ("SIGHUP", [signal.SIGHUP], EXIT_TERMINATED, 13),
    ("SIGINT twice", [signal.SIGINT, signal.SIGINT], EXIT_INTERRUPTED, 9),
    ("SIGTERM then SIGINT", [signal.SIGTERM, signal.SIGINT], EXIT_TERMINATED, 20),
]


@pytest.mark.parametrize(("label", "signals", "code", "commands"), CASES,
                         ids=[case[0] for case in CASES])
def test_a_signal_mid_rollout_leaves_every_camera_before_or_after(
        site: Site, converged: tuple[dict[str, Any], dict[str, Any]], label: str,
        signals: list[signal.Signals], code: int, commands: int) -> None:
    before, after = converged
    process = site.start()
    out, err, at_unlock = _signal_after(site, process, commands, signals)
    assert process.returncode == code, out + err
    assert site.answered() == at_unlock, "a camera got a request after the lock was released"
    assert "RECAP" in out, err
    assert f"interrupted by {signals[0].name}" in out
    states = site.states()
    ends = {name: "before" if states[name] == before[name] else
            "after" if states[name] == after[name] else "MIXED" for name in site.names}
    assert "MIXED" not in ends.values(), ends
    assert "before" in ends.values(), f"{label}: everything ran; signal earlier"
    again = site.start()
    _, again_err = again.communicate(timeout=300)
    assert again.returncode == EXIT_OK, again_err
    assert site.states() == after
