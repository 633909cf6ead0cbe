"""A small Camera Link site built by hand through the cameras' firmware interface.

``build_by_hand`` configures an emulated fleet the way an installer would in the cameras' web
pages: PTZ moves and ``preset.cgi`` saves, VCA rule POSTs, ``setparam`` of peers and events
on the spotters. It never goes through camlink-provision's planner, so the import tests can
adopt it and the verify tests can break it out of band. ``site_of`` is the Site (inventory)
that describes exactly what ``build_by_hand`` sets up, with connections aimed at the fleet.

    spot1 --gate-intrusion (detection gate-zone)--> ptz1 preset gate + track gate-track
                                                --> ptz2 preset dock + DO 4 s
    spot1 --door (DI 0)---------------------------> ptz2 preset dock
    spot2 --yard-motion (motion window 0)--------> ptz1 preset yard
"""

from __future__ import annotations

from dataclasses import replace

from camlink_provision.camera import CameraClient
from camlink_provision.emulator import AccountSpec, CameraSpec, Fleet
from camlink_provision.emulator.spec import Privilege
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import (
    Camera,
    Connection,
    Credentials,
    Event,
    Link,
    LinkTarget,
    Preset,
    Secret,
    Site,
    TrackingRule,
    Trigger,
)

# Distinctive on purpose: tests search every output for them.
ADMIN_USER, ADMIN_PASSWORD = "admin", "Adm1n-Vfy-7qx"
LINK_USER, LINK_PASSWORD = "camlink", "L1nk-Vfy-3kd"
PTZ_MODEL, PTZ2_MODEL = "SD9384-EHL", "SD9368-EHL"
SPOT_MODEL, SPOT2_MODEL = "IB9389-EHT-v2", "FD9389-EHV-v2"
ADDRESSES = {"ptz1": "192.0.2.1", "ptz2": "192.0.2.2", "spot1": "192.0.2.11",
             "spot2": "192.0.2.12"}
SITE_PORTS = {"ptz2": 8080}
MODELS = {"ptz1": PTZ_MODEL, "ptz2": PTZ2_MODEL, "spot1": SPOT_MODEL, "spot2": SPOT2_MODEL}
PTZ_NAMES = ("ptz1", "ptz2")

PRESETS = {"ptz1": {"gate": (100, -10, 2), "yard": (-2000, 5, 1)},
           "ptz2": {"dock": (1, 2, 3)}}
GATE_ZONE = ((0, 0), (5000, 0), (5000, 5000))
FENCE = ((0, 10), (9000, 10))


def fleet_specs(link_passwords: dict[str, str] | None = None,
                link_privileges: dict[str, Privilege] | None = None) -> list[CameraSpec]:
    """The four cameras; ``link_passwords`` gives a PTZ's link account another password
    than the one the spotters store (as if it was changed on the PTZ), ``link_privileges``
    another privilege than operator."""
    admin = AccountSpec(ADMIN_USER, ADMIN_PASSWORD, "admin")

    def accounts(name: str) -> tuple[AccountSpec, ...]:
        if name not in PTZ_NAMES:
            return (admin,)
        password = (link_passwords or {}).get(name, LINK_PASSWORD)
        privilege = (link_privileges or {}).get(name, "operator")
        return (admin, AccountSpec(LINK_USER, password, privilege))

    return [CameraSpec(name, MODELS[name], address=ADDRESSES[name],
                       site_port=SITE_PORTS.get(name, 80), accounts=accounts(name),
                       auth="basic" if name == "ptz2" else "digest")
            for name in ADDRESSES]


# -- by hand, through the firmware ----------------------------------------------------------
def client(fleet: Fleet, name: str, password: str = ADMIN_PASSWORD) -> CameraClient:
    connection = Connection(host="127.0.0.1", port=fleet.port(name), timeout=5.0)
    return CameraClient(name, connection, Credentials(ADMIN_USER, Secret(password)))


def save_presets(ptz: CameraClient, presets: dict[str, tuple[int, int, int]]) -> None:
    for name, (pan, tilt, zoom) in presets.items():
        ptz.move(pan, tilt, zoom)
        ptz.add_preset(name)


def peer_params(slot: int, ptz: str) -> dict[str, str | Secret]:
    def name(field: str) -> str:
        return profile.peer_param(slot, field)

    return {name("enable"): "1", name("name"): ptz, name("ipaddress"): ADDRESSES[ptz],
            name("port"): str(SITE_PORTS.get(ptz, 80)), name("username"): LINK_USER,
            name("passwd"): Secret(LINK_PASSWORD)}


