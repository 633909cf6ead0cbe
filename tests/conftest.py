"""Suite-wide guards.

Loopback only: every socket this test process opens is checked; a connection to anything
outside 127.0.0.0/8 or ::1 fails the test at once, before a packet leaves. Subprocesses the
tests start (the CLI, the emulator) run with CAMLINK_LOOPBACK_ONLY=1, which installs the same
guard in them (see camlink_provision/netguard.py).
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest

from camlink_provision import netguard
from camlink_provision.sitelock import ENV_LOCK_DIR

os.environ[netguard.ENV_FLAG] = "1"
netguard.install()
# Site locks live in a directory shared by the whole machine (~/.local/state/...): never in
# a test. Each test gets its own (below); this one covers session fixtures.
os.environ[ENV_LOCK_DIR] = tempfile.mkdtemp(prefix="camlink-locks-")
atexit.register(shutil.rmtree, os.environ[ENV_LOCK_DIR], True)


@pytest.fixture(autouse=True)
def _loopback_only() -> None:
    # Re-installed per test: a test that monkeypatched socket must not leave the guard off.
    netguard.install()


@pytest.fixture(autouse=True)
def lock_dir(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This test's site-lock directory ($CAMLINK_LOCK_DIR, inherited by the CLI it runs)."""
    path = tmp_path_factory.mktemp("locks")
    monkeypatch.setenv(ENV_LOCK_DIR, str(path))
    return path
