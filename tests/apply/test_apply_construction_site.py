"""The flagship inventory, loaded as an operator would, applied to a factory-fresh fleet."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from apply_kit import all_passwords, writes

from camlink_provision.apply import apply_plan
from camlink_provision.apply.events import fan_out
from camlink_provision.apply.journaling import journal_sink
from camlink_provision.apply.progress import PlainProgress
from camlink_provision.apply.recap import render_recap
from camlink_provision.inventory.model import Site
from camlink_provision.journal import Journal
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook


def test_construction_site_converges_in_one_apply_and_the_second_writes_nothing(
        construction: tuple[Site, Any], tmp_path: Path) -> None:
    site, fleet = construction
    out = io.StringIO()
    with Journal.open_for(site.name, tmp_path) as journal:
        result = apply_plan(site, make_plan(site), playbook=load_playbook(),
                            on_event=fan_out(PlainProgress(out), journal_sink(journal)))
        out.write(render_recap(result))
    assert not result.failed, out.getvalue()
    assert result.totals()["changed"] == len(site.cameras)
    assert make_plan(site).changes == []
    for password in all_passwords(site):
        assert password not in out.getvalue()
        assert password not in journal.path.read_text()

    for name in fleet.names():
        fleet.clear_log(name)
    again = apply_plan(site, make_plan(site), playbook=load_playbook())
    assert again.totals()["ok"] == len(site.cameras)
    assert [e for name in fleet.names() for e in writes(fleet, name)] == []
