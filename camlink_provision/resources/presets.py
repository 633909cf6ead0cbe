"""PTZ presets, keyed by name, in ``camctrl_c0_preset_i<slot>_*``.

Managed: the position (pan, tilt, zoom) of presets the inventory places; a preset without a
position is *adopted*: whatever the camera holds under that name is right, and a missing one
cannot be created (the tool does not know where to point) so it is a warning saying what to
do. A preset is written by moving there and saving the current position under its name into
its slot: ``Move`` then ``AddPreset(name, index=slot)``. The firmware never saves over a
slot or a name in use, so drift is corrected by ``DeletePreset(name)`` first, into the same
slot. Deleting is ``DeletePreset(name)``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence

from camlink_provision.firmware import profile
from camlink_provision.firmware.commands import AddPreset, Command, DeletePreset, Move
from camlink_provision.firmware.models import lookup
from camlink_provision.inventory.model import Camera, Preset, ResourceKind, Site
from camlink_provision.model import JSON, AttributeChange, Observed
from camlink_provision.resources import facts
from camlink_provision.resources.base import (
    Adopted,
    Context,
    Have,
    KindResult,
    SlotResource,
    Wanted,
)

AXES = profile.PRESET_AXES
NAME = profile.PRESET_NAME


def wants_presets(camera: Camera) -> bool:
    """Whether to read presets: a speed dome (by the inventory's model) or declared ones."""
    info = lookup(camera.model)
    return bool(camera.presets) or (info.ptz if info else camera.role == "ptz")


def without_free_positions(params: dict[str, str]) -> dict[str, str]:
    """``params`` (changed in place) without the position of a slot that holds no preset.

    Such a position means nothing: saving a preset stores where the camera points at that
    moment, so nothing ever reads it, and a speed dome's reply is two-thirds of it (256
    slots x 3 axes, a few slots in use). Left out where a camera is read, it is neither
    kept, fingerprinted nor journaled (issue 15: "fingerprint only what the plan depends
    on")."""
    slots = facts.capacity(params, profile.CAP_NPRESET, profile.preset_param, NAME)
    for name, axes in _slot_names(slots):
        if not params.get(name):
            for axis in axes:
                params.pop(axis, None)
    return params


@functools.lru_cache(maxsize=8)
def _slot_names(slots: int) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each slot's name parameter and its axes': a speed dome's 256 slots are looked at
    on every read, and naming them once per slot count made that 2.4x faster (issue 15)."""
    return tuple((profile.preset_param(slot, NAME),
                  tuple(profile.preset_param(slot, axis) for axis in AXES))
                 for slot in range(slots))


class Presets(SlotResource):
    kind: ResourceKind = "preset"
    noun = "preset"

    def groups(self, camera: Camera) -> tuple[str, ...]:
        return (profile.PRESET_GROUP,) if wants_presets(camera) else ()

    def applies(self, camera: Camera, observed: Observed) -> bool:
        return bool(camera.presets) or self.capacity(observed) > 0

    def capacity(self, observed: Observed) -> int:
        return facts.capacity(observed.params, profile.CAP_NPRESET, profile.preset_param, NAME)

    def desired(self, site: Site, camera: Camera) -> list[Wanted]:
        out = []
        for preset in camera.presets:
            position = {axis: getattr(preset, axis) for axis in AXES}
            attrs = {axis: value for axis, value in position.items() if value is not None}
            out.append(Wanted(name=preset.name, present=preset.state == "present",
                              attrs=attrs, adopt=preset.adopted))
        return out

    def observed(self, observed: Observed) -> list[Have]:
        params, out = observed.params, []
        for slot in range(self.capacity(observed)):
            name = params.get(profile.preset_param(slot, NAME), "")
            if name:
                fields = facts.slot_values(params, profile.preset_param, slot, AXES)
                attrs = {axis: facts.as_int(fields.get(axis)) for axis in AXES}
                out.append(Have(name=name, slot=slot, attrs=attrs))
        return out

    def adopt(self, ctx: Context, have: Sequence[Have]) -> Adopted[Preset]:
        """Every held preset with its whole position: a saved preset always has one, so the
        inventory places it where it is (an axis the camera reports as no number is left
        open, and plan shows it as drift)."""
        out = []
        for held in have:
            pan, tilt, zoom = (_axis(held.attrs.get(axis)) for axis in AXES)
            out.append(Preset(held.name, pan=pan, tilt=tilt, zoom=zoom))
        return Adopted(self.kind, tuple(out))

    def in_sync(self, wanted: Wanted, have: Have) -> str:
        if wanted.adopt:
            return f"preset '{wanted.name}' already on the camera (adopted, slot {have.slot})"
        where = ", ".join(f"{axis}={wanted.attrs[axis]}" for axis in wanted.attrs)
        return f"preset '{wanted.name}' already at {where} in slot {have.slot}"

    def missing_adopted(self, ctx: Context, wanted: Wanted, result: KindResult) -> None:
        result.warnings.append(
            f"preset '{wanted.name}' has no position in the inventory and is not on the "
            "camera: save it on the camera (PTZ settings) or give its pan, tilt and zoom")

    def create_ops(self, ctx: Context, wanted: Wanted, slot: int | None) -> tuple[Command, ...]:
        return self.save_ops(wanted, {}, slot)

    def update_ops(self, ctx: Context, wanted: Wanted, have: Have,
                   changed: Sequence[AttributeChange]) -> tuple[Command, ...]:
        # The firmware refuses to save over a slot or a name in use: delete, then save anew.
        return (DeletePreset(have.name), *self.save_ops(wanted, have.attrs, have.slot))

    def delete_ops(self, ctx: Context, have: Have) -> tuple[Command, ...]:
        return (DeletePreset(have.name),)

    @staticmethod
    def save_ops(wanted: Wanted, held: Mapping[str, JSON],
                 slot: int | None) -> tuple[Command, ...]:
        # An axis the inventory leaves open keeps the held value (0 on a new preset): saving
        # a preset always stores a whole position.
        position = {axis: wanted.attrs.get(axis, _held_axis(held, axis)) for axis in AXES}
        return (Move(position["pan"], position["tilt"], position["zoom"]),
                AddPreset(wanted.name, slot))


def _axis(value: JSON) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _held_axis(held: Mapping[str, JSON], axis: str) -> int:
    value = held.get(axis)
    return value if isinstance(value, int) else 0


RESOURCE = Presets()
