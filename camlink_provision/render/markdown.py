"""The plan as a pull-request comment: totals, failed cameras, a table per camera, the links.

Every name and value is escaped for where it lands: markdown text and table cells
(``md_text``: pipes, emphasis, brackets, HTML, @mentions), and mermaid labels
(``mermaid_label``: anything but letters, digits and plain punctuation as ``#NNN;`` entity
codes, which mermaid decodes). Mermaid node ids are generated (``n0``, ``n1``, ...) so a
camera name never reaches mermaid syntax outside a quoted label.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence

from camlink_provision.model import JSON, AttributeChange, CameraPlan, Change, Plan, Unmanaged
from camlink_provision.render.common import (
    ROTATION_HEADING,
    attribute_text,
    camera_facts,
    error_text,
    has_news,
    in_sync_sentence,
    phases_of,
    printable,
    rotation_sentences,
    run_order_heading,
    step_changes_text,
    step_requests_text,
    totals_sentence,
    why_text,
)

TABLE_HEADER = ("| phase | action | kind | name | slot | attribute changes | why |\n"
                "|--:|---|---|---|--:|---|---|")
RUN_ORDER_HEADER = "| phase | camera | changes, in order | requests |\n|--:|---|---|---|"
LEGEND = ("Solid arrow: link this plan leaves as it is. Dashed orange arrow: link this plan "
          "adds or changes. Red arrow ending in a cross, labelled removed: link this plan "
          "takes away. Square box: spotter; rounded box: PTZ camera; red border: camera that "
          "could not be planned.")
CHANGED_EDGE_STYLE = "stroke:#d97706,stroke-width:2px"
REMOVED_EDGE_STYLE = "stroke:#dc2626,stroke-width:2px,stroke-dasharray:4 4"
# status -> (mermaid arrow, label prefix); a plan file without status reads its "changed"
ARROWS = {"unchanged": ("-->", ""), "added": ("-.->", "added: "),
          "changed": ("-.->", ""), "removed": ("--x", "removed: ")}
FAILED_NODE_STYLE = "stroke:#dc2626,stroke-width:3px"
# Above this many links, the graph draws only those the plan touches (a site of a thousand
# cameras is otherwise a hairball no reviewer reads); the per-camera tables list them all.
LEGIBLE_LINKS = 120
UNMANAGED_HEADING = "Unmanaged, left alone (add `prune: true` to remove):"
_MD_SPECIAL = frozenset("\\`*_[]|~@!#")
_MERMAID_PLAIN = frozenset(" _.,:/+=-")


def render_markdown(plan: Plan) -> str:
    sections = [_heading(plan), _failed_section(plan)]
    sections += [_camera_section(cam) for cam in plan.cameras
                 if has_news(cam) and not cam.error]
    sections += [_rotation_section(plan), in_sync_sentence(plan), _run_order_section(plan),
                 _links_section(plan)]
    return "\n\n".join(s for s in sections if s) + "\n"


# ---------------------------------------------------------------------------------------------
# Escaping.


def md_text(text: str) -> str:
    """``text`` safe in markdown prose and table cells: it renders as exactly itself."""
    escaped = html.escape(printable(text), quote=False)
    return "".join(f"\\{c}" if c in _MD_SPECIAL else c for c in escaped)


def md_code(value: str) -> str:
    # <code> rather than backticks: a backtick in the value cannot end it, and `\|` still
    # works inside a table cell.
    return f"<code>{md_text(value)}</code>"


def mermaid_label(text: str) -> str:
    """``text`` for inside a double-quoted mermaid label, every special character encoded."""
    return "".join(c if c.isalnum() or c in _MERMAID_PLAIN else f"#{ord(c)};"
                   for c in printable(text))


# ---------------------------------------------------------------------------------------------
# Totals, failures, cameras.


def _heading(plan: Plan) -> str:
    return f"## camlink-provision plan for {md_text(plan.site)}\n\n**{totals_sentence(plan)}**"


def _failed_section(plan: Plan) -> str:
    if not plan.failed:
        return ""
    count = len(plan.failed)
    lines = ["> [!CAUTION]",
             f"> {count} {'camera' if count == 1 else 'cameras'} could not be planned; "
             "this plan does not cover "
             f"{'it' if count == 1 else 'them'}. Fix the cause and plan again."]
    for cam in plan.failed:
        lines.append(f"> - **{md_text(cam.camera)}** ({md_text(cam.role)}): "
                     f"{md_text(error_text(cam))}")
        lines += [f">   - warning: {md_text(w)}" for w in cam.warnings]
        lines += [f">   - unmanaged, left alone: {_unmanaged_text(u)}" for u in cam.unmanaged]
    return "\n".join(lines)


def _camera_section(cam: CameraPlan) -> str:
    parts = [f"### {md_text(cam.camera)}\n\n{md_text(', '.join(camera_facts(cam)))}"]
    if cam.changes:
        parts.append("\n".join([TABLE_HEADER, *(_change_row(c) for c in cam.changes)]))
    else:
        parts.append("No changes.")
    if cam.unmanaged:
        parts.append("\n".join([UNMANAGED_HEADING,
                                *(_unmanaged_item(u) for u in cam.unmanaged)]))
    if cam.warnings:
        parts.append("\n".join(["Warnings:", *(f"- {md_text(w)}" for w in cam.warnings)]))
    return "\n\n".join(parts)


def _change_row(change: Change) -> str:
    slot = "" if change.slot is None else str(change.slot)
    attributes = "<br>".join(_attribute_cell(change.action, a) for a in change.attributes)
    cells = [str(change.phase), f"**{change.action}**", change.kind, md_text(change.name),
             slot, attributes, md_text(why_text(change))]
    return "| " + " | ".join(cells) + " |"


def _attribute_cell(action: str, attr: AttributeChange) -> str:
    shown = attribute_text(action, attr, arrow="→", show=md_code)
    return f"{md_text(attr.name)}: {shown}"


def _unmanaged_item(item: Unmanaged) -> str:
    return f"- {_unmanaged_text(item)}"


def _unmanaged_text(item: Unmanaged) -> str:
    slot = "" if item.slot is None else f" (slot {item.slot})"
    return f"{item.kind} {md_text(item.name)}{slot}"


def _rotation_section(plan: Plan) -> str:
    lines = rotation_sentences(plan)
    if not lines:
        return ""
    return "\n".join([md_text(ROTATION_HEADING), "", *(f"- {md_text(line)}" for line in lines)])


def _run_order_section(plan: Plan) -> str:
    if not plan.steps:
        return ""
    rows = [f"| {step.phase} | {md_text(step.camera)} | {md_text(step_changes_text(plan, step))} "
            f"| {md_text(step_requests_text(step))} |"
            for _, steps in phases_of(plan) for step in steps]
    phases = "; ".join(md_text(title) for title, _ in phases_of(plan))
    return "\n\n".join([f"### Order of the run\n\n{md_text(run_order_heading(plan))}",
                        f"Phases: {phases}.", "\n".join([RUN_ORDER_HEADER, *rows])])


# ---------------------------------------------------------------------------------------------
# The link topology.


def _links_section(plan: Plan) -> str:
    if not plan.links:
        return ""
    drawn = drawn_links(plan)
    body = "\n".join(f"    {line}" for line in mermaid_lines(plan, drawn))
    left_out = len(plan.links) - len(drawn)
    note = (f"\n\n{left_out} of {len(plan.links)} links this plan leaves as they are are not "
            f"drawn (more than {LEGIBLE_LINKS} links); the graph shows only what changes."
            if left_out else "")
    return f"### Link topology\n\n```mermaid\ngraph LR\n{body}\n```\n\n{LEGEND}{note}"


def drawn_links(plan: Plan) -> list[Mapping[str, JSON]]:
    """Every link; on a site of more than ``LEGIBLE_LINKS``, only those the plan touches."""
    if len(plan.links) <= LEGIBLE_LINKS:
        return list(plan.links)
    return [link for link in plan.links if _status(link) != "unchanged"]


def _status(link: Mapping[str, JSON]) -> str:
    return str(link.get("status", "changed" if link.get("changed") else "unchanged"))


def node_areas(links: Sequence[Mapping[str, JSON]]) -> dict[str, str]:
    """Camera -> its area: a spotter's as its links say; a PTZ's, the area calling it most
    (the first of those on a tie)."""
    areas: dict[str, str] = {}
    calls: dict[str, Counter[str]] = {}
    for link in links:
        spotter, ptz = str(link.get("spotter", "")), str(link.get("ptz", ""))
        area = str(link.get("area", ""))
        areas.setdefault(spotter, area)
        calls.setdefault(ptz, Counter())[area] += 1
    for ptz, counter in calls.items():
        if ptz not in areas:
            areas[ptz] = counter.most_common(1)[0][0]
    return areas


def mermaid_lines(plan: Plan, links: Sequence[Mapping[str, JSON]] | None = None
                  ) -> Iterator[str]:
    """Nodes in order of first appearance (in a box per area when there are several), then
    one edge per link target, then styles."""
    links = list(plan.links) if links is None else list(links)
    roles = {cam.camera: cam.role for cam in plan.cameras}
    ids: dict[str, str] = {}
    nodes: dict[str, list[str]] = {}  # area -> node lines, in order of first appearance
    areas = node_areas(links)
    for link in links:
        for name, role in ((str(link.get("spotter", "")), "spotter"),
                           (str(link.get("ptz", "")), "ptz")):
            if name not in ids:
                ids[name] = f"n{len(ids)}"
                nodes.setdefault(areas.get(name, ""), []).append(
                    _node(ids[name], name, roles.get(name, role)))
    if len(nodes) > 1 or "" not in nodes:
        for index, (area, lines) in enumerate(nodes.items()):
            yield f'subgraph a{index}["{mermaid_label(area or "other")}"]'
            yield from (f"    {line}" for line in lines)
            yield "end"
    else:
        yield from nodes[""]
    styled: dict[str, list[int]] = {CHANGED_EDGE_STYLE: [], REMOVED_EDGE_STYLE: []}
    for index, link in enumerate(links):
        status = _status(link)
        arrow, prefix = ARROWS.get(status, ARROWS["changed"])
        if status != "unchanged":
            style = REMOVED_EDGE_STYLE if status == "removed" else CHANGED_EDGE_STYLE
            styled[style].append(index)
        label = mermaid_label(prefix + edge_label(link))
        yield (f'{ids[str(link.get("spotter", ""))]} {arrow}|"{label}"| '
               f'{ids[str(link.get("ptz", ""))]}')
    for style, indexes in styled.items():
        if indexes:
            yield f"linkStyle {','.join(map(str, indexes))} {style}"
    failed = [ids[cam.camera] for cam in plan.failed if cam.camera in ids]
    if failed:
        yield f"classDef failed {FAILED_NODE_STYLE}"
        yield f"class {','.join(failed)} failed"


def _node(node_id: str, name: str, role: str) -> str:
    label = mermaid_label(name)
    return f'{node_id}("{label}")' if role == "ptz" else f'{node_id}["{label}"]'


def edge_label(link: Mapping[str, JSON]) -> str:
    """``event: preset gate, rule intruder, DO 5s`` — what the PTZ camera does, and when."""
    actions = []
    if link.get("preset"):
        actions.append(f"preset {link['preset']}")
    if link.get("track_rule"):
        actions.append(f"rule {link['track_rule']}")
    do = link.get("do")
    if do:
        actions.append(f"DO {do}s" if isinstance(do, int) and not isinstance(do, bool) else "DO")
    event = str(link.get("event", ""))
    return f"{event}: {', '.join(actions)}" if actions else event
