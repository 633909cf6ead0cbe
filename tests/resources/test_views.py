"""The reviewer's views: firmware dicts in the inventory's words, and the changes they show.

Each kind keeps comparing (and writing) firmware fields; a plan's attributes are the diff of
the two views. Checked here: every trigger kind, the schedule forms, link action summaries,
peers and tracking rules, and that every field an update writes is visible in its
attributes (as a changed attribute or as a leftover setting), over many random drifts.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Event, Schedule, Trigger
from camlink_provision.model import JSON, Observed
from camlink_provision.plan import plan_camera_detail, plan_resources
from camlink_provision.resources import events, peers, tracking
from camlink_provision.resources.base import LEFTOVERS, Context, view_changes
from resources.sitekit import build_site, observed_from


def event_fields(**fields: Any) -> dict[str, JSON]:
    """A factory event slot (3 peer slots) with ``fields`` laid over it, as strings."""
    out: dict[str, JSON] = dict(events.slot_defaults(3))
    out.update({key: str(value) for key, value in fields.items()})
    return out


def event_view(links: dict[int, str] | None = None, **fields: Any) -> dict[str, JSON]:
    return events.view(event_fields(**fields), links or {})


# -- events ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("fields", "text"), [
    ({"trigger": "vadp", "vadp_rule": "yard-loiter"}, "detection yard-loiter"),
    ({"trigger": "vadp"}, "detection (no rule)"),
    ({"trigger": "di", "di": 1}, "digital input 1"),
    ({"trigger": "di", "di": 5}, "digital inputs 1, 3"),
    ({"trigger": "di", "di": 0}, "digital input (none)"),
    ({"trigger": "vi", "vi": 2}, "virtual input 2"),
    ({"trigger": "motion", "mdwin": 1}, "motion window 1"),
    ({"trigger": "motion", "mdwin": 6}, "motion windows 2, 3"),
    ({"trigger": "boot"}, "boot"),
    ({"trigger": "tampering", "di": 1}, "tampering"),
    # only the selector of the trigger in force is read
    ({"trigger": "di", "di": 2, "vadp_rule": "x", "mdwin": 7}, "digital input 2"),
])
def test_trigger_of_each_kind(fields: dict[str, Any], text: str) -> None:
    assert event_view(**fields)["trigger"] == text


@pytest.mark.parametrize(("weekday", "begin", "end", "text"), [
    (127, "00:00", "24:00", "every day 00:00-24:00"),
    (62, "00:00", "24:00", "mon-fri 00:00-24:00"),
    (127, "19:00", "06:30", "every day 19:00-06:30"),  # over midnight: begin after end
    (62, "22:00", "05:00", "mon-fri 22:00-05:00"),
    (65, "08:00", "12:00", "sat, sun 08:00-12:00"),
    (42, "00:00", "24:00", "mon, wed, fri 00:00-24:00"),
    (6, "00:00", "24:00", "mon, tue 00:00-24:00"),
    (113, "00:00", "24:00", "thu-sun 00:00-24:00"),
    (0, "00:00", "24:00", "no day 00:00-24:00"),
    ("x", "00:00", "24:00", "unknown: x 00:00-24:00"),
    (300, "00:00", "24:00", "unknown: 300 00:00-24:00"),
])
def test_schedule_forms(weekday: Any, begin: str, end: str, text: str) -> None:
    assert event_view(weekday=weekday, begintime=begin, endtime=end)["schedule"] == text


def test_inventory_event_reads_back_in_its_own_words() -> None:
    event = Event(name="gate-after-hours", trigger=Trigger("di", inputs=(0, 2)),
                  priority="high", delay=5,
                  schedule=Schedule(days=("sat", "sun", "fri"), begin="19:00", end="06:30"),
                  do_duration=3, goto_preset="home")
    assert events.view(events.event_attrs(event), {}) == {
        "name": "gate-after-hours", "enabled": "yes", "priority": "high", "delay": "5 s",
        "schedule": "fri-sun 19:00-06:30", "trigger": "digital inputs 1, 3",
        "local output": "3 s", "local preset": "home"}
    quiet = Event(name="q", trigger=Trigger("motion"), enabled=False, priority="low")
    shown = events.view(events.event_attrs(quiet), {})
    assert (shown["enabled"], shown["priority"], shown["trigger"], shown["local output"],
            shown["local preset"]) == ("no", "low", "motion window 1", "off", "off")
    assert event_view(priority=7)["priority"] == "unknown: 7"


@pytest.mark.parametrize(("action", "text"), [
    ({"enable": 1, "preset": "yard-containers", "track_enable": 1, "track_rule": "yard-loiter",
      "do_enable": 1, "do_duration": 5},
     "preset yard-containers, track yard-loiter, output 5 s"),
    ({"enable": 1, "preset": "gate"}, "preset gate"),
    ({"enable": 1, "do_enable": 1, "do_duration": 30}, "output 30 s"),
    ({"enable": 1, "track_enable": 1}, "track (no rule)"),
    ({"enable": 1}, "on, does nothing"),
    # off is off, whatever the disabled fields still hold
    ({"enable": 0, "preset": "old", "do_enable": 1, "do_duration": 9}, "off"),
    # a disabled part of an enabled action is not shown
    ({"enable": 1, "preset": "gate", "track_rule": "left", "do_duration": 9}, "preset gate"),
])
def test_link_action_summaries(action: dict[str, Any], text: str) -> None:
    fields = {events.action_field(1, name): value for name, value in action.items()}
    shown = event_view({0: "ptz-yard-west", 1: "ptz-crane"}, **fields)
    assert shown["link -> ptz-crane"] == text
    assert shown["link -> ptz-yard-west"] == "off"
    assert list(shown)[-2:] == ["link -> ptz-yard-west", "link -> ptz-crane"]  # slot order


def test_view_changes_are_in_after_order_and_missing_keys_are_none() -> None:
    changes = view_changes({"b": 1, "a": 1, "gone": "x"}, {"a": 2, "b": 1, "new": [1]})
    assert [(c.name, c.before, c.after) for c in changes] == [
        ("a", 1, 2), ("new", None, [1]), ("gone", "x", None)]
    assert view_changes({"a": 1}, {"a": True}) != []  # deepdiff tells 1 from True


SPOT_SITE: dict[str, Any] = {
    "cameras": [
        {"name": "ptz1", "role": "ptz", "address": "192.0.2.21"},
        {"name": "spot1", "role": "spotter",
         "events": [{"name": "door", "trigger": {"kind": "di", "inputs": [0]}}]},
    ],
    "links": [{"name": "l", "spotter": "spot1", "event": "door",
               "targets": [{"ptz": "ptz1", "preset": "door"}]}],
}


def test_a_peer_name_held_twice_gets_its_slot() -> None:
    site = build_site(SPOT_SITE)
    camera = site.cameras["spot1"]
    peer = {"enable": 1, "name": "ptz1", "ipaddress": "192.0.2.21", "port": 80,
            "username": "camlink"}
    observed = observed_from(camera, {"peers": {0: {**peer, "port": 81}, 1: peer},
                                      "link_tests": {1: "ok"}})
    plan = plan_camera_detail(site, camera, observed).plan
    (change,) = [c for c in plan.changes if c.kind == "event"]
    assert [a.name for a in change.attributes] == [
        "name", "enabled", "priority", "delay", "schedule", "trigger", "local output",
        "local preset", "link -> ptz1 (peer slot 0)", "link -> ptz1 (peer slot 1)"]
    assert change.attributes[-1].after == "preset door"


# -- peers and tracking rules -----------------------------------------------------------------
def test_peer_view() -> None:
    held = {"enable": "1", "name": "ptz-yard-west", "ipaddress": "192.0.2.40", "port": "80",
            "username": "camlink"}
    assert peers.view(held) == {"name": "ptz-yard-west", "address": "192.0.2.40:80",
                                "username": "camlink", "enabled": "yes"}
    assert peers.view({**held, "ipaddress": "fd00::5", "enable": "0"})["address"] == \
        "[fd00::5]:80"
    assert peers.view({"enable": "0"}) == {"name": None, "address": "(none)",
                                           "username": None, "enabled": "no"}


@pytest.mark.parametrize("kind", profile.RULE_TYPES)
def test_tracking_view_names_every_vca_key(kind: str) -> None:
    vca = profile.rule_to_vca("r", kind, [[0, 0], [1, 1]], True)
    shown = tracking.view(vca)
    assert set(vca) <= set(tracking.INVENTORY_KEYS)
    assert list(shown)[:3] == ["name", "type", "field"] and shown["connect_event"] == "yes"
    assert len(shown) == len(vca)


def test_tracking_view_values() -> None:
    vca = profile.rule_to_vca("yard-loiter", "loitering", [[0, 0], [9, 0], [9, 9]], False,
                              duration=30)
    assert tracking.view({**vca, "Sensitivity": 80}) == {
        "name": "yard-loiter", "type": "loitering", "field": [[0, 0], [9, 0], [9, 9]],
        "duration": "30 s", "connect_event": "no"}
    assert tracking.view({"Duration": "30"})["duration"] == "unknown: 30"


# -- no write goes unseen -----------------------------------------------------------------------
RANDOM_SITE: dict[str, Any] = {
    "cameras": [
        {"name": "ptz1", "role": "ptz", "address": "192.0.2.21"},
        {"name": "ptz2", "role": "ptz", "address": "192.0.2.22", "site_port": 8080},
        {"name": "spot1", "role": "spotter",
         "events": [{"name": "gate", "trigger": {"kind": "detection", "rule": "gate-zone"},
                     "priority": "high", "do_duration": 3,
                     "schedule": {"days": ["mon", "fri"], "begin": "20:00", "end": "06:00"}},
                    {"name": "door", "trigger": {"kind": "di", "inputs": [0]},
                     "goto_preset": "home"}]},
    ],
    "links": [
        {"name": "gate", "spotter": "spot1", "event": "gate",
         "targets": [{"ptz": "ptz1", "preset": "gate", "track_rule": "gate-track"},
                     {"ptz": "ptz2", "preset": "dock", "do_duration": 4}]},
        {"name": "door", "spotter": "spot1", "event": "door",
         "targets": [{"ptz": "ptz2", "preset": "dock"}]},
    ],
}
VALUES: dict[str, list[str]] = {
    "enable": ["0", "1"], "priority": ["0", "1", "2"], "delay": ["1", "10", "30"],
    "weekday": ["127", "62", "65", "34"], "begintime": ["00:00", "20:00"],
    "endtime": ["24:00", "06:00"], "trigger": ["vadp", "di", "vi", "motion", "boot"],
    "di": ["0", "1", "3"], "vi": ["0", "1"], "mdwin": ["0", "1", "2"],
    "vadp_rule": ["", "gate-zone", "other"], "action_do_i0_enable": ["0", "1"],
    "action_do_i0_duration": ["1", "3", "9"], "action_goto_enable": ["0", "1"],
    "action_goto_name": ["", "home", "x"],
}
ACTION_VALUES: dict[str, list[str]] = {
    "enable": ["0", "1"], "do_enable": ["0", "1"], "do_duration": ["1", "4", "9"],
    "preset": ["", "gate", "dock"], "track_enable": ["0", "1"],
    "track_rule": ["", "gate-track", "z"],
}


def _converged_params() -> dict[str, str]:
    site = build_site(RANDOM_SITE)
    camera = site.cameras["spot1"]
    params = dict(observed_from(camera, {}).params)
    for change in plan_camera_detail(site, camera, observed_from(camera, {})).plan.changes:
        for op in change.ops:
            params.update({k: str(v) for k, v in op.args.items() if not k.endswith("passwd")})
    return params


def test_every_written_field_is_visible_in_the_attributes() -> None:
    """Random out-of-band edits of the events: an update exactly when a managed field
    differs, and each field it writes feeds an attribute shown (changed, or leftover)."""
    site = build_site(RANDOM_SITE)
    camera = site.cameras["spot1"]
    base = _converged_params()
    rng = random.Random(2103)
    seen_leftovers = 0
    for _ in range(300):
        params = dict(base)
        for _ in range(rng.randint(1, 4)):
            slot = rng.randint(0, 1)
            if rng.random() < 0.5:
                field = rng.choice(sorted(VALUES))
                params[profile.event_param(slot, field)] = rng.choice(VALUES[field])
            else:
                peer, name = rng.randint(0, 2), rng.choice(sorted(ACTION_VALUES))
                params[profile.link_action_param(slot, peer, name)] = \
                    rng.choice(ACTION_VALUES[name])
        observed = Observed(camera.name, params, None, {0: "ok", 1: "ok"})
        results = plan_resources(site, camera, observed)
        slots = {r.kind: r.slots for r in results}
        ctx = Context(site, camera, observed, slots)
        for result in results:
            if result.kind != "event":
                continue
            for change in result.changes:
                assert change.action == "update" and change.attributes, change
                names = [a.name for a in change.attributes]
                where = next((str(a.before) for a in change.attributes
                              if a.name == LEFTOVERS), "")
                seen_leftovers += bool(where)
                assert change.slot is not None
                fields = [events.field_of(name, change.slot)
                          for op in change.ops for name in op.args]
                for owner in events.RESOURCE.owners(ctx, fields):
                    assert owner in names or owner in where.split(", "), (owner, change)
            in_sync = {n.name for n in result.noops}
            changed = {c.name for c in result.changes}
            assert in_sync | changed == {"gate", "door"} and not in_sync & changed
    assert seen_leftovers  # the random edits did reach fields a view does not show
