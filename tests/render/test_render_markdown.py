from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from render_plans import HOSTILE, Golden, empty_plan, hostile_plan, small_plan

from camlink_provision.inventory.loader import load_site
from camlink_provision.model import CameraPlan, Plan, Unmanaged
from camlink_provision.plan import link_topology
from camlink_provision.render import render_plan
from camlink_provision.render.markdown import REMOVED_EDGE_STYLE, edge_label, md_text, mermaid_label


def _mermaid(markdown: str) -> list[str]:
    block = markdown.split("```mermaid\n", 1)[1].split("\n```", 1)[0]
    return [line.strip() for line in block.splitlines()]


def _table_rows(markdown: str) -> list[str]:
    # Change rows: phase, then the action in bold (the run-order table has no bold cell).
    return [line for line in markdown.splitlines() if re.match(r"\| \d \| \*\*", line)]


def _cells(row: str) -> list[str]:
    # Split on pipes that are not escaped: what a markdown table parser does.
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_small_plan_reads_as_the_golden_markdown(golden: Golden) -> None:
    golden("small_plan.md", render_plan(small_plan(), "markdown"))


def test_heading_carries_the_totals() -> None:
    md = render_plan(small_plan(), "markdown")
    assert md.startswith("## camlink-provision plan for construction-site\n\n**Plan: 1 to "
                         "create, 1 to update, 1 to delete; 1 camera failed; "
                         "2 unmanaged left alone.**\n")


def test_a_table_per_camera_with_changes() -> None:
    md = render_plan(small_plan(), "markdown")
    rows = _table_rows(md)
    assert [_cells(r)[:5] for r in rows] == [
        ["1", "**create**", "preset", "gate", "3"],
        ["2", "**delete**", "event", "old-alarm", "2"],
        ["2", "**update**", "peer", "ptz-north", "1"]]
    assert _cells(rows[2])[5] == ('address: <code>"192.0.2.5:80"</code> → '
                                  '<code>"192.0.2.6:8080"</code><br>username: '
                                  '<code>"camlink"</code> → <code>"link-operator"</code>'
                                  "<br>password: (sensitive) → (sensitive)")
    assert md.count("### ") == 4  # ptz-north, spotter-gate, the order of the run, the links


def test_the_order_of_the_run_is_a_table_of_steps_phase_by_phase() -> None:
    md = render_plan(small_plan(), "markdown")
    section = md[md.index("### Order of the run"):md.index("### Link topology")]
    rows = [_cells(line) for line in section.splitlines() if re.match(r"\| \d \|", line)]
    assert rows == [["1", "ptz-north", '+ preset "gate"', "2 requests: move, add\\_preset"],
                    ["2", "spotter-gate", '- event "old-alarm", \\~ peer "ptz-north"',
                     "1 request: setparam"]]


def test_failed_cameras_are_called_out_before_the_tables() -> None:
    md = render_plan(small_plan(), "markdown")
    caution = md.index("> [!CAUTION]")
    assert caution < md.index("### ptz-north")
    assert ("> - **ptz-east** (ptz): unreachable: connection refused — check the address or "
            "the camera's power\n") in md


def test_links_become_mermaid_edges_with_changed_ones_dashed_and_styled() -> None:
    lines = _mermaid(render_plan(small_plan(), "markdown"))
    assert lines == [
        "graph LR",
        'n0["spotter-gate"]',
        'n1("ptz-north")',
        'n2("ptz-east")',
        'n0 -.->|"gate-open: preset gate"| n1',
        'n0 -->|"gate-open: rule intruder, DO 5s"| n2',
        "linkStyle 0 stroke:#d97706,stroke-width:2px",
        "classDef failed stroke:#dc2626,stroke-width:3px",
        "class n2 failed",
    ]


def test_the_graph_has_a_legend() -> None:
    md = render_plan(small_plan(), "markdown")
    assert "Dashed orange arrow: link this plan adds or changes." in md
    assert "labelled removed: link this plan takes away." in md


def test_a_removed_link_is_a_red_crossed_edge_and_an_unchanged_one_solid() -> None:
    plan = small_plan()
    removed = {**plan.links[0], "status": "removed", "changed": True, "preset": None}
    md = render_plan(replace(plan, links=(*plan.links, removed)), "markdown")
    lines = _mermaid(md)
    assert 'n0 --x|"removed: gate-open"| n1' in lines
    assert 'n0 -->|"gate-open: rule intruder, DO 5s"| n2' in lines  # unchanged: solid
    assert f"linkStyle 2 {REMOVED_EDGE_STYLE}" in lines


