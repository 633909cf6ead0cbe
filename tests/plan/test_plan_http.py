"""``make_plan`` against emulated cameras over real HTTP on loopback.

Cameras are put into known states with the real client (``run_plan`` of a plan, or direct
setparam / preset / VCA calls, as someone on the camera's web page would), then planned.
"""

from __future__ import annotations

import json
from dataclasses import replace

from resources.sitekit import build_site, with_connections

from camlink_provision.camera import CameraClient
from camlink_provision.emulator import Fault, Fleet, running_fleet
from camlink_provision.errors import CameraUnreachable
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Credentials, LinkTarget, Secret, Site
from camlink_provision.model import Observed, Plan
from camlink_provision.plan import gather, make_plan, plan_and_observe
from plan.httpkit import SITE, client_for, run_plan, spec_of

ADMIN_GETPARAM = profile.GETPARAM


def converge(site: Site) -> None:
    """Bring every camera to the inventory with the plan's own requests."""
    run_plan(site, make_plan(site))


def keys(plan: Plan) -> list[tuple[str, str, str, str]]:
    return [(c.camera, c.kind, c.name, c.action) for c in plan.changes]


def clear_logs(fleet: Fleet, site: Site) -> None:
    for name in site.cameras:
        fleet.clear_log(name)


# -- a factory-fresh site ----------------------------------------------------------------------
def test_fresh_site_plans_the_creation_of_everything(site: Site) -> None:
    plan = make_plan(site)
    assert keys(plan) == [
        ("ptz1", "preset", "gate", "create"), ("ptz1", "preset", "yard", "create"),
        ("ptz1", "tracking_rule", "gate-track", "create"),
        ("ptz1", "tracking_rule", "fence", "create"),
        ("ptz2", "preset", "dock", "create"),
        ("spot1", "peer", "ptz1", "create"), ("spot1", "peer", "ptz2", "create"),
        ("spot1", "event", "gate-intrusion", "create"), ("spot1", "event", "door", "create"),
        ("spot2", "peer", "ptz1", "create"), ("spot2", "event", "yard-motion", "create"),
    ]
    assert [(c.slot) for c in plan.changes if c.kind != "tracking_rule"] == [
        0, 1, 0, 0, 1, 0, 1, 0, 0]
    assert not plan.failed
    assert all(not cam.unmanaged and not cam.warnings for cam in plan.cameras)
    assert {cam.camera: cam.model for cam in plan.cameras} == {
        "ptz1": "SD9384-EHL", "ptz2": "SD9368-EHL", "spot1": "IB9389-EH-v2",
        "spot2": "FD9389-EHV-v2"}


def test_round_trips_per_camera(fleet: Fleet, site: Site) -> None:
    """1 getparam; on PTZ cameras 1 VCA read and 1 login as the link account (its password
    is known only by logging in with it); + the Digest challenges; no link test."""
    make_plan(site)
    for name, camera in site.cameras.items():
        log = fleet.request_log(name)
        answered = [(e.method, e.path) for e in log if e.status == 200]
        expected = [("GET", ADMIN_GETPARAM)]
        if camera.role == "ptz":
            expected += [("GET", profile.VCA_TRACKING), ("GET", profile.LOGIN_CHECK)]
        assert answered == expected, name
        challenges = [e for e in log if e.status == 401]
        assert len(challenges) <= len(answered), name
        assert not any(e.write for e in log), name


def test_converged_site_plans_nothing_and_tests_each_peer(fleet: Fleet, site: Site) -> None:
    converge(site)
    clear_logs(fleet, site)
    plan = make_plan(site)
    assert keys(plan) == []
    assert plan.totals() == {"create": 0, "update": 0, "delete": 0}
    tests = {name: [e for e in fleet.request_log(name) if e.path == profile.LINK_TEST]
             for name in ("spot1", "spot2")}
    assert {name: len(entries) for name, entries in tests.items()} == {"spot1": 2, "spot2": 1}
    assert not [e for name in site.cameras for e in fleet.request_log(name) if e.write]


