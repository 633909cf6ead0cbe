"""``--state DIR``: one JSON file per camera, rewritten atomically after each change.

The file is the camera's own storage, so it holds what the camera holds, passwords
included; it is written with mode 0600. Identity (model, serial, firmware) and accounts come
from the fleet's specs, never from the file, and values the camera's table no longer accepts
are dropped on load.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

FORMAT = 1


class StateDir:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)

    def file_of(self, name: str) -> Path:
        return self.path / f"{name}.json"  # names are checked to be file-name safe

    def load(self, name: str) -> dict[str, Any] | None:
        """The saved settings of a camera, or None when there are none (or unreadable)."""
        try:
            saved = json.loads(self.file_of(name).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(saved, dict) or saved.get("format") != FORMAT:
            return None
        settings = saved.get("settings")
        return settings if isinstance(settings, dict) else None

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
