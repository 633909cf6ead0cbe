"""verify_site against the emulator over real HTTP: a working site passes; each way of
breaking a link out of band fails that link (and only the links it touches), naming the
cause; the PTZ cameras end where they were."""

from __future__ import annotations

from pathlib import Path

import pytest

from camlink_provision.commands.verify_cmd import FleetFirer
from camlink_provision.emulator import Fault, Fleet
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Secret, Site
from camlink_provision.plan import default_client
from camlink_provision.verify import (
    Clients,
    LinkResult,
    Pair,
    PairCheck,
    Run,
    VerifyReport,
    verify_site,
)
from verify.linkkit import ADMIN_PASSWORD, LINK_PASSWORD, LINK_USER, client

ALL = ["ptz1", "ptz2", "spot1", "spot2"]


def run(site: Site, names: list[str] | None = None, **kwargs: object) -> VerifyReport:
    kwargs.setdefault("settle", 0.0)  # the emulator moves at once: never wait for a dome
    return verify_site(site, names or ALL, concurrency=4, **kwargs)  # type: ignore[arg-type]


def by_key(report: VerifyReport) -> dict[tuple[str, str], LinkResult]:
    return {(r.link, r.ptz): r for r in report.results}


def failing(report: VerifyReport) -> dict[tuple[str, str], str | None]:
    return {(r.link, r.ptz): r.cause for r in report.failed}


def test_a_working_site_passes_every_link_target(site: Site) -> None:
    report = run(site)
    assert [(r.link, r.ptz) for r in report.results] == [
        ("gate", "ptz1"), ("gate", "ptz2"), ("door", "ptz2"), ("yard", "ptz1")]
    assert report.ok, [r.to_json() for r in report.failed]
    gate = by_key(report)[("gate", "ptz1")]
    names = [c.name for c in gate.checks]
    assert names == ["event", "peer", "action", "link test", "preset", "tracking rule",
                     "link account",
                     "test preset", "position", "tracking", "restore"]
    dock = by_key(report)[("gate", "ptz2")]
    assert "output" in [c.name for c in dock.checks]


def test_ptz_cameras_end_where_they_were_and_stop_tracking(site: Site, fleet: Fleet) -> None:
    fleet.set_position("ptz1", 1234, -56, 7)
    fleet.set_position("ptz2", 1, 2, 3)  # already at its preset: verify moves it away first
    report = run(site)
    assert report.ok, [r.to_json() for r in report.failed]
    assert fleet.state("ptz1")["position"] == {"pan": 1234, "tilt": -56, "zoom": 7}
    assert fleet.state("ptz2")["position"] == {"pan": 1, "tilt": 2, "zoom": 3}
    assert fleet.state("ptz1")["tracking"] == {"status": "Waiting", "rule": ""}
    assert fleet.state("ptz2")["do"] is False


def test_a_ptz_that_was_tracking_is_tracking_again_afterwards(site: Site, fleet: Fleet) -> None:
    with client(fleet, "ptz1") as ptz1:
        ptz1.start_tracking("fence")
    assert run(site).ok
    assert fleet.state("ptz1")["tracking"] == {"status": "Tracking", "rule": "fence"}


def test_peer_password_changed_on_the_spotter(site: Site, fleet: Fleet) -> None:
    with client(fleet, "spot1") as spot1:
        spot1.setparam({profile.peer_param(0, "passwd"): Secret("not-the-password")})
    report = run(site)
    assert failing(report) == {("gate", "ptz1"): "credentials_refused"}
    failure = by_key(report)[("gate", "ptz1")].failure
    assert failure is not None and failure.name == "link test"


def test_peer_password_changed_on_the_ptz_account(tmp_path: Path) -> None:
    from camlink_provision.emulator import running_fleet
    from verify.linkkit import build_by_hand, fleet_specs, site_of
    with running_fleet(fleet_specs({"ptz1": "Changed-On-The-PTZ-9"})) as fleet:
        build_by_hand(fleet)  # the spotters store the old password
        report = run(site_of(fleet))
    assert failing(report) == {("gate", "ptz1"): "credentials_refused",
                               ("yard", "ptz1"): "credentials_refused"}


def test_peer_user_changed_on_the_spotter(site: Site, fleet: Fleet) -> None:
    with client(fleet, "spot2") as spot2:
        spot2.setparam({profile.peer_param(0, "username"): "someone-else"})
    # the PTZ holds no such account: named as that, not just as refused credentials
    assert failing(run(site)) == {("yard", "ptz1"): "link_account_missing"}


