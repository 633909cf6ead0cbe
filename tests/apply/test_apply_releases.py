"""PTZ deletions wait only for the spotters that let go of that PTZ (``Change.releases``).

Two spotters on the kit's two PTZ cameras: ``spot`` sends ptz-a to gate and ptz-b to road,
``spot-b`` sends ptz-a to yard and ptz-b to bridge. The edit drops ptz-b from spot's link
and deletes ptz-b's preset road (``state: absent``), while spot-b's event gets a new priority
(a change that refers to ptz-b but lets go of nothing). Whether road is deleted depends on
spot alone.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from apply_kit import aimed, specs_for, two_spotters_site, writes

from camlink_provision.apply import RunResult, apply_plan
from camlink_provision.emulator import Fault, running_fleet
from camlink_provision.inventory.model import Link, Site
from camlink_provision.model import Plan
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook, single_play

PAUSES = (0.2,)  # one quick restore pass: a camera that stays down ends "unknown"


@pytest.fixture(scope="module")
def _fleet2() -> Iterator[Any]:
    with running_fleet(specs_for(two_spotters_site())) as fleet:
        yield fleet


@pytest.fixture
def fleet2(_fleet2: Any) -> Iterator[Any]:
    _fleet2.reset_all()
    yield _fleet2
    _fleet2.clear_faults()


@pytest.fixture
def site2(fleet2: Any) -> Site:
    return aimed(two_spotters_site(), fleet2)


def _edited(site: Site) -> Site:
    """spot lets go of ptz-b, whose preset road goes; spot-b's event changes priority."""
    gate, yard = site.links
    kept = Link(gate.name, gate.spotter, gate.event,
                tuple(t for t in gate.targets if t.ptz != "ptz-b"))
    ptz_b = site.cameras["ptz-b"]
    presets = tuple(replace(p, state="absent") if p.name == "road" else p
                    for p in ptz_b.presets)
    spot_b = site.cameras["spot-b"]
    spot_b = replace(spot_b, events=tuple(replace(e, priority="high") for e in spot_b.events))
    cameras = {**site.cameras, "ptz-b": replace(ptz_b, presets=presets), "spot-b": spot_b}
    return replace(site, cameras=cameras, links=(kept, yard))


def _converged_then_edited(site: Site, fleet: Any) -> tuple[Site, Plan]:
    assert not apply_plan(site, make_plan(site), playbook=load_playbook()).failed
    edited = _edited(site)
    plan = make_plan(edited)
    for name in fleet.names():
        fleet.clear_log(name)
    return edited, plan


def _preset_names(fleet: Any, name: str) -> list[str]:
    return sorted(p["name"] for p in fleet.state(name)["presets"])


def test_the_plan_names_what_each_spotter_lets_go_of(site2: Site, fleet2: Any) -> None:
    _, plan = _converged_then_edited(site2, fleet2)
    by_key = {c.key: c for c in plan.changes}
    assert set(by_key) == {"ptz-b/preset/road", "spot/event/gate-intrusion",
                           "spot-b/event/yard-motion"}
    assert by_key["spot/event/gate-intrusion"].releases == ("ptz-b",)
    assert by_key["spot-b/event/yard-motion"].releases == ()
    assert by_key["spot-b/event/yard-motion"].depends_on == ("ptz-a", "ptz-b")


@pytest.mark.parametrize("fault", [
    Fault(down=True),
    Fault(match="setparam.cgi", partial_write=0),  # never lands, however often sent
], ids=["down", "partial_write"])
@pytest.mark.parametrize("playbook", ["site.yml", "one play"])
def test_a_spotter_that_lets_go_of_nothing_does_not_hold_the_deletion_back(
        site2: Site, fleet2: Any, fault: Fault, playbook: str) -> None:
    edited, plan = _converged_then_edited(site2, fleet2)
    fleet2.set_fault("spot-b", fault)
    book = load_playbook() if playbook == "site.yml" else single_play()
    result = apply_plan(edited, plan, playbook=book, restore_pauses=PAUSES)
    assert result.failed_hosts == ["spot-b"]
    assert result.camera("spot").status == "changed"
    ptz_b = result.camera("ptz-b")
    assert (ptz_b.status, ptz_b.changes, ptz_b.skipped) == ("changed",
                                                            ("ptz-b/preset/road",), ())
    assert _preset_names(fleet2, "ptz-b") == ["bridge"]  # spot-b's preset stays