# -- preloaded states and drift ------------------------------------------------------------------
def test_out_of_band_changes_appear_as_drift(site: Site) -> None:
    converge(site)
    with client_for(site, "spot1") as spot:
        spot.setparam({"event_i1_priority": "0", "event_i0_action_cameralink_i1_preset": "x",
                       "cameralink_i0_port": "81"})
    with client_for(site, "ptz1") as ptz:
        ptz.move(7, 8, 9)
        ptz.delete_preset("gate")  # saved again by hand: the firmware never saves over
        ptz.add_preset("gate", index=0)
        rule = ptz.tracking_rules()["fence"]
        ptz.put_tracking_rules({"fence": {**rule, "Direction": "BtoA"}})
    plan = make_plan(site)
    drift = {(c.camera, c.kind, c.name): {a.name: (a.before, a.after) for a in c.attributes}
             for c in plan.changes}
    assert drift == {
        ("ptz1", "preset", "gate"): {"pan": (7, 100), "tilt": (8, -10), "zoom": (9, 2)},
        ("ptz1", "tracking_rule", "fence"): {"direction": ("BtoA", "both")},
        ("spot1", "peer", "ptz1"): {"address": ("192.0.2.1:81", "192.0.2.1:80"),
                                    "password": ("(sensitive)", "(sensitive)")},
        ("spot1", "event", "gate-intrusion"): {
            "link -> ptz2": ("preset x, output 4 s", "preset dock, output 4 s")},
        ("spot1", "event", "door"): {"priority": ("low", "normal")},
    }
    peer = next(c for c in plan.changes if c.kind == "peer")
    assert [a.to_json() for a in peer.attributes] == [
        {"name": "address", "before": "192.0.2.1:81", "after": "192.0.2.1:80"},
        {"name": "password", "before": "(sensitive)", "after": "(sensitive)",
         "sensitive": True}]
    event = next(c for c in plan.changes if c.name == "gate-intrusion")
    assert event.ops[0].args == {"event_i0_action_cameralink_i1_preset": "dock"}
    assert all(c.action == "update" for c in plan.changes)


def test_wrong_stored_password_plans_a_credential_update(fleet: Fleet, site: Site) -> None:
    converge(site)
    with client_for(site, "spot1") as spot:
        spot.setparam({"cameralink_i1_passwd": Secret("not-the-one")})
    clear_logs(fleet, site)
    plan = make_plan(site)
    assert keys(plan) == [("spot1", "peer", "ptz2", "update")]
    change = plan.changes[0]
    assert [a.name for a in change.attributes] == ["password"]
    assert change.ops[0].secret_args == {"cameralink_i1_passwd": "ptz2"}
    assert change.depends_on == ("ptz2",)


def test_link_tests_only_where_attributes_match(fleet: Fleet, site: Site) -> None:
    converge(site)
    with client_for(site, "spot1") as spot:
        spot.setparam({"cameralink_i0_username": "someone-else"})
    clear_logs(fleet, site)
    plan = make_plan(site)
    assert keys(plan) == [("spot1", "peer", "ptz1", "update")]
    tested = [e for e in fleet.request_log("spot1") if e.path == profile.LINK_TEST]
    assert len(tested) == 1  # ptz2's peer only; ptz1's is rewritten with its password anyway


def test_unreachable_peer_is_a_warning_not_a_change(fleet: Fleet, site: Site) -> None:
    converge(site)
    fleet.set_fault("ptz2", Fault(down=True))
    plan = make_plan(site, ["spot1"])
    spot1 = plan.cameras[0]
    assert spot1.changes == ()
    assert len(spot1.warnings) == 1 and "'ptz2'" in spot1.warnings[0]
    assert "unreachable" in spot1.warnings[0]


