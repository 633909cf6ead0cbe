"""The plan as a reviewer reads it in a terminal, in the spirit of ``terraform plan``.

    Site: construction-site

    ptz-north (ptz, SD9364-EHL, firmware 2.2103.34.01d)
      + preset "gate" (slot 3) — new in inventory
          pan: 120
      ~ peer "ptz-north" (slot 1) — link test refused
          password: (sensitive) -> (sensitive)
      = event "old-test" (slot 4) — unmanaged, left alone; add prune: true to remove
      ! warning: ...

    spotter-gate (spotter): unreachable: connection refused — check the address or ...

    Order of the run: 1 phase, 1 step, 2 requests, sent exactly as listed.
      phase 1 — accounts, and the PTZ side: presets and tracking rules
          ptz-north: + preset "gate", ~ peer "ptz-north" (2 requests: move, add_preset)

    Plan: 1 to create, 1 to update, 0 to delete; 1 camera failed; 1 unmanaged left alone.

Cameras with nothing to report are counted, not listed: a site of a thousand cameras with
two changes reads in two screens. Each line is built as styled spans and only turned into
ANSI sequences when ``color`` is set, so the plain form is the same text without escapes.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.color import ColorSystem
from rich.style import Style

from camlink_provision.model import CameraPlan, Change, Plan, Unmanaged
from camlink_provision.render.common import (
    ROTATION_HEADING,
    SYMBOLS,
    UNMANAGED_NOTE,
    attribute_text,
    camera_facts,
    change_title,
    error_text,
    has_news,
    in_sync_sentence,
    phases_of,
    printable,
    quoted,
    rotation_sentences,
    run_order_heading,
    slot_text,
    step_changes_text,
    step_requests_text,
    totals_sentence,
    why_text,
)

Span = tuple[str, str]  # (text, rich style; "" for none)
Line = list[Span]

ACTION_STYLES = {"create": "green", "update": "yellow", "delete": "red"}
CHANGE_INDENT = "  "
ATTRIBUTE_INDENT = "      "


def render_text(plan: Plan, *, color: bool = False) -> str:
    """The whole plan as text; ANSI colour only when ``color`` (the caller checks isatty)."""
    return "".join(_line_text(line, color) + "\n" for line in plan_lines(plan))


def plan_lines(plan: Plan) -> Iterator[Line]:
    yield [(f"Site: {printable(plan.site)}", "bold")]
    for cam in plan.cameras:
        if has_news(cam):
            yield []
            yield from camera_lines(cam)
    yield []
    rotations = rotation_sentences(plan)
    if rotations:
        yield [(ROTATION_HEADING, "bold")]
        yield from ([(f"{CHANGE_INDENT}{printable(line)}", "")] for line in rotations)
        yield []
    in_sync = in_sync_sentence(plan)
    if in_sync:
        yield [(in_sync, "")]
    if plan.steps:
        if in_sync:
            yield []
        yield from run_order_lines(plan)
        yield []
    yield [(totals_sentence(plan), "bold")]


def run_order_lines(plan: Plan) -> Iterator[Line]:
    """The steps apply runs, phase by phase: the order a reviewer approves."""
    yield [(run_order_heading(plan), "bold")]
    for title, steps in phases_of(plan):
        yield [(f"{CHANGE_INDENT}{title}", "")]
        for step in steps:
            yield [(f"{ATTRIBUTE_INDENT}{printable(step.camera)}: ", ""),
                   (step_changes_text(plan, step), ""),
                   (f" ({step_requests_text(step)})", "")]


def camera_lines(cam: CameraPlan) -> Iterator[Line]:
    facts = ", ".join(camera_facts(cam))
    header = printable(cam.camera) + (f" ({facts})" if facts else "")
    if cam.error:
        yield [(header, "bold"), (": ", ""), (error_text(cam), "red")]
    else:
        yield [(header, "bold")]
    for change in cam.changes:
        yield from change_lines(change)
    for item in cam.unmanaged:
        yield unmanaged_line(item)
    for warning in cam.warnings:
        yield [(CHANGE_INDENT, ""), (f"! warning: {printable(warning)}", "yellow")]


def change_lines(change: Change) -> Iterator[Line]:
    style = ACTION_STYLES[change.action]
    why = why_text(change)
    reason = f" — {printable(why)}" if why else ""
    yield [(CHANGE_INDENT, ""), (f"{SYMBOLS[change.action]} {change_title(change)}", style),
           (reason, "")]
    for attr in change.attributes:
        yield [(f"{ATTRIBUTE_INDENT}{printable(attr.name)}: "
                f"{attribute_text(change.action, attr)}", "")]


def unmanaged_line(item: Unmanaged) -> Line:
    slot = slot_text(item.slot)
    where = f" ({slot})" if slot else ""
    return [(f"{CHANGE_INDENT}= {item.kind} {quoted(item.name)}{where} — {UNMANAGED_NOTE}", "")]


def _line_text(line: Line, color: bool) -> str:
    if not color:
        return "".join(text for text, _ in line)
    return "".join(_styled(text, style) for text, style in line)


def _styled(text: str, style: str) -> str:
    if not style or not text:
        return text
    # Standard 8 colours: every terminal has them, and the bytes do not depend on the
    # environment (rich's Console would consult TERM/NO_COLOR; the caller already decided).
    return Style.parse(style).render(text, color_system=ColorSystem.STANDARD)
