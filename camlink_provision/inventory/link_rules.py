"""Rules across cameras: what links name must exist, fit the spotter's peer slots, and not
contradict each other.

On the firmware a link is not a thing of its own: it is a camera-link action per PTZ peer on
the spotter's event slot. So two links on the same spotter event merge into that one slot,
and may not both command the same PTZ camera (one action per peer per event).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from camlink_provision import schedule as schedule_rules
from camlink_provision.errors import InventoryError, Location
from camlink_provision.firmware import models, profile
from camlink_provision.inventory import limits
from camlink_provision.inventory.build import SourceMap, link_key
from camlink_provision.inventory.camera_rules import duplicates
from camlink_provision.inventory.groups import ROLE_GROUPS
from camlink_provision.inventory.hints import STRICT, did_you_mean
from camlink_provision.inventory.model import Camera, Event, Link, LinkTarget, Schedule, Site

Errors = list[InventoryError]
TIME = limits.FIRMWARE_TYPES["event.time"]
GROUP_OF_ROLE = {role: group for group, role in ROLE_GROUPS.items()}
ROLE_WORDS = {"spotter": "a spotter", "ptz": "a PTZ camera"}


@dataclass(frozen=True)
class _Use:
    """One target of one link, with where its fields are written."""

    link: Link
    index: int
    number: int
    target: LinkTarget
    where: SourceMap

    def at(self, field: str) -> Location:
        return self.where.at(link_key(self.index, "targets", self.number, field),
                             self.target.location)


def check_links(site: Site, where: SourceMap, declared: set[str]) -> Errors:
    """Errors and warnings (severity ``warning``) of every link of the site."""
    errors = duplicates([(link.name, link.location) for link in site.links], "link",
                        "in the site")
    for index, link in enumerate(site.links):
        errors += _link(site, index, link, where, declared)
    errors += _peer_counts(site, where)
    errors += _one_action_per_peer(site, where)
    errors += _conflicting_presets(site, where)
    return errors


def _targets(link: Link, index: int, where: SourceMap) -> Iterator[_Use]:
    for number, target in enumerate(link.targets):
        yield _Use(link, index, number, target, where)


def _uses(site: Site, where: SourceMap) -> Iterator[_Use]:
    """Every target of every present link."""
    for index, link in enumerate(site.links):
        if link.state == "present":
            yield from _targets(link, index, where)


def _camera(site: Site, name: str, role: str, at: Location, declared: set[str]
            ) -> tuple[Camera | None, Errors]:
    camera = site.cameras.get(name)
    if camera is None:
        if name in declared:  # declared, but broken: its own errors say why
            return None, []
        hint = did_you_mean(name, site.cameras, f"declare it under the {GROUP_OF_ROLE[role]} "
                            "group, or fix the name", STRICT)
        return None, [InventoryError(f"there is no camera named '{name}'", at, hint)]
    if camera.role != role:
        return None, [InventoryError(f"{name} is {ROLE_WORDS[camera.role]}, not "
                                     f"{ROLE_WORDS[role]}", at,
                                     f"name {ROLE_WORDS[role]} here")]
    return camera, []


def _link(site: Site, index: int, link: Link, where: SourceMap, declared: set[str]
          ) -> Errors:
    def at(field: str) -> Location:
        return where.at(link_key(index, field), link.location)

    spotter, errors = _camera(site, link.spotter, "spotter", at("spotter"), declared)
    if spotter is not None:
        errors += _event_declared(spotter, link, at("event"))
    seen: dict[str, Location] = {}
    for use in _targets(link, index, where):
        ptz, found = _camera(site, use.target.ptz, "ptz", use.at("ptz"), declared)
        errors += found
        if use.target.ptz in seen:
            errors.append(InventoryError(
                f"link '{link.name}' names {use.target.ptz} twice (first at line "
                f"{seen[use.target.ptz].line})", use.at("ptz"),
                "give one target per PTZ camera, with all its actions"))
        seen.setdefault(use.target.ptz, use.at("ptz"))
        errors += _target_actions(use, ptz)
    return errors


def _event_declared(spotter: Camera, link: Link, at: Location) -> Errors:
    event = next((e for e in spotter.events if e.name == link.event), None)
    if event is None:
        return [InventoryError(f"spotter {spotter.name} has no event '{link.event}'", at,
                               f"declare it under {spotter.name}'s events (name and "
                               "trigger), or fix the name")]
    if event.state == "absent" and link.state == "present":
        return [InventoryError(f"event '{link.event}' of {spotter.name} is state: absent, "
                               f"but link '{link.name}' is present", at,
                               "make the event present, or the link absent")]
    return []


def _target_actions(use: _Use, ptz: Camera | None) -> Errors:
    target = use.target
    if target.preset is None and target.track_rule is None and target.do_duration is None:
        return [InventoryError(f"link '{use.link.name}': target {target.ptz} does nothing",
                               target.location, "give it preset:, track: or do:")]
    if ptz is None or use.link.state != "present":
        return []
    errors: Errors = []
    if target.preset is not None:
        errors += _declared(ptz, "preset", target.preset,
                            [(p.name, p.state) for p in ptz.presets], use.at("preset"))
    if target.track_rule is not None:
        errors += _declared(ptz, "tracking rule", target.track_rule,
                            [(r.name, r.state) for r in ptz.tracking_rules], use.at("track"))
    if target.do_duration is not None:
        errors += _can_pulse(ptz, use.at("do"))
    return errors


def _declared(ptz: Camera, noun: str, name: str, declared: Sequence[tuple[str, str]],
              at: Location) -> Errors:
    states = dict(declared)
    if name not in states:
        how = " (with pan, tilt and zoom; or the name alone to adopt an existing one)" \
            if noun == "preset" else ""
        return [InventoryError(f"{ptz.name} has no {noun} '{name}'", at,
                               f"declare it under {ptz.name}'s {noun.replace(' ', '_')}s"
                               f"{how}, or fix the name")]
    if states[name] == "absent":
        return [InventoryError(f"{noun} '{name}' of {ptz.name} is state: absent, but a "
                               "present link uses it", at, "make it present, or drop it here")]
    return []


def _can_pulse(ptz: Camera, at: Location) -> Errors:
    info = models.lookup(ptz.model)
    if info is not None and info.ndo == 0:
        return [InventoryError(f"{ptz.name} ({info.name}) has no digital output", at,
                               "remove do:")]
    privilege = ptz.peer_credentials.privilege
    needed = profile.OTHER_DIR_LEVELS["dido"]
    if profile.PRIVILEGE_LEVELS[privilege] < needed:
        return [InventoryError(f"spotters call {ptz.name} as a {privilege}, which cannot "
                               "pulse its digital output", at,
                               "give its link_credentials privilege: operator (or admin)")]
    return []


def _peer_counts(site: Site, where: SourceMap) -> Errors:
    errors: Errors = []
    by_spotter: dict[str, list[_Use]] = {}
    for use in _uses(site, where):
        by_spotter.setdefault(use.link.spotter, []).append(use)
    for spotter in site.spotters():
        info = models.lookup(spotter.model)
        capacity = info.npeer if info else limits.max_link_targets()
        peers: list[str] = []
        for use in by_spotter.get(spotter.name, []):
            if use.target.ptz in peers:
                continue
            peers.append(use.target.ptz)
            if len(peers) == capacity + 1:
                errors.append(InventoryError(
                    f"spotter {spotter.name} links {capacity + 1} PTZ cameras "
                    f"({', '.join(peers)}); it holds {capacity} peers", use.at("ptz"),
                    f"a spotter commands at most {capacity} PTZ cameras: drop one"))
    return errors


def _one_action_per_peer(site: Site, where: SourceMap) -> Errors:
    errors: Errors = []
    first: dict[tuple[str, str, str], _Use] = {}
    for use in _uses(site, where):
        key = (use.link.spotter, use.link.event, use.target.ptz)
        earlier = first.setdefault(key, use)
        # Two links of one name are reported as such; this would only say it again.
        if earlier is not use and earlier.link.name != use.link.name:
            errors.append(InventoryError(
                f"links '{earlier.link.name}' and '{use.link.name}' both command "
                f"{use.target.ptz} on {use.link.spotter}'s event '{use.link.event}'",
                use.at("ptz"), "an event holds one action per PTZ camera: merge the two "
                "targets into one link"))
    return errors


def _conflicting_presets(site: Site, where: SourceMap) -> Errors:
    """Different events of one spotter that fire together (same trigger, overlapping
    schedules) sending one PTZ camera to different presets: it can only go to one."""
    warnings: Errors = []
    events = {(s.name, e.name): e for s in site.spotters() for e in s.events
              if e.state == "present"}
    same_pair: dict[tuple[str, str], list[_Use]] = {}  # (spotter, PTZ) -> its presets
    for use in _uses(site, where):
        if use.target.preset is not None and (use.link.spotter, use.link.event) in events:
            same_pair.setdefault((use.link.spotter, use.target.ptz), []).append(use)
    for uses in same_pair.values():
        for later_index, later in enumerate(uses):
            earlier = next((e for e in uses[:later_index] if _conflict(e, later, events)),
                           None)
            if earlier is not None:
                warnings.append(InventoryError(
                    f"links '{earlier.link.name}' and '{later.link.name}' send "
                    f"{later.target.ptz} to different presets ('{earlier.target.preset}', "
                    f"'{later.target.preset}') on the same trigger", later.at("preset"),
                    "it can only go to one: use one preset, or different triggers or hours",
                    severity="warning"))
    return warnings


def _conflict(a: _Use, b: _Use, events: dict[tuple[str, str], Event]) -> bool:
    """Two uses of one PTZ by one spotter: different events, presets, same trigger+hours."""
    if a.link.event == b.link.event or a.target.preset == b.target.preset:
        return False
    first, second = events[(a.link.spotter, a.link.event)], events[(b.link.spotter,
                                                                    b.link.event)]
    return first.trigger == second.trigger and schedules_overlap(first.schedule,
                                                                 second.schedule)


def _week_spans(schedule: Schedule) -> list[schedule_rules.Span]:
    """Minutes of the week the schedule is active, by the one shared reading (an overnight
    span belongs to the day it starts on); none for a time the schema check reports."""
    if TIME.check(schedule.begin) or TIME.check(schedule.end):
        return []
    return schedule_rules.week_spans(schedule.days, schedule.begin, schedule.end)


def schedules_overlap(a: Schedule, b: Schedule) -> bool:
    return schedule_rules.spans_overlap(_week_spans(a), _week_spans(b))
