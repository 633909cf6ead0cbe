"""One merge rule, used both between ``-i`` sources and between variable levels.

``merge(base, over)``, where ``over`` is the later source or the higher-precedence level:

- two mappings merge key by key, recursively (``over``'s keys win; new keys come after
  ``base``'s, in ``over``'s order);
- two lists whose items are all mappings with a ``name`` (presets, tracking rules, events,
  links), each name once per list, merge by name: an item of ``over`` merges into
  ``base``'s item of the same name, in place; an item with a new name is appended;
- anything else is replaced whole by ``over``: scalars, other lists (``days``, ``field``,
  ``targets``), and a value of a different type. ``null`` replaces too, and a key left
  ``null`` after merging counts as not set (so a later level can drop an inherited value).

Inputs are never modified: sub-values that only one side has are shared, not copied.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from camlink_provision.inventory.located import LDict, LList


def merge(base: Any, over: Any) -> Any:
    if isinstance(base, LDict) and isinstance(over, LDict):
        return merge_mappings(base, over)
    if isinstance(base, LList) and isinstance(over, LList) and named(base) and named(over):
        return merge_named_lists(base, over)
    return over


def merge_all(values: Iterable[Any]) -> Any:
    """Fold ``merge`` over values in order of precedence (lowest first); None if none."""
    out: Any = None
    first = True
    for value in values:
        out = value if first else merge(out, value)
        first = False
    return out


def merge_mappings(base: LDict, over: LDict) -> LDict:
    out = LDict(base.loc)
    for key, value in base.items():
        if key in over:
            out.put(key, merge(value, over[key]), over.where(key), over.key_where(key))
        else:
            out.put(key, value, base.where(key), base.key_where(key))
    for key, value in over.items():
        if key not in base:
            out.put(key, value, over.where(key), over.key_where(key))
    return out


def named(items: LList) -> bool:
    """Items all named, each name once: a list with a repeated name is replaced whole, so
    that the repetition survives for validation to report."""
    names = [item.get("name") if isinstance(item, LDict) else None for item in items]
    return bool(names) and all(isinstance(n, str) for n in names) and \
        len(set(names)) == len(names)


def merge_named_lists(base: LList, over: LList) -> LList:
    out = LList(base.loc)
    later = {item["name"]: (item, over.where(i)) for i, item in enumerate(over)}
    for index, item in enumerate(base):
        if item["name"] in later:
            newer, loc = later.pop(item["name"])
            out.add(merge(item, newer), loc)
        else:
            out.add(item, base.where(index))
    for index, item in enumerate(over):
        if item["name"] in later:
            out.add(item, over.where(index))
    return out
