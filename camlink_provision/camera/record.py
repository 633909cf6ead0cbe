"""``plan --record DIR``: every request and reply of a run, for a bug report.

One JSON object per exchange, one file per camera (``DIR/<camera>.jsonl``), in the order
sent: method, path, the parameters (names and values, query and form body), the JSON body
of a VCA request, the status (null when no reply came) and the reply's body. What is never
written: request and reply headers (so no Basic or Digest credential, no nonce), the value
of any parameter whose name is a secret's (``redact``: passwords, 7/6 fields), and any of
the run's own secret values wherever they would appear (scrubbed from every line as the last
step). A user can attach the directory to an issue as it is.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus

from camlink_provision.camera import wire
from camlink_provision.camera.client import Call, CameraClient
from camlink_provision.camera.redact import REMOVED, is_secret_name
from camlink_provision.firmware import profile as fw

MIN_SCRUBBED = 4  # shorter "secrets" would blank ordinary words (a test password "1")


class CaptureRecorder:
    """Writes ``DIR/<camera>.jsonl``; one per run, shared by every camera's client."""

    def __init__(self, directory: Path, secrets: Iterable[str] = ()) -> None:
        self.directory = directory
        self._secrets = sorted({s for s in secrets if len(s) >= MIN_SCRUBBED}, key=len,
                               reverse=True)
        self._lock = threading.Lock()
        self.count = 0
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.glob("*.jsonl"):  # a capture is one run's, never two mixed
            old.unlink()

    def exchange(self, camera: str, method: str, path: str, query: str, body: bytes,
                 status: int | None, reply: bytes) -> None:
        entry: dict[str, Any] = {"method": method, "path": path,
                                 "params": _pairs(query)}
        if body.startswith(b"{"):
            entry["json"] = _json(body)
        elif body:
            entry["params"] += _pairs(body.decode("utf-8", errors="replace"))
        entry["status"] = status
        entry["reply"] = _reply(reply)
        line = self._scrub(json.dumps(entry, ensure_ascii=False))
        with self._lock:
            self.count += 1
            with (self.directory / f"{_file_name(camera)}.jsonl").open(
                    "a", encoding="utf-8") as out:
                out.write(line + "\n")

    def _scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REMOVED)
            text = text.replace(json.dumps(secret)[1:-1], REMOVED)  # as JSON escapes it
        return text


class RecordingClient(CameraClient):
    """A camera client that hands every exchange to a ``CaptureRecorder``: the request as
    sent (names as the camera spells them) and what came back, or ``status: null``."""

    def __init__(self, *args: Any, recorder: CaptureRecorder, **options: Any) -> None:
        super().__init__(*args, **options)
        self.recorder = recorder

    def _text(self, call: Call, **request: Any) -> str:
        query, body = request.get("query", ""), request.get("body") or b""
        try:
            text: str = super()._text(call, **request)
        except wire.InvalidCommand:  # errors hide in a 200
            self._record(call, query, body, 200, fw.INVALID_COMMAND)
            raise
        except Exception as error:  # a reply other than 200 carries its status and body
            status = getattr(error, "status", None)
            self._record(call, query, body, status if isinstance(status, int) else None,
                         getattr(error, "body", b"") or b"")
            raise
        self._record(call, query, body, 200, text.encode("utf-8"))
        return text

    def _record(self, call: Call, query: str, body: bytes, status: int | None,
                reply: bytes) -> None:
        self.recorder.exchange(self.name, call.method, call.path, query, body, status, reply)


def _file_name(camera: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "_" for c in camera)


def _pairs(text: str) -> list[list[str | None]]:
    """``a=1&b`` -> [["a", "1"], ["b", None]], secret values removed."""
    out: list[list[str | None]] = []
    for piece in text.split("&"):
        if not piece:
            continue
        name, sep, value = piece.partition("=")
        name = unquote_plus(name)
        shown: str | None = unquote_plus(value) if sep else None
        if shown and is_secret_name(name):
            shown = REMOVED
        out.append([name, shown])
    return out


def _json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8"))
    except ValueError:
        return body.decode("utf-8", errors="replace")


def _reply(body: bytes) -> Any:
    text = body.decode("utf-8", errors="replace")
    if text.startswith("{"):
        return _json(body)
    lines = []
    for line in text.split("\r\n"):
        name, sep, value = line.partition("=")
        if sep and is_secret_name(name) and value.strip("'"):
            line = f"{name}='{REMOVED}'"
        lines.append(line)
    return "\r\n".join(lines)
