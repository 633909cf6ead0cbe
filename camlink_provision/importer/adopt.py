"""What the cameras hold -> the Site model: the pure half of import.

    adopt(source, readings) -> Adoption(site, warnings, placeholders)

For each camera read (``read.Reading``; the planner's own parse in resources/ does the
splitting): its presets, its tracking rules, and, on spotters, its named events. Links are
reassembled from the spotters: every enabled camera-link action of an event, on a peer slot
that holds an enabled peer, is one target of the link ``<spotter>-<event>``; the peer is
matched to an inventory camera by its address. A PTZ camera takes its site port and its
link user from what its spotters store for it.

Roles come from what a camera does, not from the inventory: a camera holding camera-link
peers used by its events is a spotter; otherwise a PTZ model (presets, PTZ capability) is a
ptz; anything else a spotter.

Everything the Site model cannot say exactly (so that ``plan`` would show a change after the
import) is a warning naming the camera, the slot and what plan would do; the round trip
``import`` -> ``plan`` = no change holds whenever there is no such warning (and the link
passwords are filled in). Peer passwords cannot be read back: a PTZ whose spotters call it
with an account its inventory entry has no ``link_credentials`` for gets them with an empty
password, for write.py to refer to a new secret.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar, cast

from camlink_provision.firmware import models, profile
from camlink_provision.importer.read import Reading
from camlink_provision.inventory.model import (
    Camera,
    Credentials,
    Event,
    Link,
    LinkTarget,
    Preset,
    Priority,
    Role,
    Schedule,
    Secret,
    Site,
    TrackingRule,
    Trigger,
    TriggerKind,
)
from camlink_provision.model import JSON
from camlink_provision.resources import events as event_kind
from camlink_provision.resources import facts, peers, presets, tracking
from camlink_provision.resources.base import Have

ON = event_kind.ON
# The profile's inverse tables, narrowed to the inventory model's literal types.
KINDS_BY_TRIGGER = cast(dict[str, TriggerKind], profile.TRIGGER_KINDS)
PRIORITY_NAMES = cast(dict[str, Priority], profile.PRIORITY_NAMES)
DAYS = Schedule().days  # the order an inventory lists them in
K = TypeVar("K")
LINK_NAME_CHARS = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Placeholder:
    """A link target whose PTZ is not an imported camera: written as a comment, warned."""

    link: str
    spotter: str
    event: str
    address: str
    port: str
    target: LinkTarget  # ``ptz`` is the address; preset, track, do as the spotter stores

    @property
    def where(self) -> str:
        return f"{self.address}:{self.port}"


@dataclass(frozen=True)
class Adoption:
    site: Site
    warnings: tuple[str, ...] = ()
    placeholders: tuple[Placeholder, ...] = ()


@dataclass
class _Work:
    """What adoption collects while it walks the cameras."""

    source: Site
    readings: Mapping[str, Reading]
    warnings: list[str] = field(default_factory=list)
    placeholders: list[Placeholder] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    peer_users: dict[str, dict[str, list[str]]] = field(default_factory=dict)  # ptz->user->by
    peer_ports: dict[str, dict[int, list[str]]] = field(default_factory=dict)

    def warn(self, camera: str, text: str) -> None:
        self.warnings.append(f"{camera}: {text}")


# -- presets and rules -------------------------------------------------------------------------
def adopt_presets(reading: Reading) -> tuple[Preset, ...]:
    out = []
    for have in presets.RESOURCE.observed(reading.observed):
        axes = [have.attrs.get(axis) for axis in presets.AXES]
        pan, tilt, zoom = (v if isinstance(v, int) else None for v in axes)
        out.append(Preset(have.name, pan=pan, tilt=tilt, zoom=zoom))
    return tuple(out)


def adopt_rule(name: str, vca: Mapping[str, JSON]) -> TrackingRule | str:
    """A VCA rule as a TrackingRule, or why it cannot be one."""
    kind = vca.get("Type")
    if kind not in profile.RULE_TYPES:
        return f"tracking rule '{name}' has type {kind!r}, which the inventory cannot hold"
    points = vca.get("Field")
    if not isinstance(points, list) or not all(
            isinstance(p, list) and len(p) == 2 and all(isinstance(v, int) for v in p)
            for p in points):
        return f"tracking rule '{name}' has a Field that is not a list of [x, y] points"
    rule = TrackingRule(name=name, type=kind, field=tuple((p[0], p[1]) for p in points),
                        condition=vca.get("Condition") if kind == "intrusion" else None,
                        duration=vca.get("Duration") if kind == "loitering" else None,
                        direction=vca.get("Direction") if kind == "linecrossing" else None,
                        connect_event=bool(vca.get("ConnectEvent", False)))
    wanted = tracking.to_vca(rule)
    differ = sorted(key for key, value in wanted.items() if vca.get(key) != value)
    if differ:
        return (f"tracking rule '{name}': {', '.join(differ)} cannot be written as the camera "
                "holds it")
    return rule


def adopt_rules(reading: Reading, work: _Work) -> tuple[TrackingRule, ...]:
    out = []
    for name, vca in sorted((reading.observed.rules or {}).items()):
        rule = adopt_rule(name, vca)
        if isinstance(rule, str):
            work.warn(reading.camera, rule + "; left unmanaged")
        else:
            out.append(rule)
    return tuple(out)


# -- events ------------------------------------------------------------------------------------
def bits(mask: str) -> tuple[int, ...]:
    value = int(mask) if mask.isdigit() else 0
    return tuple(bit for bit in range(value.bit_length()) if value >> bit & 1)


def adopt_trigger(fields: Mapping[str, str]) -> Trigger | str:
    value = fields.get("trigger", "")
    kind = KINDS_BY_TRIGGER.get(value)
    if kind is None:
        return f"trigger '{value}' cannot be written in an inventory"
    if kind == "detection":
        return Trigger(kind, rule=fields.get(profile.TRIGGER_RULE_FIELD) or None)
    return Trigger(kind, inputs=bits(fields.get(profile.TRIGGER_INPUT_FIELDS[kind], "0")))


def adopt_schedule(fields: Mapping[str, str]) -> Schedule:
    mask = int(fields.get("weekday", str(profile.ALL_WEEK)) or 0)
    days = tuple(day for day in DAYS if mask >> profile.WEEKDAY_BITS[day] & 1)
    return Schedule(days=days, begin=fields.get("begintime", "00:00"),
                    end=fields.get("endtime", "24:00"))


def adopt_event(have: Have) -> Event | str:
    """A named event slot as an Event, or why it cannot be one."""
    fields = {k: str(v) for k, v in have.attrs.items()}
    trigger = adopt_trigger(fields)
    if isinstance(trigger, str):
        return trigger
    do = fields.get("action_do_i0_enable") == ON
    goto = fields.get("action_goto_enable") == ON
    return Event(name=have.name, trigger=trigger, enabled=fields.get("enable") == ON,
                 priority=PRIORITY_NAMES.get(fields.get("priority", ""), "normal"),
                 delay=int(fields.get("delay", "10") or 10), schedule=adopt_schedule(fields),
                 do_duration=int(fields.get("action_do_i0_duration", "1")) if do else None,
                 goto_preset=fields.get("action_goto_name") if goto else None)


def event_drift(event: Event, have: Have) -> list[str]:
    """Fields the Event cannot carry as the camera holds them (plan would rewrite them)."""
    wanted = event_kind.event_attrs(event)
    return sorted(key for key, value in wanted.items() if str(have.attrs.get(key)) != value)


def adopt_events(reading: Reading, work: _Work) -> list[tuple[Event, Have]]:
    out = []
    for have in event_kind.RESOURCE.observed(reading.observed):
        where = f"event slot {have.slot}"
        if not have.name:
            work.warn(reading.camera, f"{where} is enabled but has no name; left unmanaged")
            continue
        event = adopt_event(have)
        if isinstance(event, str):
            work.warn(reading.camera, f"event '{have.name}' ({where}): {event}; left "
                      "unmanaged")
            continue
        drift = event_drift(event, have)
        if drift:
            work.warn(reading.camera, f"event '{have.name}' ({where}): {', '.join(drift)} "
                      "cannot be written as the camera holds them; plan will rewrite them")
        out.append((event, have))
    return out


# -- links -------------------------------------------------------------------------------------
def action_fields(have: Have, peer: int) -> dict[str, str]:
    return {name: str(have.attrs.get(event_kind.action_field(peer, name), default))
            for name, (_, default) in profile.LINK_ACTION_FIELDS.items()}


def adopt_target(ptz: str, action: Mapping[str, str]) -> LinkTarget:
    do = action.get("do_enable") == ON
    track = action.get("track_enable") == ON
    return LinkTarget(ptz=ptz, preset=action.get("preset") or None,
                      track_rule=action.get("track_rule") or None if track else None,
                      do_duration=int(action.get("do_duration", "1")) if do else None)


def action_drift(target: LinkTarget, action: Mapping[str, str]) -> list[str]:
    wanted = event_kind.target_action(target)
    return sorted(key for key, value in wanted.items() if action.get(key) != value)


def camera_at(cameras: Sequence[Camera], address: str) -> Camera | None:
    folded = address.lower()
    return next((c for c in cameras if c.address.lower() == folded), None)


def link_name(spotter: str, event: str, taken: set[str], shared: set[str]) -> str:
    """The event's name when no other spotter has an event of that name, else
    ``<spotter>-<event>``; a number added until it is unique."""
    slug = LINK_NAME_CHARS.sub("-", event).strip("-") or "event"
    base = slug if event not in shared else f"{spotter}-{slug}"
    name, number = base, 2
    while name in taken:
        name, number = f"{base}-{number}", number + 1
    taken.add(name)
    return name


class SpotterLinks:
    """The links of one spotter: its events' camera-link actions, matched to its peers."""

    def __init__(self, work: _Work, reading: Reading) -> None:
        self.work, self.reading = work, reading
        self.spotter = reading.camera
        self.peers = {h.slot: h for h in peers.RESOURCE.observed(reading.observed)
                      if h.slot is not None}
        self.used: set[int] = set()

    def links(self, adopted: Sequence[tuple[Event, Have]], taken: set[str],
              shared: set[str]) -> list[Link]:
        out = []
        for event, have in adopted:
            name = link_name(self.spotter, event.name, taken, shared)
            targets = self.targets(name, event, have)
            if targets:
                out.append(Link(name=name, spotter=self.spotter, event=event.name,
                                targets=tuple(targets)))
        self.unused_peers()
        return out

    def targets(self, link: str, event: Event, have: Have) -> list[LinkTarget]:
        out: list[LinkTarget] = []
        seen: set[str] = set()
        for slot in range(facts.npeer(self.reading.params)):
            action = action_fields(have, slot)
            where = f"event '{event.name}' peer slot {slot}"
            if action["enable"] != ON:
                if action != event_kind.action_defaults():
                    self.work.warn(self.spotter, f"{where}: a disabled camera-link action "
                                   "holds settings; plan will reset them")
                continue
            target = self.target(link, event, slot, action, where)
            if target is None:
                continue
            if target.ptz in seen:
                self.work.warn(self.spotter, f"{where}: a second action on {target.ptz}; "
                               "plan will disable it")
                continue
            seen.add(target.ptz)
            out.append(target)
        return out

    def target(self, link: str, event: Event, slot: int, action: Mapping[str, str],
               where: str) -> LinkTarget | None:
        peer = self.peers.get(slot)
        if peer is None or not peer.attrs.get("ipaddress"):
            self.work.warn(self.spotter, f"{where}: the action is on but the peer slot is "
                           "empty; plan will disable it")
            return None
        self.used.add(slot)
        address, port = str(peer.attrs["ipaddress"]), str(peer.attrs.get("port", "80"))
        if peer.attrs.get("enable") != ON:
            self.work.warn(self.spotter, f"{where}: peer {address}:{port} is disabled; "
                           "imported as a link target (plan will enable the peer)")
        ptz = camera_at(list(self.work.source.cameras.values()), address)
        if ptz is None or ptz.name not in self.work.readings:
            self.placeholder(link, event, address, port, action, ptz)
            return None
        target = adopt_target(ptz.name, action)
        drift = action_drift(target, action)
        if drift:
            self.work.warn(self.spotter, f"{where}: {', '.join(drift)} cannot be written as "
                           "the spotter holds them; plan will rewrite them")
        self.note_peer(ptz.name, peer, int(port) if port.isdigit() else 80)
        return target

    def placeholder(self, link: str, event: Event, address: str, port: str,
                    action: Mapping[str, str], known: Camera | None) -> None:
        why = (f"{known.name} was not imported (outside --limit)" if known is not None
               else "no camera in the inventory has that address")
        self.work.warn(self.spotter, f"event '{event.name}' commands {address}:{port}, but "
                       f"{why}: written as a commented-out placeholder in link '{link}'")
        self.work.placeholders.append(Placeholder(link, self.spotter, event.name, address,
                                                  port, adopt_target(address, action)))

    def note_peer(self, ptz: str, peer: Have, port: int) -> None:
        user = str(peer.attrs.get("username", ""))
        self.work.peer_users.setdefault(ptz, {}).setdefault(user, []).append(self.spotter)
        self.work.peer_ports.setdefault(ptz, {}).setdefault(port, []).append(self.spotter)
        if peer.attrs.get("name") != ptz:
            self.work.warn(self.spotter, f"peer slot {peer.slot} for {ptz} is named "
                           f"'{peer.attrs.get('name', '')}'; plan will rename it '{ptz}' "
                           "(peers carry the inventory name of their PTZ)")

    def unused_peers(self) -> None:
        for slot, peer in sorted(self.peers.items()):
            if slot not in self.used:
                self.work.warn(self.spotter, f"peer slot {slot} ({peer.label}) is used by no "
                               "event's camera-link action; left unmanaged")


