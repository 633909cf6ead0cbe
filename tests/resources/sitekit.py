"""Test helpers: Sites from plain dicts, factory camera replies, and a pure op simulator.

``build_site`` reads a small dict (the same shape the YAML cases use, close to the inventory
format) into the Site model, so the planner can be tested without the inventory loader.
``factory_params`` is the getparam reply of a factory-fresh camera, built from the firmware
profile's parameter table; ``held_params`` overlays what a case says the camera holds.
``Simulator`` applies a plan's Ops to those params the way the firmware contract says, so a
test can check that planning again after applying plans nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from camlink_provision.firmware import models, profile
from camlink_provision.firmware.commands import Command
from camlink_provision.inventory.model import (
    Account,
    Camera,
    Connection,
    Credentials,
    Event,
    Link,
    LinkTarget,
    Preset,
    Schedule,
    Secret,
    Site,
    TrackingRule,
    Trigger,
)
from camlink_provision.model import Observed
from camlink_provision.resources import accounts

FIRMWARE = "2.2103.34.01d"
PTZ_MODEL = "SD9384-EHL"
FIXED_MODEL = "IB9389-EH-v2"


def password_of(name: str) -> str:
    return f"pw-{name}-S3cret"


def link_password_of(name: str) -> str:
    return f"link-{name}-S3cret"


# -- sites -------------------------------------------------------------------------------------
def _preset(data: Mapping[str, Any]) -> Preset:
    return Preset(name=data["name"], pan=data.get("pan"), tilt=data.get("tilt"),
                  zoom=data.get("zoom"), state=data.get("state", "present"))


def _rule(data: Mapping[str, Any]) -> TrackingRule:
    return TrackingRule(name=data["name"], type=data["type"],
                        field=tuple(tuple(p) for p in data["field"]),
                        condition=data.get("condition"), duration=data.get("duration"),
                        direction=data.get("direction"),
                        connect_event=data.get("connect_event", False),
                        state=data.get("state", "present"))


def _event(data: Mapping[str, Any]) -> Event:
    trig = data.get("trigger", {"kind": "motion"})
    sched = data.get("schedule", {})
    schedule = Schedule(days=tuple(sched.get("days", Schedule().days)),
                        begin=sched.get("begin", "00:00"), end=sched.get("end", "24:00"))
    return Event(name=data["name"],
                 trigger=Trigger(kind=trig["kind"], rule=trig.get("rule"),
                                 inputs=tuple(trig.get("inputs", ()))),
                 enabled=data.get("enabled", True), priority=data.get("priority", "normal"),
                 delay=data.get("delay", 10), schedule=schedule,
                 do_duration=data.get("do_duration"), goto_preset=data.get("goto_preset"),
                 state=data.get("state", "present"))


def build_camera(data: Mapping[str, Any], index: int = 0) -> Camera:
    name = data["name"]
    role = data.get("role", "ptz")
    model = data.get("model", PTZ_MODEL if role == "ptz" else FIXED_MODEL)
    link = None
    if role == "ptz":
        link = Credentials(data.get("link_user", "camlink"),
                           Secret(data.get("link_password", link_password_of(name))),
                           privilege=data.get("link_privilege", "admin"))
    return Camera(
        name=name, role=role, address=data.get("address", f"10.0.0.{10 + index}"),
        model=model,
        connection=Connection(host="127.0.0.1", port=data.get("connection_port", 80),
                              timeout=data.get("timeout", 5.0)),
        credentials=Credentials(data.get("user", "admin"),
                                Secret(data.get("password", password_of(name)))),
        site_port=data.get("site_port", 80), link_credentials=link,
        firmware=data.get("firmware"),
        presets=tuple(_preset(p) for p in data.get("presets", ())),
        tracking_rules=tuple(_rule(r) for r in data.get("tracking_rules", ())),
        events=tuple(_event(e) for e in data.get("events", ())),
        prune=frozenset(data.get("prune", ())),
        accounts=tuple(Account(a["name"], Secret(a["password"]) if "password" in a else None,
                               a.get("privilege", "viewer"), a.get("state", "present"))
                       for a in data.get("accounts", ())))


def _link(data: Mapping[str, Any]) -> Link:
    targets = tuple(LinkTarget(ptz=t["ptz"], preset=t.get("preset"),
                               track_rule=t.get("track_rule"), do_duration=t.get("do_duration"))
                    for t in data["targets"])
    return Link(name=data["name"], spotter=data["spotter"], event=data["event"],
                targets=targets, state=data.get("state", "present"))


def build_site(data: Mapping[str, Any]) -> Site:
    cameras = [build_camera(c, i) for i, c in enumerate(data["cameras"])]
    return Site(name=data.get("name", "test-site"), cameras={c.name: c for c in cameras},
                links=tuple(_link(link) for link in data.get("links", ())),
                groups=data.get("groups", {}))


def with_connections(site: Site, ports: Mapping[str, int]) -> Site:
    """The same site with every camera's connection aimed at its emulated loopback port."""
    from dataclasses import replace
    cameras = {name: replace(cam, connection=replace(cam.connection, host="127.0.0.1",
                                                     port=ports[name]))
               for name, cam in site.cameras.items()}
    return replace(site, cameras=cameras)


