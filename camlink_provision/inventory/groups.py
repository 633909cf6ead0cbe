"""Groups and hosts, Ansible-style: the ``all:`` tree flattened, and each camera's variable
levels in order of precedence.

A group may appear in several places of the tree (and of several sources): its ``vars``,
``hosts`` and ``children`` add up. A camera may be listed under several groups: it belongs
to each of them and to all their ancestors.

Precedence, lowest first (as Ansible's):

1. inline ``vars:`` of the camera's groups, in group order;
2. ``group_vars/<group>.yml`` of the camera's groups, in group order;
3. the camera's inline entries under ``hosts:`` (in the order written);
4. ``host_vars/<camera>.yml`` (and ``host_vars:`` in a file: the overlay form).

Group order: ``all`` first, then by depth (a child after its parents), then by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from camlink_provision.errors import InventoryError, Location
from camlink_provision.inventory.located import LDict, is_template

ALL = "all"
SPOTTERS, PTZ = "spotters", "ptz"  # the groups that give their cameras a role
ROLE_GROUPS = {SPOTTERS: "spotter", PTZ: "ptz"}


@dataclass
class Group:
    name: str
    location: Location
    vars: list[LDict] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    hosts: list[str] = field(default_factory=list)
    depth: int = 0
    child_locations: dict[str, Location] = field(default_factory=dict)  # children: entries


@dataclass
class Host:
    name: str
    location: Location  # where its name is first written under hosts:
    entries: list[LDict] = field(default_factory=list)
    direct_groups: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)  # with ancestors, in precedence order


@dataclass
class Tree:
    groups: dict[str, Group]
    hosts: dict[str, Host]  # in the order first written

    def members(self, group: str) -> list[str]:
        return [h.name for h in self.hosts.values() if group in h.groups]


def build_tree(doc: LDict) -> tuple[Tree, list[InventoryError]]:
    """Flatten ``doc['all']``; structural problems the schema cannot see are returned."""
    walker = _Walker()
    top = doc.get(ALL)
    walker.group(ALL, top if isinstance(top, LDict) else None, doc.where(ALL), None)
    tree = Tree(walker.groups, walker.hosts)
    errors = walker.errors + _cycles(tree) + _name_clashes(tree)
    _set_depths(tree)
    for host in tree.hosts.values():
        host.groups = _ordered_groups(tree, host)
    return tree, errors


class _Walker:
    def __init__(self) -> None:
        self.groups: dict[str, Group] = {}
        self.hosts: dict[str, Host] = {}
        self.errors: list[InventoryError] = []

    def group(self, name: str, node: LDict | None, loc: Location, parent: str | None) -> None:
        group = self.groups.setdefault(name, Group(name, loc))
        if parent is not None and parent not in group.parents:
            group.parents.append(parent)
            self.groups[parent].children.append(name)
            self.groups[parent].child_locations[name] = loc
        if node is None:
            return
        for key in ("vars", "hosts", "children"):
            if is_template(node.get(key)):
                self.errors.append(InventoryError(
                    f"{key} of group {name} is a template", node.where(key),
                    "templates are not expanded in the group structure; write it out"))
        for key, value in node.items():  # in the order written: cameras keep that order
            if key == "vars" and isinstance(value, LDict):
                group.vars.append(value)
            elif key == "hosts":
                self.hosts_of(group, value)
            elif key == "children" and isinstance(value, LDict):
                self.children_of(name, value)

    def children_of(self, parent: str, children: LDict) -> None:
        for child, body in children.items():
            if child == ALL:
                self.errors.append(InventoryError(
                    "'all' cannot be a child group", children.key_where(child),
                    "every camera is in all already; rename the group"))
                continue
            self.group(child, body if isinstance(body, LDict) else None,
                       children.key_where(child), parent)

    def hosts_of(self, group: Group, hosts: Any) -> None:
        if not isinstance(hosts, LDict):
            return
        for name, entry in hosts.items():
            host = self.hosts.setdefault(name, Host(name, hosts.key_where(name)))
            if group.name not in host.direct_groups:
                host.direct_groups.append(group.name)
                group.hosts.append(name)
            if isinstance(entry, LDict):
                host.entries.append(entry)


def _cycles(tree: Tree) -> list[InventoryError]:
    errors: list[InventoryError] = []
    state: dict[str, str] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for child in tree.groups[name].children:
            if state.get(child) == "open":
                loop = " -> ".join([*trail[trail.index(child):], child])
                closing = tree.groups[name].child_locations.get(
                    child, tree.groups[child].location)  # the children: entry closing it
                errors.append(InventoryError(f"group cycle: {loop}", closing,
                                             "a group cannot contain itself; remove one "
                                             "children: entry"))
            elif child not in state:
                visit(child, [*trail, child])
        state[name] = "done"

    for name in tree.groups:
        if name not in state:
            visit(name, [name])
    return errors


def _set_depths(tree: Tree) -> None:
    """Depth = the longest path from ``all``, so that a child always comes after a parent.
    (In a cycle, already reported, the edge back into it is ignored.)"""
    visiting: set[str] = set()

    def depth(name: str) -> int:
        group = tree.groups[name]
        if name != ALL and not group.depth and name not in visiting:
            visiting.add(name)
            group.depth = 1 + max((depth(p) for p in group.parents), default=0)
            visiting.discard(name)
        return group.depth

    for name in tree.groups:
        depth(name)


def _ordered_groups(tree: Tree, host: Host) -> list[str]:
    found: set[str] = {ALL}
    pending = list(host.direct_groups)
    while pending:
        name = pending.pop()
        if name not in found:
            found.add(name)
            pending.extend(tree.groups[name].parents)
    return sorted(found, key=lambda g: (g != ALL, tree.groups[g].depth, g))


def _name_clashes(tree: Tree) -> list[InventoryError]:
    return [InventoryError(f"'{name}' is both a group and a camera", host.location,
                           "rename the camera or the group")
            for name, host in tree.hosts.items() if name in tree.groups]


def layers(tree: Tree, host: Host, doc: LDict) -> list[LDict]:
    """The camera's variable levels, lowest precedence first."""
    group_files = doc.get("group_vars")
    host_files = doc.get("host_vars")
    out: list[LDict] = []
    for name in host.groups:
        out.extend(tree.groups[name].vars)
    if isinstance(group_files, LDict):
        out.extend(v for name in host.groups if isinstance(v := group_files.get(name), LDict))
    out.extend(host.entries)
    if isinstance(host_files, LDict) and isinstance(mine := host_files.get(host.name), LDict):
        out.append(mine)
    return out


