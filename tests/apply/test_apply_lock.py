"""One apply per site at a time; a lock left by a dead process is taken over, with a note."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from camlink_provision.errors import LockError
from camlink_provision.journal import acquire_lock, lock_path, site_lock


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _plant(root: Path, site: str, pid: int, host: str) -> Path:
    path = lock_path(site, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "host": host, "user": "someone",
                                "started": "2026-01-01T00:00:00+00:00"}))
    return path


def test_a_second_apply_on_the_same_site_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with site_lock("north", tmp_path) as held:
        assert held.note == ""
        with pytest.raises(LockError) as refused:
            acquire_lock("north", tmp_path)
        message = str(refused.value)
        assert f"pid {os.getpid()}" in message and socket.gethostname() in message
        assert "north" in message
        with site_lock("south", tmp_path):  # another site is free
            pass
    assert not lock_path("north", tmp_path).exists()


def test_a_stale_lock_of_a_dead_process_is_taken_over_with_a_note(tmp_path: Path) -> None:
    dead = _dead_pid()
    _plant(tmp_path, "north", dead, socket.gethostname())
    with site_lock("north", tmp_path) as held:
        assert f"pid {dead}" in held.note and "stale" in held.note
        holder = json.loads(lock_path("north", tmp_path).read_text())
        assert holder["pid"] == os.getpid()


def test_a_lock_held_on_another_host_is_never_taken_over(tmp_path: Path) -> None:
    _plant(tmp_path, "north", _dead_pid(), "another-host.example")
    with pytest.raises(LockError, match=r"another-host\.example"):
        acquire_lock("north", tmp_path)


def test_a_live_holder_keeps_its_lock(tmp_path: Path) -> None:
    _plant(tmp_path, "north", os.getppid(), socket.gethostname())
    with pytest.raises(LockError, match=f"pid {os.getppid()}"):
        acquire_lock("north", tmp_path)


def test_release_leaves_a_lock_that_is_no_longer_ours(tmp_path: Path) -> None:
    held = acquire_lock("north", tmp_path)
    _plant(tmp_path, "north", os.getppid(), socket.gethostname())  # taken over meanwhile
    held.release()
    assert lock_path("north", tmp_path).exists()


def test_site_names_cannot_escape_the_lock_directory(tmp_path: Path) -> None:
    path = lock_path("../../etc/x", tmp_path)
    assert path.parent == tmp_path / "locks"
