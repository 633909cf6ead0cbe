"""The site lock: one apply per *site* on this machine, whatever directory it runs from.

Where: ``<lock dir>/<site>.lock``. The lock directory is shared by every checkout on the
machine; ``lock_dir`` is the one place that decides it:

    --lock-dir DIR               (apply, unlock)
    $CAMLINK_LOCK_DIR            e.g. a directory on a share that several hosts mount
    $XDG_STATE_HOME/camlink-provision/locks
    ~/.local/state/camlink-provision/locks

Taking it is atomic: the holder's record (pid, host, user, working directory, start time,
and how to tell the process from a later one with the same pid) is written to a private
temporary file and *hard-linked* to the lock's name, which fails if the name exists. So the
lock file never exists half-written, and of two runs racing for it exactly one gets it. (On
a filesystem without hard links: ``O_CREAT|O_EXCL``, and an empty lock file younger than
half a second is given that time to be written before it is called corrupt.)

A lock is taken over only when its holder is provably gone: same host, and its pid no longer
runs (or runs as a different process: another start time, or the host rebooted since). The
take-over is a note in the output and the journal, never silent. Anything else — a holder on
another host, a live one, or a lock file that cannot be read (empty, cut off, not JSON) — is
refused with who, where and since when, and how to release it: ``camlink-provision unlock
SITE``. Take-over, release and unlock all run under an ``flock`` on ``<site>.lock.guard``, so
none of them can remove a lock another run has just taken.
"""

from __future__ import annotations

import contextlib
import fcntl
import getpass
import json
import os
import secrets
import socket
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from camlink_provision.errors import LockError
from camlink_provision.journal import safe_component

ENV_LOCK_DIR = "CAMLINK_LOCK_DIR"
APP_DIR = "camlink-provision"
_BOOT_ID = Path("/proc/sys/kernel/random/boot_id")
SETTLE_SECONDS, SETTLE_TRIES = 0.05, 10  # an empty lock file younger than 0.5 s: being written


def lock_dir(option: str | Path | None = None,
             environ: Mapping[str, str] | None = None) -> Path:
    """Where site locks live: the option, else $CAMLINK_LOCK_DIR, else the XDG state dir."""
    env = os.environ if environ is None else environ
    if option:
        return Path(option).expanduser()
    if env.get(ENV_LOCK_DIR):
        return Path(env[ENV_LOCK_DIR]).expanduser()
    state = env.get("XDG_STATE_HOME", "")
    # The XDG spec: a relative path is invalid and to be ignored.
    base = Path(state) if state and Path(state).is_absolute() else \
        Path.home() / ".local" / "state"
    return base / APP_DIR / "locks"


def lock_path(site: str, root: Path) -> Path:
    return root / f"{safe_component(site)}.lock"


def unlock_hint(site: str) -> str:
    return f"camlink-provision unlock {site}"


# ---------------------------------------------------------------------------------------------
# Who holds a lock


