"""The camlink.provision collection as a user gets it (built with ``ansible-galaxy
collection build``, installed into a temporary collections path), emulated sites served by
the test on loopback, and ``ansible-playbook`` run as a process against them."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from camlink_provision import netguard
from camlink_provision.demo_secrets import ensure_secrets
from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.emulator.inventory_fleet import (
    point_site_at_fleet,
    seed_adopted_presets,
    specs_for_site,
    write_overlay,
)
from camlink_provision.emulator.spec import LogEntry
from camlink_provision.inventory.loader import load_site

ROOT = Path(__file__).resolve().parents[2]
COLLECTION = ROOT / "ansible_collections" / "camlink" / "provision"
EXAMPLES = ROOT / "examples" / "ansible"
MINIMAL = ROOT / "inventories" / "minimal" / "inventory.yml"
HERE = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent  # ansible-core's commands live beside this Python
MODULES = ("site", "verify", "facts")


def _run(command: Sequence[str], *, env: Mapping[str, str], cwd: Path,
         timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(command), cwd=cwd, env=dict(env), capture_output=True,
                          text=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL)


def ansible_env(collections: Path, home: Path, extra: Mapping[str, str] | None = None
                ) -> dict[str, str]:
    """Ansible with nothing of this machine's own: no ansible.cfg, its temp files under
    ``home``, the built collection only, plain output, the loopback guard on."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANSIBLE_", "CAMLINK_SECRET")) and k != "NO_COLOR"}
    config = home / "ansible.cfg"
    config.write_text("[defaults]\n")
    return {**env, netguard.ENV_FLAG: "1", "ANSIBLE_CONFIG": str(config),
            "ANSIBLE_COLLECTIONS_PATH": str(collections), "ANSIBLE_HOME": str(home),
            "ANSIBLE_LOCAL_TEMP": str(home / "tmp"), "ANSIBLE_REMOTE_TEMP": str(home / "rtmp"),
            "ANSIBLE_NOCOLOR": "1", "ANSIBLE_RETRY_FILES_ENABLED": "0",
            "ANSIBLE_DEPRECATION_WARNINGS": "0", "PYTHONWARNINGS": "ignore",
            "ANSIBLE_CALLBACK_PLUGINS": str(HERE / "callback_plugins"),
            "ANSIBLE_CALLBACKS_ENABLED": "camlink_results", **(extra or {})}


def install_collection(work: Path) -> Path:
    """Build the collection from the repository and install the tarball; the collections
    path to hand to Ansible."""
    env = ansible_env(work / "none", work)
    built = _run([str(BIN / "ansible-galaxy"), "collection", "build", str(COLLECTION),
                  "--output-path", str(work / "dist")], env=env, cwd=work)
    assert built.returncode == 0, built.stdout + built.stderr
    (tarball,) = (work / "dist").glob("camlink-provision-*.tar.gz")
    installed = _run([str(BIN / "ansible-galaxy"), "collection", "install", str(tarball),
                      "-p", str(work / "collections")], env=env, cwd=work)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    return work / "collections"


