"""Link accounts (issue 13): created on a factory-fresh site, rotated without a broken link.

Every test runs the real planner and apply against emulated cameras over HTTP. The fleet is
built as an installer leaves a site (``inventory_fleet.specs_for_site``): each camera has the
admin account this tool logs in with and nothing else, so the PTZ cameras have no link
account until the tool creates it.

"Every link keeps working" is checked the way a site would notice: each spotter fires its
events (the emulator's control plane) and every camera-link call must reach its PTZ
camera with an accepted account, and each spotter's own link test passes for every peer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from apply_kit import aimed, two_spotters_site

from camlink_provision.apply import apply_plan
from camlink_provision.apply.events import ApplyEvent, RequestDone
from camlink_provision.camera import CameraClient
from camlink_provision.emulator import Fault, running_fleet
from camlink_provision.emulator.inventory_fleet import (
    specs_for_site,
)
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Secret, Site
from camlink_provision.model import Observed
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook
from camlink_provision.render import render_plan
from camlink_provision.resources import peers
from camlink_provision.verify import verify_site

FAST = (0.01, 0.01)  # retry and restore pauses: the faults here outlast any pause
NIGHT = datetime(2026, 12, 7, 23, 0)  # inside every schedule of the construction site


def rotated(site: Site, password: str = "R0tated-link-pass-x4") -> Site:
    """The site with a new link password on every PTZ camera (the secrets file changed)."""
    cameras = {}
    for name, camera in site.cameras.items():
        link = camera.link_credentials
        cameras[name] = camera if link is None else replace(
            camera, link_credentials=replace(link, password=Secret(password)))
    return replace(site, cameras=cameras)


def accounts_on(fleet: Any, name: str) -> dict[str, str]:
    params = fleet.state(name)["params"]
    out = {}
    for slot in range(profile.NACCOUNT):
        user = params.get(profile.account_param(slot, profile.ACCOUNT_NAME), "")
        if user:
            out[user] = params[profile.account_param(slot, profile.ACCOUNT_PRIVILEGE)]
    return out


def link_tests(site: Site) -> dict[tuple[str, str], str]:
    """(spotter, PTZ) -> the spotter's own link test of its peer at that PTZ camera."""
    out = {}
    for spotter in site.spotters():
        with CameraClient(spotter.name, spotter.connection, spotter.credentials) as client:
            held = peers.held_targets(site, _observed(client, spotter.name))
            for slot, ptz in held.items():
                out[(spotter.name, ptz)] = client.link_test(slot)
    return out


def _observed(client: CameraClient, name: str) -> Observed:
    return Observed(name, client.getparam([profile.PEER_GROUP, *profile.IDENTITY_GROUPS]))


class Firing:
    """Fires every event of every spotter (``fire_all``), and keeps each camera-link call's
    result: the spotter calling its PTZ camera with the account it stores."""

    def __init__(self, site: Site, fleet: Any) -> None:
        self.site, self.fleet = site, fleet
        self.results: list[tuple[str, str, str]] = []  # (spotter, peer, result)
        self.rounds = 0
        self._moment = NIGHT
        self._lock = threading.Lock()

    def fire_all(self) -> None:
        with self._lock:
            self._moment += timedelta(minutes=1)  # past every detect-next delay
            for spotter in self.site.spotters():
                for event in spotter.events:
                    self._fire(spotter.name, event.trigger)
            self.rounds += 1

    def _fire(self, spotter: str, trigger: Any) -> None:
        reply = self.fleet.fire(spotter, trigger.kind, rule=trigger.rule,
                                input=trigger.inputs[0] if trigger.inputs else 0,
                                at=self._moment)
        for fired in reply["events"]:
            for peer in fired["peers"]:
                self.results.append((spotter, str(peer.get("name")), str(peer["result"])))

    def after_each_write(self, event: ApplyEvent) -> None:
        """An apply event sink: a round of firing after every request apply sends."""
        if isinstance(event, RequestDone) and event.purpose == "apply":
            self.fire_all()

    def failures(self) -> list[tuple[str, str, str]]:
        return [r for r in self.results if r[2] != "ok"]


