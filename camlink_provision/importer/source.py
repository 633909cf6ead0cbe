"""The inventory import starts from: how to reach each camera, and nothing more required.

``load_site`` wants a complete inventory (every camera's model and role). An inventory
written to *adopt* a site may list only addresses and credentials, so import reads its
sources as ``load_site`` does (``inventory.resolve``: sources, groups and precedence, Jinja2
with secrets) but renders, and checks, only the settings it needs:

    address, site_port, connection, credentials, link_credentials   (needed / used)
    model, role, firmware                                            (kept when given)

Besides the rendered Camera (role and model filled with placeholders when absent), it keeps
what was *written* for each camera's passwords, ``{{ secret('NAME') }}``, so that the
inventory import writes refers to the same secrets and never holds a value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from camlink_provision.errors import InventoryError, InventoryErrors
from camlink_provision.inventory import groups as grp
from camlink_provision.inventory.build import SourceMap, build_camera
from camlink_provision.inventory.located import LDict, is_template
from camlink_provision.inventory.model import Camera, Role, Secret, Site
from camlink_provision.inventory.resolve import Inventory, open_inventory

READ_KEYS = ("role", "address", "site_port", "model", "firmware", "connection",
             "credentials", "link_credentials")
REQUIRED = ("address", "credentials")
PASSWORD = "password"
UNKNOWN_MODEL = ""  # until the camera says which it is


@dataclass(frozen=True)
class Written:
    """What the source says about one camera, as written (before rendering)."""

    password: str | None = None  # the credentials password template
    link_password: str | None = None  # the link_credentials password template, if any
    link_privilege: str | None = None
    connection: Mapping[str, Any] = field(default_factory=dict)  # rendered, keys as written
    firmware: str | None = None


@dataclass(frozen=True)
class Source:
    site: Site  # roles and models may be placeholders: see ``written``
    written: Mapping[str, Written]
    warnings: tuple[InventoryError, ...] = ()


def load_source(sources: Sequence[str | Path], secrets: str | Path | None = None,
                environ: Mapping[str, str] | None = None, *,
                secrets_command: str | None = None) -> Source:
    """The cameras of an inventory, knowing only how to reach them; raise InventoryErrors."""
    return _SourceLoad([Path(s) for s in sources], secrets,
                       os.environ if environ is None else environ, secrets_command).run()


class _SourceLoad:
    def __init__(self, sources: list[Path], secrets: str | Path | None,
                 environ: Mapping[str, str], secrets_command: str | None) -> None:
        self.inventory = open_inventory(sources, secrets, environ,
                                        secrets_command=secrets_command)
        self.errors: list[InventoryError] = list(self.inventory.tree_errors)

    def run(self) -> Source:
        inventory = self.inventory
        cameras: dict[str, Camera] = {}
        written: dict[str, Written] = {}
        for host in inventory.tree.hosts.values():
            built = self.camera(host)
            if built is not None:
                cameras[host.name], written[host.name] = built
        if any(e.severity == "error" for e in self.errors):
            raise InventoryErrors(self.errors)
        site = Site(name=site_name(inventory), cameras=cameras,
                    groups={name: tuple(n for n in names if n in cameras)
                            for name, names in inventory.members.items()},
                    sources=tuple(str(s) for s in inventory.sources))
        return Source(site, written, tuple(self.errors))

    def camera(self, host: grp.Host) -> tuple[Camera, Written] | None:
        failures: list[InventoryError] = []
        settings = self.inventory.host_settings(host, READ_KEYS, failures)
        rendered = settings.rendered
        problems = shape_problems(host, rendered)
        self.errors += failures + problems
        if failures or problems:
            return None
        if "model" not in rendered:
            rendered.put("model", UNKNOWN_MODEL, host.location)
        camera = build_camera(host.name, role_of(host, rendered), rendered, host.location,
                              host.groups, None, SourceMap())
        return camera, written_of(settings.variables, rendered, camera)


def shape_problems(host: grp.Host, rendered: LDict) -> list[InventoryError]:
    """What import cannot work without. The full schema is ``validate``'s job, on the
    complete inventory import writes; here only the settings used to reach the camera."""
    out = [InventoryError(f"camera {host.name} has no {key}", host.location,
                          f"import needs every camera's {' and '.join(REQUIRED)}")
           for key in REQUIRED if key not in rendered]
    if "address" in rendered and not isinstance(rendered["address"], str):
        out.append(InventoryError(f"camera {host.name}: address must be a text",
                                  rendered.where("address")))
    for key in ("credentials", "link_credentials"):
        section = rendered.get(key)
        if section is None:
            continue
        if not isinstance(section, Mapping) or not isinstance(section.get("username"), str) \
                or not isinstance(section.get(PASSWORD), Secret):
            out.append(InventoryError(
                f"camera {host.name}: {key} needs a username and a password from secret()",
                rendered.where(key), "write password: \"{{ secret('NAME') }}\""))
    for key, kind in (("connection", Mapping), ("site_port", int)):
        if key in rendered and not isinstance(rendered[key], kind):
            out.append(InventoryError(f"camera {host.name}: {key} has the wrong type",
                                      rendered.where(key), "see docs/inventory.md"))
    return out


def role_of(host: grp.Host, rendered: LDict) -> Role:
    """The role the source gives (import decides its own from what the camera holds)."""
    by_group = [grp.ROLE_GROUPS[g] for g in host.groups if g in grp.ROLE_GROUPS]
    role = rendered.get("role") or (by_group[0] if by_group else "spotter")
    return "ptz" if role == "ptz" else "spotter"


def password_template(section: Any) -> str | None:
    if isinstance(section, Mapping):
        value = section.get(PASSWORD)
        return value if isinstance(value, str) and is_template(value) else None
    return None


def written_of(variables: LDict, rendered: LDict, camera: Camera) -> Written:
    link = rendered.get("link_credentials")
    connection = dict(rendered.get("connection") or {})
    if "ca_bundle" in connection and camera.connection.ca_bundle:
        # Written relative to the file that says it: the new files live elsewhere.
        connection["ca_bundle"] = str(Path(camera.connection.ca_bundle).resolve())
    return Written(
        password=password_template(variables.get("credentials")),
        link_password=password_template(variables.get("link_credentials")),
        link_privilege=link.get("privilege") if isinstance(link, Mapping) else None,
        connection=connection, firmware=rendered.get("firmware"))


def site_name(inventory: Inventory) -> str:
    """The source's ``site: name`` as written (a template is not rendered here)."""
    settings = inventory.doc.get("site")
    name = settings.get("name") if isinstance(settings, Mapping) else None
    if isinstance(name, str) and name and not is_template(name):
        return name
    return inventory.default_site_name()
