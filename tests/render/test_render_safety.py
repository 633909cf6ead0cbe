"""No secret in any view, the same bytes every time, and the package's public names."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from render_plans import MARKER, hostile_plan, small_plan

import camlink_provision.render as render
from camlink_provision.firmware.commands import SetParams
from camlink_provision.model import Action, AttributeChange, CameraPlan, Change, Plan
from camlink_provision.render import FORMATS, Format, render_plan, save_plan
from camlink_provision.render.common import printable, value_text

VIEWS = [("text", False), ("text", True), ("markdown", False), ("json", False)]


def _secret_only_plan(change_action: Action) -> Plan:
    secret = AttributeChange("password", MARKER, MARKER + "-new", sensitive=True)
    change = Change("sp", "peer", "ptz", change_action, 0, (secret,),
                    (SetParams({"p": "(sensitive)"}, {"p": "ptz"}),))
    return Plan("s", (CameraPlan("sp", "spotter", changes=(change,)),))


@pytest.mark.parametrize(("fmt", "color"), VIEWS)
def test_a_sensitive_value_never_appears(fmt: Format, color: bool) -> None:
    out = render_plan(small_plan(), fmt, color=color)
    assert "(sensitive)" in out
    assert MARKER not in out


@pytest.mark.parametrize("action", ["create", "update", "delete"])
@pytest.mark.parametrize(("fmt", "color"), VIEWS)
def test_a_sensitive_value_never_appears_whatever_the_action(fmt: Format, color: bool,
                                                             action: Action) -> None:
    out = render_plan(_secret_only_plan(action), fmt, color=color)
    assert "(sensitive)" in out
    assert MARKER not in out


def test_a_saved_plan_file_holds_no_sensitive_value(tmp_path: Path) -> None:
    save_plan(small_plan(), tmp_path / "p.json")
    assert MARKER not in (tmp_path / "p.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("make", [small_plan, hostile_plan])
def test_the_same_plan_gives_the_same_bytes(fmt: Format, make: Callable[[], Plan]) -> None:
    # Two separately built, equal plans: nothing may depend on identity or on a second run.
    first, second = make(), make()
    assert first is not second
    assert render_plan(first, fmt) == render_plan(second, fmt) == render_plan(first, fmt)


def test_key_order_of_values_does_not_change_the_output() -> None:
    def plan(value: dict[str, int]) -> Plan:
        change = Change("c", "preset", "p", "create", 1, (AttributeChange("pos", None, value),),
                        (SetParams(value),))
        return Plan("s", (CameraPlan("c", "ptz", changes=(change,)),))

    for fmt in FORMATS:
        assert render_plan(plan({"pan": 1, "tilt": 2}), fmt) == (
            render_plan(plan({"tilt": 2, "pan": 1}), fmt))


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="choose one of text, markdown, json"):
        render_plan(small_plan(), "yaml")  # type: ignore[arg-type]


def test_public_names_are_exported() -> None:
    assert sorted(render.__all__) == ["FORMATS", "Format", "load_plan", "render_plan",
                                      "save_plan"]
    assert all(hasattr(render, name) for name in render.__all__)


@pytest.mark.parametrize(("text", "shown"), [
    ("gate 1", "gate 1"),
    ("Tor Süd", "Tor Süd"),
    ("a\u200bb", "a\\u200bb"),  # zero-width space (Cf)
    ("a\tb", "a\\u0009b"),
    ("a\u2028b", "a\\u2028b"),  # line separator
    ("a\u00a0b", "a\u00a0b"),  # a no-break space is visible as a space: kept
])
def test_printable_shows_hidden_characters_only(text: str, shown: str) -> None:
    from camlink_provision.render.common import printable
    assert printable(text) == shown


@pytest.mark.parametrize("value", [
    "", "gate", 'a "quoted" \\ name', "line\nbreak", "nul\x00", "sep\u2028", "del\x7f",
    "zero\u200bwidth", "é", 0, -5, 10**20, True, False, None, 1.5, [1, "x"],
    {"b": 1, "a": [2, "\x1b[31m"]}])
def test_a_value_reads_as_its_json_with_hidden_characters_shown(value: object) -> None:
    """Text and whole numbers take a shortcut past json.dumps: the same text all the same."""
    assert value_text(value) == printable(json.dumps(value, sort_keys=True,
                                                     ensure_ascii=False))