def _process_start(pid: int) -> str:
    """The process's start time in clock ticks since boot ("" when it cannot be read)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError):
        return ""
    # Field 22; the command name (field 2) may hold spaces and parentheses: split after it.
    fields = stat.rpartition(")")[2].split()
    return fields[19] if len(fields) > 19 else ""


def _boot_id() -> str:
    try:
        return _BOOT_ID.read_text(encoding="ascii").strip()
    except OSError:
        return ""


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): the uid still says who
        return f"uid{os.getuid()}"


@dataclass(frozen=True)
class LockHolder:
    pid: int
    host: str
    user: str
    started: str
    cwd: str = ""
    boot: str = ""  # the host's boot id when the lock was taken
    pid_start: str = ""  # the holder's start time, ticks since boot
    token: str = ""  # tells this lock from a later one of the same pid

    def to_json(self) -> dict[str, Any]:
        return {"pid": self.pid, "host": self.host, "user": self.user,
                "started": self.started, "cwd": self.cwd, "boot": self.boot,
                "pid_start": self.pid_start, "token": self.token}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LockHolder:
        pid = data["pid"]
        if not isinstance(pid, int) or isinstance(pid, bool) or pid < 1:
            raise ValueError(f"pid {pid!r} is not a process id")
        host, user, started = data["host"], data["user"], data["started"]
        if not all(isinstance(v, str) and v for v in (host, user, started)):
            raise ValueError("host, user or start time missing")
        return cls(pid=pid, host=host, user=user, started=started,
                   cwd=str(data.get("cwd", "")), boot=str(data.get("boot", "")),
                   pid_start=str(data.get("pid_start", "")), token=str(data.get("token", "")))

    @classmethod
    def me(cls) -> LockHolder:
        pid = os.getpid()
        return cls(pid=pid, host=socket.gethostname(), user=_user(),
                   started=datetime.now(UTC).isoformat(timespec="seconds"),
                   cwd=os.getcwd(), boot=_boot_id(), pid_start=_process_start(pid),
                   token=secrets.token_hex(8))

    def describe(self) -> str:
        where = f", working in {self.cwd}" if self.cwd else ""
        return f"pid {self.pid} of {self.user}@{self.host}, since {self.started}{where}"

    def gone(self) -> str:
        """Why this holder provably no longer runs ("" when it may still run)."""
        if self.host != socket.gethostname():
            return ""
        if self.boot and _boot_id() and self.boot != _boot_id():
            return f"{self.host} has rebooted since"
        if not _pid_alive(self.pid):
            return "that process no longer runs"
        if self.pid_start and _process_start(self.pid) not in ("", self.pid_start):
            return f"pid {self.pid} now belongs to another process"
        return ""


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


class CorruptLock(Exception):
    """A lock file that does not say who holds it."""

    def __init__(self, path: Path, why: str) -> None:
        super().__init__(why)
        self.path = path
        self.why = why


def read_holder(path: Path) -> LockHolder | None:
    """Who holds the lock at ``path``; None when there is none; ``CorruptLock`` when the
    file cannot say."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise CorruptLock(path, f"unreadable ({error})") from None
    if not text.strip():
        raise CorruptLock(path, "empty")
    try:
        data = json.loads(text)
    except ValueError:
        raise CorruptLock(path, "cut off or not JSON") from None
    if not isinstance(data, dict):
        raise CorruptLock(path, "not a lock record")
    try:
        return LockHolder.from_json(data)
    except (KeyError, ValueError, TypeError) as error:
        raise CorruptLock(path, f"not a lock record ({error})") from None


# ---------------------------------------------------------------------------------------------
# Taking, releasing, removing


@dataclass
class SiteLock:
    """Held for the whole of one apply on one site. ``note`` tells of a take-over."""

    site: str
    path: Path
    holder: LockHolder
    note: str = ""

    def release(self) -> None:
        """Remove the lock if it is still ours (one an ``unlock`` and a later run took must
        survive)."""
        # OSError: the lock directory went away; there is nothing left to release.
        with contextlib.suppress(CorruptLock, OSError), _guard(self.path):
            if read_holder(self.path) == self.holder:
                self.path.unlink()


