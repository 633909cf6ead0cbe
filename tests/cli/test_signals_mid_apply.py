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

import pytest

from camlink_provision.cli import EXIT_INTERRUPTED, EXIT_OK, EXIT_TERMINATED
from camlink_provision.emulator import Fleet

from .cli_kit import CONSTRUCTION, secrets_for
from .rollout_kit import Site, States, fresh, reference, serve

LATENCY_MS = 50.0


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return secrets_for(CONSTRUCTION, tmp_path_factory.mktemp("secrets") / "secrets.yml")


@pytest.fixture(scope="module")
def served(secrets: Path) -> Iterator[Fleet]:
    yield from serve(secrets, LATENCY_MS)


@pytest.fixture(scope="module")
def converged(served: Fleet, secrets: Path,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[States, States]:
    before, after, _ = reference(served, tmp_path_factory.mktemp("reference"), secrets)
    return before, after


@pytest.fixture
def site(served: Fleet, secrets: Path, converged: object, tmp_path: Path) -> Site:
    fresh(served, secrets)
    return Site(served, tmp_path, secrets)


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
        site: Site, converged: tuple[States, States], label: str,
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