def test_preset_moved_by_hand_and_saved_again(site: Site, fleet: Fleet) -> None:
    with client(fleet, "ptz1") as ptz1:  # saved again: the firmware refuses a name in use
        ptz1.delete_preset("gate")
        ptz1.move(600, -10, 2)
        ptz1.add_preset("gate")
    report = run(site)
    assert failing(report) == {("gate", "ptz1"): "position_off"}
    failure = by_key(report)[("gate", "ptz1")].failure
    assert failure is not None
    assert "off by pan +500, tilt +0, zoom +0" in failure.detail
    assert "the inventory says pan=100" in failure.detail


def test_preset_deleted(site: Site, fleet: Fleet) -> None:
    with client(fleet, "ptz2") as ptz2:
        ptz2.delete_preset("dock")
    report = run(site)
    assert failing(report) == {("gate", "ptz2"): "preset_missing",
                               ("door", "ptz2"): "preset_missing"}
    failure = by_key(report)[("door", "ptz2")].failure
    assert failure is not None and "'dock'" in failure.detail
    # In the documented order the PTZ's preset check comes before the spotter's action.
    assert failure.name == "preset"


def test_link_account_without_the_privilege_the_action_needs() -> None:
    """A viewer account passes the contact read and the recall (viewer CGIs) but not the
    output (operator): the link account check names it from what the PTZ lists, before the
    spotter is asked to act (and so in --read-only too); the PTZ is not touched."""
    from camlink_provision.emulator import running_fleet
    from verify.linkkit import build_by_hand, fleet_specs, site_of
    with running_fleet(fleet_specs(link_privileges={"ptz2": "viewer"})) as fleet:
        build_by_hand(fleet)
        fleet.set_position("ptz2", 10, 20, 3)
        report = run(site_of(fleet))
        assert fleet.state("ptz2")["position"] == {"pan": 10, "tilt": 20, "zoom": 3}
    assert failing(report) == {("gate", "ptz2"): "link_account_privilege"}
    gate = by_key(report)[("gate", "ptz2")]
    failure = gate.failure
    assert failure is not None and failure.name == "link account"
    assert "is viewer on ptz2" in failure.detail and "need operator" in failure.detail
    assert "test preset" not in [c.name for c in gate.checks]
    # the door link only recalls a preset: a viewer may
    assert by_key(report)[("door", "ptz2")].failure is None


def test_a_link_account_missing_or_refusing_the_inventorys_password_is_named() -> None:
    from dataclasses import replace

    from camlink_provision.emulator import running_fleet
    from camlink_provision.inventory.model import Secret
    from verify.linkkit import build_by_hand, fleet_specs, site_of
    with running_fleet(fleet_specs()) as fleet:
        build_by_hand(fleet)
        site = site_of(fleet)
        ptz2 = site.cameras["ptz2"]
        assert ptz2.link_credentials is not None
        # The inventory asks for a new link password; spotters and PTZ still agree on the
        # old one: every link test passes, and only a login with the new one tells.
        rotated = replace(ptz2, link_credentials=replace(ptz2.link_credentials,
                                                         password=Secret("N3w-link-pw")))
        report = run(replace(site, cameras={**site.cameras, "ptz2": rotated}))
        assert failing(report) == {("gate", "ptz2"): "link_password_differs",
                                   ("door", "ptz2"): "link_password_differs"}
        failure = by_key(report)[("door", "ptz2")].failure
        assert failure is not None and "apply rotates it" in failure.detail
        assert "N3w-link-pw" not in str(report.to_json())
        with client(fleet, "ptz1") as ptz1:
            ptz1.edit_account("delete", LINK_USER)
        report = run(site)
    # the spotters' link tests are refused, and the PTZ's account list says why
    assert failing(report) == {("gate", "ptz1"): "link_account_missing",
                               ("yard", "ptz1"): "link_account_missing"}
    failure = by_key(report)[("yard", "ptz1")].failure
    assert failure is not None and failure.name == "link test"
    assert f"ptz1 has no account '{LINK_USER}'" in failure.detail


def test_the_ptz_drops_the_spotters_recall(site: Site, fleet: Fleet) -> None:
    fleet.set_fault("ptz2", Fault(reset=True, match=profile.RECALL))
    report = run(site)
    assert failing(report) == {("gate", "ptz2"): "peer_unreachable",
                               ("door", "ptz2"): "peer_unreachable"}
    failure = by_key(report)[("door", "ptz2")].failure
    assert failure is not None and failure.name == "test preset"
    assert "answered action='unreachable'" in failure.detail and "192.0.2.2:8080" in failure.detail
    assert fleet.state("ptz2")["position"] == {"pan": 0, "tilt": 0, "zoom": 0}


