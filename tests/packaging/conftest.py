"""The built wheel in a fresh venv, made once per test session (a few seconds, plus pip's
download of the dependencies the first time: pip's cache keeps them for the next runs)."""

from __future__ import annotations

import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin/`` of a fresh venv holding only the wheel built from this checkout."""
    root = tmp_path_factory.mktemp("wheel")
    dist = root / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
                    "--wheel-dir", str(dist), str(REPO)], check=True, cwd=root,
                   capture_output=True, timeout=600)
    wheels = sorted(dist.glob("camlink_provision-*.whl"))
    assert len(wheels) == 1, wheels
    env_dir = root / "venv"
    venv.create(env_dir, with_pip=True)
    subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet",
                    str(wheels[0])], check=True, cwd=root, capture_output=True, timeout=900)
    return env_dir / "bin"
