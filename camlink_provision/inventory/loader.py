"""``load_site``: inventory sources -> a validated Site, or every problem at once.

The stages, each reporting all it finds before the next runs on what survived:

    read      YAML files of every source, merged in order   (stops here on a syntax error:
              (resolve.open_inventory)                        the rest would be guesswork)
    shape     JSON Schema on the merged document (templates and nulls wait)
    resolve   per camera: its variable levels merged, templates rendered
              (resolve.Inventory.host_settings); the schema on what
              the templates made, and on what a whole camera must have (schemacheck's two
              modes); its role; where secrets went -> a Camera
    links     rendered with the variables of group all, checked the same way -> Links
    rules     per camera and across cameras (camera_rules, link_rules)

A camera or link with an error of shape (schemacheck.BLOCKING) is left out of the Site and
the rules skip what names it; one whose faults are of value (a port out of range) is built,
so that the rules still report everything else about it. Either way, any error raises.

Problems are deduplicated by location and message: a bad value in ``group_vars/all.yml`` is
one problem, however many cameras inherit it.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from camlink_provision.errors import InventoryError, InventoryErrors, Location
from camlink_provision.firmware.choice import use_profiles
from camlink_provision.firmware.override import load_override
from camlink_provision.inventory import groups as grp
from camlink_provision.inventory.build import SourceMap, build_camera, build_link
from camlink_provision.inventory.camera_rules import check_cameras
from camlink_provision.inventory.hints import STRICT, closest
from camlink_provision.inventory.link_rules import check_links
from camlink_provision.inventory.located import (
    LDict,
    LList,
    all_locations,
    dotted,
    is_template,
)
from camlink_provision.inventory.model import Camera, Link, Role, Secret, Site
from camlink_provision.inventory.resolve import Inventory, open_inventory, without_nulls
from camlink_provision.inventory.schema import build_schema
from camlink_provision.inventory.schemacheck import Checked, check
from camlink_provision.inventory.template import Scope

PASSWORD_PATHS = (("credentials", "password"), ("credentials", "previous_password"),
                  ("link_credentials", "password"))
SETTINGS_KEYS = tuple(build_schema()["$defs"]["settings"]["properties"])


@dataclass(frozen=True)
class LoadResult:
    site: Site
    warnings: list[InventoryError] = field(default_factory=list)
    # Offline (validate without any secrets backend): the secret names the site asks for
    # that nothing gave a value, in the order first asked; their values were stand-ins.
    secrets_not_checked: tuple[str, ...] = ()
    # The group tree as written: group -> (its child groups, the hosts listed directly under
    # it), from ``all`` down; what ``inventory --graph`` draws.
    hierarchy: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict)


def load_site(sources: Sequence[str | Path], secrets: str | Path | None = None,
              environ: Mapping[str, str] | None = None, *,
              secrets_command: str | None = None, offline: bool = False) -> LoadResult:
    """Load, merge, template and validate; raise ``InventoryErrors`` (every problem, warnings
    included, sorted by file and line) if anything is wrong. ``offline``: without any
    secrets backend, check everything else (``validate``)."""
    return _Load([Path(s) for s in sources], secrets,
                 os.environ if environ is None else environ, secrets_command, offline).run()


def site_from_args(args: argparse.Namespace, *, offline: bool = False) -> LoadResult:
    """``load_site`` of what a command line names: ``-i``, ``--secrets``,
    ``--secrets-command``."""
    return load_site(args.inventory, getattr(args, "secrets", None),
                     secrets_command=getattr(args, "secrets_command", None), offline=offline)


class _Problems:
    """Every problem once: the same message at the same place (from several cameras, or
    from the document and then a camera) is one problem."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, int, int, str], InventoryError] = {}

    def add(self, errors: Sequence[InventoryError]) -> bool:
        """Record; True when any of them is an error (not a warning)."""
        for error in errors:
            self._seen.setdefault(error.sort_key(), error)
        return any(e.severity == "error" for e in errors)

    @property
    def all(self) -> list[InventoryError]:
        return list(self._seen.values())

    @property
    def failed(self) -> bool:
        return any(e.severity == "error" for e in self._seen.values())


