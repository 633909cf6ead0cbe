"""``camlink-provision validate``: every problem of an inventory, one per line, and a summary.

    inventories/x/links.yml:12:9: gate-ptz has no preset 'gatex' — declare it under ...
    inventories/x/inventory.yml:4:5: warning: 'modle' is not a setting ... — did you mean ...
    2 problems (1 error, 1 warning) in inventories/x

Exit status 1 when there is any error, 0 otherwise (warnings alone pass). Nothing is sent to
any camera: this loads the inventory and nothing else.

Without any secrets backend it runs offline, as a pull request's CI does: everything but the
secret values is checked, and the secrets the site needs are listed (exit 0 if nothing else is
wrong). With secrets, their values are checked too (text, fitting the password fields).
"""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from camlink_provision.cli import EXIT_ERROR, EXIT_OK
from camlink_provision.errors import InventoryError, InventoryErrors
from camlink_provision.inventory.loader import LoadResult, site_from_args
from camlink_provision.inventory.model import Site
from camlink_provision.inventory.secrets import env_name


def run_validate(args: argparse.Namespace, out: TextIO | None = None) -> int:
    out = out or sys.stdout
    sources: list[str] = list(args.inventory)
    try:
        result = site_from_args(args, offline=True)
    except InventoryErrors as exc:
        _print(exc.errors, out)
        out.write(summary(exc.errors, sources) + "\n")
        return EXIT_ERROR
    _print(result.warnings, out)
    if result.site.profiles is not None and result.site.profiles.override is not None:
        out.write(result.site.profiles.describe() + "\n")  # the built-in one goes unsaid
    if result.secrets_not_checked:
        out.write(secrets_note(result.secrets_not_checked) + "\n")
    out.write(summary(result.warnings, sources, result) + "\n")
    return EXIT_OK


def secrets_note(names: tuple[str, ...]) -> str:
    """What an offline validate could not check, and how to give it."""
    listed = ", ".join(names)
    return (f"secrets not checked (none given): the site needs {listed} — give them with "
            f"--secrets, --secrets-command or ${env_name(names[0])} and so on, to check "
            "their values too")


def _print(problems: list[InventoryError], out: TextIO) -> None:
    for problem in problems:
        out.write(problem.render() + "\n")


def summary(problems: list[InventoryError], sources: list[str],
            result: LoadResult | None = None) -> str:
    where = ", ".join(sources)
    errors = sum(1 for p in problems if p.severity == "error")
    warnings = len(problems) - errors
    counted = f"{_count(errors, 'error')}, {_count(warnings, 'warning')}"
    if result is None:
        return f"{where}: invalid — {counted}"
    return f"{where}: valid — {describe(result.site)}; {counted}"


def describe(site: Site) -> str:
    spotters, ptz = len(site.spotters()), len(site.ptz_cameras())
    return (f"site {site.name}: {_count(len(site.cameras), 'camera')} "
            f"({_count(spotters, 'spotter')}, {ptz} PTZ), {_count(len(site.links), 'link')}")


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"
