"""Suite-wide guards.

Loopback only: every socket this test process opens is checked; a connection to anything
outside 127.0.0.0/8 or ::1 fails the test at once, before a packet leaves. Subprocesses the
tests start (the CLI, the emulator) run with CAMLINK_LOOPBACK_ONLY=1, which installs the same
guard in them (see camlink_provision/netguard.py).
"""

from __future__ import annotations

import os

import pytest

from camlink_provision import netguard

os.environ[netguard.ENV_FLAG] = "1"
netguard.install()


@pytest.fixture(autouse=True)
def _loopback_only() -> None:
    # Re-installed per test: a test that monkeypatched socket must not leave the guard off.
    netguard.install()
