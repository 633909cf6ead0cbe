"""The run journal of ``apply`` (the site lock is ``camlink_provision.sitelock``).

Journal: ``.camlink/journal/<site>/<UTC timestamp>.jsonl``, one JSON object per line, written
as the run goes (flushed line by line, so a crash leaves everything up to the crash). It
records what was attempted and what happened: plays, cameras, op kinds with the parameter,
preset or rule *names* they touch, errors, restores and the recap. It never holds a value
written to a camera: values are left out altogether (not merely masked) so that no future
op kind can leak a secret through it. After a run, an ``applied`` record holds, per camera
left converged, digests of what the inventory wanted on it (``camlink_provision.applied``:
how the next plan tells an inventory edit from a change on the camera).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

STATE_DIR = Path(".camlink")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_component(name: str) -> str:
    """A site name usable as one path component (no separators, no leading dot)."""
    cleaned = _SAFE.sub("_", name).lstrip(".")
    return cleaned or "site"


def utc_stamp(moment: datetime | None = None) -> str:
    """``20261124T235920.123456Z``: sortable, and free of ':' (valid on every filesystem)."""
    return (moment or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S.%fZ")


def site_folder(site: str, root: Path = STATE_DIR) -> Path:
    """Where the journals of ``site`` are: ``<root>/journal/<site>/``."""
    return root / "journal" / safe_component(site)


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
        self._lock = threading.Lock()  # appending
        # Group commit: one fsync makes every record written before it durable, so a
        # record's writer waits only for an fsync that began after its record was written.
        # The workers of a 1,000-camera apply each wait for their step's snapshot; one at a
        # time, they queued behind each other's fsync.
        self._sync_lock = threading.Lock()
        self._written = 0  # records appended (and flushed to the OS)
        self._synced = 0  # of those, the ones an fsync has covered

    @classmethod
    def open_for(cls, site: str, root: Path = STATE_DIR) -> Journal:
        folder = site_folder(site, root)
        for _ in range(5):  # two runs in the same microsecond: take the next stamp
            try:
                return cls(folder / f"{utc_stamp()}.jsonl")
            except FileExistsError:
                continue
        raise OSError(f"could not create a journal file under {folder}")

    def write(self, record: str, *, durable: bool = False, **fields: Any) -> None:
        """Append a record. Each is flushed to the OS at once (a killed process loses
        nothing written); ``durable`` also waits for the disk (power loss), for the records
        recovery depends on: a step's snapshot, and the end of a run."""
        entry = {"at": datetime.now(UTC).isoformat(timespec="milliseconds"),
                 "record": record, **fields}
        line = json.dumps(entry, sort_keys=False, default=str)
        with self._lock:
            if self._file.closed:
                return
            self._file.write(line + "\n")
            self._file.flush()
            self._written += 1
            mine = self._written
        if durable:
            self._sync_through(mine)

    def _sync_through(self, record: int) -> None:
        """Return once record number ``record`` is on the disk: by an fsync this thread
        makes, or by one another thread began after that record was written."""
        with self._sync_lock:
            if self._synced >= record:
                return
            with self._lock:
                if self._file.closed:
                    return
                covered, fd = self._written, self._file.fileno()
            os.fsync(fd)  # appends go on meanwhile; they wait for the next fsync
            self._synced = covered

    def flush(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.flush()

    def close(self) -> None:
        # After any fsync under way: its file descriptor must not be closed (and reused)
        # beneath it. A durable record written but not yet covered (its writer between the
        # append and the fsync) is made durable here, since that writer will find the file
        # closed.
        with self._sync_lock, self._lock:
            if not self._file.closed and self._synced < self._written:
                os.fsync(self._file.fileno())
                self._synced = self._written
            self._file.close()

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_named_records(path: Path, name: str) -> list[dict[str, Any]]:
    """The records called ``name`` of a journal file, in order, read line by line and
    without parsing the others: an apply of a large site journals every camera's snapshot
    (tens of megabytes for 1,000 cameras) that a reader of one small record never needs."""
    marker = json.dumps({"record": name})[1:-1]  # as ``write`` lays it out
    return [record for record in _records(path, marker) if record.get("record") == name]


def read_journal(path: Path) -> list[dict[str, Any]]:
    """Every record of a journal file, in order; a line cut off by a crash (the last one,
    usually) is skipped."""
    return list(_records(path))


def _records(path: Path, marker: str = "") -> Iterator[dict[str, Any]]:
    """The records of the lines holding ``marker``, one line at a time; a line that is not
    a whole record (cut off by a crash) is skipped."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        for line in lines:
            if marker not in line:
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(record, dict):
                yield record
