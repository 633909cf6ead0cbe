"""Data that remembers where it was written.

A YAML file loads into ``LDict`` and ``LList``: plain ``dict`` and ``list`` (so JSON Schema,
merging and templating work on them unchanged) that also hold the ``Location`` of each of
their values and keys. A scalar cannot carry an attribute (``True`` and ``None`` are
singletons), so every value's location lives in the container that holds it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from camlink_provision.errors import Location

TEMPLATE_MARKS = ("{{", "{%", "{#")
PathPart = str | int


class LDict(dict[str, Any]):
    """A mapping with the location of itself, of each value and of each key."""

    __slots__ = ("key_locs", "loc", "value_locs")

    def __init__(self, loc: Location) -> None:
        super().__init__()
        self.loc = loc
        self.value_locs: dict[str, Location] = {}
        self.key_locs: dict[str, Location] = {}

    def put(self, key: str, value: Any, value_loc: Location,
            key_loc: Location | None = None) -> None:
        self[key] = value
        self.value_locs[key] = value_loc
        self.key_locs[key] = key_loc or value_loc

    def where(self, key: str) -> Location:
        return self.value_locs.get(key, self.loc)

    def key_where(self, key: str) -> Location:
        return self.key_locs.get(key, self.loc)


class LList(list[Any]):
    """A list with the location of itself and of each item."""

    __slots__ = ("item_locs", "loc")

    def __init__(self, loc: Location) -> None:
        super().__init__()
        self.loc = loc
        self.item_locs: list[Location] = []

    def add(self, value: Any, loc: Location) -> None:
        self.append(value)
        self.item_locs.append(loc)

    def where(self, index: int) -> Location:
        return self.item_locs[index] if 0 <= index < len(self.item_locs) else self.loc


def locate(root: Any, path: Sequence[PathPart]) -> Location | None:
    """The location of the value at ``path`` below ``root``: the nearest one known."""
    found = root.loc if isinstance(root, LDict | LList) else None
    node = root
    for part in path:
        in_mapping = isinstance(node, LDict) and isinstance(part, str) and part in node
        in_list = isinstance(node, LList) and isinstance(part, int) and 0 <= part < len(node)
        if not (in_mapping or in_list):
            break
        found = node.where(part)
        node = node[part]
    return found


def located(value: Any, loc: Location) -> Any:
    """A plain value (say, a mapping a template returned) as located data, all at ``loc``."""
    if isinstance(value, dict) and not isinstance(value, LDict):
        out = LDict(loc)
        for key, item in value.items():
            out.put(str(key), located(item, loc), loc)
        return out
    if isinstance(value, list | tuple) and not isinstance(value, LList):
        items = LList(loc)
        for item in value:
            items.add(located(item, loc), loc)
        return items
    return value


def all_locations(value: Any) -> Iterator[Location]:
    """Where every value inside ``value`` (containers included) is written."""
    if isinstance(value, LDict):
        yield value.loc
        for key, item in value.items():
            yield value.where(key)
            yield from all_locations(item)
    elif isinstance(value, LList):
        yield value.loc
        for index, item in enumerate(value):
            yield value.where(index)
            yield from all_locations(item)


def is_template(value: Any) -> bool:
    # Called for every value, often: most strings hold no "{" at all.
    return isinstance(value, str) and "{" in value and any(m in value for m in TEMPLATE_MARKS)


def display_path(path: Path) -> str:
    """A file's name as printed: relative to the current directory when it lies below it."""
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def dotted(path: Sequence[PathPart]) -> str:
    """``["presets", 2, "pan"]`` -> ``presets[2].pan``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out
