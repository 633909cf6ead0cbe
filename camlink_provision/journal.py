"""The run journal and the site lock of ``apply``.

Journal: ``.camlink/journal/<site>/<UTC timestamp>.jsonl``, one JSON object per line, written
as the run goes (flushed line by line, so a crash leaves everything up to the crash). It
records what was attempted and what happened: plays, cameras, op kinds with the parameter,
preset or rule *names* they touch, errors, restores and the recap. It never holds a value
written to a camera: values are left out altogether (not merely masked) so that no future
op kind can leak a secret through it.

Lock: ``.camlink/locks/<site>.lock``, created with ``O_CREAT|O_EXCL`` and holding the holder's
pid, host, user and start time. A second apply on the same site fails with ``LockError``
naming the holder. A lock left by a process that no longer runs on this host is taken over,
and the take-over is reported as a note (journal and output), never silently.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import re
import socket
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from camlink_provision.errors import LockError

STATE_DIR = Path(".camlink")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_component(name: str) -> str:
    """A site name usable as one path component (no separators, no leading dot)."""
    cleaned = _SAFE.sub("_", name).lstrip(".")
    return cleaned or "site"


def utc_stamp(moment: datetime | None = None) -> str:
    """``20261124T235920.123456Z``: sortable, and free of ':' (valid on every filesystem)."""
    return (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")


# ---------------------------------------------------------------------------------------------
# Journal


class Journal:
    """An append-only JSON-lines record of one run; safe to call from worker threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # 0600: the journal holds no secret, but it does hold the site's topology.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        self._file: TextIO = os.fdopen(fd, "w", encoding="utf-8")
        self._lock = threading.Lock()

    @classmethod
    def open_for(cls, site: str, root: Path = STATE_DIR) -> Journal:
        folder = root / "journal" / safe_component(site)
        for _ in range(5):  # two runs in the same microsecond: take the next stamp
            try:
                return cls(folder / f"{utc_stamp()}.jsonl")
            except FileExistsError:
                continue
        raise OSError(f"could not create a journal file under {folder}")

    def write(self, record: str, **fields: Any) -> None:
        entry = {"at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                 "record": record, **fields}
        line = json.dumps(entry, sort_keys=False, default=str)
        with self._lock:
            if self._file.closed:
                return
            self._file.write(line + "\n")
            self._file.flush()

    def close(self) -> None:
        with self._lock:
            self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Every record of a journal file, in order (for tests and for post-mortems)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


# ---------------------------------------------------------------------------------------------
# Lock


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    user: str
    started: str

    def to_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "host": self.host, "user": self.user, "started": self.started}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LockHolder:
        return cls(pid=int(data["pid"]), host=str(data["host"]), user=str(data["user"]),
                   started=str(data["started"]))

    @classmethod
    def me(cls) -> LockHolder:
        return cls(pid=os.getpid(), host=socket.gethostname(), user=_user(),
                   started=datetime.now(UTC).isoformat(timespec="seconds"))

    def describe(self) -> str:
        return f"pid {self.pid} of {self.user}@{self.host}, since {self.started}"


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): the uid still says who
        return f"uid{os.getuid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


@dataclass
class SiteLock:
    """Held for the whole of one apply on one site. ``note`` tells of a stale take-over."""

    path: Path
    holder: LockHolder
    note: str = ""

    def release(self) -> None:
        # Only remove the lock if it is still ours (a take-over by another run must survive).
        current = _read_holder(self.path)
        if current is not None and current.pid == self.holder.pid \
                and current.host == self.holder.host:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()


def lock_path(site: str, root: Path = STATE_DIR) -> Path:
    return root / "locks" / f"{safe_component(site)}.lock"


def _read_holder(path: Path) -> LockHolder | None:
    try:
        return LockHolder.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):  # half-written or foreign: unknown holder
        return LockHolder(pid=0, host="?", user="?", started="?")


def _create_exclusive(path: Path, holder: LockHolder) -> bool:
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(holder.to_json(), out)
    return True


@contextlib.contextmanager
def _takeover_guard(path: Path) -> Iterator[None]:
    # Two runs finding the same stale lock must not both take it over: the check-and-replace
    # runs under an flock on a separate guard file.
    guard = path.with_name(path.name + ".guard")
    fd = os.open(guard, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def _is_stale(holder: LockHolder) -> bool:
    return holder.host == socket.gethostname() and holder.pid > 0 \
        and not _pid_alive(holder.pid)


def acquire_lock(site: str, root: Path = STATE_DIR) -> SiteLock:
    """Take the site's lock or raise ``LockError`` naming who holds it."""
    path = lock_path(site, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    me = LockHolder.me()
    if _create_exclusive(path, me):
        return SiteLock(path, me)
    with _takeover_guard(path):
        holder = _read_holder(path)
        if holder is None and _create_exclusive(path, me):
            return SiteLock(path, me)
        if holder is not None and _is_stale(holder):
            path.unlink()
            if _create_exclusive(path, me):
                note = (f"took over a stale lock on site {site!r} left by {holder.describe()} "
                        "(that process no longer runs)")
                return SiteLock(path, me, note)
        holder = _read_holder(path)
    who = holder.describe() if holder else "an unknown process"
    raise LockError(f"site {site!r} is locked by {who}: another apply is running on it "
                    f"(lock file {path}; remove it only if that run is gone)")


@contextlib.contextmanager
def site_lock(site: str, root: Path = STATE_DIR) -> Iterator[SiteLock]:
    lock = acquire_lock(site, root)
    try:
        yield lock
    finally:
        lock.release()