# -- cameras -----------------------------------------------------------------------------------
def acts_as_spotter(reading: Reading) -> bool:
    """Whether any named event has an enabled camera-link action."""
    for have in event_kind.RESOURCE.observed(reading.observed):
        for slot in range(facts.npeer(reading.params)):
            if have.name and have.attrs.get(event_kind.action_field(slot, "enable")) == ON:
                return True
    return False


def decide_role(reading: Reading) -> Role:
    if acts_as_spotter(reading):
        return "spotter"
    return "ptz" if reading.ptz else "spotter"


def canonical_model(reading: Reading) -> str:
    info = models.lookup(reading.model)
    return info.name if info else reading.model


def single(choices: Mapping[K, list[str]], what: str, ptz: str, work: _Work) -> K:
    """The one value every spotter agrees on; the most used one (warned) when they differ."""
    ranked = sorted(choices.items(), key=lambda item: -len(item[1]))
    if len(ranked) > 1:
        said = "; ".join(f"{', '.join(by)}: {value!r}" for value, by in ranked)
        work.warn(ptz, f"spotters store different {what}s for it ({said}); imported "
                  f"{ranked[0][0]!r}, plan will rewrite the others")
    return ranked[0][0]


def link_side(camera: Camera, work: _Work) -> Camera:
    """The PTZ with the site port and link user its spotters store."""
    users, ports = work.peer_users.get(camera.name), work.peer_ports.get(camera.name)
    if not users or not ports:
        return camera
    user = single(users, "peer user", camera.name, work)
    port = single(ports, "peer port", camera.name, work)
    known = camera.link_credentials
    if known is not None:
        credentials: Credentials | None = replace(known, username=user)
    elif user == camera.credentials.username:
        credentials = None  # the spotters use its admin account: the inventory's default
    else:  # a link account the inventory does not know: its password needs a secret
        credentials = Credentials(user, Secret(""), privilege="operator")
    return replace(camera, link_credentials=credentials, site_port=port)


