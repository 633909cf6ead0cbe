"""SIGKILL at a request boundary, then the next apply: no camera is left half-written.

For a deterministic sample of at least 40 of the construction site's commands (every one if
there are fewer), the apply process is killed while the cameras hold its k-th command:
received, not yet answered. That command then lands (even k: the camera got it before its
sender died) or is dropped (odd k). Then:

1. an apply without --yes and without a terminal: it recovers the cameras the killed run had
   in flight, prints the plan, and refuses to go on (so nothing but the recovery writes):
   every camera is now exactly factory-fresh or exactly converged;
2. an apply --yes: every camera is converged.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from camlink_provision.cli import EXIT_ERROR, EXIT_OK
from camlink_provision.emulator import Fleet

from .cli_kit import CONSTRUCTION, secrets_for
from .rollout_kit import Site, States, fresh, reference, serve

SAMPLE = 40


@pytest.fixture(scope="module")
def secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return secrets_for(CONSTRUCTION, tmp_path_factory.mktemp("secrets") / "secrets.yml")


@pytest.fixture(scope="module")
def served(secrets: Path) -> Iterator[Fleet]:
    yield from serve(secrets, 0.0)


@pytest.fixture(scope="module")
def converged(served: Fleet, secrets: Path,
              tmp_path_factory: pytest.TempPathFactory) -> tuple[States, States, int]:
    return reference(served, tmp_path_factory.mktemp("reference"), secrets)


def boundaries(total: int) -> list[int]:
    """Every command when there are few, else SAMPLE spread evenly, first and last in."""
    if total <= SAMPLE:
        return list(range(1, total + 1))
    return sorted({1 + round(i * (total - 1) / (SAMPLE - 1)) for i in range(SAMPLE)})


def test_the_sample_is_big_enough(converged: tuple[States, States, int]) -> None:
    _, _, total = converged
    assert total >= SAMPLE, "the construction site sends fewer commands than expected"
    assert len(boundaries(total)) >= SAMPLE


@pytest.mark.parametrize("index", range(SAMPLE))
def test_killed_at_a_command_then_recovered(
        served: Fleet, secrets: Path, converged: tuple[States, States, int], tmp_path: Path,
        index: int) -> None:
    before, after, total = converged
    at = boundaries(total)[index]
    fresh(served, secrets)
    site = Site(served, tmp_path, secrets)
    gate = served.hold_command(at)
    killed = site.start()
    try:
        assert gate.reached.wait(120), f"the apply never sent command {at}"
        killed.send_signal(signal.SIGKILL)
        killed.wait(30)
    finally:
        served.release(gate, drop=at % 2 == 1)
        if killed.poll() is None:
            killed.kill()
    served.hold_command(0)  # no more holding

    recovering = site.start(yes=False)
    out, err = recovering.communicate(timeout=300)
    assert recovering.returncode == EXIT_ERROR, out + err  # refused: no --yes, no terminal
    assert "refusing to apply without confirmation" in err
    states = site.states()
    ends = {name: "before" if states[name] == before[name] else
            "after" if states[name] == after[name] else "MIXED" for name in site.names}
    assert "MIXED" not in ends.values(), f"command {at}: {ends}\n{out}"
    if any(end == "after" for end in ends.values()) or at > 1:
        assert "may have left cameras half-written" in out, out

    finishing = site.start()
    out, err = finishing.communicate(timeout=300)
    assert finishing.returncode == EXIT_OK, out + err
    assert site.states() == after