def test_edge_label_names_event_and_every_action() -> None:
    link = {"event": "e", "preset": "p", "track_rule": "r", "do": 3}
    assert edge_label(link) == "e: preset p, rule r, DO 3s"
    assert edge_label({"event": "e", "preset": None}) == "e"


def test_a_plan_without_links_has_no_graph() -> None:
    md = render_plan(empty_plan(), "markdown")
    assert "mermaid" not in md
    assert md == ("## camlink-provision plan for quiet-site\n\n"
                  "**No changes. The cameras match the inventory.**\n")


def test_pipes_in_names_cannot_add_table_cells() -> None:
    md = render_plan(hostile_plan(), "markdown")
    rows = _table_rows(md)
    assert len(rows) == 1
    assert len(_cells(rows[0])) == 7


def test_hostile_names_are_escaped_for_markdown() -> None:
    escaped = md_text('a|b*c_d[e]`f<g>&@team\n')
    assert escaped == "a\\|b\\*c\\_d\\[e\\]\\`f&lt;g&gt;&amp;\\@team\\\\u000a"


def test_hostile_names_cannot_close_the_code_fence_or_a_mermaid_label() -> None:
    md = render_plan(hostile_plan(), "markdown")
    assert HOSTILE not in md
    assert md.count("```") == 2  # the fence we opened and the one we closed
    for line in _mermaid(md)[1:]:
        labels = re.findall(r'"([^"]*)"', line)
        assert all(re.fullmatch(r"[\w .,:/+=#;-]*", label) for label in labels), line
        assert line.count('"') in (0, 2, 4), line


def test_mermaid_labels_encode_quotes_brackets_and_pipes() -> None:
    assert mermaid_label('say "hi" [x] | y') == "say #34;hi#34; #91;x#93; #124; y"


def test_a_failed_camera_without_links_is_only_in_the_callout() -> None:
    plan = Plan("s", (CameraPlan("lost", "ptz", error="timed out", error_kind="unreachable"),))
    md = render_plan(plan, "markdown")
    assert "### lost" not in md
    assert "> - **lost** (ptz): unreachable: timed out" in md


def test_a_failed_camera_lists_its_warnings_and_unmanaged_slots_in_the_callout() -> None:
    cam = CameraPlan("sp", "spotter", error="cannot hold 9 events", error_kind="mismatch",
                     unmanaged=(Unmanaged("sp", "event", "old", 7),), warnings=("w1",))
    md = render_plan(Plan("s", (cam,)), "markdown")
    assert ">   - warning: w1\n>   - unmanaged, left alone: event old (slot 7)\n" in md


def _link(spotter: str, ptz: str, area: str, status: str = "unchanged") -> dict[str, object]:
    return {"link": f"{spotter}-{ptz}", "spotter": spotter, "event": "motion", "ptz": ptz,
            "preset": "p", "track_rule": None, "do": None, "changed": status != "unchanged",
            "status": status, "area": area}


def test_each_area_is_a_box_and_a_ptz_sits_where_it_is_called_most() -> None:
    links = (_link("gate-1", "ptz-gate", "gates"), _link("gate-2", "ptz-gate", "gates"),
             _link("yard-1", "ptz-gate", "yard"), _link("yard-1", "ptz-yard", "yard"))
    lines = _mermaid(render_plan(replace(small_plan(), links=links), "markdown"))
    assert lines[:9] == [
        "graph LR",
        'subgraph a0["gates"]', 'n0["gate-1"]', 'n1("ptz-gate")', 'n2["gate-2"]', "end",
        'subgraph a1["yard"]', 'n3["yard-1"]', 'n4("ptz-yard")',
    ]
    assert lines[9] == "end"
    assert 'n3 -->|"motion: preset p"| n1' in lines  # across the boxes


def test_a_large_site_draws_only_the_links_the_plan_touches() -> None:
    links = tuple(_link(f"s{i}", f"p{i}", f"area{i % 7}") for i in range(300))
    touched = (_link("s5", "p5", "area5", "changed"), _link("s9", "p9", "area2", "removed"))
    md = render_plan(replace(small_plan(), links=links + touched), "markdown")
    edges = [line for line in _mermaid(md) if "|" in line]
    assert len(edges) == 2
    assert "300 of 302 links this plan leaves as they are are not drawn" in md


def test_the_construction_site_is_drawn_by_area() -> None:
    site = load_site([Path(__file__).resolve().parents[2] / "inventories" /
                      "construction-site"], offline=True).site
    areas = {str(e["spotter"]): e["area"] for e in link_topology(site, site.cameras, ())}
    assert areas == {"gate-north-spotter": "gate_spotters",
                     "gate-south-spotter": "gate_spotters",
                     "fence-east-spotter": "fence_spotters",
                     "fence-west-spotter": "fence_spotters", "yard-spotter": "yard"}
