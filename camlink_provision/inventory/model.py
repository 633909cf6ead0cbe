"""The Site: a resolved inventory as plain typed data.

Everything here is already templated, merged and validated; the planner never sees YAML.
Values that came from a file keep their ``Location`` so that later stages (the planner
refusing a preset the camera cannot hold, say) can still point at the line to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from camlink_provision.errors import Location

if TYPE_CHECKING:
    from camlink_provision.firmware.override import ProfileSet
    from camlink_provision.firmware.profile_data import FirmwareProfile

Role = Literal["spotter", "ptz"]
State = Literal["present", "absent"]
RuleType = Literal["intrusion", "loitering", "linecrossing"]
TriggerKind = Literal["detection", "motion", "di", "vi"]
Priority = Literal["low", "normal", "high"]
ResourceKind = Literal["preset", "tracking_rule", "peer", "event", "account"]
RESOURCE_KINDS: tuple[ResourceKind, ...] = ("preset", "tracking_rule", "peer", "event",
                                            "account")

NOWHERE = Location("<builtin>")


class Secret:
    """A value that must never be printed: ``str()`` and ``repr()`` show ``(sensitive)``.

    Only the camera client calls ``reveal()``, at the moment it builds a request.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('(sensitive)')"

    def __str__(self) -> str:
        return "(sensitive)"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))


Privilege = Literal["viewer", "operator", "admin"]


@dataclass(frozen=True)
class Credentials:
    username: str
    password: Secret
    # The account's privilege: ``credentials`` are always admin (provisioning needs it);
    # ``link_credentials`` default to operator (enough for recall, tracking and the DO).
    privilege: Privilege = "admin"
    # ``credentials`` only: the password the camera may still hold while the inventory's is
    # being rolled out (a rotation of the admin password): tried when the other is refused.
    previous_password: Secret | None = None


@dataclass(frozen=True)
class Account:
    """An account the inventory declares on a camera (``accounts:``), besides the admin one
    this tool logs in with and a PTZ's link account."""

    name: str
    password: Secret | None = None  # None: only with state: absent
    privilege: Privilege = "viewer"
    state: State = "present"
    location: Location = NOWHERE


