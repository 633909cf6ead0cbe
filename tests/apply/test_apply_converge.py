"""Apply converges a factory-fresh site, then has nothing left to write."""

from __future__ import annotations

from typing import Any

from apply_kit import settings, writes

from camlink_provision.apply import apply_plan
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Site
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook


def test_fresh_site_converges_then_second_apply_writes_nothing(site: Site, fleet: Any) -> None:
    plan = make_plan(site)
    assert plan.changes, "a factory-fresh site must have something to do"
    result = apply_plan(site, plan, playbook=load_playbook())
    assert not result.failed, result.to_json()
    assert {c.camera: c.status for c in result.cameras} == {
        "ptz-a": "changed", "ptz-b": "changed", "spot": "changed"}
    assert all(c.ends_in == "after" for c in result.cameras)
    assert make_plan(site).changes == []

    for name in fleet.names():
        fleet.clear_log(name)
    again = apply_plan(site, make_plan(site), playbook=load_playbook())
    assert {c.status for c in again.cameras} == {"ok"}
    assert [e for name in fleet.names() for e in writes(fleet, name)] == []


def test_ptz_side_is_written_before_the_spotter_that_refers_to_it(site: Site,
                                                                  fleet: Any) -> None:
    order: list[str] = []

    def record(event: object) -> None:
        camera = getattr(event, "camera", None)
        if type(event).__name__ == "ChangeApplied" and camera:
            order.append(camera)

    result = apply_plan(site, make_plan(site), playbook=load_playbook(), on_event=record)
    assert not result.failed
    assert order.index("spot") > max(i for i, c in enumerate(order) if c.startswith("ptz"))
    assert settings(fleet, "ptz-a")["presets"]


def test_the_plans_reads_are_let_go_once_each_camera_is_read_back(site: Site,
                                                                   fleet: Any) -> None:
    import weakref

    from camlink_provision.apply.events import ApplyEvent, RunFinished
    from camlink_provision.model import Observed
    from camlink_provision.plan import plan_and_observe

    plan, reads = plan_and_observe(site)
    alive = {name: weakref.ref(seen) for name, seen in reads.items()
             if isinstance(seen, Observed)}
    at_the_end: dict[str, bool] = {}

    def on_event(event: ApplyEvent) -> None:
        if isinstance(event, RunFinished):
            at_the_end.update({name: ref() is not None for name, ref in alive.items()})

    def hand_over() -> dict[str, Any]:
        nonlocal reads
        given, reads = reads, {}
        return given

    result = apply_plan(site, plan, playbook=load_playbook(), fresh=hand_over(),
                        on_event=on_event)
    assert not result.failed, result.to_json()
    assert at_the_end == dict.fromkeys(alive, False)  # each replaced by its read-back


def test_a_read_back_makes_only_the_requests_its_step_needs(site: Site, fleet: Any) -> None:
    # The PTZ steps change presets and rules, not accounts: their read-backs do not log in
    # as the link account (a request each, issue 15); the spotter's, which changes peers,
    # still runs its link tests.
    plan = make_plan(site)
    for name in fleet.names():
        fleet.clear_log(name)
    result = apply_plan(site, plan, playbook=load_playbook())
    assert not result.failed, result.to_json()
    assert {c.kind for c in plan.changes if c.camera.startswith("ptz")} <= {
        "preset", "tracking_rule"}
    tool = {name: [e.path for e in fleet.request_log(name) if e.agent]
            for name in fleet.names()}
    assert [name for name, paths in tool.items() if profile.LOGIN_CHECK in paths] == []
    assert tool["spot"].count(profile.LINK_TEST) == 2  # one per peer
