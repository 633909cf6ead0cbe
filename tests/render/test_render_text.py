from __future__ import annotations

import re
from pathlib import Path

from render_plans import FINGERPRINT, Golden, empty_plan, hostile_plan, small_plan

from camlink_provision.model import AttributeChange, CameraPlan, Plan, Unmanaged
from camlink_provision.render import render_plan
from camlink_provision.render.common import attribute_text, totals_sentence

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_small_plan_reads_as_the_golden_text(golden: Golden) -> None:
    golden("small_plan.txt", render_plan(small_plan(), "text"))


def test_an_empty_plan_says_the_cameras_match() -> None:
    assert render_plan(empty_plan(), "text") == (
        "Site: quiet-site\n\nNo changes. The cameras match the inventory.\n")


def test_a_plan_without_changes_but_with_a_failure_does_not_claim_a_match() -> None:
    plan = Plan("s", (CameraPlan("a", "ptz", error="timed out", error_kind="unreachable"),
                      CameraPlan("b", "ptz", error="401", error_kind="unauthorized")))
    assert totals_sentence(plan) == ("No changes for the cameras that could be read; "
                                     "2 cameras failed.")


def test_unmanaged_alone_is_counted_beside_no_changes() -> None:
    plan = Plan("s", (CameraPlan("a", "ptz", unmanaged=(Unmanaged("a", "preset", "x", 4),)),))
    assert totals_sentence(plan) == (
        "No changes. The cameras match the inventory; 1 unmanaged left alone.")


def test_failed_camera_header_says_why_and_what_to_do() -> None:
    text = render_plan(small_plan(), "text")
    assert ("ptz-east (ptz, SD9364-EHL): unreachable: connection refused — check the address "
            "or the camera's power\n") in text


def test_an_error_that_already_says_what_to_do_gets_no_second_hint() -> None:
    cam = CameraPlan("a", "ptz", error="model SD9368 — fix the inventory's model",
                     error_kind="mismatch")
    text = render_plan(Plan("s", (cam,)), "text")
    assert "a (ptz): mismatch: model SD9368 — fix the inventory's model\n" in text


def test_cameras_in_sync_are_counted_not_listed() -> None:
    text = render_plan(small_plan(), "text")
    assert "ptz-south" not in text
    assert "1 camera already matches the inventory.\n" in text


def test_create_shows_after_delete_shows_before_update_shows_both() -> None:
    attr = AttributeChange("pan", 10, 20)
    assert attribute_text("create", attr) == "20"
    assert attribute_text("delete", attr) == "10"
    assert attribute_text("update", attr) == "10 -> 20"
    assert attribute_text("update", AttributeChange("pw", "x", "y", sensitive=True)) == (
        "(sensitive) -> (sensitive)")


def test_values_are_shown_as_json_with_sorted_keys() -> None:
    attr = AttributeChange("field", None, {"b": [1, 2], "a": "x"})
    assert attribute_text("create", attr) == '{"a": "x", "b": [1, 2]}'


def test_colour_marks_actions_and_failures_only_when_asked() -> None:
    plain = render_plan(small_plan(), "text")
    coloured = render_plan(small_plan(), "text", color=True)
    assert "\x1b" not in plain
    assert "\x1b[32m+ preset" in coloured  # green create
    assert "\x1b[33m~ peer" in coloured  # yellow update
    assert "\x1b[31m- event" in coloured  # red delete
    assert "\x1b[31munreachable:" in coloured  # red failure
    assert ANSI.sub("", coloured) == plain


def test_hostile_names_cannot_add_lines_or_reorder_text() -> None:
    text = render_plan(hostile_plan(), "text", color=True)
    plain = ANSI.sub("", text)
    assert "\x1b" not in plain  # the only escape sequences are our colours
    assert "\u202e" not in text
    assert "k\\u000al\\u202em" in plain  # shown, not obeyed
    # site, blank, header, change, attribute, unmanaged, warning, blank, failed, blank, the
    # order of the run (heading, phase, step), blank, totals: a newline smuggled in a name
    # would add a line.
    assert len(plain.splitlines()) == 15


def test_slotless_resources_show_no_slot() -> None:
    plan = Plan("s", (CameraPlan("p", "ptz", fingerprint=FINGERPRINT,
                                 unmanaged=(Unmanaged("p", "tracking_rule", "r", None),)),))
    assert '  = tracking_rule "r" — unmanaged, left alone; add prune: true to remove\n' in (
        render_plan(plan, "text"))


def test_the_documented_example_is_what_the_renderer_prints() -> None:
    doc = Path(__file__).parents[2] / "docs" / "plan-format.md"
    assert render_plan(small_plan(), "text") in doc.read_text(encoding="utf-8")


def test_a_camera_error_does_not_repeat_the_camera_name() -> None:
    # CameraError texts read "camera: message (request)"; the header already names it.
    cam = CameraPlan("ptz-9", "ptz", error="ptz-9: connection refused (GET /cgi-bin/x.cgi)",
                     error_kind="unreachable")
    assert "ptz-9 (ptz): unreachable: connection refused (GET /cgi-bin/x.cgi) — check" in (
        render_plan(Plan("s", (cam,)), "text"))
