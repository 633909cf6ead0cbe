"""The contract every resource kind passes (NAPALM's shared driver tests, for resources).

- it implements every method of ``base.Resource`` with the same parameters;
- ``observed`` is a pure parse: same reply, same result, the reply untouched;
- the Ops of a plan, applied the way the firmware contract says (``Simulator``), bring the
  camera to a state that plans no change, and every named thing then has a no-op reason;
- everything it writes with setparam is a parameter the camera has, and may be written;
- removing everything (``state: absent``) and applying leaves nothing of it on the camera;
- both directions: a site applied to emulated cameras over real HTTP, read back, is adopted
  by each kind as the inventory data it started from, and the importer's site built from
  the kinds' adoptions wants exactly what the original wanted (plan: no change).
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

import pytest
from plan import httpkit

from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.firmware import profile
from camlink_provision.importer.adopt import adopt
from camlink_provision.importer.read import Reading, read_cameras
from camlink_provision.inventory.model import RESOURCE_KINDS, Account, Camera, Site
from camlink_provision.model import Observed
from camlink_provision.order import requests_of
from camlink_provision.plan import default_client, make_plan, plan_camera_detail
from camlink_provision.resources import KINDS, Context, Resource, Wanted
from camlink_provision.resources import events as event_kind
from camlink_provision.resources.accounts import RESOURCE as ACCOUNTS
from camlink_provision.resources.events import RESOURCE as EVENTS
from camlink_provision.resources.peers import RESOURCE as PEERS
from camlink_provision.resources.presets import RESOURCE as PRESETS
from camlink_provision.resources.tracking import RESOURCE as TRACKING
from resources.sitekit import (
    Simulator,
    build_site,
    capabilities,
    link_password_of,
    observed_from,
    password_of,
    with_connections,
)

SITE: dict[str, Any] = {
    "cameras": [
        {"name": "ptz1", "role": "ptz", "address": "192.0.2.21",
         "presets": [{"name": "gate", "pan": 100, "tilt": -10, "zoom": 2},
                     {"name": "yard", "pan": -200, "tilt": 0, "zoom": 1}],
         "tracking_rules": [
             {"name": "gate-track", "type": "intrusion",
              "field": [[0, 0], [5000, 0], [5000, 5000]], "condition": "both"},
             {"name": "fence", "type": "linecrossing", "field": [[0, 1], [9, 1]]}]},
        {"name": "ptz2", "role": "ptz", "address": "192.0.2.22", "site_port": 8080,
         "presets": [{"name": "dock", "pan": 1, "tilt": 2, "zoom": 3}]},
        {"name": "spot1", "role": "spotter",
         "events": [{"name": "gate-intrusion",
                     "trigger": {"kind": "detection", "rule": "gate-zone"},
                     "priority": "high", "do_duration": 3},
                    {"name": "door", "trigger": {"kind": "di", "inputs": [0]}}]},
    ],
    "links": [
        {"name": "gate", "spotter": "spot1", "event": "gate-intrusion",
         "targets": [{"ptz": "ptz1", "preset": "gate", "track_rule": "gate-track"},
                     {"ptz": "ptz2", "preset": "dock", "do_duration": 4}]},
        {"name": "door", "spotter": "spot1", "event": "door",
         "targets": [{"ptz": "ptz2", "preset": "dock"}]},
    ],
}
HOLDS: dict[str, Any] = {
    "presets": {0: {"name": "by-hand", "pan": 5}},
    "events": {1: {"name": "theirs", "enable": 1}},
    "peers": {2: {"enable": 1, "name": "other", "ipaddress": "192.0.2.99"}},
    "rules": {"theirs": {"RuleName": "theirs", "Type": "intrusion", "Field": [[0, 0], [1, 1]],
                         "ConnectEvent": False, "Condition": "enter"}},
}
IDS = [kind.kind for kind in KINDS]


def _converge(site: Site, camera: Camera, observed: Observed) -> Observed:
    """Plan, apply the step's requests to a simulated camera, and read it back."""
    plan = plan_camera_detail(site, camera, observed).plan
    assert not plan.error, plan.error
    sim = Simulator(site, camera, observed)
    for request in requests_of(plan.changes):
        sim.run(request.command)
    back = Observed(camera.name, sim.params, sim.rules)
    return sim.observed(PEERS.slots_to_test(site, camera, back))