@dataclass(frozen=True)
class Connection:
    """How this tool reaches a camera; may differ from its site address (NAT, emulator)."""

    host: str
    port: int = 80
    scheme: Literal["http", "https"] = "http"
    ca_bundle: str | None = None  # a CA file for https; None = the system store
    verify_tls: bool = True  # False only when the inventory opts out explicitly
    auth: Literal["auto", "basic", "digest"] = "auto"
    timeout: float = 5.0

    @property
    def base_url(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{self.scheme}://{host}:{self.port}"


@dataclass(frozen=True)
class Preset:
    """A PTZ preset. With a position it is created there; without one it is adopted."""

    name: str
    pan: int | None = None
    tilt: int | None = None
    zoom: int | None = None
    state: State = "present"
    location: Location = NOWHERE

    @property
    def adopted(self) -> bool:
        return self.pan is None


@dataclass(frozen=True)
class TrackingRule:
    """A Smart Tracking Advanced rule on a PTZ camera."""

    name: str
    type: RuleType
    field: tuple[tuple[int, int], ...]  # a polygon, or exactly two points for a line
    condition: Literal["enter", "leave", "both"] | None = None  # intrusion
    duration: int | None = None  # loitering, seconds >= 1
    direction: Literal["AtoB", "BtoA", "both"] | None = None  # line crossing
    connect_event: bool = False
    state: State = "present"
    location: Location = NOWHERE


@dataclass(frozen=True)
class Schedule:
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
    begin: str = "00:00"
    end: str = "24:00"


@dataclass(frozen=True)
class Trigger:
    kind: TriggerKind
    rule: str | None = None  # detection: the spotter's analytics rule name
    inputs: tuple[int, ...] = ()  # di / vi input numbers (0-based), motion windows


@dataclass(frozen=True)
class Event:
    """An event on a spotter; links hang their PTZ actions on it."""

    name: str
    trigger: Trigger
    enabled: bool = True
    priority: Priority = "normal"
    delay: int = 10  # "detect next event after" seconds, 1~999
    schedule: Schedule = Schedule()
    do_duration: int | None = None  # pulse the spotter's own DO for N seconds
    goto_preset: str | None = None  # local preset (a spotter that is itself PTZ)
    state: State = "present"
    location: Location = NOWHERE


@dataclass(frozen=True)
class LinkTarget:
    """What one PTZ camera does when the link's event fires."""

    ptz: str  # camera name
    preset: str | None = None
    track_rule: str | None = None
    do_duration: int | None = None
    location: Location = NOWHERE


@dataclass(frozen=True)
class Link:
    name: str
    spotter: str
    event: str  # an Event name on the spotter
    targets: tuple[LinkTarget, ...]
    state: State = "present"
    location: Location = NOWHERE


@dataclass(frozen=True)
class Camera:
    name: str
    role: Role
    address: str  # the site address other cameras use to reach this one
    model: str
    connection: Connection
    credentials: Credentials
    site_port: int = 80  # the port other cameras use (a spotter stores it for its peer)
    link_credentials: Credentials | None = None  # what spotters store to call this PTZ
    firmware: str | None = None  # expected firmware, e.g. "2.2103.34.01d" (minimum)
    groups: tuple[str, ...] = ()
    presets: tuple[Preset, ...] = ()
    tracking_rules: tuple[TrackingRule, ...] = ()
    events: tuple[Event, ...] = ()
    prune: frozenset[ResourceKind] = frozenset()
    accounts: tuple[Account, ...] = ()
    # Set by the planner, never by an inventory (``link_accounts``): the link accounts this
    # PTZ camera held before a rotation, removed once no spotter calls with them.
    retired_link_accounts: tuple[str, ...] = ()
    location: Location = NOWHERE
    # The firmware's spellings of the [modelled] names, when an override file corrects them
    # for this camera (firmware/choice.py); None = the built-in profile.
    firmware_profile: FirmwareProfile | None = field(default=None, compare=False, repr=False)

    @property
    def peer_credentials(self) -> Credentials:
        return self.link_credentials or self.credentials

    @property
    def own_link_account(self) -> bool:
        """Whether spotters call it with an account of their own (not the admin one)."""
        return (self.role == "ptz" and self.link_credentials is not None
                and self.link_credentials.username != self.credentials.username)


@dataclass(frozen=True)
class Site:
    name: str
    cameras: dict[str, Camera]  # in inventory order
    links: tuple[Link, ...] = ()
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group -> camera names
    sources: tuple[str, ...] = ()  # the -i paths, in merge order
    # ``site: firmware_profile:`` (or --profile) loaded; None = the built-in profile
    profiles: ProfileSet | None = field(default=None, compare=False, repr=False)

    def links_of(self, spotter: str) -> list[Link]:
        return list(self._links_by_spotter.get(spotter, ()))

    def camera_at_port(self, address: str, port: str) -> str | None:
        """The first camera (inventory order) at this site address (folded) and port, as a
        spotter stores them (the port as text)."""
        return self._cameras_by_address.get((address.lower(), port))

    # The planner asks both once per spotter or per peer of every spotter: scanning the
    # whole site each time made planning 1,000 cameras quadratic (seconds of CPU).
    # cached_property writes the instance's __dict__ directly, so it works on a frozen
    # dataclass; a Site is never mutated (``replace`` makes a new one, with a new cache).
    @cached_property
    def _links_by_spotter(self) -> dict[str, tuple[Link, ...]]:
        out: dict[str, list[Link]] = {}
        for link in self.links:
            out.setdefault(link.spotter, []).append(link)
        return {spotter: tuple(links) for spotter, links in out.items()}

    @cached_property
    def _cameras_by_address(self) -> dict[tuple[str, str], str]:
        out: dict[tuple[str, str], str] = {}
        for camera in self.cameras.values():
            out.setdefault((camera.address.lower(), str(camera.site_port)), camera.name)
        return out

    def spotters(self) -> list[Camera]:
        return [c for c in self.cameras.values() if c.role == "spotter"]

    def ptz_cameras(self) -> list[Camera]:
        return [c for c in self.cameras.values() if c.role == "ptz"]
