"""The PTZ side of a check: what it was doing before, its effects after the action, putting it
back, and positions in words. Each helper is one or two requests on one PTZ client."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from camlink_provision.camera import CameraClient, Position, TrackingStatus
from camlink_provision.firmware import profile
from camlink_provision.model import JSON
from camlink_provision.resources import events, presets
from camlink_provision.resources.base import Have

# Readings are exact on the emulator; a real dome may report a position a step or two from
# the one it stored (motor encoders), so callers may allow a small error per axis.
DEFAULT_TOLERANCE = 0
# A real dome takes seconds to reach a preset; the emulator moves at once. Position reads
# are repeated until they match or this many seconds pass (0: read once).
DEFAULT_SETTLE_SECONDS = 5.0
SETTLE_POLL_SECONDS = 0.25
# Moved this far on pan when the PTZ already stands at the preset, so a move can be seen.
NUDGE = 1000
PAN_LIMIT = 36000


@dataclass(frozen=True)
class Before:
    """What a PTZ was doing before verify touched it, to put it back."""

    position: Position
    tracking: TrackingStatus
    output: str | None  # the DO status, when the link pulses it


@dataclass(frozen=True)
class Effects:
    """What the PTZ shows right after the action (None: not looked at for this link)."""

    position: Position | None
    tracking: TrackingStatus | None
    output: str | None


def read_output(client: CameraClient) -> str:
    return client.getparam([profile.DO_STATUS]).get(profile.DO_STATUS, "")


def read_before(client: CameraClient, output: bool) -> Before:
    return Before(client.position(), client.tracking_status(),
                  read_output(client) if output else None)


def is_tracking(status: TrackingStatus) -> bool:
    return status.status == profile.TRACKING_ACTIVE


def put_back(client: CameraClient, before: Before) -> None:
    """Position, tracking and output as they were (a manual move also ends tracking)."""
    client.stop_tracking()
    client.move(*before.position)
    if is_tracking(before.tracking) and before.tracking.rule:
        client.start_tracking(before.tracking.rule)
    if before.output is not None:
        client.set_do(1 if before.output == events.ON else 0)


def near(seen: Position, expected: Position, tolerance: int) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(seen, expected, strict=True))


def away_from(position: Position) -> Position:
    pan = position.pan + NUDGE if position.pan + NUDGE <= PAN_LIMIT else position.pan - NUDGE
    return Position(pan, position.tilt, position.zoom)


def settled_position(client: CameraClient, expected: Position, tolerance: int,
                     settle: float) -> Position:
    """The PTZ's position once it matches, or the last one read within ``settle`` seconds."""
    seen = client.position()
    waited = 0.0
    while not near(seen, expected, tolerance) and waited < settle:
        threading.Event().wait(SETTLE_POLL_SECONDS)
        waited += SETTLE_POLL_SECONDS
        seen = client.position()
    return seen


def stored_position(stored: Have) -> Position:
    values = [stored.attrs.get(axis) for axis in presets.AXES]
    return Position(*(v if isinstance(v, int) else 0 for v in values))


def position_text(axes: Mapping[str, JSON]) -> str:
    return ", ".join(f"{axis}={axes.get(axis)}" for axis in presets.AXES)


def offset_text(seen: Position, expected: Position) -> str:
    return ", ".join(f"{axis} {s - e:+d}" for axis, s, e
                     in zip(presets.AXES, seen, expected, strict=True))
