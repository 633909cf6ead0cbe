"""What the cameras hold -> the Site model: the pure half of import.

    adopt(source, readings) -> Adoption(site, warnings, placeholders)

For each camera read (``read.Reading``), each resource kind adopts what it holds: the
inverse of its desired state (``Resource.adopt`` in resources/, next to ``observed`` and
``compare``): its presets, its tracking rules, and, on spotters, its named events and its
peers. What spans cameras is assembled here. Links are
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
from typing import TypeVar

from camlink_provision.firmware import models
from camlink_provision.importer.read import Reading
from camlink_provision.inventory.model import (
    Account,
    Camera,
    Credentials,
    Link,
    LinkTarget,
    Preset,
    Privilege,
    Role,
    Secret,
    Site,
    TrackingRule,
)
from camlink_provision.resources import (
    Context,
    accounts,
    events,
    facts,
    peers,
    presets,
    tracking,
)
from camlink_provision.resources.events import HeldEvent
from camlink_provision.resources.peers import HeldPeer

K = TypeVar("K")
PRIVILEGES: tuple[Privilege, ...] = ("viewer", "operator", "admin")


def as_privilege(text: str) -> Privilege | None:
    """A privilege as the camera lists it, or None for anything else."""
    return next((p for p in PRIVILEGES if p == text), None)
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

    def warn_all(self, camera: str, texts: Iterable[str]) -> None:
        for text in texts:
            self.warn(camera, text)

    def context(self, reading: Reading) -> Context:
        return Context(self.source, self.source.cameras[reading.camera], reading.observed)


# -- what each kind adopts ---------------------------------------------------------------------
def adopt_presets(work: _Work, reading: Reading) -> tuple[Preset, ...]:
    return presets.RESOURCE.adopt(work.context(reading),
                                  presets.RESOURCE.observed(reading.observed)).items


def adopt_rules(work: _Work, reading: Reading) -> tuple[TrackingRule, ...]:
    adopted = tracking.RESOURCE.adopt(work.context(reading),
                                      tracking.RESOURCE.observed(reading.observed))
    work.warn_all(reading.camera, adopted.warnings)
    return adopted.items


def adopt_events(work: _Work, reading: Reading) -> tuple[HeldEvent, ...]:
    adopted = events.RESOURCE.adopt(work.context(reading),
                                    events.RESOURCE.observed(reading.observed))
    work.warn_all(reading.camera, adopted.warnings)
    return adopted.items


def adopt_peers(work: _Work, reading: Reading) -> dict[int, HeldPeer]:
    adopted = peers.RESOURCE.adopt(work.context(reading),
                                   peers.RESOURCE.observed(reading.observed))
    return {peer.slot: peer for peer in adopted.items}


# -- links: a spotter's events and peers, matched to the PTZ cameras ---------------------------
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
        self.peers = adopt_peers(work, reading)
        self.used: set[int] = set()

    def links(self, adopted: Sequence[HeldEvent], taken: set[str],
              shared: set[str]) -> list[Link]:
        out = []
        for held in adopted:
            name = link_name(self.spotter, held.event.name, taken, shared)
            targets = self.targets(name, held)
            if targets:
                out.append(Link(name=name, spotter=self.spotter, event=held.event.name,
                                targets=tuple(targets)))
        self.unused_peers()
        return out

    def targets(self, link: str, held: HeldEvent) -> list[LinkTarget]:
        out: list[LinkTarget] = []
        seen: set[str] = set()
        for slot in range(facts.npeer(self.reading.params)):
            where = f"event '{held.event.name}' peer slot {slot}"
            if not held.calls(slot):
                if held.keeps_settings(slot):
                    self.work.warn(self.spotter, f"{where}: a disabled camera-link action "
                                   "holds settings; plan will reset them")
                continue
            target = self.target(link, held, slot, where)
            if target is None:
                continue
            if target.ptz in seen:
                self.work.warn(self.spotter, f"{where}: a second action on {target.ptz}; "
                               "plan will disable it")
                continue
            seen.add(target.ptz)
            out.append(target)
        return out

    def target(self, link: str, held: HeldEvent, slot: int, where: str) -> LinkTarget | None:
        peer = self.peers.get(slot)
        if peer is None or not peer.address:
            self.work.warn(self.spotter, f"{where}: the action is on but the peer slot is "
                           "empty; plan will disable it")
            return None
        self.used.add(slot)
        if not peer.enabled:
            self.work.warn(self.spotter, f"{where}: peer {peer.address}:{peer.port} is "
                           "disabled; imported as a link target (plan will enable the peer)")
        if peer.ptz is None or peer.ptz not in self.work.readings:
            self.placeholder(link, held, slot, peer)
            return None
        target, drift = held.target(slot, peer.ptz)
        if drift:
            self.work.warn(self.spotter, f"{where}: {', '.join(drift)} cannot be written as "
                           "the spotter holds them; plan will rewrite them")
        self.note_peer(peer.ptz, peer)
        return target

    def placeholder(self, link: str, held: HeldEvent, slot: int, peer: HeldPeer) -> None:
        why = (f"{peer.ptz} was not imported (outside --limit)" if peer.ptz is not None
               else "no camera in the inventory has that address")
        self.work.warn(self.spotter, f"event '{held.event.name}' commands {peer.address}:"
                       f"{peer.port}, but {why}: written as a commented-out placeholder in "
                       f"link '{link}'")
        self.work.placeholders.append(Placeholder(
            link, self.spotter, held.event.name, peer.address, peer.port,
            held.target(slot, peer.address)[0]))

    def note_peer(self, ptz: str, peer: HeldPeer) -> None:
        self.work.peer_users.setdefault(ptz, {}).setdefault(peer.username, []).append(
            self.spotter)
        self.work.peer_ports.setdefault(ptz, {}).setdefault(peer.site_port, []).append(
            self.spotter)
        if peer.name != ptz:
            self.work.warn(self.spotter, f"peer slot {peer.slot} for {ptz} is named "
                           f"'{peer.name}'; plan will rename it '{ptz}' "
                           "(peers carry the inventory name of their PTZ)")

    def unused_peers(self) -> None:
        for slot, peer in sorted(self.peers.items()):
            if slot not in self.used:
                self.work.warn(self.spotter, f"peer slot {slot} ({peer.label}) is used by no "
                               "event's camera-link action; left unmanaged")


# -- cameras -----------------------------------------------------------------------------------
def acts_as_spotter(reading: Reading) -> bool:
    """Whether any named event has an enabled camera-link action."""
    npeer = facts.npeer(reading.params)
    return any(events.calls_peers(have, npeer)
               for have in events.RESOURCE.observed(reading.observed))


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
    held = work.readings[camera.name].observed.params
    privilege = as_privilege(accounts.held_accounts(held).get(user, (0, ""))[1])
    if known is not None:
        credentials: Credentials | None = replace(known, username=user,
                                                  privilege=privilege or known.privilege)
    elif user == camera.credentials.username:
        credentials = None  # the spotters use its admin account: the inventory's default
    else:  # a link account the inventory does not know: its password needs a secret
        credentials = Credentials(user, Secret(""), privilege=privilege or "operator")
    return replace(camera, link_credentials=credentials, site_port=port)


def adopt_accounts(work: _Work, camera: Camera) -> tuple[Account, ...]:
    """The accounts a camera holds besides root, the tool's own and its link account (both
    names of it), by name and privilege; passwords are never readable, so each gets a new
    secret() reference (write.py)."""
    reading = work.readings[camera.name]
    held = accounts.RESOURCE.adopt(work.context(reading),
                                   accounts.RESOURCE.observed(reading.observed)).items
    link = set(accounts.link_pair(camera) or ())
    out = []
    for item in held:
        privilege = as_privilege(item.privilege)
        if item.name in link or privilege is None:
            continue
        out.append(Account(item.name, Secret(""), privilege))
    return tuple(out)


def shared_event_names(readings: Iterable[Reading]) -> set[str]:
    """Event names held by more than one camera: a link named after one would be ambiguous."""
    names = Counter(h.name for reading in readings
                    for h in events.RESOURCE.observed(reading.observed) if h.name)
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
        adopted: tuple[HeldEvent, ...] = ()
        if role == "spotter":
            adopted = adopt_events(work, reading)
            work.links.extend(SpotterLinks(work, reading).links(adopted, taken, shared))
        elif any(h.name for h in events.RESOURCE.observed(reading.observed)):
            work.warn(name, "named events on a PTZ camera are left unmanaged")
        cameras[name] = replace(
            base, role=role, model=canonical_model(reading),
            presets=adopt_presets(work, reading),
            tracking_rules=adopt_rules(work, reading) if reading.observed.rules else (),
            events=tuple(held.event for held in adopted), prune=frozenset())
    links = [complete_link(link, cameras, work) for link in work.links]
    cameras = {name: link_side(camera, work) for name, camera in cameras.items()}
    cameras = {name: replace(camera, accounts=adopt_accounts(work, camera))
               for name, camera in cameras.items()}
    site = replace(source, cameras=cameras, links=tuple(links))
    return Adoption(site, tuple(work.warnings), tuple(work.placeholders))
