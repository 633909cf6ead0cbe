"""An inventory read up to each camera's rendered settings, and judged no further.

    inventory = open_inventory(sources, secrets, environ)  # InventoryErrors: a file unread
    for host in inventory.tree.hosts.values():
        settings = inventory.host_settings(host, keys, failures)

The first half of ``load_site`` (loader.py), which then validates what this gives into a
Site. ``import`` (importer/source.py) uses it too, leniently: it renders only the settings
it needs to reach each camera, and judges only those.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from camlink_provision.errors import InventoryError, InventoryErrors, Location
from camlink_provision.inventory import groups as grp
from camlink_provision.inventory.located import LDict, LList, display_path
from camlink_provision.inventory.merge import merge_all
from camlink_provision.inventory.secrets import open_secrets, planned_path
from camlink_provision.inventory.sources import INVENTORY_FILES, read_sources
from camlink_provision.inventory.template import Scope, TemplateEngine


@dataclass(frozen=True)
class HostSettings:
    """One camera's settings: every level merged, then the ones asked for rendered."""

    variables: LDict  # settings and variables of every level merged, as written
    chosen: LDict  # the keys asked for that ``variables`` sets (to something not null)
    rendered: LDict  # ``chosen`` without nulls, its templates rendered


@dataclass(frozen=True)
class Inventory:
    sources: tuple[Path, ...]
    doc: LDict  # every source merged
    tree: grp.Tree
    tree_errors: list[InventoryError]  # of the group structure, and warnings of reading
    engine: TemplateEngine
    members: dict[str, list[str]]  # group -> its cameras, as declared

    def extras(self, host: grp.Host | None) -> dict[str, Any]:
        """Ansible's magic variables: ``groups``, ``inventory_hostname``, ``group_names``."""
        extras: dict[str, Any] = {"groups": self.members}
        if host is not None:
            extras["inventory_hostname"] = host.name
            extras["group_names"] = [g for g in host.groups if g != grp.ALL]
        return extras

    def site_scope(self) -> Scope:
        """What links and site settings are templated with: the variables of group all."""
        variables = merge_all(grp.group_levels(self.tree, self.doc)) or LDict(self.doc.loc)
        return Scope(self.engine, variables, self.extras(None))

    def host_settings(self, host: grp.Host, keys: Sequence[str],
                      failures: list[InventoryError]) -> HostSettings:
        """The camera's ``keys`` rendered; a template that fails is in ``failures``."""
        variables = merge_all(grp.layers(self.tree, host, self.doc)) or LDict(host.location)
        chosen = LDict(variables.loc)
        for key in keys:
            if variables.get(key) is not None:
                chosen.put(key, variables[key], variables.where(key), variables.key_where(key))
        scope = Scope(self.engine, variables, self.extras(host))
        rendered = scope.render(without_nulls(chosen), host.location, failures)
        return HostSettings(variables, chosen, rendered)

    def main_file(self) -> Path:
        """Where the site's settings belong: the first source's inventory file."""
        first = self.sources[0]
        if first.is_dir():
            return next((first / n for n in INVENTORY_FILES if (first / n).is_file()),
                        first / INVENTORY_FILES[0])
        return first

    def default_site_name(self) -> str:
        """Without ``site: name``: the first source's directory name. ``-i DIR`` and
        ``-i DIR/inventory.yml`` are the same site; any other file: its name without .yml."""
        first = self.sources[0]
        if first.is_dir():
            return first.resolve().name
        if first.name in INVENTORY_FILES:
            return first.resolve().parent.name
        return first.stem


def open_inventory(sources: Sequence[Path], secrets: str | Path | None,
                   environ: Mapping[str, str], *, secrets_command: str | None = None,
                   offline: bool = False) -> Inventory:
    """Read every source and the secrets; raise ``InventoryErrors`` if any file is missing
    or unreadable (the rest would be guesswork). ``offline``: with no secrets backend at
    all, ``secret()`` gives stand-ins (``validate``; see ``secrets``)."""
    if not sources:
        raise InventoryErrors([InventoryError("no inventory given",
                                              hint="name one with -i INVENTORY")])
    planned = planned_path(secrets, sources, environ, secrets_command)
    doc, read_problems = read_sources(sources, planned)
    store, secret_errors = open_secrets(secrets, sources, environ, command=secrets_command,
                                        site_command=site_secrets_command(doc),
                                        offline=offline)
    if planned is not None and store.path is None:  # the inventory's command took over
        read_problems.append(InventoryError(
            f"{display_path(planned)} is not read: the inventory's site: secrets_command "
            "gives the secrets", Location(display_path(planned), 1, 1),
            "remove one of them", severity="warning"))
    unique: dict[tuple[str, int, int, str], InventoryError] = {}
    for error in read_problems + secret_errors:  # one -i given twice: its errors once
        unique.setdefault(error.sort_key(), error)
    problems = list(unique.values())
    if any(e.severity == "error" for e in problems):
        raise InventoryErrors(problems)
    tree, tree_errors = grp.build_tree(doc)
    tree_errors = problems + tree_errors  # warnings about files not read, say
    return Inventory(tuple(sources), doc, tree, tree_errors, TemplateEngine(store, environ),
                     {name: tree.members(name) for name in tree.groups})


def site_secrets_command(doc: LDict) -> str | None:
    """``site: secrets_command:`` as written: read before any template can run (it is how
    the templates' secrets are found), so a template there is taken as plain text and the
    schema's check of the site reports anything else."""
    settings = doc.get("site")
    command = settings.get("secrets_command") if isinstance(settings, LDict) else None
    return command if isinstance(command, str) and command.strip() else None


def without_nulls(value: Any) -> Any:
    """A key set to null counts as not set (a later level may so drop an inherited value).
    Returns ``value`` itself when it holds no null."""
    if isinstance(value, LDict):
        kept = {key: without_nulls(item) for key, item in value.items() if item is not None}
        if len(kept) == len(value) and all(kept[k] is v for k, v in value.items()):
            return value
        out = LDict(value.loc)
        for key, item in kept.items():
            out.put(key, item, value.where(key), value.key_where(key))
        return out
    if isinstance(value, LList):
        items = [without_nulls(item) for item in value]
        if all(new is old for new, old in zip(items, value, strict=True)):
            return value
        copy = LList(value.loc)
        for index, item in enumerate(items):
            copy.add(item, value.where(index))
        return copy
    return value