def test_preloaded_states_give_exact_updates_and_deletions(site: Site) -> None:
    converge(site)
    gone = replace(site, links=tuple(link for link in site.links if link.name != "door"))
    spot1 = gone.cameras["spot1"]
    events = tuple(replace(e, state="absent") if e.name == "door" else e
                   for e in spot1.events)
    ptz1 = gone.cameras["ptz1"]
    rules = tuple(replace(r, state="absent") if r.name == "fence" else r
                  for r in ptz1.tracking_rules)
    gone = replace(gone, cameras={**gone.cameras, "spot1": replace(spot1, events=events),
                                  "ptz1": replace(ptz1, tracking_rules=rules)})
    plan = make_plan(gone)
    assert keys(plan) == [("ptz1", "tracking_rule", "fence", "delete"),
                          ("spot1", "event", "door", "delete")]
    assert plan.cameras[2].changes[0].slot == 1


# -- unmanaged slots ---------------------------------------------------------------------------
def preload_hand_made(site: Site) -> None:
    with client_for(site, "ptz1") as ptz:
        ptz.move(1, 1, 1)
        ptz.add_preset("by-hand", index=9)
    with client_for(site, "spot2") as spot:
        spot.setparam({"event_i4_name": "theirs", "event_i4_enable": "1",
                       "cameralink_i2_enable": "1", "cameralink_i2_ipaddress": "192.0.2.99"})


def test_unmanaged_slots_are_left_alone(site: Site) -> None:
    converge(site)
    preload_hand_made(site)
    plan = make_plan(site)
    assert keys(plan) == []
    unmanaged = [(u.camera, u.kind, u.name, u.slot) for cam in plan.cameras
                 for u in cam.unmanaged]
    assert unmanaged == [("ptz1", "preset", "by-hand", 9),
                         ("spot2", "peer", "192.0.2.99:80", 2),
                         ("spot2", "event", "theirs", 4)]


def test_unmanaged_slots_are_pruned_with_prune(site: Site) -> None:
    converge(site)
    preload_hand_made(site)
    cams = {**site.cameras}
    cams["ptz1"] = replace(cams["ptz1"], prune=frozenset({"preset"}))
    cams["spot2"] = replace(cams["spot2"], prune=frozenset({"peer", "event"}))
    plan = make_plan(replace(site, cameras=cams))
    assert keys(plan) == [("ptz1", "preset", "by-hand", "delete"),
                          ("spot2", "event", "theirs", "delete"),
                          ("spot2", "peer", "192.0.2.99:80", "delete")]
    run_plan(site, plan)
    assert keys(make_plan(replace(site, cameras=cams))) == []


# -- faults stay with their camera -------------------------------------------------------------
def test_a_down_camera_affects_only_itself(fleet: Fleet, site: Site) -> None:
    fleet.set_fault("ptz2", Fault(down=True))
    plan = make_plan(site)
    errors = {cam.camera: cam.error_kind for cam in plan.cameras}
    assert errors == {"ptz1": "", "ptz2": "unreachable", "spot1": "", "spot2": ""}
    assert plan.cameras[1].changes == () and plan.cameras[1].fingerprint == ""
    assert len(plan.changes) == 10  # everything but ptz2's preset


def test_refused_credentials_affect_only_that_camera(site: Site) -> None:
    spot2 = site.cameras["spot2"]
    wrong = replace(spot2, credentials=Credentials("admin", Secret("wrong-password")))
    plan = make_plan(replace(site, cameras={**site.cameras, "spot2": wrong}))
    assert [(c.camera, c.error_kind) for c in plan.failed] == [("spot2", "unauthorized")]
    assert "wrong-password" not in json.dumps(plan.to_json())


def test_wrong_model_and_old_firmware_are_mismatches(site: Site) -> None:
    base = build_site(SITE)
    old = replace(spec_of(base.cameras["spot2"]), firmware="2.2102.10.01")
    with running_fleet([old]) as fleet:
        aimed = with_connections(base, {name: fleet.port("spot2") for name in base.cameras})
        plan = make_plan(aimed, ["spot2"])
    assert plan.cameras[0].error_kind == "mismatch"
    assert "older than Camera Link needs" in plan.cameras[0].error
    wrong = replace(site.cameras["ptz2"], model="SD9384-EHL")
    plan = make_plan(replace(site, cameras={**site.cameras, "ptz2": wrong}))
    assert [(c.camera, c.error_kind) for c in plan.failed] == [("ptz2", "mismatch")]
    assert "reports model 'SD9368-EHL'" in plan.failed[0].error


