"""Pure reading of one getparam reply: the fields of a slot, capability counts.

The reply is flat (``event_i3_delay='10'``); resources want ``{"delay": "10"}`` for slot 3.
Names are built with the firmware profile's functions and looked up, rather than every
reply line parsed: a PTZ reply holds ~1,500 parameters, most of them empty preset slots,
and a planner reading 1,000 cameras should not split them all.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from camlink_provision.firmware import profile

SlotParam = Callable[[int, str], str]  # (slot, field) -> parameter name, from the profile


def slot_values(params: Mapping[str, str], param: SlotParam, slot: int,
                fields: Iterable[str]) -> dict[str, str]:
    """The fields of one slot the camera reported, in ``fields`` order."""
    out: dict[str, str] = {}
    for field in fields:
        value = params.get(param(slot, field))
        if value is not None:
            out[field] = value
    return out


def count(params: Mapping[str, str], name: str) -> int | None:
    """A capability count, or None when the camera did not report it (or not as a number)."""
    raw = params.get(name, "")
    return int(raw) if raw.isdigit() else None


def capacity(params: Mapping[str, str], name: str, param: SlotParam, probe: str) -> int:
    """Slots of a group: the capability count, else as many slots as the reply lists."""
    reported = count(params, name)
    if reported is not None:
        return reported
    slots = 0
    while param(slots, probe) in params:
        slots += 1
    return slots


def cameralink_capable(params: Mapping[str, str]) -> bool:
    return params.get(profile.CAP_CAMERALINK) == profile.ON


def npeer(params: Mapping[str, str]) -> int:
    if not cameralink_capable(params):
        return 0
    return capacity(params, profile.CAP_NPEER, profile.peer_param, profile.PEER_NAME)


def as_int(value: str | None) -> int | str | None:
    """An integer parameter as int; anything else as the camera sent it (shown as drift)."""
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return value
