"""The real command line in a subprocess, with the loopback guard on."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from camlink_provision import netguard
from camlink_provision.demo_secrets import ensure_secrets

ROOT = Path(__file__).resolve().parents[2]
MINIMAL = ROOT / "inventories" / "minimal"
CONSTRUCTION = ROOT / "inventories" / "construction-site"
COMMAND = [sys.executable, "-m", "camlink_provision.cli"]


def cli_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CAMLINK_SECRET") and k not in ("NO_COLOR",)}
    return {**env, netguard.ENV_FLAG: "1", **(extra or {})}


def run(*args: str, cwd: Path, env: Mapping[str, str] | None = None, stdin: str = "",
        timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], cwd=cwd, env=cli_env(env), capture_output=True,
                          text=True, timeout=timeout, input=stdin, check=False)


def secrets_for(inventory: Path, path: Path) -> Path:
    ensure_secrets(inventory, path)
    return path
