"""What verify works on: the pairs it judges, one client per camera, and what the cameras
report, read the way the planner reads them (``plan.gather_camera``, the planner's parse).

Reading through the planner means verify sees a camera exactly as ``plan`` does: the same
getparam, the same identity fallback, the same parse of events, peers, presets and rules.
Link tests are left out of the read (``test_links=False``): verify runs its own, per pair.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from camlink_provision.camera import CameraClient
from camlink_provision.errors import CameraAuthError, CameraError, CameraUnreachable
from camlink_provision.inventory.model import Link, LinkTarget, Site
from camlink_provision.model import JSON, Observed
from camlink_provision.plan import ClientFactory, gather_camera, with_timeout
from camlink_provision.resources import events, peers, presets
from camlink_provision.resources.accounts import held_accounts
from camlink_provision.resources.base import Have
from camlink_provision.verify.report import Cause, Check, Failed, LinkResult


@dataclass(frozen=True)
class Pair:
    """One target of one link: the unit verify judges."""

    link: Link
    target: LinkTarget

    @property
    def ptz(self) -> str:
        return self.target.ptz

    def result(self, checks: Sequence[Check], cause: Cause | None) -> LinkResult:
        return LinkResult(self.link.name, self.link.spotter, self.link.event, self.ptz,
                          tuple(checks), cause)


def pairs_of(site: Site, names: Sequence[str]) -> list[Pair]:
    """Every (present link, target) with its spotter or its PTZ among the selected cameras."""
    chosen = set(names)
    return [Pair(link, target) for link in site.links if link.state == "present"
            for target in link.targets
            if link.spotter in chosen or target.ptz in chosen]


class Clients:
    """One client per camera, shared by the workers (each serialises its own requests),
    made by the planner's client factory with the planner's timeout policy."""

    def __init__(self, site: Site, factory: ClientFactory) -> None:
        self._site, self._factory = site, factory
        self._clients: dict[str, CameraClient] = {}
        self._lock = threading.Lock()

    def __call__(self, name: str) -> CameraClient:
        with self._lock:
            if name not in self._clients:
                self._clients[name] = self._factory(with_timeout(self._site.cameras[name]))
            return self._clients[name]

    def close(self) -> None:
        with self._lock:
            for client in self._clients.values():
                client.close()
            self._clients.clear()


@dataclass(frozen=True)
class SpotterFacts:
    """A spotter's events and peers as it reported them (the planner's pure parse)."""

    events: tuple[Have, ...]
    peers: tuple[Have, ...]


@dataclass(frozen=True)
class PtzFacts:
    """A PTZ's presets by name (the first slot holding a name) and its tracking rules."""

    presets: Mapping[str, Have]
    rules: Mapping[str, Mapping[str, JSON]]
    accounts: Mapping[str, str] = field(default_factory=dict)  # name -> privilege


@dataclass
class Run:
    """Everything one verify run shares between its workers."""

    site: Site
    clients: Clients
    tolerance: int
    settle: float
    read_only: bool = False  # run only the checks that change nothing on any camera
    spotters: dict[str, SpotterFacts | CameraError] = field(default_factory=dict)

    def read(self, name: str) -> Observed:
        """One camera as the planner reads it; raises CameraError."""
        return gather_camera(self.site, self.site.cameras[name], self.clients(name),
                             test_links=False)

    def read_spotter(self, name: str) -> SpotterFacts:
        observed = self.read(name)
        return SpotterFacts(tuple(events.RESOURCE.observed(observed)),
                            tuple(peers.RESOURCE.observed(observed)))

    def read_ptz(self, name: str) -> PtzFacts:
        observed = self.read(name)
        held: dict[str, Have] = {}
        for have in presets.RESOURCE.observed(observed):
            held.setdefault(have.name, have)
        accounts = {name: privilege for name, (_, privilege)
                    in held_accounts(observed.params).items()}
        return PtzFacts(held, observed.rules or {}, accounts)


# A CameraError of this tool's own requests, by what it means for the pair.
CAMERA_ERROR_CAUSES: dict[type[CameraError], Cause] = {
    CameraUnreachable: "camera_unreachable", CameraAuthError: "camera_unauthorized"}


@contextmanager
def camera_errors() -> Iterator[None]:
    """A CameraError of this tool's own requests, as the failure of the step it stopped."""
    try:
        yield
    except CameraError as exc:
        cause: Cause = next((c for kind, c in CAMERA_ERROR_CAUSES.items()
                             if isinstance(exc, kind)), "camera_error")
        raise Failed(cause, "request", str(exc)) from None