def shared_event_names(readings: Iterable[Reading]) -> set[str]:
    """Event names held by more than one camera: a link named after one would be ambiguous."""
    names = Counter(h.name for reading in readings
                    for h in event_kind.RESOURCE.observed(reading.observed) if h.name)
    return {name for name, count in names.items() if count > 1}


def complete_link(link: Link, cameras: dict[str, Camera], work: _Work) -> Link:
    """Targets naming what their PTZ does not hold: a preset is declared by name alone
    (adopted, as the inventory allows); a rule cannot be, so the target loses it."""
    targets = []
    for target in link.targets:
        ptz = cameras[target.ptz]
        if target.preset and target.preset not in {p.name for p in ptz.presets}:
            work.warn(ptz.name, f"link '{link.name}' recalls preset '{target.preset}', which "
                      "the camera does not hold: declared by name (adopted); save it on the "
                      "camera")
            cameras[ptz.name] = ptz = replace(ptz, presets=(*ptz.presets,
                                                            Preset(target.preset)))
        if target.track_rule and target.track_rule not in {r.name for r in ptz.tracking_rules}:
            work.warn(ptz.name, f"link '{link.name}' tracks with rule '{target.track_rule}', "
                      "which the camera does not hold: left out of the link (plan will turn "
                      "the tracking off)")
            target = replace(target, track_rule=None)
        targets.append(target)
    return replace(link, targets=tuple(targets))