# -- the construction site (the ``construction`` fixture: tests/apply/conftest.py) -----------------
def test_a_factory_fresh_site_gets_its_link_accounts_and_verifies(
        construction: tuple[Site, Any]) -> None:
    site, fleet = construction
    for ptz in site.ptz_cameras():
        assert accounts_on(fleet, ptz.name) == {"admin": "admin"}  # nobody made it by hand
    plan = make_plan(site)
    created = {c.camera for c in plan.changes if c.kind == "account" and c.action == "create"}
    assert created == {ptz.name for ptz in site.ptz_cameras()}
    for name in fleet.names():
        fleet.clear_log(name)
    result = apply_plan(site, plan, playbook=load_playbook())
    assert not result.failed
    for ptz in site.ptz_cameras():
        assert accounts_on(fleet, ptz.name) == {"admin": "admin", "camlink": "operator"}
        # The read-back of the step that made the account logs in as it: the proof.
        assert [e for e in fleet.request_log(ptz.name)
                if e.path == profile.LOGIN_CHECK and e.agent], ptz.name
    report = verify_site(site, list(site.cameras))
    assert report.ok, report.to_json()
    assert make_plan(site).changes == []


def test_a_rotation_under_fire_never_breaks_a_link(construction: tuple[Site, Any]) -> None:
    site, fleet = construction
    assert not apply_plan(site, make_plan(site)).failed
    firing = Firing(site, fleet)
    firing.fire_all()
    assert len(firing.results) >= len(site.ptz_cameras()) and not firing.failures()

    new = rotated(site)
    plan = make_plan(new)
    assert {name: acc.username for name, acc in plan.link_accounts.items()} == {
        ptz.name: "camlink-alt" for ptz in site.ptz_cameras()}
    for form in ("text", "markdown"):  # the reviewer sees a rotation, not just changes
        assert 'ptz-crane: its spotters move to account "camlink-alt", then "camlink" is ' \
            "removed" in render_plan(plan, form).replace("\\", "")
    ptz_count = len(site.ptz_cameras())  # each: the new name in phase 1, the old one in 3
    assert sorted((c.phase, c.action) for c in plan.changes if c.kind == "account") == \
        [(1, "create")] * ptz_count + [(3, "delete")] * ptz_count
    sent = sum(len(step.requests) for step in plan.steps)
    # Every spotter fires every event after each request of the rotation: every moment
    # between two requests is a moment a detection may come.
    result = apply_plan(new, plan, playbook=load_playbook(), on_event=firing.after_each_write)
    assert not result.failed
    assert firing.rounds == 1 + sent
    firing.fire_all()
    assert firing.failures() == []
    for ptz in site.ptz_cameras():  # the old account is gone, the new one works
        assert accounts_on(fleet, ptz.name) == {"admin": "admin", "camlink-alt": "operator"}
    assert set(link_tests(new).values()) == {"ok"}
    again = make_plan(new)
    assert again.changes == [] and again.steps == ()


# -- every request of a rotation failing, one at a time -----------------------------------------
@pytest.fixture(scope="module")
def kit() -> Iterator[tuple[Site, Any]]:
    base = two_spotters_site()
    with running_fleet(specs_for_site(base)) as fleet:
        yield aimed(base, fleet), fleet


def _rotation_requests(site: Site, fleet: Any) -> list[tuple[str, str]]:
    """(camera, path) of each request the rotation plan sends, in order."""
    fleet.reset_all()
    assert not apply_plan(site, make_plan(site), retry_pauses=FAST, restore_pauses=FAST).failed
    plan = make_plan(rotated(site))
    paths = {"setparam": profile.SETPARAM, "add_account": profile.EDITACCOUNT,
             "delete_account": profile.EDITACCOUNT, "edit_account": profile.EDITACCOUNT}
    return [(step.camera, paths[request.command.call])
            for step in plan.steps for request in step.requests]


@pytest.mark.parametrize("how", ["refused", "lost_reply"])
def test_a_rotation_failing_at_any_request_leaves_every_link_working(
        kit: tuple[Site, Any], how: str) -> None:
    site, fleet = kit
    requests = _rotation_requests(site, fleet)
    assert len(requests) == 6  # 2 accounts added, 2 spotters switched, 2 accounts retired
    new = rotated(site)
    for index, (camera, path) in enumerate(requests):
        fleet.reset_all()
        assert not apply_plan(site, make_plan(site), retry_pauses=FAST, restore_pauses=FAST).failed
        earlier = sum(1 for c, p in requests[:index] if (c, p) == (camera, path))
        fault = (Fault(status=500, match=path, skip=earlier) if how == "refused"
                 else Fault(lost_reply=True, match=path, skip=earlier))
        fleet.set_fault(camera, fault)
        result = apply_plan(new, make_plan(new), retry_pauses=FAST, restore_pauses=FAST)
        fleet.clear_faults()
        where = f"request {index + 1} ({camera} {path}, {how})"
        # Whichever account each spotter ended on, old or new, its PTZ camera accepts it.
        assert set(link_tests(site).values()) == {"ok"}, where
        assert (how == "lost_reply") == (not result.failed), where
        # and the next apply finishes the rotation, after which nothing is left to do
        assert not apply_plan(new, make_plan(new), retry_pauses=FAST,
                                restore_pauses=FAST).failed, where
        assert make_plan(new).changes == [], where
        assert set(link_tests(new).values()) == {"ok"}, where



