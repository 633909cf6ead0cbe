"""Pure parsing of one getparam reply: slots per group, capability counts.

The reply is flat (``event_i3_delay='10'``); resources want ``{3: {"delay": "10"}}``.
Parameter names come from the firmware profile; this module only splits them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from camlink_provision.firmware import profile


@lru_cache(maxsize=16)
def _slot_pattern(group: str) -> re.Pattern[str]:
    # Not profile.split_slot: its prefix excludes digits, so it cannot split the preset
    # group ``camctrl_c0_preset``. Anchoring on the known group works for every group.
    return re.compile(re.escape(group) + r"_i(\d+)_(.+)$")


def slot_fields(params: Mapping[str, str], group: str) -> dict[int, dict[str, str]]:
    """``{slot: {field: value}}`` of every ``<group>_i<slot>_<field>`` parameter, by slot."""
    pattern = _slot_pattern(group)
    out: dict[int, dict[str, str]] = {}
    for name, value in params.items():
        match = pattern.match(name)
        if match:
            out.setdefault(int(match[1]), {})[match[2]] = value
    return dict(sorted(out.items()))


def count(params: Mapping[str, str], name: str) -> int | None:
    """A capability count, or None when the camera did not report it (or not as a number)."""
    raw = params.get(name, "")
    return int(raw) if raw.isdigit() else None


def capacity(params: Mapping[str, str], name: str, group: str) -> int:
    """Slots of a group: the capability count, else as many slots as the camera listed."""
    reported = count(params, name)
    if reported is not None:
        return reported
    slots = slot_fields(params, group)
    return max(slots) + 1 if slots else 0


def cameralink_capable(params: Mapping[str, str]) -> bool:
    return params.get(profile.CAP_CAMERALINK) == "1"


def npeer(params: Mapping[str, str]) -> int:
    if not cameralink_capable(params):
        return 0
    return capacity(params, profile.CAP_NPEER, profile.PEER_GROUP)


def as_int(value: str | None) -> int | str | None:
    """An integer parameter as int; anything else as the camera sent it (shown as drift)."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return value