def _holds(camera: Camera) -> dict[str, Any]:
    if camera.role == "ptz":
        return {"presets": HOLDS["presets"], "rules": HOLDS["rules"]}
    return {"events": HOLDS["events"], "peers": HOLDS["peers"]}


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_implements_the_protocol(kind: Resource) -> None:
    for name, member in inspect.getmembers(Resource, inspect.isfunction):
        if name.startswith("_"):
            continue
        mine = getattr(kind, name)
        expected = list(inspect.signature(member).parameters)[1:]
        assert list(inspect.signature(mine).parameters) == expected, name
    assert kind.kind in RESOURCE_KINDS


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_observed_is_a_pure_parse(kind: Resource) -> None:
    site = build_site(SITE)
    for camera in site.cameras.values():
        observed = observed_from(camera, _holds(camera))
        before = json.dumps(observed.params, sort_keys=True)
        assert kind.observed(observed) == kind.observed(observed)
        assert json.dumps(observed.params, sort_keys=True) == before


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
@pytest.mark.parametrize("start", ["factory", "held"])
def test_applying_the_plan_converges(kind: Resource, start: str) -> None:
    site = build_site(SITE)
    for camera in site.cameras.values():
        observed = observed_from(camera, _holds(camera) if start == "held" else {})
        first = plan_camera_detail(site, camera, observed).plan
        again = plan_camera_detail(site, camera, _converge(site, camera, observed))
        assert [c.key for c in again.plan.changes if c.kind == kind.kind] == []
        assert again.plan.warnings == ()
        wanted = {w.name for w in kind.desired(site, camera)}
        in_sync = {n.name for n in again.noops if n.kind == kind.kind}
        assert in_sync == wanted
        assert all("already" in n.reason for n in again.noops)
        # (the account this tool logs in with is on every camera before anything is written)
        if wanted - {camera.credentials.username}:
            assert any(c.kind == kind.kind for c in first.changes)


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_writes_only_writable_parameters(kind: Resource) -> None:
    site = build_site(SITE)
    for camera in site.cameras.values():
        table = profile.parameter_table(capabilities(camera.model))
        plan = plan_camera_detail(site, camera, observed_from(camera, _holds(camera))).plan
        for change in plan.changes:
            assert change.ops, change.key
            for op in change.ops:
                if op.call == "setparam":
                    for name in op.args:
                        assert name in table and table[name].set_level <= 6, name


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
def test_absent_removes_everything(kind: Resource) -> None:
    site = build_site(SITE)
    gone = _all_absent(site)
    for camera in site.cameras.values():
        converged = _converge(site, camera, observed_from(camera, {}))
        after = _converge(gone, gone.cameras[camera.name], converged)
        left = {h.name for h in kind.observed(after)}
        # The account this tool logs in with cannot be absent: it is never removed.
        assert not left & {w.name for w in kind.desired(site, camera)} \
            - {camera.credentials.username}


def test_no_secret_in_any_change() -> None:
    site = build_site(SITE)
    secrets = [f(name) for name in site.cameras for f in (password_of, link_password_of)]
    for camera in site.cameras.values():
        plan = plan_camera_detail(site, camera, observed_from(camera, _holds(camera))).plan
        text = json.dumps(plan.to_json()) + repr(plan)
        assert not [s for s in secrets if s in text]


def _link_names(camera: Camera) -> tuple[str, ...]:
    return (camera.link_credentials.username,) if camera.own_link_account \
        and camera.link_credentials else ()


