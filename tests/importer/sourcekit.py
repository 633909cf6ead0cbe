"""Source inventories for import: only how to reach each camera, as an installer would list
the cameras of a site nobody wrote an inventory for yet.

``bare_source`` writes such an inventory for the hand-built site of ``verify.linkkit``: each
camera's address, the loopback connection to its emulated port, the admin credentials as a
secret() reference; no role, no model, no resource. ``secrets_file`` writes the secrets.
``overlay`` aims the cameras of an existing inventory at an emulated fleet.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from verify.linkkit import ADDRESSES, ADMIN_PASSWORD, ADMIN_USER

from camlink_provision.emulator import AccountSpec, CameraSpec, Fleet
from camlink_provision.inventory.model import Camera, Site

ADMIN_SECRET = "site_admin_password"


def bare_source(directory: Path, fleet: Fleet) -> Path:
    hosts = {name: {"address": address,
                    "connection": {"host": "127.0.0.1", "port": fleet.port(name)}}
             for name, address in ADDRESSES.items()}
    inventory = {"site": {"name": "adopted"}, "all": {
        "vars": {"credentials": {"username": ADMIN_USER,
                                 "password": "{{ secret('" + ADMIN_SECRET + "') }}"}},
        "hosts": hosts}}
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "inventory.yml").write_text(yaml.safe_dump(inventory, sort_keys=False))
    return directory


def secrets_file(path: Path, values: dict[str, str]) -> Path:
    path.write_text(yaml.safe_dump(values))
    return path


def handmade_secrets(path: Path) -> Path:
    return secrets_file(path, {ADMIN_SECRET: ADMIN_PASSWORD})


def specs_of(site: Site) -> list[CameraSpec]:
    """The emulated cameras an inventory describes: model, site address, its accounts."""
    return [spec_of(camera) for camera in site.cameras.values()]


def spec_of(camera: Camera) -> CameraSpec:
    accounts = [AccountSpec(camera.credentials.username, camera.credentials.password.reveal(),
                            "admin")]
    link = camera.link_credentials
    if link is not None and link.username != camera.credentials.username:
        accounts.append(AccountSpec(link.username, link.password.reveal(), link.privilege))
    return CameraSpec(name=camera.name, model=camera.model, address=camera.address,
                      site_port=camera.site_port, accounts=tuple(accounts))


def overlay(path: Path, fleet: Fleet) -> Path:
    """An inventory file aiming every camera at its emulated port (host_vars overlay)."""
    data = {"host_vars": {name: {"connection": {"host": "127.0.0.1", "port": fleet.port(name)}}
                          for name in fleet.names()}}
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path