# -- emulated sites ----------------------------------------------------------------------------
@dataclass
class EmulatedSite:
    """The minimal inventory under another site name, on its own emulated fleet."""

    name: str
    inventory: Path  # the site's inventory directory
    overlay: Path  # points every camera at its emulated port
    secrets: Path
    fleet: Fleet

    def fresh(self) -> None:
        """Factory-fresh cameras, no fault, an empty request log."""
        self.fleet.clear_faults()
        self.fleet.reset_all()
        loaded = load_site([self.inventory], self.secrets).site
        seed_adopted_presets(point_site_at_fleet(loaded, self.fleet))
        for camera in self.fleet.names():
            self.fleet.clear_log(camera)

    def log(self) -> list[LogEntry]:
        return [entry for camera in self.fleet.names()
                for entry in self.fleet.request_log(camera)]

    def writes(self) -> list[LogEntry]:
        return [entry for entry in self.log() if entry.write]

    def passwords(self) -> list[str]:
        values = yaml.safe_load(self.secrets.read_text(encoding="utf-8"))
        return [str(v) for v in values.values()]

    def host_vars(self, workdir: Path, *, secrets_file: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {"camlink_inventory": [str(self.inventory), str(self.overlay)],
                               "camlink_chdir": str(workdir), "camlink_concurrency": 4}
        if secrets_file:
            out["camlink_secrets"] = str(self.secrets)
        return out


def _site_files(name: str, root: Path) -> tuple[Path, Path]:
    inventory = root / name
    inventory.mkdir(parents=True)
    text = MINIMAL.read_text(encoding="utf-8").replace("name: minimal", f"name: {name}")
    (inventory / "inventory.yml").write_text(text, encoding="utf-8")
    secrets = root / f"{name}.secrets.yml"
    ensure_secrets(inventory, secrets)
    return inventory, secrets


@contextmanager
def emulated_sites(names: Sequence[str], root: Path) -> Iterator[dict[str, EmulatedSite]]:
    """One emulated fleet per site, served by this process for the block."""
    with ExitStack() as stack:
        sites = {}
        for name in names:
            inventory, secrets = _site_files(name, root)
            loaded = load_site([inventory], secrets).site
            fleet = stack.enter_context(running_fleet(specs_for_site(loaded)))
            overlay = root / f"{name}.overlay.yml"
            write_overlay(overlay, fleet)
            sites[name] = EmulatedSite(name, inventory, overlay, secrets, fleet)
        yield sites


def write_ansible_inventory(sites: Mapping[str, EmulatedSite], workdir: Path,
                            path: Path, *, secrets_file: bool = True) -> Path:
    """Each site a host, run on this machine (connection local) by the test's Python.
    ``secrets_file=False``: no ``camlink_secrets``, the secrets come some other way."""
    data = {"camlink_sites": {
        "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable},
        "hosts": {name: site.host_vars(workdir, secrets_file=secrets_file)
                  for name, site in sites.items()}}}
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# -- ansible-playbook --------------------------------------------------------------------------
_RECAP = re.compile(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$", re.MULTILINE)


@dataclass
class PlaybookRun:
    returncode: int
    stdout: str
    stderr: str
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def recap(self, host: str) -> dict[str, int]:
        """The host's PLAY RECAP counts (ok, changed, failed, skipped, ...)."""
        for found, counts in _RECAP.findall(self.stdout):
            if found == host:
                return {k: int(v) for k, v in (p.split("=") for p in counts.split())}
        raise AssertionError(f"no PLAY RECAP line for {host}:\n{self.stdout}")

    def task(self, host: str, name: str) -> dict[str, Any]:
        """The last result of the task ``name`` on ``host``, with its status."""
        for record in reversed(self.results.get(host, [])):
            if record["task"] == name:
                return {**record["result"], "_status": record["status"]}
        raise AssertionError(f"no result of {name!r} on {host}: {self.results.get(host)}")

    def everything(self) -> str:
        return self.output + json.dumps(self.results)


def run_playbook(playbook: Path, inventory: Path, env: Mapping[str, str], workdir: Path,
                 *args: str) -> PlaybookRun:
    results = workdir / "results"
    results.mkdir(exist_ok=True)
    for old in results.glob("*.jsonl"):
        old.unlink()
    done = _run([str(BIN / "ansible-playbook"), "-i", str(inventory), str(playbook), *args],
                env={**env, "CAMLINK_RESULTS_DIR": str(results)}, cwd=workdir)
    recorded = {path.stem: [json.loads(line) for line in path.read_text().splitlines()]
                for path in results.glob("*.jsonl")}
    return PlaybookRun(done.returncode, done.stdout, done.stderr, recorded)


def ansible_doc(module: str, env: Mapping[str, str], cwd: Path
                ) -> subprocess.CompletedProcess[str]:
    return _run([str(BIN / "ansible-doc"), f"camlink.provision.{module}"], env=env, cwd=cwd)