def _publish(path: Path, holder: LockHolder) -> bool:
    """Create the lock file whole, or return False if it exists (atomic either way)."""
    temporary = path.with_name(f".{path.name}.{holder.pid}.{holder.token or 'x'}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(holder.to_json(), out)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        except OSError:  # a filesystem without hard links: exclusive create, then write
            return _create_exclusive(path, holder)
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()


def _create_exclusive(path: Path, holder: LockHolder) -> bool:
    """O_CREAT|O_EXCL: as atomic, but a reader may see the file empty for a moment (which
    ``_read_settled`` waits out)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(holder.to_json(), out)
        out.write("\n")
    return True


def _read_settled(path: Path) -> LockHolder | None:
    """``read_holder``, giving a lock file that is empty but only just created a moment to
    be written (see ``_create_exclusive``) before calling it corrupt."""
    for _ in range(SETTLE_TRIES):
        try:
            return read_holder(path)
        except CorruptLock as corrupt:
            fresh = _age(path) < SETTLE_SECONDS * SETTLE_TRIES
            if corrupt.why != "empty" or not fresh:
                raise
            time.sleep(SETTLE_SECONDS)
    return read_holder(path)


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


@contextlib.contextmanager
def _guard(path: Path) -> Iterator[None]:
    guard = path.with_name(path.name + ".guard")
    fd = os.open(guard, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def corrupt_message(site: str, corrupt: CorruptLock) -> str:
    return (f"the lock file of site {site!r} is corrupt ({corrupt.why}): {corrupt.path}. It "
            "does not say which apply holds it, so it is not taken over. If no apply of this "
            f"site is running, release it with `{unlock_hint(site)}`")


def held_message(site: str, path: Path, holder: LockHolder) -> str:
    if holder.host != socket.gethostname():
        state = (f"on another host ({holder.host}): whether it still runs cannot be checked "
                 "from here")
    else:
        state = "that process is still running on this host"
    return (f"site {site!r} is locked by {holder.describe()} — {state}. Wait for that apply "
            f"to end; if it is gone, release the lock with `{unlock_hint(site)}` "
            f"(lock file {path})")


def acquire_lock(site: str, root: Path) -> SiteLock:
    """Take the site's lock or raise ``LockError`` naming who holds it and how to release it."""
    path = lock_path(site, root)
    path.parent.mkdir(parents=True, exist_ok=True)
    me = LockHolder.me()
    if _publish(path, me):
        return SiteLock(site, path, me)
    with _guard(path):
        try:
            holder = _read_settled(path)
        except CorruptLock as corrupt:
            raise LockError(corrupt_message(site, corrupt)) from None
        if holder is None:  # released between our try and the guard
            if _publish(path, me):
                return SiteLock(site, path, me)
        else:
            why = holder.gone()
            if why:
                path.unlink()
                if _publish(path, me):
                    note = (f"took over the lock of site {site!r} left by {holder.describe()} "
                            f"({why})")
                    return SiteLock(site, path, me, note)
        try:
            holder = _read_settled(path)
        except CorruptLock as corrupt:
            raise LockError(corrupt_message(site, corrupt)) from None
    if holder is None:  # taken and released again meanwhile: a busy site, say so
        raise LockError(f"site {site!r}: another apply took and released the lock while this "
                        "one was starting; run again")
    raise LockError(held_message(site, path, holder))


@contextlib.contextmanager
def site_lock(site: str, root: Path) -> Iterator[SiteLock]:
    lock = acquire_lock(site, root)
    try:
        yield lock
    finally:
        lock.release()


@dataclass(frozen=True)
class Inspection:
    """What a lock file holds, read under the guard: a holder, corrupt, or no lock."""

    path: Path
    holder: LockHolder | None
    corrupt: str = ""  # why the file cannot be read, when it cannot
    raw: bytes = b""

    @property
    def locked(self) -> bool:
        return self.holder is not None or bool(self.corrupt)


def inspect_lock(site: str, root: Path) -> Inspection:
    path = lock_path(site, root)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Inspection(path, None)
    try:
        return Inspection(path, read_holder(path), raw=raw)
    except CorruptLock as corrupt:
        return Inspection(path, None, corrupt.why, raw)


def remove_lock(seen: Inspection) -> bool:
    """Remove the lock file if it still holds exactly what ``seen`` showed; False if it
    changed meanwhile (released, or taken by another run: then it is left alone)."""
    with _guard(seen.path):
        try:
            if seen.path.read_bytes() != seen.raw:
                return False
        except FileNotFoundError:
            return False
        seen.path.unlink()
        return True
