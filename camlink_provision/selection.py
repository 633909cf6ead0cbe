"""``--limit`` patterns, as Ansible reads them.

A pattern is a list of terms separated by ``,`` or ``:``. A term is a camera name, a group
name, or a glob over either (``gate-*``, ``ptz*``). Terms add up; a term starting with ``&``
keeps only cameras also in it; a term starting with ``!`` removes its cameras. Examples:
``spotters``, ``gate-*,yard-ptz``, ``all:!yard-*``, ``ptz:&north``.

A term ``@FILE`` stands for the terms in that file, one per line (blank lines and ``#``
comments skipped): the retry file a failed apply writes (``--limit @.camlink/retry/SITE``)
or any list kept in git.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

from camlink_provision.errors import InventoryError
from camlink_provision.inventory.model import Site


def _matches(site: Site, term: str) -> set[str]:
    found: set[str] = set()
    for group, members in site.groups.items():
        if fnmatch.fnmatchcase(group, term):
            found.update(members)
    found.update(name for name in site.cameras if fnmatch.fnmatchcase(name, term))
    return found


def _terms(pattern: str) -> list[str]:
    terms: list[str] = []
    for raw in re.split(r"[,:]", pattern):
        term = raw.strip()
        terms.extend(_file_terms(term[1:]) if term.startswith("@") else [term])
    return terms


def _file_terms(name: str) -> list[str]:
    path = Path(name)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = "no such file" if isinstance(err, FileNotFoundError) else "cannot read it"
        raise InventoryError(f"--limit @{name}: {reason}",
                             hint="name a file of camera or group names, one per line") \
            from None
    lines = (line.split("#", 1)[0].strip() for line in text.splitlines())
    terms = [line for line in lines if line]
    if not terms:
        raise InventoryError(f"--limit @{name}: the file names no camera",
                             hint="one camera or group name per line")
    return terms


def write_retry_file(path: Path, names: list[str]) -> None:
    """The cameras to run again, for ``--limit @path``; no file when there are none."""
    if not names:
        path.unlink(missing_ok=True)
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(name + "\n" for name in names), encoding="utf-8")


def select(site: Site, pattern: str | None) -> list[str]:
    """The camera names a pattern selects, in inventory order; every camera when None."""
    if not pattern:
        return list(site.cameras)
    chosen: set[str] = set()
    intersections: list[set[str]] = []
    excluded: set[str] = set()
    for raw in _terms(pattern):
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
