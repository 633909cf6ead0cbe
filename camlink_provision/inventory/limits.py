"""What each inventory value must fit on the firmware, borrowed from the profile.

The schema builder and the cross-camera rules ask here; nothing in the inventory package
writes a length, range or character set of its own. Keys name inventory fields; values are
the profile's value types of the parameters those fields end up in.
"""

from __future__ import annotations

from camlink_provision.firmware import models, profile

_PRESET_SPECS = {spec.name: spec for spec in profile.preset_specs(0)}


def _event(field: str) -> profile.ValueType:
    return profile.EVENT_FIELDS[field][0]


def _action(field: str) -> profile.ValueType:
    return profile.LINK_ACTION_FIELDS[field][0]


def _peer(field: str) -> profile.ValueType:
    return profile.PEER_FIELDS[field][0]


FIRMWARE_TYPES: dict[str, profile.ValueType] = {
    # A PTZ camera's inventory name is the peer name a spotter stores for it.
    "camera.name": _peer(profile.PEER_NAME),
    "address": _peer(profile.PEER_ADDRESS),
    "port": _peer(profile.PEER_PORT),
    "username": _peer(profile.PEER_USERNAME),
    "password": _peer(profile.PEER_PASSWORD),
    "account.name": profile.ACCOUNT_NAME_TYPE,
    "preset.name": _PRESET_SPECS[profile.preset_param(0, profile.PRESET_NAME)].type,
    "preset.axis": _PRESET_SPECS[profile.preset_param(0, profile.PRESET_AXES[0])].type,
    # A tracking rule's name is what a spotter's camera-link action stores as track_rule.
    "rule.name": _action(profile.ACTION_TRACK_RULE),
    "event.name": _event(profile.EVENT_NAME),
    "event.delay": _event(profile.EVENT_DELAY),
    "event.do": _event(profile.EVENT_DO_DURATION),
    "event.goto": _event(profile.EVENT_GOTO_NAME),
    "event.rule": _event(profile.TRIGGER_RULE_FIELD),
    "event.time": _event(profile.EVENT_BEGIN),
    "link.preset": _action(profile.ACTION_PRESET),
    "link.track": _action(profile.ACTION_TRACK_RULE),
    "link.do": _action(profile.ACTION_DO_DURATION),
}

# Contract section 7: a loitering rule's duration is "seconds >= 1"; the profile has no type.
LOITERING_MIN_SECONDS = 1
# A line has exactly two points; a zone is a polygon, so at least three.
LINE_POINTS = 2
ZONE_MIN_POINTS = 3


def int_range(key: str) -> tuple[int, int]:
    vtype = FIRMWARE_TYPES[key]
    if not isinstance(vtype, profile.IntType):
        raise TypeError(f"{key} is not an integer type")
    return vtype.low, vtype.high


def motion_windows() -> int:
    """How many motion windows the ``mdwin`` bitmask holds."""
    mask = profile.EVENT_FIELDS[profile.TRIGGER_INPUT_FIELDS["motion"]][0]
    assert isinstance(mask, profile.IntType)
    return mask.high.bit_length()


def max_link_targets() -> int:
    """A link's targets are peers of one spotter: no more than any model holds."""
    return max(m.npeer for m in models.MODELS.values())


def describe(vtype: profile.ValueType) -> str:
    """The type in words, for schema descriptions and the reference."""
    if isinstance(vtype, profile.StringType):
        forbidden = " ".join(profile.FORBIDDEN_CHARS)
        return f"text of fewer than {vtype.size} characters, none of {forbidden}"
    if isinstance(vtype, profile.IntType):
        return f"{vtype.low}~{vtype.high}"
    if isinstance(vtype, profile.TimeType):
        return "hh:mm, 00:00~24:00"
    if isinstance(vtype, profile.AddressType):
        return "an IP address or host name"
    return "one of " + ", ".join(vtype.values)