def _all_absent(site: Site) -> Site:
    cameras = {}
    for name, cam in site.cameras.items():
        cameras[name] = replace(
            cam, presets=tuple(replace(p, state="absent") for p in cam.presets),
            tracking_rules=tuple(replace(r, state="absent") for r in cam.tracking_rules),
            events=tuple(replace(e, state="absent") for e in cam.events),
            # the links go, so does the account spotters called with
            link_credentials=None,
            accounts=tuple(Account(a, state="absent") for a in _link_names(cam)))
    links = tuple(replace(link, state="absent") for link in site.links)
    return replace(site, cameras=cameras, links=links)


# -- both directions: desired -> applied -> observed -> adopt gives the inventory back ---------
# Over real HTTP: the plan's requests are sent to emulated cameras on loopback by the real
# client, the cameras are read back by the importer's reader, and each kind adopts what it
# reads. ``RICH`` sets every field the inventory has away from its default where it can.
RICH: dict[str, Any] = {
    "name": "rich-site",
    "cameras": [
        {**httpkit.SITE["cameras"][0],
         "tracking_rules": [
             {"name": "gate-track", "type": "intrusion", "condition": "leave",
              "field": [[0, 0], [5000, 0], [5000, 5000]], "connect_event": True},
             {"name": "yard-loiter", "type": "loitering", "duration": 30,
              "field": [[10, 10], [900, 10], [900, 900], [10, 900]]},
             {"name": "fence", "type": "linecrossing", "direction": "BtoA",
              "field": [[0, 10], [9000, 10]]}]},
        httpkit.SITE["cameras"][1],
        {**httpkit.SITE["cameras"][2],
         "events": [
             {"name": "gate-intrusion", "trigger": {"kind": "detection", "rule": "gate-zone"},
              "priority": "high", "do_duration": 3, "delay": 25,
              "schedule": {"days": ["mon", "tue", "wed", "thu", "fri"], "begin": "19:00",
                           "end": "06:30"}},
             {"name": "door", "trigger": {"kind": "di", "inputs": [0]}, "enabled": False,
              "priority": "low", "goto_preset": "home"},
             {"name": "panic", "trigger": {"kind": "vi", "inputs": [1, 2]}}]},
        {**httpkit.SITE["cameras"][3],
         "events": [{"name": "yard-motion", "trigger": {"kind": "motion", "inputs": [0, 2]},
                     "schedule": {"days": ["sat", "sun"]}}]},
    ],
    "links": [
        {"name": "gate", "spotter": "spot1", "event": "gate-intrusion",
         "targets": [{"ptz": "ptz1", "preset": "gate", "track_rule": "gate-track",
                      "do_duration": 7},
                     {"ptz": "ptz2", "preset": "dock", "do_duration": 4}]},
        {"name": "door", "spotter": "spot1", "event": "door",
         "targets": [{"ptz": "ptz2", "preset": "dock"}]},
        {"name": "panic", "spotter": "spot1", "event": "panic",
         "targets": [{"ptz": "ptz1", "track_rule": "yard-loiter"}]},
        {"name": "yard", "spotter": "spot2", "event": "yard-motion",
         "targets": [{"ptz": "ptz1", "preset": "yard"}]},
    ],
}
SITES = {"http-site": httpkit.SITE, "rich": RICH}


@pytest.fixture(scope="module")
def _fleet() -> Iterator[Fleet]:
    with running_fleet(httpkit.fleet_specs(build_site(httpkit.SITE))) as fleet:
        yield fleet


def _applied(fleet: Fleet, data: Mapping[str, Any]) -> tuple[Site, dict[str, Reading]]:
    """The site applied to factory-fresh cameras over HTTP, and each camera read back."""
    fleet.reset_all()
    base = build_site(data)
    site = with_connections(base, {name: fleet.port(name) for name in base.cameras})
    plan = make_plan(site, concurrency=4)
    assert not plan.failed and plan.changes
    httpkit.run_plan(site, plan)
    read = read_cameras(list(site.cameras.values()), default_client, 4)
    readings = {name: r for name, r in read.items() if isinstance(r, Reading)}
    assert list(readings) == list(site.cameras), read
    return site, readings


