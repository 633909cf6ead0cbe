"""Which attributes differ: scalars told apart directly, containers by deepdiff, a type change
always a change."""

from __future__ import annotations

from typing import Any

import pytest

from camlink_provision.resources.base import attribute_changes, changed_keys, view_changes

NAN = float("nan")


@pytest.mark.parametrize(("old", "new", "expected"), [
    ({"a": 1, "b": "x"}, {"a": 1, "b": "x"}, set()),
    ({"a": 1, "b": "x"}, {"a": 2, "b": "x"}, {"a"}),
    ({"a": 1}, {"a": True}, {"a"}),  # equal to Python, not the same setting
    ({"a": 1}, {"a": 1.0}, {"a"}),
    ({"a": "1"}, {"a": 1}, {"a"}),
    ({"a": None}, {"a": 0}, {"a"}),
    ({"a": [[0, 0], [1, 1]]}, {"a": [[0, 0], [1, 1]]}, set()),
    ({"a": [[0, 0], [1, 1]]}, {"a": [[0, 0], [1, 2]]}, {"a"}),
    ({"a": [1, 2]}, {"a": [1, True]}, {"a"}),  # a type change inside equal-looking lists
    ({"a": {"x": 1}}, {"a": {"x": 1}}, set()),
    ({"a": None}, {"a": {"x": 1}}, {"a"}),
    ({"a": NAN}, {"a": NAN}, set()),  # the same object, as deepdiff sees it
    ({"a": NAN}, {"a": float("nan")}, {"a"}),
])
def test_changed_keys(old: dict[str, Any], new: dict[str, Any], expected: set[str]) -> None:
    assert changed_keys(old, new) == expected


def test_attribute_changes_keep_the_wanted_order_and_compare_a_missing_key_as_none() -> None:
    changes = attribute_changes({"b": 2, "a": 1, "c": None}, {"a": 0, "b": 2})
    assert [(c.name, c.before, c.after) for c in changes] == [("a", 0, 1)]
    changes = attribute_changes({"b": 3, "a": 1}, {"a": 0})
    assert [c.name for c in changes] == ["b", "a"]


def test_view_changes_show_keys_either_view_lacks() -> None:
    changes = view_changes({"x": 1, "gone": "y"}, {"x": 1, "new": [1]})
    assert [(c.name, c.before, c.after) for c in changes] == [("new", None, [1]),
                                                            ("gone", "y", None)]