def _skipped_reason(result: RunResult, camera: str) -> str:
    skipped = result.camera(camera).skipped
    assert [s.change for s in skipped] == ["ptz-b/preset/road"]
    return skipped[0].reason


def test_a_failed_spotter_that_lets_go_keeps_the_preset_and_is_named(site2: Site,
                                                                   fleet2: Any) -> None:
    edited, plan = _converged_then_edited(site2, fleet2)
    fleet2.set_fault("spot", Fault(match="setparam.cgi", status=500))
    result = apply_plan(edited, plan, playbook=load_playbook(), restore_pauses=PAUSES)
    assert result.failed_hosts == ["spot"]
    assert result.camera("spot-b").status == "changed"
    assert result.camera("ptz-b").status == "skipped"
    reason = _skipped_reason(result, "ptz-b")
    assert reason.startswith("spotter spot may still refer to it")
    assert "spot, whose event gate-intrusion lets go of it, failed" in reason
    assert "spot-b" not in reason
    assert writes(fleet2, "ptz-b") == []
    assert _preset_names(fleet2, "ptz-b") == ["bridge", "road"]


def test_a_skipped_spotter_that_lets_go_keeps_the_preset_and_is_named(site2: Site,
                                                                    fleet2: Any) -> None:
    """ptz-a's preset gate moves and ptz-a is down: both spotters, which call it, are
    skipped entirely; spot's release of ptz-b is then not in place."""
    _converged_then_edited(site2, fleet2)
    edited = _edited(site2)
    ptz_a = edited.cameras["ptz-a"]
    moved = tuple(replace(p, pan=1300) if p.name == "gate" else p for p in ptz_a.presets)
    edited = replace(edited, cameras={**edited.cameras,
                                      "ptz-a": replace(ptz_a, presets=moved)})
    plan = make_plan(edited)
    assert "ptz-a/preset/gate" in {c.key for c in plan.changes}
    fleet2.set_fault("ptz-a", Fault(down=True))
    result = apply_plan(edited, plan, playbook=load_playbook(), restore_pauses=PAUSES)
    assert result.failed_hosts == ["ptz-a"]
    assert result.camera("spot").status == "skipped"
    reason = _skipped_reason(result, "ptz-b")
    assert reason.startswith("spotter spot may still refer to it")
    assert "spot has not applied event gate-intrusion" in reason and "spot-b" not in reason
    assert _preset_names(fleet2, "ptz-b") == ["bridge", "road"]



def test_a_spotter_that_could_not_be_read_holds_back_every_ptz_deletion(
        site2: Site, fleet2: Any) -> None:
    """Unread, spot-b might still call ptz-b's road: deleting it could break a live link."""
    assert not apply_plan(site2, make_plan(site2), playbook=load_playbook()).failed
    edited = _edited(site2)
    fleet2.set_fault("spot-b", Fault(down=True))
    plan = make_plan(edited)
    assert [c.camera for c in plan.failed] == ["spot-b"]
    result = apply_plan(edited, plan, playbook=load_playbook(), restore_pauses=PAUSES)
    ptz_b = next(c for c in result.cameras if c.camera == "ptz-b")
    assert [s.change for s in ptz_b.skipped] == ["ptz-b/preset/road"]
    assert "spot-b could not be read while planning" in ptz_b.skipped[0].reason
    assert "road" in _preset_names(fleet2, "ptz-b")


def test_leaving_the_unreadable_spotter_out_lets_the_deletion_run(
        site2: Site, fleet2: Any) -> None:
    assert not apply_plan(site2, make_plan(site2), playbook=load_playbook()).failed
    edited = _edited(site2)
    fleet2.set_fault("spot-b", Fault(down=True))
    names = [n for n in edited.cameras if n != "spot-b"]  # what --limit '!spot-b' selects
    result = apply_plan(edited, make_plan(edited, names), playbook=load_playbook())
    assert not result.failed
    assert "road" not in _preset_names(fleet2, "ptz-b")
