"""Inventory sources (``-i``): a directory or a single YAML file, read into one document.

A directory holds, all optional but the first:

    inventory.yml         site:, all: (groups and hosts), and anything a document may hold
    group_vars/<group>.yml   the settings and variables of one group
    host_vars/<camera>.yml   the settings and variables of one camera
    links.yml             links: (and anything a document may hold)

and reads as the single document ``inventory.yml`` + ``{group_vars: {<group>: ...}}`` +
``{host_vars: {<camera>: ...}}`` + ``links.yml``, merged in that order. A single file is one
document of the same top-level shape. Several sources merge in the order given.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from camlink_provision.errors import InventoryError, Location
from camlink_provision.inventory.located import LDict, display_path
from camlink_provision.inventory.merge import merge
from camlink_provision.inventory.yamlfile import read_yaml

INVENTORY_FILES = ("inventory.yml", "inventory.yaml")
LINKS_FILES = ("links.yml", "links.yaml")
VARS_DIRS = ("group_vars", "host_vars")
YAML_SUFFIXES = (".yml", ".yaml")


def read_sources(sources: Sequence[Path]) -> tuple[LDict, list[InventoryError]]:
    """Every source merged, in order, into one document; errors of any file that failed."""
    merged = LDict(Location("<inventory>"))
    errors: list[InventoryError] = []
    for source in sources:
        for doc in _documents(source, errors):
            merged = merge(merged, doc)
    return merged, errors


def _documents(source: Path, errors: list[InventoryError]) -> Iterator[LDict]:
    if source.is_dir():
        yield from _directory_documents(source, errors)
    elif source.is_file():
        yield from _file_document(source, errors, required=True)
    else:
        errors.append(InventoryError("no such inventory file or directory",
                                     Location(display_path(source), 1, 1),
                                     "check the -i path"))


def _file_document(path: Path, errors: list[InventoryError], required: bool = False
                   ) -> Iterator[LDict]:
    """``required``: the file must declare something (inventory.yml, a -i file): an empty
    or all-comment one is one error naming it, not dozens about what it lacks."""
    data, problems = read_yaml(path)
    errors.extend(problems)
    if data is None:
        if required and not problems:
            errors.append(InventoryError("the inventory file is empty (or only comments)",
                                         Location(display_path(path), 1, 1),
                                         "declare the groups and cameras under all: "
                                         "(see docs/inventory.md)"))
        return
    if isinstance(data, LDict):
        yield data
    else:
        errors.append(InventoryError("an inventory file must be a mapping at its top level",
                                     Location(display_path(path), 1, 1),
                                     "start with site:, all:, group_vars:, host_vars: or "
                                     "links:"))


def _directory_documents(directory: Path, errors: list[InventoryError]) -> Iterator[LDict]:
    main = _first_existing(directory, INVENTORY_FILES)
    if main is None:
        errors.append(InventoryError("the inventory directory has no inventory.yml",
                                     Location(display_path(directory), 1, 1),
                                     "add inventory.yml with the groups and hosts (all:)"))
    else:
        yield from _file_document(main, errors, required=True)
    for kind in VARS_DIRS:
        yield from _vars_document(kind, _vars_files(directory / kind), errors)
    links = _first_existing(directory, LINKS_FILES)
    if links is not None:
        yield from _file_document(links, errors)


def _first_existing(directory: Path, names: Sequence[str]) -> Path | None:
    return next((directory / n for n in names if (directory / n).is_file()), None)


def _vars_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and p.suffix in YAML_SUFFIXES and not p.name.startswith("."))


def _vars_document(kind: str, paths: list[Path], errors: list[InventoryError]
                   ) -> Iterator[LDict]:
    """``group_vars/ptz.yml`` holding ``{...}`` reads as ``{group_vars: {ptz: {...}}}``; all
    files of the directory make one document (merging them one by one would copy the
    growing mapping once per file)."""
    if not paths:
        return
    by_name = LDict(Location(display_path(paths[0].parent), 1, 1))
    for path in paths:
        data, problems = read_yaml(path)
        errors.extend(problems)
        if problems:
            continue
        where = Location(display_path(path), 1, 1)
        content: Any = data if data is not None else LDict(where)
        by_name.put(path.stem, content, getattr(content, "loc", where), where)
    doc = LDict(by_name.loc)
    doc.put(kind, by_name, by_name.loc, by_name.loc)
    yield doc
