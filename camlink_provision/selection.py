"""``--limit`` patterns, as Ansible reads them.

A pattern is a list of terms separated by ``,`` or ``:``. A term is a camera name, a group
name, or a glob over either (``gate-*``, ``ptz*``). Terms add up; a term starting with ``&``
keeps only cameras also in it; a term starting with ``!`` removes its cameras. Examples:
``spotters``, ``gate-*,yard-ptz``, ``all:!yard-*``, ``ptz:&north``.
"""

from __future__ import annotations

import fnmatch
import re

from camlink_provision.errors import InventoryError
from camlink_provision.inventory.model import Site


def _matches(site: Site, term: str) -> set[str]:
    found: set[str] = set()
    for group, members in site.groups.items():
        if fnmatch.fnmatchcase(group, term):
            found.update(members)
    found.update(name for name in site.cameras if fnmatch.fnmatchcase(name, term))
    return found


def select(site: Site, pattern: str | None) -> list[str]:
    """The camera names a pattern selects, in inventory order; every camera when None."""
    if not pattern:
        return list(site.cameras)
    chosen: set[str] = set()
    intersections: list[set[str]] = []
    excluded: set[str] = set()
    for raw in re.split(r"[,:]", pattern):
        term = raw.strip()
        if not term:
            continue
        kind, name = (term[0], term[1:]) if term[0] in "!&" else ("", term)
        hits = _matches(site, name)
        if not hits:
            raise InventoryError(
                f"--limit term {name!r} matches no camera or group",
                hint="use a camera name, a group name or a glob; see `validate` for names")
        if kind == "!":
            excluded |= hits
        elif kind == "&":
            intersections.append(hits)
        else:
            chosen |= hits
    if not chosen and (intersections or excluded):
        chosen = set(site.cameras)
    for group in intersections:
        chosen &= group
    chosen -= excluded
    return [name for name in site.cameras if name in chosen]
