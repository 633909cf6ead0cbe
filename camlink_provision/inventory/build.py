"""Validated, rendered located data -> the Site's dataclasses.

Only called on data the schema has passed, so shapes and types are as the schema says. The
builder also fills a ``SourceMap``: where each field of each object was written, so that the
cross-camera rules can point at the exact value (a model set in ``group_vars/ptz.yml``, the
preset name of a link's second target) rather than at the object holding it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from camlink_provision.errors import Location
from camlink_provision.inventory.located import LDict, LList, dotted
from camlink_provision.inventory.model import (
    RESOURCE_KINDS,
    Account,
    Camera,
    Connection,
    Credentials,
    Event,
    Link,
    LinkTarget,
    Preset,
    ResourceKind,
    Role,
    Schedule,
    Secret,
    TrackingRule,
    Trigger,
    TriggerKind,
)

Key = tuple[str | int, ...]
HTTPS_PORT = 443
DEFAULT_LINK_PRIVILEGE = "operator"
INPUT_TRIGGERS: dict[str, TriggerKind] = {"motion": "motion", "di": "di", "vi": "vi"}


class SourceMap:
    """(object path, field) -> where the field's value was written."""

    def __init__(self) -> None:
        self._where: dict[Key, Location] = {}

    def note(self, key: Key, data: LDict) -> None:
        for name in data:
            self._where[(*key, name)] = data.where(name)

    def at(self, key: Key, default: Location) -> Location:
        return self._where.get(key, default)


def at_path(location: Location, key: Key) -> Location:
    """``location`` with its JSON path in the Site (``cameras.ptz-1.presets[0]``)."""
    return Location(location.file, location.line, location.column, dotted(key))


def camera_key(camera: str, *rest: str | int) -> Key:
    return ("cameras", camera, *rest)


def link_key(index: int, *rest: str | int) -> Key:
    return ("links", index, *rest)


def prune_kinds(*levels: Any) -> frozenset[ResourceKind]:
    """``prune`` of the site, then of the camera: ``true``/``false`` for every kind but
    accounts (removing people's accounts is asked for by name: ``account: true``), or per
    kind; a later level overrides an earlier one kind by kind."""
    kinds: set[ResourceKind] = set()
    for level in levels:
        if isinstance(level, bool):
            kinds = set(RESOURCE_KINDS) - {"account"} if level else set()
        elif isinstance(level, dict):
            for kind in RESOURCE_KINDS:
                if kind in level:
                    (kinds.add if level[kind] else kinds.discard)(kind)
    return frozenset(kinds)


def build_camera(name: str, role: Role, data: LDict, location: Location, groups: list[str],
                 site_prune: Any, where: SourceMap) -> Camera:
    where.note(camera_key(name), data)
    address: str = data["address"]
    return Camera(
        name=name, role=role, address=address, model=data["model"],
        connection=_connection(data.get("connection"), address, where, name),
        credentials=_admin_credentials(data["credentials"], where, name),
        site_port=data.get("site_port", 80),
        link_credentials=_link_credentials(data.get("link_credentials"), where, name),
        firmware=data.get("firmware"), groups=tuple(groups),
        presets=tuple(_presets(data.get("presets"), where, name)),
        tracking_rules=tuple(_rules(data.get("tracking_rules"), where, name)),
        events=tuple(_events(data.get("events"), where, name)),
        prune=prune_kinds(site_prune, data.get("prune")),
        accounts=tuple(_accounts(data.get("accounts"), where, name)),
        location=at_path(location, camera_key(name)),
    )


def _connection(data: LDict | None, address: str, where: SourceMap, camera: str) -> Connection:
    if data is None:
        return Connection(host=address)
    where.note(camera_key(camera, "connection"), data)
    scheme = data.get("scheme", "http")
    return Connection(
        host=data.get("host", address),
        port=data.get("port", HTTPS_PORT if scheme == "https" else 80),
        scheme=scheme,
        ca_bundle=_relative_to_file(data["ca_bundle"], data.where("ca_bundle"))
        if "ca_bundle" in data else None,
        verify_tls=data.get("verify_tls", True),
        auth=data.get("auth", "auto"),
        timeout=float(data.get("timeout", 5.0)),
    )


def _relative_to_file(path: str, written_at: Location) -> str:
    """A relative path is taken from the directory of the file that says it."""
    if Path(path).is_absolute() or written_at.file.startswith("<"):
        return path
    return str(Path(written_at.file).parent / path)


def _admin_credentials(data: LDict, where: SourceMap, camera: str) -> Credentials:
    where.note(camera_key(camera, "credentials"), data)
    return _credentials(data, "admin")