def event_params(slot: int, fields: dict[str, str]) -> dict[str, str | Secret]:
    base = {"enable": "1", "priority": "1", "delay": "10", "weekday": "127",
            "begintime": "00:00", "endtime": "24:00"}
    return {profile.event_param(slot, key): value for key, value in {**base, **fields}.items()}


def action(peer: int, **fields: str) -> dict[str, str]:
    prefix = profile.link_action_param(0, peer, "").removeprefix(profile.event_param(0, ""))
    return {prefix + key: value for key, value in {"enable": "1", **fields}.items()}


def build_by_hand(fleet: Fleet) -> None:
    """Configure the whole site through the cameras' own interfaces."""
    with client(fleet, "ptz1") as ptz1:
        save_presets(ptz1, PRESETS["ptz1"])
        ptz1.put_tracking_rules({
            "gate-track": profile.rule_to_vca("gate-track", "intrusion",
                                              [list(p) for p in GATE_ZONE], False,
                                              condition="both"),
            "fence": profile.rule_to_vca("fence", "linecrossing", [list(p) for p in FENCE],
                                         True, direction="AtoB")})
        ptz1.move(0, 0, 0)
    with client(fleet, "ptz2") as ptz2:
        save_presets(ptz2, PRESETS["ptz2"])
        ptz2.move(0, 0, 0)
    with client(fleet, "spot1") as spot1:
        spot1.setparam({**peer_params(0, "ptz1"), **peer_params(1, "ptz2")})
        spot1.setparam(event_params(0, {
            "name": "gate-intrusion", "priority": "2", "trigger": "vadp",
            "vadp_rule": "gate-zone", "action_do_i0_enable": "1", "action_do_i0_duration": "3",
            **action(0, preset="gate", track_enable="1", track_rule="gate-track"),
            **action(1, preset="dock", do_enable="1", do_duration="4")}))
        spot1.setparam(event_params(1, {"name": "door", "trigger": "di", "di": "1",
                                        **action(1, preset="dock")}))
    with client(fleet, "spot2") as spot2:
        spot2.setparam(peer_params(0, "ptz1"))
        spot2.setparam(event_params(0, {"name": "yard-motion", "trigger": "motion",
                                        "mdwin": "1", **action(0, preset="yard")}))


# -- the inventory that describes it ------------------------------------------------------------
def camera(name: str, fleet: Fleet, **extra: object) -> Camera:
    ptz = name in PTZ_NAMES
    base = Camera(name=name, role="ptz" if ptz else "spotter", address=ADDRESSES[name],
                  model=MODELS[name],
                  connection=Connection(host="127.0.0.1", port=fleet.port(name), timeout=5.0),
                  credentials=Credentials(ADMIN_USER, Secret(ADMIN_PASSWORD)),
                  site_port=SITE_PORTS.get(name, 80),
                  link_credentials=Credentials(LINK_USER, Secret(LINK_PASSWORD)) if ptz else None)
    return replace(base, **extra)  # type: ignore[arg-type]


def site_of(fleet: Fleet) -> Site:
    ptz1 = camera("ptz1", fleet, presets=tuple(Preset(n, *p) for n, p in PRESETS["ptz1"].items()),
                  tracking_rules=(
                      TrackingRule("gate-track", "intrusion", GATE_ZONE, condition="both"),
                      TrackingRule("fence", "linecrossing", FENCE, direction="AtoB",
                                   connect_event=True)))
    ptz2 = camera("ptz2", fleet, presets=tuple(Preset(n, *p) for n, p in PRESETS["ptz2"].items()))
    spot1 = camera("spot1", fleet, events=(
        Event("gate-intrusion", Trigger("detection", rule="gate-zone"), priority="high",
              do_duration=3),
        Event("door", Trigger("di", inputs=(0,)))))
    spot2 = camera("spot2", fleet, events=(Event("yard-motion", Trigger("motion", inputs=(0,))),))
    links = (
        Link("gate", "spot1", "gate-intrusion", (
            LinkTarget("ptz1", preset="gate", track_rule="gate-track"),
            LinkTarget("ptz2", preset="dock", do_duration=4))),
        Link("door", "spot1", "door", (LinkTarget("ptz2", preset="dock"),)),
        Link("yard", "spot2", "yard-motion", (LinkTarget("ptz1", preset="yard"),)),
    )
    cameras = {c.name: c for c in (ptz1, ptz2, spot1, spot2)}
    return Site(name="handmade", cameras=cameras, links=links)
