"""The README's "A first site" walkthrough, run command by command exactly as written."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .cli_kit import MINIMAL, ROOT, cli_env

README = ROOT / "README.md"
VENV = ROOT / ".venv"


def walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## A first site"):]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "the README's first site has no sh block"
    return match.group(1)


@pytest.mark.skipif(not (VENV / "bin" / "camlink-provision").exists(),
                    reason="the walkthrough uses the checkout's .venv, made by ./dev test")
def test_the_first_site_walkthrough_runs_as_written(tmp_path: Path) -> None:
    # A copy of the checkout's layout: the inventory, and the .venv the commands name.
    shutil.copytree(MINIMAL, tmp_path / "inventories" / "minimal")
    (tmp_path / ".venv").symlink_to(VENV)
    script = "set -euxo pipefail\n" + walkthrough()
    done = subprocess.run(["bash", "-c", script], cwd=tmp_path, env=cli_env(),
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    commands = [line for line in done.stderr.splitlines() if line.startswith("+ ")]
    assert len(commands) >= 6  # every line ran
    assert "changed=2" in done.stdout  # the saved plan was applied
    assert "Verify: 1 passed, 0 failed." in done.stdout  # and the link was proven
