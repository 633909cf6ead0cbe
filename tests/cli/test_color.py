"""Colour only on a terminal, never with --no-color or $NO_COLOR (no-color.org)."""

from __future__ import annotations

import os
import pty
import subprocess
from pathlib import Path

import pytest

from camlink_provision.commands.terminal import wants_color

from .cli_kit import COMMAND, MINIMAL, cli_env, secrets_for

ESC = b"\x1b["


def _on_a_terminal(args: list[str], cwd: Path, env: dict[str, str]) -> bytes:
    """What the command writes when its standard output is a terminal (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen([*COMMAND, *args], cwd=cwd, env=cli_env(env),
                                   stdout=follower, stderr=subprocess.DEVNULL,
                                   stdin=subprocess.DEVNULL)
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the command ended and closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        assert process.wait(timeout=180) == 0
        return b"".join(chunks)
    finally:
        os.close(leader)


@pytest.mark.parametrize(("extra", "env", "coloured"), [
    ([], {}, True),
    (["--no-color"], {}, False),
    ([], {"NO_COLOR": "1"}, False),
    ([], {"NO_COLOR": ""}, True),  # set but empty: no-color.org says it does not count
])
def test_plan_colours_a_terminal_unless_told_not_to(tmp_path: Path, extra: list[str],
                                                    env: dict[str, str], coloured: bool) -> None:
    secrets = secrets_for(MINIMAL, tmp_path / "s.yml")
    output = _on_a_terminal(["plan", "-i", str(MINIMAL), "--secrets", str(secrets),
                             "--emulate", *extra], tmp_path, env)
    assert b"Plan:" in output
    assert (ESC in output) == coloured


def test_never_colour_when_not_a_terminal(tmp_path: Path) -> None:
    with (tmp_path / "out.txt").open("w") as stream:
        assert not wants_color(stream, environ={})