# -- output properties ---------------------------------------------------------------------------
def test_plan_json_is_deterministic(site: Site) -> None:
    converge(site)
    preload_hand_made(site)
    with client_for(site, "spot1") as spot:
        spot.setparam({"event_i1_priority": "2"})
    first = json.dumps(make_plan(site, concurrency=1).to_json(), sort_keys=True)
    second = json.dumps(make_plan(site, concurrency=8).to_json(), sort_keys=True)
    assert first == second
    assert json.dumps(make_plan(site).to_json()) == json.dumps(make_plan(site).to_json())


def test_no_secret_in_the_plan(site: Site) -> None:
    plan_fresh = make_plan(site)
    converge(site)
    with client_for(site, "spot1") as spot:
        spot.setparam({"cameralink_i0_passwd": Secret("stale-one")})
    plan_stale = make_plan(site)
    text = json.dumps(plan_fresh.to_json()) + json.dumps(plan_stale.to_json())
    text += repr(plan_fresh) + repr(plan_stale)
    secrets = {c.credentials.password.reveal() for c in site.cameras.values()}
    secrets |= {c.peer_credentials.password.reveal() for c in site.cameras.values()}
    secrets.add("stale-one")
    assert [s for s in secrets if s in text] == []
    assert plan_stale.changes  # the stale password was noticed, without being shown


def _edges(plan: Plan) -> list[tuple[str, str, str, str]]:
    return [(str(e["spotter"]), str(e["event"]), str(e["ptz"]), str(e["status"]))
            for e in plan.links]


def test_links_topology(site: Site) -> None:
    converge(site)
    with client_for(site, "spot2") as spot:
        spot.setparam({"event_i0_delay": "99"})
    plan = make_plan(site)
    # The event's delay drifted: the event changes, its link does not (drawn solid).
    # No group holds the spotters of this site: each is an area of its own.
    assert [dict(link) for link in plan.links] == [
        {"link": "gate", "spotter": "spot1", "event": "gate-intrusion", "ptz": "ptz1",
         "preset": "gate", "track_rule": "gate-track", "do": None, "changed": False,
         "status": "unchanged", "area": "spot1"},
        {"link": "gate", "spotter": "spot1", "event": "gate-intrusion", "ptz": "ptz2",
         "preset": "dock", "track_rule": None, "do": 4, "changed": False,
         "status": "unchanged", "area": "spot1"},
        {"link": "door", "spotter": "spot1", "event": "door", "ptz": "ptz2",
         "preset": "dock", "track_rule": None, "do": None, "changed": False,
         "status": "unchanged", "area": "spot1"},
        {"link": "yard", "spotter": "spot2", "event": "yard-motion", "ptz": "ptz1",
         "preset": "yard", "track_rule": None, "do": None, "changed": False,
         "status": "unchanged", "area": "spot2"},
    ]


def test_links_topology_shows_added_changed_and_removed_links(site: Site) -> None:
    converge(site)
    links = {link.name: link for link in site.links}
    gate = links["gate"]
    moved = replace(gate, targets=(replace(gate.targets[0], preset="yard"),))  # ptz2 dropped
    door = replace(links["door"], targets=(*links["door"].targets,
                                           LinkTarget(ptz="ptz1", preset="gate")))
    edited = replace(site, links=(moved, door, links["yard"]))
    assert _edges(make_plan(edited)) == [
        ("spot1", "gate-intrusion", "ptz1", "changed"),
        ("spot1", "door", "ptz2", "unchanged"),
        ("spot1", "door", "ptz1", "added"),
        ("spot2", "yard-motion", "ptz1", "unchanged"),
        ("spot1", "gate-intrusion", "ptz2", "removed"),
    ]
    gone = replace(site, links=(gate, links["door"]))  # spot2's only link goes
    assert ("spot2", "yard-motion", "ptz1", "removed") in _edges(make_plan(gone))