class _Load:
    def __init__(self, sources: list[Path], secrets: str | Path | None,
                 environ: Mapping[str, str], secrets_command: str | None,
                 offline: bool) -> None:
        self.sources = sources
        self.secrets = secrets
        self.environ = environ
        self.secrets_command = secrets_command
        self.offline = offline
        self.problems = _Problems()
        self.where = SourceMap()
        self.blocked: frozenset[Location] = frozenset()  # values that cannot be built

    def run(self) -> LoadResult:
        inventory = open_inventory(self.sources, self.secrets, self.environ,
                                   secrets_command=self.secrets_command, offline=self.offline)
        doc, tree = inventory.doc, inventory.tree
        document = check(doc, "", mode="partial")
        self.problems.add(document.errors)
        self.blocked = document.blocked
        self.problems.add(inventory.tree_errors + grp.unknown_vars_targets(tree, doc))
        self.problems.add(variable_typos(grp.all_levels(tree, doc)))
        site_scope = inventory.site_scope()
        site_name, site_prune, settings = self._site_settings(inventory, site_scope)
        cameras = {}
        for host in tree.hosts.values():
            camera = self._camera(inventory, host, site_prune)
            if camera is not None:
                cameras[camera.name] = camera
        links = self._links(doc, site_scope)
        site = Site(name=site_name, cameras=cameras, links=tuple(links),
                    groups=_site_groups(inventory.members, cameras),
                    sources=tuple(str(s) for s in self.sources))
        site = self._firmware_profile(site, settings)
        self.problems.add(check_cameras(cameras.values(), self.where))
        self.problems.add(check_links(site, self.where, set(tree.hosts)))
        if self.problems.failed:
            raise InventoryErrors(self.problems.all)
        store = inventory.engine.secrets
        hierarchy = {name: (tuple(group.children), tuple(group.hosts))
                     for name, group in tree.groups.items()}
        return LoadResult(site, [e for e in self.problems.all if e.severity == "warning"],
                          tuple(store.missing()) if store.offline else (), hierarchy)

    # -- site ------------------------------------------------------------------------------
    def _firmware_profile(self, site: Site, settings: LDict) -> Site:
        """``site: firmware_profile: FILE`` (relative to the file that says it), loaded and
        checked now, so a bad override stops the run before any camera is contacted."""
        given = settings.get("firmware_profile") if isinstance(settings, LDict) else None
        if not isinstance(given, str) or not given:
            return site
        path = Path(settings.where("firmware_profile").file).parent / given
        if not path.is_file():
            self.problems.add([InventoryError(
                f"firmware_profile: {given!r} is not a file (looked for {path})",
                settings.where("firmware_profile"),
                "give the override file's path relative to this inventory file "
                "(docs/new-firmware.md)")])
            return site
        try:
            return use_profiles(site, load_override(path))
        except InventoryErrors as bad:
            self.problems.add(bad.errors)
            return site

    def _site_settings(self, inventory: Inventory, scope: Scope) -> tuple[str, Any, LDict]:
        doc = inventory.doc
        settings = doc.get("site")
        rendered = self._render(settings, doc.where("site"), scope) \
            if isinstance(settings, LDict) else LDict(doc.loc)
        name = rendered.get("name")
        if not isinstance(name, str) or not name:
            # A path never names a site: moving a checkout must not make a second site
            # with its own lock and journal beside the first.
            suggested = inventory.default_site_name()
            if "site" in doc:
                where, add = doc.where("site"), f"`name: {suggested}` under site:"
            else:
                where = Location(str(inventory.main_file()), 1, 1)
                add = f"`site: {{name: {suggested}}}` to {where.file}"
            self.problems.add([InventoryError(
                "the inventory does not name its site", where,
                f"add {add} (the name keys the site's lock, journal and plan files; a path "
                "never does)")])
            name = suggested
        return name, rendered.get("prune"), rendered

    def _render(self, value: Any, location: Location, scope: Scope) -> Any:
        failures: list[InventoryError] = []
        rendered = scope.render(without_nulls(value), location, failures)
        self.problems.add(failures)
        return rendered

    def _buildable(self, value: Any, *checks: Checked) -> bool:
        """Whether nothing in ``value`` had an error of shape (see schemacheck.BLOCKING)."""
        if any(c.blocked for c in checks):
            return False
        return not self.blocked or self.blocked.isdisjoint(all_locations(value))

    # -- cameras ---------------------------------------------------------------------------
    def _camera(self, inventory: Inventory, host: grp.Host, site_prune: Any) -> Camera | None:
        failures: list[InventoryError] = []
        settings = inventory.host_settings(host, SETTINGS_KEYS, failures)
        rendered = settings.rendered
        subject = f"camera '{host.name}'"
        values = check(_changed(settings.chosen, rendered), "settings", mode="partial",
                       subject=subject, root_location=host.location)
        required = check(rendered, "settings", mode="required", subject=subject,
                         root_location=host.location)
        role, role_errors = _role(host, rendered)
        self.problems.add(failures + values.errors + required.errors + role_errors
                          + _secret_placement(rendered))
        if failures or role is None or not self._buildable(rendered, values, required):
            return None
        return build_camera(host.name, role, rendered, host.location, host.groups,
                            site_prune, self.where)

    # -- links -----------------------------------------------------------------------------
    def _links(self, doc: LDict, scope: Scope) -> list[Link]:
        raw = doc.get("links")
        if not isinstance(raw, LList):
            return []
        rendered = self._render(raw, doc.where("links"), scope)
        links = []
        for index, item in enumerate(rendered):
            values = check(item, "link", mode="partial", prefix=("links", index)) \
                if item is not raw[index] else None
            required = check(item, "link", mode="required", prefix=("links", index))
            checks = [c for c in (values, required) if c is not None]
            self.problems.add([e for c in checks for e in c.errors])
            if isinstance(item, LDict) and self._buildable(item, *checks):
                links.append(build_link(index, item, rendered.where(index), self.where))
        return links