def _bare(site: Site) -> Site:
    """What import starts from: how to reach each camera, nothing the kinds adopt (no
    resources, no links, the default site port, a link account without its user name)."""
    cameras = {}
    for name, cam in site.cameras.items():
        link = cam.link_credentials
        cameras[name] = replace(
            cam, presets=(), tracking_rules=(), events=(), site_port=80,
            link_credentials=None if link is None else replace(link, username="-"))
    return replace(site, cameras=cameras, links=())


def _declared(kind: Resource, site: Site, camera: Camera) -> tuple[Any, ...]:
    """What the inventory declares of ``kind`` on ``camera``, as ``kind.adopt`` gives it."""
    if kind is PRESETS:
        return camera.presets
    if kind is TRACKING:  # a camera keys its rules by name: they have no order
        return tuple(sorted(camera.tracking_rules, key=lambda rule: rule.name))
    if kind is EVENTS:
        return camera.events
    if kind is ACCOUNTS:  # the link account the site's apply created, by name and privilege
        return tuple((name, camera.peer_credentials.privilege)
                     for name in _link_names(camera))
    # A peer: the PTZ it calls, the port and account the PTZ is called with.
    ptz = dict.fromkeys(t.ptz for link in site.links_of(camera.name) for t in link.targets)
    return tuple((name, site.cameras[name].site_port,
                  site.cameras[name].peer_credentials.username) for name in ptz)


def _adopted(kind: Resource, item: Any) -> Any:
    if kind is EVENTS:
        return item.event
    if kind is PEERS:
        return item.ptz, item.site_port, item.username
    if kind is ACCOUNTS:
        return item.name, item.privilege
    return item


def _defaults_filled(kind: Resource, items: tuple[Any, ...]) -> tuple[Any, ...]:
    """Inventory data with what the firmware stores for a value left open (a rule's
    condition, duration or direction; the inputs of a trigger) filled in: adopt reads back
    what was written."""
    if kind is EVENTS:
        return tuple(replace(event, trigger=replace(event.trigger,
                                                    inputs=event_kind.DEFAULT_INPUTS))
                     if event.trigger.kind != "detection" and not event.trigger.inputs
                     else event for event in items)
    if kind is not TRACKING:
        return items
    out = []
    for rule in items:
        key = profile.RULE_TYPE_KEYS[rule.type]
        value = profile.rule_to_vca(rule.name, rule.type, [], False, condition=rule.condition,
                                    duration=rule.duration, direction=rule.direction)[key]
        field_name = {profile.VCA_CONDITION: "condition", profile.VCA_DURATION: "duration",
                      profile.VCA_DIRECTION: "direction"}[key]
        out.append(replace(rule, **{field_name: value}))
    return tuple(out)


def _by_name(wanted: Sequence[Wanted]) -> dict[str, Wanted]:
    out = {w.name: w for w in wanted}
    assert len(out) == len(wanted)
    return out


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
@pytest.mark.parametrize("which", list(SITES))
def test_adopt_gives_back_what_was_applied(kind: Resource, which: str, _fleet: Fleet) -> None:
    """observed -> adopt -> the inventory's own data, camera by camera, without a warning."""
    site, readings = _applied(_fleet, SITES[which])
    bare = _bare(site)
    seen = 0
    for name, camera in site.cameras.items():
        observed = readings[name].observed
        adopted = kind.adopt(Context(bare, bare.cameras[name], observed),
                             kind.observed(observed))
        assert adopted.kind == kind.kind
        assert adopted.warnings == (), (name, adopted.warnings)
        got = tuple(_adopted(kind, item) for item in adopted.items)
        assert got == _defaults_filled(kind, _declared(kind, site, camera)), name
        seen += len(got)
    assert seen  # every kind has something on this site