def all_levels(tree: Tree, doc: LDict) -> list[LDict]:
    """Every mapping of settings and variables in the inventory, each once."""
    out = [v for group in tree.groups.values() for v in group.vars]
    out += [e for host in tree.hosts.values() for e in host.entries]
    for kind in ("group_vars", "host_vars"):
        section = doc.get(kind)
        if isinstance(section, LDict):
            out += [v for v in section.values() if isinstance(v, LDict)]
    return out


def group_levels(tree: Tree, doc: LDict) -> list[LDict]:
    """The levels of group ``all`` alone: what links and site settings are templated with."""
    group_files = doc.get("group_vars")
    out = list(tree.groups[ALL].vars) if ALL in tree.groups else []
    if isinstance(group_files, LDict) and isinstance(v := group_files.get(ALL), LDict):
        out.append(v)
    return out


def unknown_vars_targets(tree: Tree, doc: LDict) -> list[InventoryError]:
    """``group_vars/<x>`` for a group that does not exist, ``host_vars/<x>`` for a camera
    that does not exist: a typo, or an overlay for another site."""
    errors = []
    for kind, known, noun in (("group_vars", tree.groups, "group"),
                              ("host_vars", tree.hosts, "camera")):
        section = doc.get(kind)
        if not isinstance(section, LDict):
            continue
        for name in section:
            if name not in known:
                errors.append(InventoryError(
                    f"{kind} for '{name}', but there is no {noun} of that name",
                    section.key_where(name),
                    f"fix the name, or declare the {noun} under all:"))
    return errors