def adopt(source: Site, readings: Mapping[str, Reading]) -> Adoption:
    """The Site the cameras describe; cameras not read (outside --limit) are left out."""
    work = _Work(source, readings)
    cameras: dict[str, Camera] = {}
    taken: set[str] = set()
    shared = shared_event_names(readings.values())
    for name, base in source.cameras.items():
        reading = readings.get(name)
        if reading is None:
            continue
        role = decide_role(reading)
        adopted: list[tuple[Event, Have]] = []
        if role == "spotter":
            adopted = adopt_events(reading, work)
            work.links.extend(SpotterLinks(work, reading).links(adopted, taken, shared))
        elif any(h.name for h in event_kind.RESOURCE.observed(reading.observed)):
            work.warn(name, "named events on a PTZ camera are left unmanaged")
        cameras[name] = replace(
            base, role=role, model=canonical_model(reading),
            presets=adopt_presets(reading),
            tracking_rules=adopt_rules(reading, work) if reading.observed.rules else (),
            events=tuple(event for event, _ in adopted), prune=frozenset())
    links = [complete_link(link, cameras, work) for link in work.links]
    cameras = {name: link_side(camera, work) for name, camera in cameras.items()}
    site = replace(source, cameras=cameras, links=tuple(links))
    return Adoption(site, tuple(work.warnings), tuple(work.placeholders))
