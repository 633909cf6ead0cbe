"""An apply after a person reviewed the plan (``apply_plan(reviewed=True)``, as the CLI after
'yes' at its prompt): each camera's first step reads again what the run touches on it
(``plan.reread``), and what it did not read again is never held against the camera.

Each test plays whoever changes a camera by hand between the plan and the confirmation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from apply_kit import writes

from camlink_provision import plan as planner
from camlink_provision.apply import apply_plan
from camlink_provision.apply.journaling import journal_sink
from camlink_provision.apply.recovery import recover_site
from camlink_provision.camera import CameraClient
from camlink_provision.emulator.spec import Fault
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Account, LinkTarget, Preset, Secret, Site
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
    """The spotter's write lands in part and the connection drops; an account added to it
    by hand during the review (nothing the run touches there, nor anything tied to it or
    named from elsewhere) does not make the restore 'NOT confirmed', and the journal's
    snapshot says which part was read again."""
    plan, observed = planner.plan_and_observe(site)
    assert "account" not in {c.kind for c in plan.changes if c.camera == "spot"}
    with _client(site, "spot") as by_hand:
        by_hand.edit_account("add", "visitor", password=Secret("V1sit-or-pass"),
                             privilege="viewer")
    fleet.set_fault("spot", Fault(partial_write=3, match="setparam", count=1))
    with Journal.open_for(site.name) as journal:
        result = apply_plan(site, plan, fresh=observed, reviewed=True, retry_pauses=(),
                            restore_pauses=(0.0, 0.0), record=journal_sink(journal))
        path = journal.path
    spotter = _result(result, "spot")
    assert spotter.status == "failed" and spotter.ends_in == "before", spotter.reason
    assert "restored to its state before the apply" in spotter.reason
    assert len(writes(fleet, "spot")) >= 2  # the partial write, and putting it back
    held = fleet.state("spot")["params"]
    assert "visitor" in {held.get(fw.account_param(slot, fw.ACCOUNT_NAME))
                         for slot in range(fw.NACCOUNT)}  # left as the other person made it
    [record] = [r for r in read_journal(path)
                if r["record"] == "step_writing" and r["camera"] == "spot"]
    snapshot = Observed.from_json(record["snapshot"])
    assert snapshot.part is not None
    assert {fw.PEER_GROUP, fw.EVENT_GROUP} <= set(snapshot.part.names)
    assert not any(name.startswith(fw.ACCOUNT_GROUP) for name in snapshot.part.names)


def test_a_step_that_changes_only_rules_reads_the_identity_again_too(
        site: Site, fleet: Any) -> None:
    """The identity is read with the rules, whatever the step changes: a camera swapped
    for another during the review must not take the rule (here: which groups are read)."""
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


def test_what_a_spotter_names_on_a_ptz_camera_is_read_again_at_that_camera(
        site: Site, fleet: Any) -> None:
    """ptz-a only moves a preset; the spotter's link is re-pointed to it with ptz-a's
    tracking rule. Someone deletes that rule during the review: ptz-a is refused at its
    step, and the spotter is held back, never linked to a rule that is gone."""
    assert not apply_plan(site, planner.make_plan(site)).failed
    ptz_a = site.cameras["ptz-a"]
    site = replace(site, cameras={**site.cameras, "ptz-a": replace(
        ptz_a, presets=(ptz_a.presets[0], Preset("yard", 9100, -150, 1)))})
    link = site.links[0]
    site = replace(site, links=(replace(link, targets=(
        LinkTarget("ptz-a", preset="yard", track_rule="gate-zone"), link.targets[1])),))
    plan, observed = planner.plan_and_observe(site)
    assert {c.kind for c in plan.changes if c.camera == "ptz-a"} == {"preset"}
    with _client(site, "ptz-a") as by_hand:
        by_hand.delete_tracking_rule("gate-zone")
    fleet.clear_log("ptz-a")
    fleet.clear_log("spot")
    result = apply_plan(site, plan, fresh=observed, reviewed=True)
    ptz = _result(result, "ptz-a")
    assert ptz.status == "failed" and "changed since the plan" in ptz.reason
    assert _result(result, "spot").status == "skipped"
    assert writes(fleet, "ptz-a") == [] and writes(fleet, "spot") == []


def test_an_event_edited_on_a_camera_whose_only_change_is_a_preset_stops_it(
        site: Site, fleet: Any) -> None:
    """Events are tied to presets on their camera (a local preset action): an event of
    ptz-b changed by hand during the review stops ptz-b's preset step."""
    assert not apply_plan(site, planner.make_plan(site)).failed
    ptz_b = site.cameras["ptz-b"]
    site = replace(site, cameras={**site.cameras, "ptz-b": replace(
        ptz_b, presets=(Preset("road", 18100, -100, 3),))})
    plan, observed = planner.plan_and_observe(site)
    assert {c.kind for c in plan.changes if c.camera == "ptz-b"} == {"preset"}
    with _client(site, "ptz-b") as by_hand:
        by_hand.setparam({fw.event_param(0, "delay"): "42"})
    fleet.clear_log("ptz-b")
    result = apply_plan(site, plan, fresh=observed, reviewed=True)
    assert "changed since the plan" in _result(result, "ptz-b").reason
    assert writes(fleet, "ptz-b") == []


def test_recovery_of_a_killed_reviewed_step_compares_on_the_part_read_again(
        site: Site, fleet: Any, tmp_path: Path) -> None:
    """A run killed right after journaling a reviewed step's snapshot (nothing written):
    the next run's recovery says 'before', although an account was added to the camera by
    hand meanwhile (outside the part); a whole comparison would never settle it."""
    plan, observed = planner.plan_and_observe(site)
    [step] = [s for s in plan.steps if s.camera == "spot"]
    kinds = {c.kind for c in plan.changes if c.camera == "spot"}
    with _client(site, "spot") as client:
        snapshot = planner.reread(site.cameras["spot"], client, observed["spot"], kinds)
    assert snapshot.part is not None
    folder = tmp_path / "journal"
    killed = Journal(folder / "20260101T000000.000000Z.jsonl")
    killed.write("run_started", site=site.name)
    killed.write("step_writing", durable=True, play="p", camera="spot",
                 step=step.to_json(), snapshot=snapshot.to_json())
    killed.close()  # no end record: the process was killed
    with _client(site, "spot") as by_hand:
        by_hand.edit_account("add", "visitor", password=Secret("V1sit-or-pass"),
                             privilege="viewer")
    fleet.clear_log("spot")
    notes: list[str] = []
    with Journal(folder / "20260101T000001.000000Z.jsonl") as journal:
        [recovered] = recover_site(site, folder, journal, notes.append, pauses=(0.0,))
    assert (recovered.camera, recovered.outcome) == ("spot", "before"), recovered.note
    assert writes(fleet, "spot") == []
