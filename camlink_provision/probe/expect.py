"""The names a firmware profile makes the tool read and write on one camera.

Every parameter of the profile's table for the camera's capabilities, spelled as the
profile says (``naming``), grouped by pattern: ``cameralink_i<N>_name`` stands for the three
peers' names. A [modelled] pattern carries its handle in the profile file (``peers``,
``name``), which is what an override corrects.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.naming import Naming
from camlink_provision.firmware.profile import SLOT_MARK, pattern_of

__all__ = ["SLOT_MARK", "Expected", "Handle", "expected", "pattern_of"]


@dataclass(frozen=True)
class Handle:
    """Where a [modelled] name lives in the profile file: a section and a key in it."""

    section: str  # capabilities, peers, link_actions, events
    key: str  # the field's handle; "" for the section's group


@dataclass
class Expected:
    pattern: str  # as the profile spells it on this camera
    spec: fw.ParamSpec  # the first instance's spec (type, levels); a secret one's if any
    names: list[str] = field(default_factory=list)
    handle: Handle | None = None  # None: a [real] name

    @property
    def modelled(self) -> bool:
        return self.handle is not None


HANDLES = {pattern: Handle(*where) for pattern, where in fw.MODELLED.items()}


def expected(caps: fw.Capabilities, naming: Naming) -> list[Expected]:
    """The camera's expected names by pattern, in the table's order."""
    groups: dict[str, Expected] = {}
    for builtin, spec in fw.profile_table(caps, naming.profile).items():
        name = naming.param_out(builtin)
        pattern = pattern_of(name)
        group = groups.get(pattern)
        if group is None:
            group = groups[pattern] = Expected(pattern, spec,
                                               handle=HANDLES.get(pattern_of(builtin)))
        elif spec.secret and not group.spec.secret:
            # A password field is write-only even where one instance is readable (root's
            # password is 6/6 [real], the others 7/6): the pattern is judged as a secret.
            group.spec = spec
        group.names.append(name)
    return list(groups.values())
