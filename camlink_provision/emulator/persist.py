"""``--state DIR``: one JSON file per camera, rewritten atomically after each change.

The file is the camera's own storage, so it holds what the camera holds, passwords
included; it is written with mode 0600. Identity (model, serial, firmware) and accounts come
from the fleet's specs, never from the file, and values the camera's table no longer accepts
are dropped on load.

A file that is there but cannot be used (not JSON, not this format, a parameter that is not
text) is refused with the file and the reason: silently starting that camera factory-fresh
would make the next plan lie. Reasons never quote a value: the file holds passwords.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

from camlink_provision.errors import CamlinkError

FORMAT = 1
_FIX = "fix or delete the file (deleting it starts that camera factory-fresh)"


class StateDir:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def file_of(self, name: str) -> Path:
        return self.path / f"{name}.json"  # names are checked to be file-name safe

    def load(self, name: str) -> dict[str, Any] | None:
        """The saved settings of a camera, or None when it has none yet.

        Raises CamlinkError (naming the file and what is wrong) when the file is there but
        unusable."""
        path = self.file_of(name)
        try:
            text = path.read_bytes().decode("utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise _corrupt(path, f"cannot be read ({exc.strerror})") from None
        except UnicodeDecodeError:
            raise _corrupt(path, "is not UTF-8 text") from None
        try:
            saved = json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", 0)
            raise _corrupt(path, f"is not JSON (line {line})") from None
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            raise _corrupt(path, f"is not an emulator state file of format {FORMAT}")
        settings = saved.get("settings")
        if not isinstance(settings, dict):
            raise _corrupt(path, "has no 'settings' mapping")
        params = settings.get("params", {})
        if not isinstance(params, dict):
            raise _corrupt(path, "'settings.params' is not a mapping")
        for key, value in params.items():
            if not isinstance(value, str):
                raise _corrupt(path, f"parameter {key} is not text (a JSON string)")
        if not isinstance(settings.get("rules", {}), dict):
            raise _corrupt(path, "'settings.rules' is not a mapping")
        return settings

    def save(self, name: str, settings: dict[str, Any]) -> None:
        """Write to a temporary file in the same directory, then rename over the old one."""
        blob = json.dumps({"format": FORMAT, "camera": name, "settings": settings},
                          indent=1, sort_keys=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=self.path)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(blob)
            os.replace(tmp, self.file_of(name))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _corrupt(path: Path, reason: str) -> CamlinkError:
    return CamlinkError(f"emulator state file {path} {reason} — {_FIX}")