def test_the_ptz_refuses_the_spotters_recall_with_the_preset_there(site: Site,
                                                                   fleet: Fleet) -> None:
    fleet.set_fault("ptz2", Fault(status=503, match=profile.RECALL))
    report = run(site)
    assert failing(report) == {("gate", "ptz2"): "action_refused",
                               ("door", "ptz2"): "action_refused"}
    failure = by_key(report)[("gate", "ptz2")].failure
    assert failure is not None and failure.name == "test preset"
    assert "answered action='refused'" in failure.detail
    assert "though it holds preset 'dock'" in failure.detail


def test_a_refused_action_is_attributed_to_what_the_ptz_lacks_now(site: Site,
                                                                  fleet: Fleet) -> None:
    """The preset check passed, then the preset went before the spotter recalled it: the
    spotter's 'refused' is read against the PTZ again (a race, played here step by step)."""
    gate = next(link for link in site.links if link.name == "gate")
    checker = PairCheck(Run(site, Clients(site, default_client), 0, 0.0),
                        Pair(gate, gate.targets[0]))
    try:
        with client(fleet, "ptz1") as ptz1:
            ptz1.delete_tracking_rule("gate-track")
        failed = checker.action_failed(profile.LINK_TEST_REFUSED, 0)
        assert (failed.cause, failed.check) == ("rule_missing", "test preset")
        assert failed.detail == ("the spotter performed event slot 0's action and answered "
                                 "action='refused': ptz1 holds no tracking rule 'gate-track'")
        with client(fleet, "ptz1") as ptz1:
            ptz1.delete_preset("gate")
        assert checker.action_failed(profile.LINK_TEST_REFUSED, 0).cause == "preset_missing"
    finally:
        checker.run.clients.close()


def test_tracking_rule_deleted(site: Site, fleet: Fleet) -> None:
    with client(fleet, "ptz1") as ptz1:
        ptz1.delete_tracking_rule("gate-track")
    assert failing(run(site)) == {("gate", "ptz1"): "rule_missing"}


def test_peer_down(site: Site, fleet: Fleet) -> None:
    fleet.set_fault("ptz1", Fault(down=True))
    report = run(site)
    assert failing(report) == {("gate", "ptz1"): "peer_unreachable",
                               ("yard", "ptz1"): "peer_unreachable"}
    failure = by_key(report)[("yard", "ptz1")].failure
    assert failure is not None and "192.0.2.1:80" in failure.detail


def test_spotter_action_points_at_another_preset(site: Site, fleet: Fleet) -> None:
    with client(fleet, "spot2") as spot2:
        spot2.setparam({profile.link_action_param(0, 0, "preset"): "gate"})
    report = run(site)
    assert failing(report) == {("yard", "ptz1"): "action_differs"}


def test_event_missing_on_the_spotter(site: Site, fleet: Fleet) -> None:
    with client(fleet, "spot1") as spot1:
        spot1.setparam({profile.event_param(1, "name"): "renamed"})
    assert failing(run(site)) == {("door", "ptz2"): "event_missing"}


def test_limit_selects_the_links_touching_the_chosen_cameras(site: Site) -> None:
    report = run(site, ["spot2"])
    assert [(r.link, r.ptz) for r in report.results] == [("yard", "ptz1")]
    report = run(site, ["ptz2"])
    assert [(r.link, r.ptz) for r in report.results] == [("gate", "ptz2"), ("door", "ptz2")]


def test_a_spotter_this_tool_cannot_log_into(site: Site) -> None:
    from dataclasses import replace

    from camlink_provision.inventory.model import Credentials
    spot2 = site.cameras["spot2"]
    bad = replace(spot2, credentials=Credentials("admin", Secret("wrong-password")))
    broken = replace(site, cameras={**site.cameras, "spot2": bad})
    report = run(broken)
    assert failing(report) == {("yard", "ptz1"): "camera_unauthorized"}


def test_end_to_end_fires_each_event_and_sees_the_ptz_move(site: Site, fleet: Fleet) -> None:
    fleet.set_position("ptz1", 300, 30, 3)
    report = run(site, firer=FleetFirer(fleet))
    assert report.ok, [r.to_json() for r in report.failed]
    gate = by_key(report)[("gate", "ptz1")]
    assert {"end-to-end position", "end-to-end tracking"} <= {c.name for c in gate.checks}
    assert "end-to-end output" in {c.name for c in by_key(report)[("gate", "ptz2")].checks}
    assert fleet.state("ptz1")["position"] == {"pan": 300, "tilt": 30, "zoom": 3}


