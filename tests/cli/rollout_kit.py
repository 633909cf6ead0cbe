"""The construction site on emulated cameras served by the test, and the apply as a process:
what the signal and crash tests share."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.emulator.inventory_fleet import (
    overlay_data,
    point_site_at_fleet,
    seed_adopted_presets,
    specs_for_site,
)
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.loader import load_site
from camlink_provision.sitelock import lock_dir

from .cli_kit import COMMAND, CONSTRUCTION, cli_env


def settings(fleet: Fleet, name: str) -> dict[str, Any]:
    """What a camera holds, without what is not a setting (position, status)."""
    state = fleet.state(name)
    params = {k: v for k, v in state["params"].items() if not k.startswith("status_")}
    return {"params": params, "presets": state["presets"], "rules": state["rules"]}


class Site:
    """The construction site on a fresh emulated fleet, and how to apply it as a process."""

    def __init__(self, fleet: Fleet, root: Path, secrets: Path) -> None:
        self.fleet = fleet
        self.root = root
        self.overlay = root / "overlay.yml"
        self.overlay.write_text(yaml.safe_dump(overlay_data(fleet)))
        self.secrets = secrets
        self.names = fleet.names()

    def start(self, *extra: str, yes: bool = True) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*COMMAND, "apply", "-i", str(CONSTRUCTION), "-i", str(self.overlay),
             "--secrets", str(self.secrets), "--concurrency", "4",
             *(["--yes"] if yes else []), *extra],
            cwd=self.root, env=cli_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL, text=True, start_new_session=True)

    def answered(self) -> int:
        return sum(len(self.fleet.request_log(name)) for name in self.names)

    def commands(self) -> int:
        """Requests that change a camera (what the rollout sends; planning only reads)."""
        return sum(1 for name in self.names for entry in self.fleet.request_log(name)
                   if entry.method != "GET" and entry.path != fw.LINK_TEST
                   and entry.status != 401)  # a challenge answered, not a command

    def states(self) -> dict[str, dict[str, Any]]:
        return {name: settings(self.fleet, name) for name in self.names}

    def lock_files(self) -> list[Path]:
        return list(lock_dir().glob("*.lock"))  # $CAMLINK_LOCK_DIR: this test's own


def fresh(fleet: Fleet, secrets: Path) -> None:
    """Every camera factory-fresh with the presets an installer saved by hand (as --emulate
    starts), and an empty request log."""
    loaded = load_site([CONSTRUCTION], secrets).site
    fleet.reset_all()
    seed_adopted_presets(point_site_at_fleet(loaded, fleet))
    for name in fleet.names():
        fleet.clear_log(name)  # the log holds the apply's requests only


def serve(secrets: Path, latency_ms: float) -> Iterator[Fleet]:
    loaded = load_site([CONSTRUCTION], secrets).site
    with running_fleet(specs_for_site(loaded), latency_ms=latency_ms) as fleet:
        fresh(fleet, secrets)
        yield fleet


States = dict[str, dict[str, Any]]


def reference(fleet: Fleet, root: Path, secrets: Path) -> tuple[States, States, int]:
    """Every camera's settings factory-fresh and after one whole apply, and how many
    commands that apply sent; the fleet is left factory-fresh again."""
    site = Site(fleet, root, secrets)
    before = site.states()
    done = site.start()
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    after, commands = site.states(), site.commands()
    fresh(fleet, secrets)
    return before, after, commands