# -- what a camera reports -----------------------------------------------------------------------
def capabilities(model: str) -> profile.Capabilities:
    info = models.lookup(model)
    assert info is not None, model
    return profile.Capabilities(npreset=info.npreset, ndi=info.ndi, ndo=info.ndo, nvi=info.nvi,
                                nevent=info.nevent, npeer=info.npeer, cameralink=True,
                                ptz=info.ptz)


def factory_params(model: str, firmware: str = FIRMWARE) -> dict[str, str]:
    """The getparam reply (every readable parameter) of a factory-fresh camera."""
    info = models.lookup(model)
    assert info is not None, model
    table = profile.parameter_table(capabilities(model))
    params = {name: spec.default for name, spec in table.items() if not spec.secret}
    params[profile.MODELNAME] = info.name
    params[profile.FIRMWARE] = f"{info.short_name}-VVTK-{firmware}"
    params[profile.SERIAL] = "0002D1000000"
    # The account this tool logs in with, as an installer leaves it (slot 0, root's place).
    params[profile.account_param(0, profile.ACCOUNT_NAME)] = "admin"
    params[profile.account_param(0, profile.ACCOUNT_PRIVILEGE)] = "admin"
    return params


SLOT_PARAM = {
    "presets": profile.preset_param,
    "events": profile.event_param,
    "peers": profile.peer_param,
}


def held_params(model: str, holds: Mapping[str, Any]) -> dict[str, str]:
    """Factory params with what a case says the camera holds laid over them.

    ``holds`` = {presets|events|peers: {slot: {field: value}}, params: {name: value}}.
    """
    params = factory_params(model, holds.get("firmware", FIRMWARE))
    for group, param in SLOT_PARAM.items():
        for slot, fields in (holds.get(group) or {}).items():
            for field, value in fields.items():
                name = param(int(slot), field)
                assert name in params, f"{name} is not a parameter of {model}"
                params[name] = str(value)
    for name, value in (holds.get("params") or {}).items():
        params[name] = str(value)
    return params


def observed_from(camera: Camera, holds: Mapping[str, Any]) -> Observed:
    rules = holds.get("rules")
    if rules is None and camera.role == "ptz":
        rules = {}
    tests = {int(k): v for k, v in (holds.get("link_tests") or {}).items()}
    return Observed(camera.name, held_params(camera.model, holds), rules, tests)


