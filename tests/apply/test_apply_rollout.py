"""Playbooks drive the rollout: plays in order, serial batches, max_fail_percentage stops."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from apply_kit import writes

from camlink_provision.apply import apply_plan
from camlink_provision.apply.events import ApplyEvent, BatchStarted
from camlink_provision.emulator import Fault
from camlink_provision.inventory.model import Site
from camlink_provision.order import PHASES
from camlink_provision.plan import make_plan
from camlink_provision.playbook import Playbook, load_playbook, parse_playbook

PTZ_THEN_SPOTTERS = """
- name: ptz
  hosts: ptz
  kinds: [preset, tracking_rule]
  serial: {serial}
  {extra}
- name: spotters
  hosts: spotters
  kinds: [peer, event]
"""


def _playbook(serial: str, extra: str = "") -> Playbook:
    return parse_playbook(PTZ_THEN_SPOTTERS.format(serial=serial, extra=extra), "test.yml")


def _break_ptz_a(fleet: Any) -> None:
    fleet.set_fault("ptz-a", Fault(match="preset.cgi", status=500))


def test_max_fail_percentage_stops_the_rollout(site: Site, fleet: Any) -> None:
    _break_ptz_a(fleet)
    result = apply_plan(site, make_plan(site), playbook=_playbook("1", "max_fail_percentage: 0"))
    assert result.failed and result.failed_hosts == ["ptz-a"]
    assert "batch 1/2" in result.stopped and "max_fail_percentage of 0%" in result.stopped
    assert result.camera("ptz-b").status == "skipped"
    assert "rollout" in result.camera("ptz-b").reason
    assert writes(fleet, "ptz-b") == [] and writes(fleet, "spot") == []
    # A play runs per phase, named after both: the plan's order, the playbook's batching.
    assert [(p.name, p.outcome) for p in result.plays] == [
        (f"phase 1: {PHASES[1]} — ptz", "stopped"), (f"phase 2: {PHASES[2]} — spotters",
                                                     "not run")]


def test_without_max_fail_the_other_batches_go_on(site: Site, fleet: Any) -> None:
    _break_ptz_a(fleet)
    batches: list[tuple[str, ...]] = []

    def record(event: ApplyEvent) -> None:
        if isinstance(event, BatchStarted) and event.play.endswith("— ptz"):
            batches.append(event.cameras)

    result = apply_plan(site, make_plan(site), playbook=_playbook("1"), on_event=record)
    assert batches == [("ptz-a",), ("ptz-b",)]
    assert not result.stopped
    assert result.camera("ptz-b").status == "changed"
    spot = result.camera("spot")
    assert spot.status == "skipped" and "ptz-a failed" in spot.reason
    assert "half-linked" in spot.reason
    assert writes(fleet, "spot") == []


def test_failures_at_the_limit_do_not_stop(site: Site, fleet: Any) -> None:
    _break_ptz_a(fleet)  # 1 of 2 cameras in one batch = 50%: not above 50
    result = apply_plan(site, make_plan(site),
                        playbook=_playbook('"100%"', "max_fail_percentage: 50"))
    assert not result.stopped
    assert result.camera("ptz-b").status == "changed"


def test_a_change_no_play_covers_is_skipped_and_its_dependents_wait(site: Site,
                                                                    fleet: Any) -> None:
    only_spotters = parse_playbook("- hosts: spotters\n  kinds: [peer, event]\n", "spot.yml")
    result = apply_plan(site, make_plan(site), playbook=only_spotters)
    ptz = result.camera("ptz-a")
    assert ptz.status == "skipped" and "no play of spot.yml converges" in ptz.reason
    spot = result.camera("spot")
    assert spot.status == "skipped"
    assert "does not have all its presets and tracking rules in place" in spot.reason
    assert all(writes(fleet, n) == [] for n in ("ptz-a", "ptz-b", "spot"))


def test_the_default_playbook_is_site_yml(tmp_path: Path) -> None:
    # One play of everything: the phases come from the plan, never from the playbook.
    (play,) = load_playbook().plays
    assert play.kinds == ("preset", "tracking_rule", "peer", "event", "account")
    assert play.actions == ("create", "update", "delete")


def test_a_camera_unreachable_at_plan_time_is_reported_and_its_spotter_waits(
        site: Site, fleet: Any) -> None:
    fleet.set_fault("ptz-b", Fault(down=True))
    plan = make_plan(site)
    fleet.clear_fault("ptz-b")  # back again, but it was not planned: nothing is sent to it
    result = apply_plan(site, plan, playbook=load_playbook())
    ptz_b = result.camera("ptz-b")
    assert ptz_b.status == "unreachable" and "could not be planned" in ptz_b.reason
    assert result.camera("ptz-a").status == "changed"
    spot = result.camera("spot")
    assert spot.status == "skipped" and "ptz-b failed" in spot.reason
    assert writes(fleet, "ptz-b") == [] and writes(fleet, "spot") == []
    assert result.failed_hosts == ["ptz-b"]