def variable_typos(levels: Sequence[LDict]) -> list[InventoryError]:
    """A key that is not a setting is a template variable, unless it looks like a misspelt
    setting: then it is most likely a mistake, and worth a warning."""
    warnings = []
    for level in levels:
        for key in level:
            if key in SETTINGS_KEYS:
                continue
            near = closest(key, SETTINGS_KEYS, STRICT)
            if near:
                warnings.append(InventoryError(
                    f"'{key}' is not a setting, so it is taken as a variable",
                    level.key_where(key), f"did you mean '{near}'?", severity="warning"))
    return warnings


def _changed(before: LDict, after: LDict) -> LDict:
    """The keys of ``after`` whose value is not ``before``'s: what templates produced."""
    out = LDict(after.loc)
    for key, value in after.items():
        if before.get(key) is not value:
            out.put(key, value, after.where(key), after.key_where(key))
    return out


def _role(host: grp.Host, settings: LDict) -> tuple[Role | None, list[InventoryError]]:
    by_group = sorted({grp.ROLE_GROUPS[g] for g in host.groups if g in grp.ROLE_GROUPS})
    explicit = settings.get("role")
    if len(by_group) > 1:
        return None, [InventoryError(f"camera {host.name} is in both the {grp.SPOTTERS} and "
                                     f"the {grp.PTZ} group", host.location,
                                     "a camera is a spotter or a PTZ camera: keep one")]
    if explicit is not None and by_group and explicit != by_group[0]:
        return None, [InventoryError(f"camera {host.name} has role: {explicit} but is in a "
                                     f"{by_group[0]} group", settings.where("role"),
                                     "remove role:, or move the camera")]
    if explicit not in (None, "spotter", "ptz"):
        return None, []  # the schema says what is wrong with it
    role = explicit or (by_group[0] if by_group else None)
    if role == "spotter":
        return "spotter", []
    if role == "ptz":
        return "ptz", []
    return None, [InventoryError(f"camera {host.name} has no role", host.location,
                                 f"put it under the {grp.SPOTTERS} or {grp.PTZ} group, or set "
                                 "role: spotter / ptz")]


def _secret_placement(settings: LDict) -> list[InventoryError]:
    """Passwords come from secret(); secrets go nowhere but passwords."""
    errors = []
    for path, value, location in _leaves(settings, ()):
        is_password = path in PASSWORD_PATHS or _account_password(path)
        if is_template(value):  # a template that failed: its failure says why
            continue
        if is_password and not isinstance(value, Secret):
            errors.append(InventoryError(f"{dotted(path)} is not from secret()", location,
                                         "write it as \"{{ secret('NAME') }}\": no password "
                                         "is ever written in an inventory"))
        elif isinstance(value, Secret) and not is_password:
            errors.append(InventoryError(f"{dotted(path)} uses a secret", location,
                                         "secret() belongs in passwords only"))
    return errors


def _account_password(path: tuple[str | int, ...]) -> bool:
    """``accounts[N].password``: a declared account's password."""
    return len(path) == 3 and path[0] == "accounts" and isinstance(path[1], int) \
        and path[2] == "password"


def _leaves(value: Any, path: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], Any,
                                                                    Location]]:
    out = []
    if isinstance(value, LDict):
        for key, item in value.items():
            if isinstance(item, LDict | LList):
                out += _leaves(item, (*path, key))
            else:
                out.append(((*path, key), item, value.where(key)))
    elif isinstance(value, LList):
        for index, item in enumerate(value):
            if isinstance(item, LDict | LList):
                out += _leaves(item, (*path, index))
            else:
                out.append(((*path, index), item, value.where(index)))
    return out


def _site_groups(members: dict[str, list[str]], cameras: dict[str, Camera]
                 ) -> dict[str, tuple[str, ...]]:
    """Every group -> its cameras (for --limit); ``spotters`` and ``ptz`` follow the roles,
    whatever groups the cameras were declared in."""
    out = {name: tuple(names) for name, names in members.items()}
    for group, role in grp.ROLE_GROUPS.items():
        out[group] = tuple(c.name for c in cameras.values() if c.role == role)
    return out