def test_gather_timeout_is_per_camera(fleet: Fleet, site: Site) -> None:
    fleet.set_fault("spot2", Fault(latency_ms=3000))
    observed = gather(site, ["ptz2", "spot2"], timeout=0.3)
    assert isinstance(observed["ptz2"], Observed)
    assert isinstance(observed["spot2"], CameraUnreachable)


def test_spotters_are_read_spread_among_the_others_and_results_keep_the_callers_order(
        site: Site) -> None:
    """A spotter's read waits on its link tests: spread, so no wave is spotters alone."""
    from camlink_provision.inventory.model import Camera
    from camlink_provision.plan import default_client, read_order

    spotters = [n for n in site.cameras if site.cameras[n].role == "spotter"]
    others = [n for n in site.cameras if site.cameras[n].role != "spotter"]
    assert len(spotters) == len(others) == 2
    began: list[str] = []

    def recording(camera: Camera) -> CameraClient:
        began.append(camera.name)
        return default_client(camera)

    spread = [spotters[0], others[0], spotters[1], others[1]]
    observed = gather(site, others + spotters, concurrency=1, client_factory=recording)
    assert began == read_order(site, others + spotters) == spread
    assert list(observed) == others + spotters  # the caller's order, whatever the reads'
    assert all(isinstance(o, Observed) for o in observed.values())
    began.clear()
    plan, seen = plan_and_observe(site, others + spotters, concurrency=1,
                                  client_factory=recording)
    assert began == spread
    assert list(seen) == others + spotters
    assert not plan.failed
    assert read_order(site, others) == others and read_order(site, spotters) == spotters


def test_planning_never_asks_for_a_password(fleet: Fleet, site: Site) -> None:
    """Accounts are read by name and privilege, one parameter at a time: the ``security_user``
    group would bring root's password along (6/6), which the tool never needs to receive."""
    make_plan(site)
    for name in site.cameras:
        asked = [param for e in fleet.request_log(name) if e.path.endswith("getparam.cgi")
                 for param in e.params]
        assert profile.ACCOUNT_GROUP not in asked
        accounts = [p for p in asked if p.startswith(profile.ACCOUNT_GROUP)]
        assert accounts and all(not p.endswith(profile.ACCOUNT_PASSWORD) for p in accounts)


def test_a_free_preset_slots_position_is_not_kept(site: Site) -> None:
    converge(site)
    seen = gather(site, ["ptz1"])["ptz1"]
    assert isinstance(seen, Observed)
    with client_for(site, "ptz1") as ptz:
        everything = ptz.getparam([profile.PRESET_GROUP])
    slots = int(seen.params[profile.CAP_NPRESET])
    held = {slot for slot in range(slots) if everything[profile.preset_param(slot, "name")]}
    assert held, "the converged PTZ camera holds its presets"
    left_out = set(everything) - set(seen.params)
    assert left_out == {profile.preset_param(slot, axis) for slot in range(slots)
                        if slot not in held for axis in profile.PRESET_AXES}
    for slot in range(slots):  # every slot's name stays: which slots are free is needed
        assert profile.preset_param(slot, "name") in seen.params


def test_a_plan_only_shown_has_no_fingerprints_and_applied_writes_nothing(
        site: Site, fleet: Fleet) -> None:
    """``fingerprints=False`` (the plan command's text and markdown): the same changes and
    steps, no digest; applied anyway, every camera is refused as changed since the plan."""
    from camlink_provision.apply import apply_plan

    full = make_plan(site)
    shown = make_plan(site, fingerprints=False)
    assert all(cam.fingerprint for cam in full.cameras)
    assert [cam.fingerprint for cam in shown.cameras] == [""] * len(shown.cameras)
    assert [c.to_json() for c in shown.changes] == [c.to_json() for c in full.changes]
    assert shown.steps == full.steps and shown.changes
    result = apply_plan(site, shown, concurrency=4)
    # Refused (the PTZ cameras), or held back behind a refused one (their spotters).
    assert {cam.status for cam in result.cameras if cam.camera in
            {c.camera for c in shown.changes}} == {"failed", "skipped"}
    assert not any(entry.write for name in fleet.names() for entry in fleet.request_log(name))
