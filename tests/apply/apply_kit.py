"""A small Camera Link site built in code, its emulated fleet, and helpers to compare states.

Two PTZ cameras and one spotter whose event sends both PTZ cameras to a preset and starts
tracking on one: enough for every ordering rule of apply, small enough for a fault matrix.
Passwords are distinctive strings so that tests can search every output for them.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from camlink_provision.emulator import AccountSpec, CameraSpec
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

PTZ_MODEL = "SD9384-EHL"
FIXED_MODEL = "IB9389-EH-v2"
ADMIN = "admin"
LINK_USER = "camlink"


def admin_password(name: str) -> str:
    return f"Adm1n-{name}-zq7Kp"


def link_password(name: str) -> str:
    return f"L1nk-{name}-w9Rtx"


def all_passwords(site: Site) -> list[str]:
    out = [c.credentials.password.reveal() for c in site.cameras.values()]
    out += [c.link_credentials.password.reveal() for c in site.cameras.values()
            if c.link_credentials]
    return out


def _ptz(name: str, address: str, presets: tuple[Preset, ...],
         rules: tuple[TrackingRule, ...] = ()) -> Camera:
    return Camera(name=name, role="ptz", address=address, model=PTZ_MODEL,
                  connection=Connection("127.0.0.1", 80, timeout=2.0),
                  credentials=Credentials(ADMIN, Secret(admin_password(name))),
                  link_credentials=Credentials(LINK_USER, Secret(link_password(name))),
                  groups=("ptz",), presets=presets, tracking_rules=rules)


def small_site(name: str = "kit-site") -> Site:
    """ptz-a (2 presets, 1 rule), ptz-b (1 preset), spot (an event linking both)."""
    zone = TrackingRule("gate-zone", "intrusion", ((0, 0), (5000, 0), (5000, 5000)),
                        condition="enter")
    ptz_a = _ptz("ptz-a", "192.0.2.111", (Preset("gate", 1200, -300, 2),
                                        Preset("yard", 9000, -150, 1)), (zone,))
    ptz_b = _ptz("ptz-b", "192.0.2.112", (Preset("road", 18000, -100, 3),))
    spot = Camera(name="spot", role="spotter", address="192.0.2.110", model=FIXED_MODEL,
                  connection=Connection("127.0.0.1", 80, timeout=2.0),
                  credentials=Credentials(ADMIN, Secret(admin_password("spot"))),
                  groups=("spotters",),
                  events=(Event("gate-intrusion", Trigger("detection", rule="gate-line")),))
    link = Link("gate", "spot", "gate-intrusion",
                (LinkTarget("ptz-a", preset="gate", track_rule="gate-zone"),
                 LinkTarget("ptz-b", preset="road")))
    cameras = {c.name: c for c in (ptz_a, ptz_b, spot)}
    return Site(name=name, cameras=cameras, links=(link,),
                groups={"ptz": ("ptz-a", "ptz-b"), "spotters": ("spot",)})


def two_spotters_site(name: str = "kit-site-2") -> Site:
    """The small site, ptz-b with a second preset (bridge), and spot-b, whose event sends
    ptz-a to yard and ptz-b to bridge: a spotter that refers to both PTZ cameras too."""
    site = small_site(name)
    ptz_b = site.cameras["ptz-b"]
    ptz_b = replace(ptz_b, presets=(*ptz_b.presets, Preset("bridge", 27000, -200, 2)))
    spot_b = Camera(name="spot-b", role="spotter", address="192.0.2.113", model=FIXED_MODEL,
                    connection=Connection("127.0.0.1", 80, timeout=2.0),
                    credentials=Credentials(ADMIN, Secret(admin_password("spot-b"))),
                    groups=("spotters",),
                    events=(Event("yard-motion", Trigger("motion")),))
    link = Link("yard", "spot-b", "yard-motion",
                (LinkTarget("ptz-a", preset="yard"), LinkTarget("ptz-b", preset="bridge")))
    cameras = {**site.cameras, "ptz-b": ptz_b, "spot-b": spot_b}
    return replace(site, cameras=cameras, links=(*site.links, link),
                   groups={"ptz": ("ptz-a", "ptz-b"), "spotters": ("spot", "spot-b")})


def specs_for(site: Site) -> list[CameraSpec]:
    specs = []
    for cam in site.cameras.values():
        accounts = [AccountSpec(cam.credentials.username, cam.credentials.password.reveal(),
                                "admin")]
        if cam.link_credentials:
            accounts.append(AccountSpec(cam.link_credentials.username,
                                        cam.link_credentials.password.reveal(),
                                        cam.link_credentials.privilege))
        specs.append(CameraSpec(cam.name, cam.model, address=cam.address,
                                site_port=cam.site_port, accounts=tuple(accounts)))
    return specs


def aimed(site: Site, fleet: Any) -> Site:
    """The site with every connection aimed at the camera's emulated port."""
    cameras = {n: replace(c, connection=replace(c.connection, host="127.0.0.1",
                                                port=fleet.port(n)))
               for n, c in site.cameras.items()}
    return replace(site, cameras=cameras)


def settings(fleet: Any, name: str) -> dict[str, Any]:
    """What a camera holds, without what is not a setting (position, tracking, DO)."""
    state = fleet.state(name)
    params = {k: v for k, v in state["params"].items() if not k.startswith("status_")}
    return {"params": params, "presets": state["presets"], "rules": state["rules"]}


def writes(fleet: Any, name: str) -> list[Any]:
    return [e for e in fleet.request_log(name) if e.write]
