"""``camlink-provision inventory``: the loaded inventory as Ansible's ``ansible-inventory``
shows one, so its users find their way at once.

    --graph                 the group tree, hosts under the groups that list them
    --list                  one line per camera: role, model, address, groups
    --list --format json    ``{"_meta": {"hostvars": {...}}, "all": {"children": [...]}, ...}``

What is shown is what the tool will use after merging, templating and validation. It runs
offline like ``validate`` (no secrets needed), and a password is only ever ``(sensitive)``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from typing import Any, TextIO

from camlink_provision.cli import EXIT_ERROR, EXIT_OK
from camlink_provision.errors import InventoryErrors
from camlink_provision.inventory.groups import ALL
from camlink_provision.inventory.loader import LoadResult, site_from_args
from camlink_provision.inventory.model import Camera

SENSITIVE = "(sensitive)"


def run_inventory(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    try:
        result = site_from_args(args, offline=True)
    except InventoryErrors as exc:
        for problem in exc.errors:
            print(problem.render(), file=sys.stderr)
        print("camlink-provision: the inventory is not valid: run validate for the details",
              file=sys.stderr)
        return EXIT_ERROR
    if args.graph:
        out.write("".join(line + "\n" for line in graph_lines(result)))
    elif args.format == "json":
        out.write(json.dumps(listing(result), indent=2) + "\n")
    else:
        out.write("".join(line + "\n" for line in list_lines(result)))
    return EXIT_OK


def graph_lines(result: LoadResult, group: str = ALL, depth: int = 0) -> Iterator[str]:
    """``ansible-inventory --graph``: ``@group:`` lines, ``|--`` for each member."""
    prefix = "  |" * depth
    yield f"{prefix}{'--' if depth else ''}@{group}:"
    children, hosts = result.hierarchy.get(group, ((), ()))
    for child in children:
        yield from graph_lines(result, child, depth + 1)
    for host in hosts:
        yield f"{prefix}  |--{host}"


def list_lines(result: LoadResult) -> Iterator[str]:
    cameras = list(result.site.cameras.values())
    width = max((len(c.name) for c in cameras), default=0)
    yield f"site {result.site.name}: {len(cameras)} camera(s)"
    for camera in cameras:
        yield (f"  {camera.name:<{width}}  {camera.role:<7}  {camera.model:<14}  "
               f"{camera.address}:{camera.site_port}  groups: {', '.join(camera.groups)}")


def listing(result: LoadResult) -> dict[str, Any]:
    """``ansible-inventory --list``: every group's hosts and children, and each host's
    settings after merging (what apply will use) under ``_meta.hostvars``."""
    out: dict[str, Any] = {"_meta": {"hostvars": {name: host_vars(camera) for name, camera
                                                  in result.site.cameras.items()}}}
    for group, (children, hosts) in result.hierarchy.items():
        entry: dict[str, Any] = {}
        if children:
            entry["children"] = list(children)
        if hosts:
            entry["hosts"] = list(hosts)
        out[group] = entry
    return out


def host_vars(camera: Camera) -> dict[str, Any]:
    link = camera.link_credentials
    return {
        "role": camera.role, "model": camera.model, "address": camera.address,
        "site_port": camera.site_port, "firmware": camera.firmware,
        "connection": {"host": camera.connection.host, "port": camera.connection.port,
                       "scheme": camera.connection.scheme},
        "credentials": {"username": camera.credentials.username, "password": SENSITIVE},
        "link_credentials": None if link is None else {"username": link.username,
                                                       "password": SENSITIVE,
                                                       "privilege": link.privilege},
        "accounts": [{"name": a.name, "privilege": a.privilege, "state": a.state,
                      "password": SENSITIVE if a.password is not None else None}
                     for a in camera.accounts],
        "groups": list(camera.groups),
        "presets": [p.name for p in camera.presets],
        "tracking_rules": [r.name for r in camera.tracking_rules],
        "events": [e.name for e in camera.events],
        "prune": sorted(camera.prune),
    }
