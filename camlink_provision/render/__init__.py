"""Plan -> text | markdown | json. Pure functions of the Plan: nothing here prints or reads a
camera, and the same Plan always gives the same bytes.

    render_plan(plan, "text", color=isatty)   the terminal summary (``render/text.py``)
    render_plan(plan, "markdown")             a pull-request comment with a mermaid link graph
    render_plan(plan, "json")                 the plan file; ``save_plan`` writes the same bytes
    load_plan(path)                           a saved plan, checked against the schema

No view shows a secret: sensitive attributes render as ``(sensitive)`` only.
"""

from __future__ import annotations

from typing import Literal

from camlink_provision.model import Plan
from camlink_provision.render.json_view import load_plan, render_json, save_plan
from camlink_provision.render.markdown import render_markdown
from camlink_provision.render.text import render_text

Format = Literal["text", "markdown", "json"]
FORMATS: tuple[Format, ...] = ("text", "markdown", "json")

__all__ = ["FORMATS", "Format", "load_plan", "render_plan", "save_plan"]


def render_plan(plan: Plan, fmt: Format, *, color: bool = False) -> str:
    """The plan in ``fmt``; ``color`` (ANSI, for a terminal) applies to text only."""
    if fmt == "text":
        return render_text(plan, color=color)
    if fmt == "markdown":
        return render_markdown(plan)
    if fmt == "json":
        return render_json(plan)
    raise ValueError(f"unknown plan format {fmt!r}; choose one of {', '.join(FORMATS)}")
