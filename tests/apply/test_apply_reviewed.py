"""An apply after a person reviewed the plan (``apply_plan(reviewed=True)``, as the CLI after
'yes' at its prompt): each camera's first step reads again what the run touches on it
(``plan.reread``), and what it did not read again is never held against the camera.

Each test plays whoever changes a camera by hand between the plan and the confirmation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from apply_kit import writes

from camlink_provision import plan as planner
from camlink_provision.apply import apply_plan
from camlink_provision.apply.journaling import journal_sink
from camlink_provision.camera import CameraClient
from camlink_provision.emulator.spec import Fault
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Account, Secret, Site
from camlink_provision.journal import Journal, read_journal
from camlink_provision.model import Observed


def _client(site: Site, name: str) -> CameraClient:
    camera = site.cameras[name]
    return CameraClient(name, camera.connection, camera.credentials)


def _result(result: Any, name: str) -> Any:
    return next(cam for cam in result.cameras if cam.camera == name)


def test_a_change_only_a_later_step_touches_stops_the_camera_at_its_first(
        site: Site, fleet: Any) -> None:
    """The spotter's first step (phase 1) adds an account, its second (phase 2) its peers
    and event: someone's peer put in slot 0 during the review is found at the first step,
    and nothing of the camera is written."""
    spot = replace(site.cameras["spot"],
                   accounts=(Account("operator", Secret("Op3r-xyz-pass"), "viewer"),))
    site = replace(site, cameras={**site.cameras, "spot": spot})
    plan, observed = planner.plan_and_observe(site)
    assert len([s for s in plan.steps if s.camera == "spot"]) == 2
    with _client(site, "spot") as by_hand:
        by_hand.setparam({fw.peer_param(0, fw.PEER_NAME): "someone-elses-ptz",
                          fw.peer_param(0, fw.PEER_ADDRESS): "192.0.2.99"})
    fleet.clear_log("spot")
    result = apply_plan(site, plan, fresh=observed, reviewed=True)
    spotter = _result(result, "spot")
    assert spotter.status == "failed" and "changed since the plan" in spotter.reason
    assert writes(fleet, "spot") == []
    held = fleet.state("spot")["params"]
    assert held[fw.peer_param(0, fw.PEER_NAME)] == "someone-elses-ptz"
    assert held[fw.peer_param(0, fw.PEER_ADDRESS)] == "192.0.2.99"


def test_a_restore_after_review_is_confirmed_on_what_was_read_again(
        site: Site, fleet: Any) -> None:
    """ptz-a's write fails; an account added by hand during the review (nothing the run
    touches there, nor anything tied to it) does not make the restore 'NOT confirmed', and
    the journal's snapshot says which part of it was read again."""
    plan, observed = planner.plan_and_observe(site)
    assert "account" not in {c.kind for c in plan.changes if c.camera == "ptz-a"}
    with _client(site, "ptz-a") as by_hand:
        by_hand.edit_account("add", "visitor", password=Secret("V1sit-or-pass"),
                             privilege="viewer")
    fleet.set_fault("ptz-a", Fault(status=500, match="preset"))
    with Journal.open_for(site.name) as journal:
        result = apply_plan(site, plan, fresh=observed, reviewed=True, retry_pauses=(),
                            restore_pauses=(0.0, 0.0), record=journal_sink(journal))
        path = journal.path
    ptz = _result(result, "ptz-a")
    assert ptz.status == "failed" and ptz.ends_in == "before", ptz.reason
    assert "restored to its state before the apply" in ptz.reason
    held = fleet.state("ptz-a")["params"]
    assert "visitor" in {held.get(fw.account_param(slot, fw.ACCOUNT_NAME))
                         for slot in range(fw.NACCOUNT)}  # left as the other person made it
    [record] = [r for r in read_journal(path)
                if r["record"] == "step_writing" and r["camera"] == "ptz-a"]
    snapshot = Observed.from_json(record["snapshot"])
    assert snapshot.part is not None and fw.PRESET_GROUP in snapshot.part.names
    assert snapshot.part.rules and not any(name.startswith(fw.ACCOUNT_GROUP)
                                           for name in snapshot.part.names)


def test_a_step_that_changes_only_rules_reads_the_identity_again_too(
        site: Site, fleet: Any) -> None:
    """A camera swapped for another during the review must not take the rule: the identity
    is read with the rules, whatever the step changes."""
    assert not apply_plan(site, planner.make_plan(site)).failed
    ptz_a = site.cameras["ptz-a"]
    rule = replace(ptz_a.tracking_rules[0], field=((0, 0), (4000, 0), (4000, 4000)))
    site = replace(site, cameras={**site.cameras,
                                  "ptz-a": replace(ptz_a, tracking_rules=(rule,))})
    plan, observed = planner.plan_and_observe(site)
    assert {c.kind for c in plan.changes} == {"tracking_rule"}
    fleet.clear_log("ptz-a")
    result = apply_plan(site, plan, fresh=observed, reviewed=True)
    assert _result(result, "ptz-a").status == "changed"
    reads = [e for e in fleet.request_log("ptz-a") if e.method == "GET" and e.status == 200]
    snapshot_getparam, snapshot_rules = reads[0], reads[1]
    assert snapshot_getparam.path == fw.GETPARAM
    assert set(snapshot_getparam.params) == set(fw.IDENTITY_GROUPS)
    assert snapshot_rules.path == fw.VCA_TRACKING
    assert reads[0].seq < min(e.seq for e in writes(fleet, "ptz-a"))