def _credentials(data: LDict, privilege: str) -> Credentials:
    password = data["password"]
    if not isinstance(password, Secret):  # reported already; this Site will not be returned
        password = Secret("")
    previous = data.get("previous_password")
    return Credentials(username=data["username"], password=password,
                       privilege=data.get("privilege", privilege),
                       previous_password=previous if isinstance(previous, Secret) else None)


def _link_credentials(data: LDict | None, where: SourceMap, camera: str) -> Credentials | None:
    if data is None:
        return None
    where.note(camera_key(camera, "link_credentials"), data)
    return _credentials(data, DEFAULT_LINK_PRIVILEGE)


def _items(data: LList | None) -> list[tuple[int, LDict, Location]]:
    return [(i, item, data.where(i)) for i, item in enumerate(data)] if data else []


def _accounts(data: LList | None, where: SourceMap, camera: str) -> list[Account]:
    out = []
    for index, item, loc in _items(data):
        where.note(camera_key(camera, "accounts", index), item)
        password = item.get("password")
        out.append(Account(name=item["name"],
                           password=password if isinstance(password, Secret) else None,
                           privilege=item.get("privilege", "viewer"),
                           state=item.get("state", "present"),
                           location=at_path(loc, camera_key(camera, "accounts", index))))
    return out


def _presets(data: LList | None, where: SourceMap, camera: str) -> list[Preset]:
    out = []
    for index, item, loc in _items(data):
        where.note(camera_key(camera, "presets", index), item)
        out.append(Preset(name=item["name"], pan=item.get("pan"), tilt=item.get("tilt"),
                          zoom=item.get("zoom"), state=item.get("state", "present"),
                          location=at_path(loc, camera_key(camera, "presets", index))))
    return out


def _rules(data: LList | None, where: SourceMap, camera: str) -> list[TrackingRule]:
    out = []
    for index, item, loc in _items(data):
        where.note(camera_key(camera, "tracking_rules", index), item)
        points = tuple((int(x), int(y)) for x, y in item.get("field", ()))
        out.append(TrackingRule(
            name=item["name"], type=item.get("type", "intrusion"), field=points,
            condition=item.get("condition"), duration=item.get("duration"),
            direction=item.get("direction"), connect_event=item.get("connect_event", False),
            state=item.get("state", "present"),
            location=at_path(loc, camera_key(camera, "tracking_rules", index))))
    return out


def _trigger(data: LDict | None) -> Trigger:
    if not data:  # an absent event needs no trigger
        return Trigger(kind="motion")
    kind, value = next(iter(data.items()))
    if kind == "detection":
        return Trigger(kind="detection", rule=value)
    numbers = [value] if isinstance(value, int) and not isinstance(value, bool) else \
        value if isinstance(value, list) else []
    # The inventory numbers inputs and windows from 1, as the web page does; the Site from 0.
    return Trigger(kind=INPUT_TRIGGERS[kind], inputs=tuple(n - 1 for n in numbers))


def _schedule(data: LDict | None) -> Schedule:
    if not data:
        return Schedule()
    default = Schedule()
    return Schedule(days=tuple(data.get("days", default.days)),
                    begin=data.get("begin", default.begin), end=data.get("end", default.end))


def _events(data: LList | None, where: SourceMap, camera: str) -> list[Event]:
    out = []
    for index, item, loc in _items(data):
        where.note(camera_key(camera, "events", index), item)
        out.append(Event(
            name=item["name"], trigger=_trigger(item.get("trigger")),
            enabled=item.get("enabled", True), priority=item.get("priority", "normal"),
            delay=item.get("delay", Event.delay), schedule=_schedule(item.get("schedule")),
            do_duration=item.get("do"), goto_preset=item.get("goto"),
            state=item.get("state", "present"),
            location=at_path(loc, camera_key(camera, "events", index))))
    return out


def build_link(index: int, data: LDict, location: Location, where: SourceMap) -> Link:
    where.note(link_key(index), data)
    targets = []
    for number, item, loc in _items(data["targets"]):
        where.note(link_key(index, "targets", number), item)
        targets.append(LinkTarget(ptz=item["ptz"], preset=item.get("preset"),
                                  track_rule=item.get("track"), do_duration=item.get("do"),
                                  location=at_path(loc, link_key(index, "targets", number))))
    return Link(name=data["name"], spotter=data["spotter"], event=data["event"],
                targets=tuple(targets), state=data.get("state", "present"),
                location=at_path(location, link_key(index)))
