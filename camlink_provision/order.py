"""The one owner of order: which phase each change runs in, and the steps apply executes.

A Camera Link is a spotter calling a PTZ camera by name ("go to preset gate, track with rule
gate-zone"), so what a spotter refers to must exist before the spotter is told about it and
must outlive every reference to it. Each resource kind declares what it refers to
(``refers_to``); kinds that refer to nothing are the *referred* side (presets, tracking
rules), the others the *referring* side (peers, events). The phases of a run:

    1  referred side    creations and updates; deletions nothing may still refer to
    2  referring side   peers and events, whatever the action
    3  tidy-up          deletions of what a phase-2 change stops referring to (``releases``),
                        or that a spotter which could not be read may refer to

A deletion runs in phase 1 only when nothing in the plan lets go of that camera's presets or
rules; then its slot is free for a new item of the same step. Otherwise it runs in phase 3,
and the slots it frees are not given to anything in this run (``late``): a slot is assigned
only if it is free at the moment the new item is created.

Within a step (one camera, one phase): deletions first, in reverse kind order (an event
before the peer it calls), then creations and updates in kind order (``resources.KINDS``).
The step's commands are merged into the fewest requests (``commands.merge``); those are the
requests the plan shows and apply sends, one for one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

from camlink_provision.firmware import commands
from camlink_provision.inventory.model import ResourceKind
from camlink_provision.model import CameraPlan, Change, Step
from camlink_provision.resources import KINDS

REFERRED, REFERRING, TIDY = 1, 2, 3
PHASES: dict[int, str] = {REFERRED: "accounts, and the PTZ side: presets and tracking rules",
                          REFERRING: "spotters: peers and events",
                          TIDY: "PTZ tidy-up: what nothing refers to any more"}
KIND_ORDER: dict[ResourceKind, int] = {kind.kind: i for i, kind in enumerate(KINDS)}
REFERRED_KINDS = frozenset(kind.kind for kind in KINDS if not kind.refers_to)


def phase_of(change: Change, *, late: bool) -> int:
    """The phase of one change; ``late``: its camera's deletions wait for the spotters."""
    if change.kind not in REFERRED_KINDS:
        return REFERRING
    if change.action == "delete" and late:
        return TIDY
    return REFERRED


def _within_step(change: Change) -> tuple[int, int]:
    order = KIND_ORDER[change.kind]
    return (0, -order) if change.action == "delete" else (1, order)


def order_changes(changes: Iterable[Change], *, late: bool) -> tuple[Change, ...]:
    """The changes of one camera with their phases, in the order they run (stable)."""
    phased = [replace(change, phase=phase_of(change, late=late)) for change in changes]
    return tuple(sorted(phased, key=lambda c: (c.phase, *_within_step(c))))


def held_cameras(cameras: Sequence[CameraPlan]) -> set[str]:
    """Cameras whose deletions must wait for phase 3: some change of the plan lets go of
    them, or a spotter could not be read (what it refers to is unknown: all of them)."""
    if any(cam.error and cam.role == "spotter" for cam in cameras):
        return {cam.camera for cam in cameras}
    return {ptz for cam in cameras for change in cam.changes for ptz in change.releases}


def requests_of(changes: Sequence[Change]) -> tuple[commands.Request, ...]:
    """One step's changes as the fewest requests, in an order that keeps their meaning."""
    return tuple(commands.merge((command, change.key)
                                for change in changes for command in change.ops))


def steps_of(cameras: Sequence[CameraPlan]) -> tuple[Step, ...]:
    """The run, phase by phase; in a phase, cameras in plan (apply) order."""
    out: list[Step] = []
    for phase in PHASES:
        for cam in cameras:
            changes = [c for c in cam.changes if c.phase == phase]
            if changes:
                out.append(Step(phase, cam.camera, tuple(c.key for c in changes),
                                requests_of(changes)))
    return tuple(out)


def step_changes(step: Step, changes: Mapping[str, Change]) -> list[Change]:
    """A step's changes, looked up by key, in step order."""
    return [changes[key] for key in step.changes]
