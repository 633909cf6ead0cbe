"""One apply per site at a time, from any directory: the site lock (camlink_provision.sitelock).

A lock left by a process that provably no longer runs on this host is taken over, with a
note; a live holder, one on another host, or a corrupt lock file is refused, saying who,
where, since when, and how to release it.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from camlink_provision.errors import LockError
from camlink_provision.sitelock import (
    ENV_LOCK_DIR,
    LockHolder,
    acquire_lock,
    lock_dir,
    lock_path,
    site_lock,
)


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def _plant(root: Path, site: str, pid: int, host: str, **extra: str) -> Path:
    path = lock_path(site, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"pid": pid, "host": host, "user": "someone",
                                "started": "2026-01-01T00:00:00+00:00",
                                "cwd": "/srv/checkout-b", **extra}))
    return path


def test_the_lock_dir_is_shared_by_default_and_can_be_moved(tmp_path: Path) -> None:
    home = Path.home()
    assert lock_dir(environ={}) == home / ".local" / "state" / "camlink-provision" / "locks"
    assert lock_dir(environ={"XDG_STATE_HOME": "/var/state"}) == \
        Path("/var/state/camlink-provision/locks")
    assert lock_dir(environ={"XDG_STATE_HOME": "relative"}).is_relative_to(home)  # XDG: ignored
    env = {"XDG_STATE_HOME": "/var/state", ENV_LOCK_DIR: str(tmp_path / "shared")}
    assert lock_dir(environ=env) == tmp_path / "shared"
    assert lock_dir(tmp_path / "option", environ=env) == tmp_path / "option"


def test_the_tests_never_lock_in_the_real_home(lock_dir: Path) -> None:
    assert os.environ[ENV_LOCK_DIR] == str(lock_dir)
    assert not lock_dir.is_relative_to(Path.home() / ".local")


def test_a_second_apply_on_the_same_site_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with site_lock("north", tmp_path) as held:
        assert held.note == ""
        with pytest.raises(LockError) as refused:
            acquire_lock("north", tmp_path)
        message = str(refused.value)
        assert f"pid {os.getpid()}" in message and socket.gethostname() in message
        assert f"working in {os.getcwd()}" in message
        assert "still running on this host" in message
        assert "camlink-provision unlock north" in message
        with site_lock("south", tmp_path):  # another site is free
            pass
    assert not lock_path("north", tmp_path).exists()


def test_a_stale_lock_of_a_dead_process_is_taken_over_with_a_note(tmp_path: Path) -> None:
    dead = _dead_pid()
    _plant(tmp_path, "north", dead, socket.gethostname())
    with site_lock("north", tmp_path) as held:
        assert f"pid {dead}" in held.note and "no longer runs" in held.note
        holder = json.loads(lock_path("north", tmp_path).read_text())
        assert holder["pid"] == os.getpid()


def test_a_lock_whose_pid_now_belongs_to_another_process_is_taken_over(tmp_path: Path) -> None:
    _plant(tmp_path, "north", os.getppid(), socket.gethostname(), pid_start="1")
    with site_lock("north", tmp_path) as held:
        assert "now belongs to another process" in held.note


def test_a_lock_from_before_a_reboot_is_taken_over(tmp_path: Path) -> None:
    if not Path("/proc/sys/kernel/random/boot_id").exists():
        pytest.skip("no boot id on this system")
    _plant(tmp_path, "north", os.getppid(), socket.gethostname(), boot="an-earlier-boot")
    with site_lock("north", tmp_path) as held:
        assert "rebooted" in held.note


def test_a_lock_held_on_another_host_is_never_taken_over(tmp_path: Path) -> None:
    path = _plant(tmp_path, "north", _dead_pid(), "another-host.example")
    with pytest.raises(LockError) as refused:
        acquire_lock("north", tmp_path)
    message = str(refused.value)
    assert "someone@another-host.example" in message and "2026-01-01" in message
    assert "/srv/checkout-b" in message and "on another host" in message
    assert "camlink-provision unlock north" in message
    assert path.exists()


def test_a_live_holder_keeps_its_lock(tmp_path: Path) -> None:
    _plant(tmp_path, "north", os.getppid(), socket.gethostname())
    with pytest.raises(LockError, match=f"pid {os.getppid()}"):
        acquire_lock("north", tmp_path)


@pytest.mark.parametrize(("content", "why"), [
    ("", "empty"),
    ("\n", "empty"),
    ('{"pid": 4242, "host": "build', "cut off or not JSON"),
    ("locked", "cut off or not JSON"),
    ('["pid", 1]', "not a lock record"),
    ('{"pid": 0, "host": "?", "user": "?", "started": "?"}', "not a lock record"),
    ('{"host": "h", "user": "u", "started": "s"}', "not a lock record"),
])
def test_a_corrupt_lock_file_is_reported_as_corrupt_with_its_path(
        tmp_path: Path, content: str, why: str) -> None:
    path = lock_path("north", tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content)
    with pytest.raises(LockError) as refused:
        acquire_lock("north", tmp_path)
    message = str(refused.value)
    assert "corrupt" in message and why in message and str(path) in message
    assert "camlink-provision unlock north" in message
    assert "?@?" not in message and "locked by" not in message
    assert path.read_text() == content  # never taken over nor removed


def test_release_leaves_a_lock_that_is_no_longer_ours(tmp_path: Path) -> None:
    held = acquire_lock("north", tmp_path)
    lock_path("north", tmp_path).unlink()  # released by `unlock` ...
    _plant(tmp_path, "north", os.getppid(), socket.gethostname())  # ... and taken again
    held.release()
    assert lock_path("north", tmp_path).exists()


def test_the_lock_file_records_who_and_where(tmp_path: Path) -> None:
    with site_lock("north", tmp_path) as held:
        record = json.loads(held.path.read_text())
        assert LockHolder.from_json(record) == held.holder
        assert record["cwd"] == os.getcwd() and record["host"] == socket.gethostname()
    leftovers = [p.name for p in tmp_path.iterdir()]
    assert leftovers == ["north.lock.guard"]  # no temporary file left behind


def test_site_names_cannot_escape_the_lock_directory(tmp_path: Path) -> None:
    path = lock_path("../../etc/x", tmp_path)
    assert path.parent == tmp_path


# -- a race: many processes at the same instant, exactly one gets the lock -------------------


def _contend(root: str, start: float, hold: float, results: multiprocessing.Queue[str]) -> None:
    while time.time() < start:
        pass  # spin: every contender leaves the line at the same moment
    try:
        lock = acquire_lock("north", Path(root))
    except LockError as refused:
        results.put(f"refused: {refused}")
        return
    results.put("won")
    time.sleep(hold)
    lock.release()


@pytest.mark.parametrize("stale", [False, True], ids=["free", "stale-lock"])
def test_of_processes_racing_for_one_site_exactly_one_wins(tmp_path: Path, stale: bool) -> None:
    context = multiprocessing.get_context("fork")
    for _ in range(5):
        if stale:  # all of them find a dead holder's lock and try to take it over
            _plant(tmp_path, "north", _dead_pid(), socket.gethostname())
        results: multiprocessing.Queue[str] = context.Queue()
        start = time.time() + 0.5
        contenders = [context.Process(target=_contend, args=(str(tmp_path), start, 1.0,
                                                            results)) for _ in range(8)]
        for process in contenders:
            process.start()
        outcomes = [results.get(timeout=30) for _ in contenders]
        for process in contenders:
            process.join(timeout=30)
        assert outcomes.count("won") == 1, outcomes
        assert all("locked by pid" in o for o in outcomes if o != "won"), outcomes
        assert not lock_path("north", tmp_path).exists()


def test_without_hard_links_the_lock_is_taken_with_an_exclusive_create(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(source: object, target: object) -> None:
        raise PermissionError(1, "Operation not permitted")  # as on a FAT or some SMB mounts

    monkeypatch.setattr(os, "link", no_links)
    with site_lock("north", tmp_path) as held:
        assert LockHolder.from_json(json.loads(held.path.read_text())) == held.holder
        with pytest.raises(LockError, match="still running on this host"):
            acquire_lock("north", tmp_path)
    assert not lock_path("north", tmp_path).exists()


def test_an_empty_lock_file_being_written_is_waited_for_not_called_corrupt(
        tmp_path: Path) -> None:
    import threading

    path = lock_path("north", tmp_path)
    path.write_text("")  # created, not yet written (exclusive create without hard links)
    writer = threading.Timer(0.15, lambda: path.write_text(json.dumps(
        {"pid": os.getppid(), "host": socket.gethostname(), "user": "someone",
         "started": "2026-01-01T00:00:00+00:00"})))
    writer.start()
    try:
        with pytest.raises(LockError) as refused:
            acquire_lock("north", tmp_path)
    finally:
        writer.join()
    assert f"locked by pid {os.getppid()}" in str(refused.value)
