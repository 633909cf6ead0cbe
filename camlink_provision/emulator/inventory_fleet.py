"""An emulated fleet built from an inventory, and the overlay that points the tool at it.

Each camera of the Site becomes an emulated camera with the inventory's model, a firmware of
2103 or later (the inventory's, when it names one), its site address and port (so spotters
reach their peers by the addresses the inventory gives), and one account: the admin account
this tool logs in with (``credentials``), as an installer leaves a camera after setting its
admin password. Nothing else: the account spotters use to call a PTZ camera
(``link_credentials``) is the tool's to create, as on a real factory-fresh site.
"""

from __future__ import annotations

import argparse
import dataclasses
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

import yaml

from camlink_provision.camera import CameraClient
from camlink_provision.emulator import AccountSpec, CameraSpec, Fleet
from camlink_provision.emulator.spec import DEFAULT_FIRMWARE
from camlink_provision.firmware.choice import naming_for
from camlink_provision.firmware.models import MIN_CAMERA_LINK_MAJOR
from camlink_provision.firmware.profile import PRESET_GROUP
from camlink_provision.firmware.version import parse_firmware
from camlink_provision.inventory.loader import site_from_args
from camlink_provision.inventory.model import Camera, Connection, Site


def _firmware_for(camera: Camera) -> str:
    parsed = parse_firmware(camera.firmware) if camera.firmware else None
    if parsed and parsed.major >= MIN_CAMERA_LINK_MAJOR:
        return parsed.version
    return DEFAULT_FIRMWARE


def _accounts_for(camera: Camera) -> tuple[AccountSpec, ...]:
    creds = camera.credentials
    # A camera whose admin password is being rotated still holds the previous one.
    password = creds.previous_password or creds.password
    return (AccountSpec(creds.username, password.reveal(), creds.privilege),)


def spec_for_camera(camera: Camera) -> CameraSpec:
    auth: Literal["basic", "digest"] = "basic" if camera.connection.auth == "basic" else "digest"
    return CameraSpec(name=camera.name, model=camera.model, firmware=_firmware_for(camera),
                      address=camera.address, site_port=camera.site_port, auth=auth,
                      accounts=_accounts_for(camera), profile=camera.firmware_profile)


def specs_for_site(site: Site) -> list[CameraSpec]:
    return [spec_for_camera(camera) for camera in site.cameras.values()]


def specs_from_args(args: argparse.Namespace) -> list[CameraSpec]:
    """For `camlink-provision emulate -i INV`."""
    return specs_for_site(site_from_args(args).site)


def _hand_saved_position(camera: str, preset: str) -> tuple[int, int, int]:
    """Where an installer "saved" an adopted preset: fixed per name, so runs agree."""
    digest = zlib.crc32(f"{camera}/{preset}".encode())
    return digest % 3600, -(digest // 3600 % 900), 1 + digest // 3_240_000 % 20


def seed_adopted_presets(site: Site) -> list[str]:
    """Save, through the firmware interface, every preset the inventory adopts.

    An adopted preset (a name without a position) is one an installer saved by hand in the
    camera's web page; a factory-fresh emulated camera has none, so the fleet plays the
    installer once. ``site`` must already point at the fleet. Returns "camera/preset" names.
    """
    seeded = []
    for camera in site.ptz_cameras():
        adopted = [p.name for p in camera.presets if p.adopted and p.state == "present"]
        if not adopted:
            continue
        with CameraClient(camera.name, camera.connection, camera.credentials,
                          naming=naming_for(camera.firmware_profile)) as client:
            existing = set(_preset_names(client))
            home = client.position()
            for name in adopted:
                if name not in existing:
                    client.move(*_hand_saved_position(camera.name, name))
                    client.add_preset(name)
                    seeded.append(f"{camera.name}/{name}")
            client.move(home.pan, home.tilt, home.zoom)
    return seeded


def _preset_names(client: CameraClient) -> list[str]:
    values = client.getparam([PRESET_GROUP])
    return [value for key, value in values.items() if key.endswith("_name") and value]


def point_site_at_fleet(site: Site, fleet: Fleet, names: Iterable[str] | None = None) -> Site:
    """The same Site, with every camera's connection aimed at its emulated loopback port."""
    chosen = set(names) if names is not None else set(site.cameras)
    cameras = {}
    for name, camera in site.cameras.items():
        if name in chosen:
            connection = Connection(host="127.0.0.1", port=fleet.port(name), scheme="http",
                                    auth=camera.connection.auth,
                                    timeout=camera.connection.timeout)
            camera = dataclasses.replace(camera, connection=connection)
        cameras[name] = camera
    return dataclasses.replace(site, cameras=cameras)


def overlay_data(fleet: Fleet) -> dict[str, object]:
    """The overlay inventory: per camera, only how this tool connects to it."""
    return {"host_vars": {name: {"connection": {"host": "127.0.0.1", "port": fleet.port(name),
                                            "scheme": "http"}}
                      for name in fleet.names()}}


def prepare_fleet(args: argparse.Namespace, fleet: Fleet) -> None:
    """For `emulate -i`: seed the adopted presets, and write the overlay when asked."""
    site = site_from_args(args).site
    seed_adopted_presets(point_site_at_fleet(site, fleet))
    if args.overlay:
        write_overlay(args.overlay, fleet)


def write_overlay(target: str | Path, fleet: Fleet) -> None:
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ("# Written by `camlink-provision emulate`: points every camera at its emulated\n"
              "# port on loopback. Use it as the last -i source.\n")
    path.write_text(header + yaml.safe_dump(overlay_data(fleet), sort_keys=True))