def test_a_rotation_limited_to_some_cameras_retires_nothing_the_others_still_use(
        construction: tuple[Site, Any]) -> None:
    """ptz-crane is called by yard-spotter and fence-east-spotter; a rotation limited to
    ptz-crane and yard-spotter switches yard-spotter, and keeps the old account, which
    fence-east-spotter (not read) still calls with; the next full run finishes it."""
    site, fleet = construction
    assert not apply_plan(site, make_plan(site)).failed
    new = rotated(site)
    chosen = ["ptz-crane", "yard-spotter"]
    plan = make_plan(new, chosen)
    assert plan.link_accounts["ptz-crane"].retired == ()
    assert not apply_plan(new, plan).failed
    assert accounts_on(fleet, "ptz-crane") == {"admin": "admin", "camlink": "operator",
                                               "camlink-alt": "operator"}
    assert set(link_tests(site).values()) == {"ok"}
    assert not apply_plan(new, make_plan(new)).failed  # everyone read: camlink retired now
    assert accounts_on(fleet, "ptz-crane") == {"admin": "admin", "camlink-alt": "operator"}
    assert set(link_tests(new).values()) == {"ok"} and make_plan(new).changes == []


# -- what a partial view of the site must not break (review of issue 13) -------------------------
def _fresh_kit(kit: tuple[Site, Any]) -> tuple[Site, Any]:
    site, fleet = kit
    fleet.reset_all()
    assert not apply_plan(site, make_plan(site), retry_pauses=FAST, restore_pauses=FAST).failed
    return site, fleet


def test_a_spotter_planned_without_its_ptz_keeps_the_name_it_calls_with(
        kit: tuple[Site, Any]) -> None:
    site, _fleet = _fresh_kit(kit)
    new = rotated(site)
    assert not apply_plan(new, make_plan(new)).failed  # every link now on camlink-alt
    plan = make_plan(new, ["spot"])  # the PTZ cameras are not read
    assert plan.changes == [] and plan.link_accounts["ptz-a"].username == "camlink-alt"
    assert set(link_tests(new).values()) == {"ok"}


def test_a_second_rotation_before_the_first_was_finished_is_refused(
        kit: tuple[Site, Any]) -> None:
    site, fleet = _fresh_kit(kit)
    first = rotated(site)
    assert not apply_plan(first, make_plan(first, ["ptz-a", "spot"])).failed
    assert accounts_on(fleet, "ptz-a") == {"admin": "admin", "camlink": "admin",
                                           "camlink-alt": "admin"}  # camlink: spot-b's
    second = rotated(site, "An0ther-pass-z9")
    plan = make_plan(second, ["ptz-a", "spot"])
    errors = {cam.camera: cam.error for cam in plan.cameras if cam.error}
    assert set(errors) == {"ptz-a", "spot"} and "Finish the earlier rotation" in errors["ptz-a"]
    for name in ("ptz-a", "spot"):
        fleet.clear_log(name)
    apply_plan(second, plan)
    assert [e for name in ("ptz-a", "spot") for e in fleet.request_log(name) if e.write] == []
    assert set(link_tests(site).values()) == {"ok"}  # spot on the new name, spot-b the old


def test_prune_takes_no_account_an_unread_spotter_may_call_with(
        kit: tuple[Site, Any]) -> None:
    site, fleet = _fresh_kit(kit)
    cameras = {name: replace(cam, prune=cam.prune | {"account"},
                             link_credentials=replace(cam.link_credentials, username="dock-link"))
               if cam.link_credentials else cam for name, cam in site.cameras.items()}
    renamed = replace(site, cameras=cameras)
    plan = make_plan(renamed, ["ptz-a", "ptz-b", "spot"])  # spot-b, still on camlink, unread
    assert [c.key for c in plan.changes if c.action == "delete"] == []
    assert not apply_plan(renamed, plan).failed
    assert "camlink" in accounts_on(fleet, "ptz-a")
    assert set(link_tests(site).values()) == {"ok"}