# -- applying commands without a camera ---------------------------------------------------
class Simulator:
    """One camera's parameters and rules, changed by commands as the firmware contract says."""

    def __init__(self, site: Site, camera: Camera, observed: Observed) -> None:
        self.site = site
        self.camera = camera
        self.params = dict(observed.params)
        self.rules = None if observed.rules is None else {k: dict(v) for k, v in
                                                           observed.rules.items()}
        self.passwords: dict[int, str] = {}
        self.account_passwords: dict[str, str] = {}
        self.position = (0, 0, 0)

    name = "simulator"

    def run(self, command: Command) -> None:
        command.send(self, self.site)

    def setparam(self, values: Mapping[str, str | Secret]) -> dict[str, str]:
        for name, value in values.items():
            split = profile.split_slot(name)
            if split and split[0] == profile.PEER_GROUP and split[2] == "passwd":
                self.passwords[split[1]] = value.reveal() if isinstance(value, Secret) \
                    else value
                continue
            assert not isinstance(value, Secret), f"{name} is no secret parameter"
            assert name in self.params, f"setparam of unknown {name}"
            self.params[name] = value
        return {}

    def move(self, pan: int, tilt: int, zoom: int) -> None:
        self.position = (pan, tilt, zoom)

    def add_preset(self, name: str, index: int | None = None) -> None:
        assert index is not None
        taken = [v for k, v in self.params.items() if k.startswith(profile.PRESET_GROUP)
                 and k.endswith("_name")]
        assert name not in taken, f"preset {name} saved while it exists"
        assert not self.params.get(profile.preset_param(index, "name")), \
            f"preset {name} saved over slot {index}, which is in use"
        for axis, value in zip(("name", "pan", "tilt", "zoom"), (name, *self.position),
                               strict=True):
            self.params[profile.preset_param(index, axis)] = str(value)

    def delete_preset(self, name: str) -> None:
        for key, value in list(self.params.items()):
            if key.startswith(profile.PRESET_GROUP) and key.endswith("_name") \
                    and value == name:
                self.params[key] = ""

    def put_tracking_rules(self, rules: Mapping[str, Mapping[str, Any]]) -> None:
        assert self.rules is not None
        self.rules.update({k: dict(v) for k, v in rules.items()})

    def delete_tracking_rule(self, name: str) -> None:
        assert self.rules is not None
        self.rules.pop(name)

    def edit_account(self, method: str, username: str, *, password: Secret | None = None,
                     privilege: str | None = None) -> None:
        slots = {self.params.get(profile.account_param(i, "name")): i
                 for i in range(profile.NACCOUNT)}
        if method == profile.ACCOUNT_ADD:
            assert username not in slots, f"account {username} added while it exists"
            slot = next(i for i in range(profile.NACCOUNT)
                        if not self.params.get(profile.account_param(i, "name")))
            self.params[profile.account_param(slot, "name")] = username
            self.params[profile.account_param(slot, "privilege")] = privilege or "viewer"
        else:
            assert username in slots, f"{method} of unknown account {username}"
            slot = slots[username]
            if method == profile.ACCOUNT_DELETE:
                self.params[profile.account_param(slot, "name")] = ""
                self.params[profile.account_param(slot, "privilege")] = ""
                self.account_passwords.pop(username, None)
                return
            if privilege is not None:
                self.params[profile.account_param(slot, "privilege")] = privilege
        if password is not None:
            self.account_passwords[username] = password.reveal()

    def link_test(self, slot: int) -> str:
        for ptz in self.site.ptz_cameras():
            if self.params.get(profile.peer_param(slot, "ipaddress")) == ptz.address:
                ok = self.passwords.get(slot) == ptz.peer_credentials.password.reveal()
                return "ok" if ok else "unauthorized"
        return "unreachable"

    def observed(self, slots_to_test: list[int]) -> Observed:
        seen = Observed(self.camera.name, dict(self.params), self.rules,
                        {slot: self.link_test(slot) for slot in slots_to_test})
        logins = {creds.username: self.account_passwords.get(creds.username)
                  == creds.password.reveal()
                  for creds in accounts.login_checks(self.camera, seen)}
        return replace(seen, logins=logins)