@pytest.mark.parametrize("kind", KINDS, ids=IDS)
@pytest.mark.parametrize("which", list(SITES))
def test_import_round_trips_every_kind(kind: Resource, which: str, _fleet: Fleet) -> None:
    """desired -> applied -> observed -> adopt (the importer, calling the kinds) -> desired
    again: the same, and planning the adopted site against the cameras changes nothing."""
    site, readings = _applied(_fleet, SITES[which])
    adoption = adopt(_bare(site), readings)
    assert adoption.warnings == () and adoption.placeholders == ()
    again = adoption.site
    for name, camera in site.cameras.items():
        assert again.cameras[name].role == camera.role
        # Desired state is keyed by identity (architecture.md): compared by name, not order.
        assert _by_name(kind.desired(again, again.cameras[name])) == \
            _by_name(kind.desired(site, camera)), name
    # Planned over HTTP like any plan: peers' passwords are checked by the spotters' own
    # link tests (the adopted site keeps the link accounts' secrets of the source).
    plan = make_plan(again, concurrency=4)
    assert not plan.failed and [cam.warnings for cam in plan.cameras if cam.warnings] == []
    assert [c.key for c in plan.changes if c.kind == kind.kind] == []


def test_what_an_event_cannot_say_is_warned(_fleet: Fleet) -> None:
    """Set by hand through the firmware interface: an event naming no input (the inventory
    writes input 1 for that), an enabled slot without a name, a trigger the inventory has
    no word for. Adopt keeps the first, warns for all three."""
    _fleet.reset_all()
    base = build_site(httpkit.SITE)
    site = with_connections(base, {name: _fleet.port(name) for name in base.cameras})
    spot1 = site.cameras["spot1"]
    by_hand = {profile.event_param(0, profile.EVENT_NAME): "door",
               profile.event_param(0, profile.EVENT_ENABLE): profile.ON,
               profile.event_param(0, profile.EVENT_TRIGGER): "di",
               profile.event_param(0, profile.TRIGGER_INPUT_FIELDS["di"]): "0",
               profile.event_param(1, profile.EVENT_ENABLE): profile.ON,
               profile.event_param(2, profile.EVENT_NAME): "tamper",
               profile.event_param(2, profile.EVENT_TRIGGER): "tampering"}
    with default_client(spot1) as client:
        client.setparam(by_hand)
    reading = read_cameras([spot1], default_client, 1)["spot1"]
    assert isinstance(reading, Reading)
    adopted = EVENTS.adopt(Context(site, spot1, reading.observed),
                           EVENTS.observed(reading.observed))
    assert [held.event.name for held in adopted.items] == ["door"]
    assert adopted.items[0].event.trigger.inputs == ()
    assert adopted.warnings == (
        "event 'door' (event slot 0): di cannot be written as the camera holds them; plan "
        "will rewrite them",
        "event slot 1 is enabled but has no name; left unmanaged",
        "event 'tamper' (event slot 2): trigger 'tampering' cannot be written in an "
        "inventory; left unmanaged")


@pytest.mark.parametrize(("rule", "why"), [
    ({"Type": "tampering", "Field": [[0, 0]], "ConnectEvent": False},
     "has type 'tampering', which the inventory cannot hold"),
    ({"Type": "intrusion", "Field": "everywhere", "ConnectEvent": False,
      "Condition": "enter"}, "has a Field that is not a list of [x, y] points"),
    ({"Type": "loitering", "Field": [[0, 0], [1, 0], [1, 1]], "ConnectEvent": False,
      "Duration": "long"}, ": Duration 'long' is not a value the inventory can hold"),
    ({"Type": "linecrossing", "Field": [[0, 0], [1, 0]], "ConnectEvent": False},
     ": Direction cannot be written as the camera holds it"),
])
def test_what_a_rule_cannot_say_is_left_unmanaged(rule: dict[str, Any], why: str) -> None:
    """VCA replies the emulator never gives (it refuses such rules), parsed as a camera
    with other firmware might report them: adopt leaves them out and says why."""
    site = build_site(SITE)
    ptz1 = site.cameras["ptz1"]
    observed = observed_from(ptz1, {"rules": {"odd": {profile.VCA_RULE_NAME: "odd", **rule}}})
    adopted = TRACKING.adopt(Context(site, ptz1, observed), TRACKING.observed(observed))
    assert adopted.items == ()
    assert adopted.warnings == (f"tracking rule 'odd'{'' if why[0] == ':' else ' '}{why}; "
                                "left unmanaged",)
