"""Deletions go the other way: spotter references first, then what they referred to."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from apply_kit import writes

from camlink_provision.apply import apply_plan
from camlink_provision.apply.events import ApplyEvent, ChangeApplied
from camlink_provision.emulator import Fault
from camlink_provision.inventory.model import Link, Preset, Site
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook, single_play


def _unlink_ptz_b(site: Site) -> Site:
    """ptz-b leaves the link, and its preset goes."""
    link = site.links[0]
    kept = Link(link.name, link.spotter, link.event,
                tuple(t for t in link.targets if t.ptz != "ptz-b"))
    ptz_b = replace(site.cameras["ptz-b"], presets=(Preset("road", 18000, -100, 3,
                                                           state="absent"),))
    return replace(site, cameras={**site.cameras, "ptz-b": ptz_b}, links=(kept,))


def _converged(site: Site) -> Site:
    assert not apply_plan(site, make_plan(site), playbook=load_playbook()).failed
    return _unlink_ptz_b(site)


@pytest.mark.parametrize("playbook", ["site.yml", "one play"])
def test_the_spotter_lets_go_before_the_preset_is_deleted(site: Site, fleet: Any,
                                                          playbook: str) -> None:
    edited = _converged(site)
    plan = make_plan(edited)
    assert "ptz-b/preset/road" in {c.key for c in plan.changes}
    order: list[str] = []

    def record(event: ApplyEvent) -> None:
        if isinstance(event, ChangeApplied):
            order.append(event.change)

    book = load_playbook() if playbook == "site.yml" else single_play()  # phases order it
    result = apply_plan(edited, plan, playbook=book, on_event=record)
    assert not result.failed
    spot_last = max(i for i, key in enumerate(order) if key.startswith("spot/"))
    assert order.index("ptz-b/preset/road") > spot_last
    assert make_plan(edited).changes == []


def test_a_failed_spotter_keeps_the_preset_it_may_still_call(site: Site, fleet: Any) -> None:
    edited = _converged(site)
    for name in fleet.names():
        fleet.clear_log(name)
    fleet.set_fault("spot", Fault(match="setparam.cgi", status=500))
    result = apply_plan(edited, make_plan(edited), playbook=load_playbook(),
                        restore_pauses=(0.2,))
    assert result.camera("spot").status == "failed"
    ptz_b = result.camera("ptz-b")
    assert ptz_b.status == "skipped"
    assert "spotter spot may still refer to it" in ptz_b.reason
    assert writes(fleet, "ptz-b") == []