def test_end_to_end_catches_a_disabled_event(site: Site, fleet: Fleet) -> None:
    # The test button runs the action whatever the event's enable says; a real detection
    # does not. Only the full event path shows it.
    with client(fleet, "spot2") as spot2:
        spot2.setparam({profile.event_param(0, "enable"): "0"})
    report = run(site, firer=FleetFirer(fleet))
    assert failing(report) == {("yard", "ptz1"): "event_not_fired"}
    failure = by_key(report)[("yard", "ptz1")].failure
    assert failure is not None and "disabled" in failure.detail


def test_end_to_end_runs_only_with_a_firer(site: Site) -> None:
    report = run(site)
    assert report.ok and not report.end_to_end
    assert not any(c.name.startswith("end-to-end") for r in report.results for c in r.checks)


def test_no_secret_in_any_result(site: Site, fleet: Fleet) -> None:
    with client(fleet, "spot1") as spot1:
        spot1.setparam({profile.peer_param(0, "passwd"): Secret("not-the-password")})
    text = str(run(site, firer=FleetFirer(fleet)).to_json())
    for secret in (ADMIN_PASSWORD, LINK_PASSWORD, "not-the-password"):
        assert secret not in text


@pytest.mark.slow
def test_verify_passes_on_the_applied_construction_site(tmp_path: Path) -> None:
    from importer.sourcekit import overlay, specs_of

    from camlink_provision.apply import apply_plan
    from camlink_provision.emulator import running_fleet
    from camlink_provision.inventory import load_site
    from camlink_provision.plan import make_plan

    inventory = Path(__file__).resolve().parents[2] / "inventories" / "construction-site"
    secrets = inventory / "secrets.example.yml"
    with running_fleet(specs_of(load_site([inventory], secrets).site)) as fleet:
        site = load_site([inventory, overlay(tmp_path / "overlay.yml", fleet)], secrets).site
        apply_plan(site, make_plan(site), concurrency=8)
        report = verify_site(site, list(site.cameras), concurrency=8,
                             firer=FleetFirer(fleet), settle=0.0)
    pairs = sum(len(link.targets) for link in site.links)
    assert len(report.results) == pairs == 12
    # ptz-yard-east's "yard-gate" is adopted (set up by hand on the real camera): a fresh
    # emulated camera lacks it, and verify says so; every other link target works.
    assert {(r.link, r.ptz): r.cause for r in report.failed} == {
        ("yard-panic", "ptz-yard-east"): "preset_missing"}


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-11-25 12:00", "2026-11-25 19:00"),  # a Wednesday noon: tonight at seven
    ("2026-11-25 20:00", "2026-11-25 20:00"),  # already active: now
    ("2026-11-26 03:00", "2026-11-26 03:00"),  # after midnight, still last night's window
    ("2026-11-28 12:00", "2026-11-30 19:00"),  # a Saturday: Monday evening
    ("2026-11-28 03:00", "2026-11-28 03:00"),  # Saturday 03:00 is Friday's night: now
    ("2026-11-30 03:00", "2026-11-30 19:00"),  # Monday 03:00 would be Sunday's: tonight
])
def test_end_to_end_fires_inside_the_event_schedule(now: str, expected: str) -> None:
    from datetime import datetime

    from camlink_provision.inventory.model import Schedule
    from camlink_provision.verify import moment_in
    weeknights = Schedule(days=("mon", "tue", "wed", "thu", "fri"), begin="19:00", end="06:30")
    at = moment_in(weeknights, datetime.fromisoformat(now))
    assert at == datetime.fromisoformat(expected)


def test_a_ptz_that_cannot_be_put_back_fails_restore(site: Site, fleet: Fleet) -> None:
    # ptz1's PTZ control answers the tool's reading of its position before the action, the
    # spotter's start of tracking and the tool's reading after it; then it fails (503).
    fleet.set_fault("ptz1", Fault(status=503, match="camctrl", skip=3))
    report = run(site, ["spot1"])
    gate = by_key(report)[("gate", "ptz1")]
    assert gate.cause == "restore_failed" and not gate.restored
    failure = gate.failure
    assert failure is not None and failure.name == "restore"
    assert failure.detail.startswith("could not put ptz1 back")
    assert [c.name for c in gate.checks][-2:] == ["tracking", "restore"]


def test_end_to_end_twice_on_the_same_fleet_is_not_swallowed_by_the_detect_delay(
        site: Site, fleet: Fleet) -> None:
    """Each event's "detect next event after" delay would ignore a second firing at the same
    moment; verify fires each time a week later, where the weekly schedule still matches."""
    assert run(site, firer=FleetFirer(fleet)).ok
    report = run(site, firer=FleetFirer(fleet))
    assert report.ok, [r.to_json() for r in report.failed]
