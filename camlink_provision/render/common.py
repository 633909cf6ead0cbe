"""What the text and markdown views share: the totals sentence, error wording, value display.

Names and values come from inventories and from cameras, so any of them may hold a newline,
an escape sequence or a bidirectional-override character. ``printable`` neutralises those
before a view adds its own escaping; a reviewer must see what is there, never be misled by it.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterator
from json.encoder import encode_basestring

from camlink_provision.applied import ORIGIN_WORDS
from camlink_provision.model import (
    JSON,
    SENSITIVE,
    AttributeChange,
    CameraPlan,
    Change,
    Plan,
    Step,
)
from camlink_provision.order import PHASES

SYMBOLS = {"create": "+", "update": "~", "delete": "-"}
UNMANAGED_NOTE = "unmanaged, left alone; add prune: true to remove"

# What a reviewer can do about each kind of camera failure.
ERROR_HINTS = {
    "unreachable": "check the address or the camera's power",
    "unauthorized": "check the camera's credentials in the inventory",
    "refused": "the camera refused a request; check that its model and firmware support "
               "Camera Link",
    "protocol": "the camera's replies do not follow the firmware contract; check its model "
                "and firmware",
    "mismatch": "the camera is not what the inventory says; fix the inventory or the camera",
}
# Unicode categories that can hide or reorder text: controls, format (bidi overrides,
# zero-width), line and paragraph separators.
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def printable(text: str) -> str:
    """``text`` with every invisible or layout-changing character shown as ``\\uXXXX``."""
    if text.isprintable():
        # str.isprintable is False for every character of the hidden categories (and for
        # a few more, which the careful check below then lets through): one C call for
        # the common case instead of a lookup per character (issue 15).
        return text
    if all(unicodedata.category(c) not in _HIDDEN_CATEGORIES for c in text):
        return text
    return "".join(f"\\u{ord(c):04x}" if unicodedata.category(c) in _HIDDEN_CATEGORIES else c
                   for c in text)


def quoted(text: str) -> str:
    """A resource name in double quotes, so that spaces and empty names stay visible."""
    return '"' + printable(text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def value_text(value: JSON) -> str:
    """A JSON value on one line, keys sorted, as a reviewer would type it in YAML/JSON."""
    # Text and whole numbers are most of a plan's values: written as json.dumps writes
    # them, without its set-up per call (a third of the text of a 1,000-camera plan).
    if type(value) is str:
        return printable(encode_basestring(value))
    if type(value) is int:
        return str(value)
    return printable(json.dumps(value, sort_keys=True, ensure_ascii=False))


def attribute_sides(attr: AttributeChange) -> tuple[str, str]:
    """The before and after of one attribute as display text; sensitive ones are masked."""
    if attr.sensitive:
        return SENSITIVE, SENSITIVE
    return value_text(attr.before), value_text(attr.after)


def attribute_text(action: str, attr: AttributeChange, *, arrow: str = "->",
                   show: Callable[[str], str] = str) -> str:
    """``after`` for a create, ``before`` for a delete, else ``before -> after``.

    ``show`` dresses a displayed value (markdown sets it as code); never the mask, which is
    not a value the camera holds.
    """
    before, after = attribute_sides(attr)
    if not attr.sensitive:
        before, after = show(before), show(after)
    if action == "create":
        return after
    if action == "delete":
        return before
    return f"{before} {arrow} {after}"


def slot_text(slot: int | None) -> str:
    return "" if slot is None else f"slot {slot}"


def error_text(cam: CameraPlan) -> str:
    """Why a camera could not be planned, with what to do unless the message already says."""
    # A CameraError's text starts with the camera's name; the header already shows it.
    message = cam.error.removeprefix(f"{cam.camera}: ")
    kind = f"{cam.error_kind}: " if cam.error_kind else ""
    hint = ERROR_HINTS.get(cam.error_kind, "")
    advice = f" — {hint}" if hint and "—" not in message else ""
    return printable(f"{kind}{message}{advice}")


def camera_facts(cam: CameraPlan) -> list[str]:
    """Role, model and firmware, leaving out what is not known (a camera never read)."""
    facts = [cam.role, cam.model]
    if cam.firmware:
        facts.append(f"firmware {cam.firmware}")
    return [printable(f) for f in facts if f]


def has_news(cam: CameraPlan) -> bool:
    """Whether the camera has anything for a reviewer: changes, unmanaged, warnings, error."""
    return bool(cam.error or cam.changes or cam.unmanaged or cam.warnings)


def unmanaged_count(plan: Plan) -> int:
    return sum(len(cam.unmanaged) for cam in plan.cameras)


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def totals_sentence(plan: Plan) -> str:
    """The last line of the text view and the heading of the markdown view.

    ``Plan: 5 to create, 2 to update, 1 to delete; 1 camera failed; 3 unmanaged left alone.``
    A plan without changes says so, but never claims the cameras match when some failed.
    """
    totals = plan.totals()
    failed = len(plan.failed)
    if any(totals.values()):
        head = (f"Plan: {totals['create']} to create, {totals['update']} to update, "
                f"{totals['delete']} to delete")
    elif failed:
        head = "No changes for the cameras that could be read"
    else:
        head = "No changes. The cameras match the inventory"
    parts = [head]
    if failed:
        parts.append(_plural(failed, "camera failed", "cameras failed"))
    unmanaged = unmanaged_count(plan)
    if unmanaged:
        parts.append(f"{unmanaged} unmanaged left alone")
    return "; ".join(parts) + "."


def in_sync_sentence(plan: Plan) -> str:
    """How many cameras have nothing to report; empty when every camera was listed."""
    quiet = sum(1 for cam in plan.cameras if not has_news(cam))
    if not quiet or quiet == len(plan.cameras):
        return ""
    return _plural(quiet, "camera already matches", "cameras already match") + " the inventory."


ROTATION_HEADING = "Link accounts rotating (no link breaks: docs/apply.md):"


def rotation_sentences(plan: Plan) -> list[str]:
    """One per PTZ camera whose link account the run moves to another name."""
    return [f"{ptz}: its spotters move to account {quoted(account.username)}, then "
            + ", ".join(quoted(name) for name in account.retired) + " is removed"
            for ptz, account in plan.link_accounts.items() if account.retired]


def change_title(change: Change) -> str:
    """``preset "gate" (slot 3)``: kind, quoted name and slot of one change."""
    slot = slot_text(change.slot)
    return f"{change.kind} {quoted(change.name)}" + (f" ({slot})" if slot else "")


def run_order_heading(plan: Plan) -> str:
    """``Order of the run: 2 phases, 3 steps, 5 requests, sent exactly as listed.``"""
    phases = len({step.phase for step in plan.steps})
    requests = sum(len(step.requests) for step in plan.steps)
    return (f"Order of the run: {_plural(phases, 'phase', 'phases')}, "
            f"{_plural(len(plan.steps), 'step', 'steps')}, "
            f"{_plural(requests, 'request', 'requests')}, sent exactly as listed.")


def phases_of(plan: Plan) -> Iterator[tuple[str, list[Step]]]:
    """Each phase that has steps: ``phase 1 — PTZ side: ...`` and its steps in run order."""
    for phase, title in PHASES.items():
        steps = [step for step in plan.steps if step.phase == phase]
        if steps:
            yield f"phase {phase} — {title}", steps


def step_changes_text(plan: Plan, step: Step) -> str:
    """``+ preset "gate", - event "old"``: the step's changes in the order they run."""
    by_key = plan.change_by_key
    return ", ".join(f"{SYMBOLS[c.action]} {c.kind} {quoted(c.name)}"
                     for c in (by_key[key] for key in step.changes if key in by_key))


def step_requests_text(step: Step) -> str:
    """``2 requests: move, add_preset``: what apply sends for the step, in order."""
    count = _plural(len(step.requests), "request", "requests")
    calls = ", ".join(request.command.call for request in step.requests)
    return f"{count}: {calls}" if calls else count


def why_text(change: Change) -> str:
    """The reason a reviewer reads: who moved since the last apply (``applied``), then what
    differs — "changed on the camera since the last apply: pan differ from the inventory"."""
    words = ORIGIN_WORDS.get(change.origin, "")
    if words and change.reason:
        return f"{words}: {change.reason}"
    return words or change.reason
