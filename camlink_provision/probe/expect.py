"""The names a firmware profile makes the tool read and write on one camera.

Every parameter of the profile's table for the camera's capabilities, spelled as the
profile says (``naming``), grouped by pattern: ``cameralink_i<N>_name`` stands for the three
peers' names. A [modelled] pattern carries its handle in the profile file (``peers``,
``name``), which is what an override corrects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import Naming

_SLOT = re.compile(r"_i\d+")
SLOT_MARK = "_i<N>"


def pattern_of(name: str) -> str:
    """``event_i3_action_cameralink_i0_preset`` -> ``event_i<N>_action_cameralink_i<N>_preset``."""
    return _SLOT.sub(SLOT_MARK, name)


@dataclass(frozen=True)
class Handle:
    """Where a [modelled] name lives in the profile file: a section and a key in it."""

    section: str  # capabilities, peers, link_actions, events
    key: str  # the field's handle; "" for the section's group


@dataclass
class Expected:
    pattern: str  # as the profile spells it on this camera
    spec: fw.ParamSpec  # the first instance's spec (type, levels)
    names: list[str] = field(default_factory=list)
    handle: Handle | None = None  # None: a [real] name

    @property
    def modelled(self) -> bool:
        return self.handle is not None


def _handles() -> dict[str, Handle]:
    """Built-in pattern -> handle, for every [modelled] parameter."""
    out: dict[str, Handle] = {}
    prof = fw.DEFAULT
    for key, definition in prof.capabilities.items():
        out[definition.name] = Handle("capabilities", key)
    for key, definition in prof.peer_fields.items():
        out[pattern_of(fw.peer_param(0, definition.name))] = Handle("peers", key)
    for key, definition in prof.link_fields.items():
        out[pattern_of(fw.link_action_param(0, 0, definition.name))] = Handle("link_actions", key)
    out[pattern_of(fw.event_param(0, prof.rule_field.name))] = Handle("events", "rule_field")
    return out


HANDLES = _handles()


def expected(caps: fw.Capabilities, naming: Naming) -> list[Expected]:
    """The camera's expected names by pattern, in the table's order."""
    groups: dict[str, Expected] = {}
    for builtin, spec in fw.parameter_table(caps, naming.profile).items():
        name = naming.param_out(builtin)
        pattern = pattern_of(name)
        group = groups.get(pattern)
        if group is None:
            group = groups[pattern] = Expected(pattern, spec,
                                               handle=HANDLES.get(pattern_of(builtin)))
        group.names.append(name)
    return list(groups.values())
