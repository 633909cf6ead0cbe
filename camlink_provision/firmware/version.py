"""Firmware version strings: ``SD9384-VVTK-2.2103.34.01d`` [real format]."""

from __future__ import annotations

import re
from dataclasses import dataclass

_VERSION = re.compile(r"^(?:(?P<model>[A-Za-z0-9]+)-VVTK-)?(?P<gen>\d+)\.(?P<major>\d{4})\."
                      r"(?P<minor>\d+)\.(?P<build>[0-9A-Za-z]+)$")


@dataclass(frozen=True)
class FirmwareVersion:
    model_prefix: str
    version: str
    major: int

    def __str__(self) -> str:
        return self.version


def parse_firmware(text: str) -> FirmwareVersion | None:
    """Parse either the full ``<MODEL>-VVTK-<version>`` or a bare ``2.2103.34.01d``.

    Returns None when the text does not look like a VIVOTEK version: callers decide whether
    that is an error (an inventory) or a protocol fault (a camera reply).
    """
    match = _VERSION.match(text.strip())
    if not match:
        return None
    version = text.strip().split("-VVTK-")[-1]
    return FirmwareVersion(model_prefix=match["model"] or "", version=version,
                           major=int(match["major"]))


def full_version_string(model_prefix: str, version: str) -> str:
    return f"{model_prefix}-VVTK-{version}"
