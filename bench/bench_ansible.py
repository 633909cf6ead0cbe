"""Benchmark the Ansible engine's overhead over the direct CLI, fleet-wide.

    python bench/bench_ansible.py [--sites 20] [--cameras 50] [--forks 10] [--runs 3]
                                  [--concurrency 16] [--latency 20] [--base-port 29000]

N sites of M cameras each (bench_plan's fleet, cut into sites: every fourth camera a
spotter linked to the next two PTZ domes) are served by one ``camlink-provision emulate``
process on loopback. Each site is converged twice — factory-fresh, then again with nothing
to change — in two ways, ``--forks`` sites at a time:

    direct    ``camlink-provision apply -i SITE --yes``, one process per site
    ansible   ``ansible-playbook -f FORKS`` of one play: ``camlink.provision.site`` per site
              (connection local, the collection from this checkout)

Each run starts factory-fresh (the emulator's control plane resets every camera). Prints,
over ``--runs`` runs, the median and range of each wall time, the CPU of the tool's
processes (every process it started and waited for: ``RUSAGE_CHILDREN``) and of the
emulator, the requests per camera (the cameras' own logs), the ratio to the latency floor

    floor = ceil(sites / forks) x ceil(cameras / concurrency) x requests per camera x latency

and the engine's overhead (ansible minus direct) in all and per site. Timing only: nothing
is asserted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import benchkit

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PLAYBOOK = """\
- name: Converge every site
  hosts: sites
  gather_facts: false
  tasks:
    - name: Converge the site
      camlink.provision.site:
        inventory: ["{{ site_inventory }}"]
        secrets: "{{ site_secrets }}"
        concurrency: "{{ site_concurrency }}"
"""


@dataclass
class Measured:
    wall: float
    cpu: float  # the processes the bench started: the CLI, or ansible-playbook and its forks
    emulator_cpu: float
    requests: float  # per camera
    floor: float


class Bench:
    def __init__(self, args: argparse.Namespace, emulator: benchkit.Emulator,
                 work: Path) -> None:
        self.args = args
        self.emulator = emulator
        self.ports = emulator.ports
        self.work = work
        self.secrets = work / "secrets.yml"
        benchkit.write_yaml(self.secrets, {"admin_password": benchkit.PASSWORD,
                                           "link_password": benchkit.LINK_PASSWORD})
        names = benchkit.camera_names(args.sites * args.cameras)
        self.sites: dict[str, Path] = {}
        for k in range(args.sites):
            first = k * args.cameras
            name = f"bench-{k:03d}"
            path = work / "sites" / name / "inventory.yml"
            benchkit.write_yaml(path, benchkit.site_inventory(
                name, names[first:first + args.cameras], first, self.ports))
            self.sites[name] = path.parent
        self.env = {**os.environ, "CAMLINK_LOCK_DIR": str(work / "locks"),
                    "ANSIBLE_COLLECTIONS_PATH": str(ROOT), "ANSIBLE_NOCOLOR": "1",
                    "ANSIBLE_CONFIG": str(self._ansible_cfg()),
                    "ANSIBLE_LOCAL_TEMP": str(work / "ansible-tmp"),
                    "ANSIBLE_DEPRECATION_WARNINGS": "0", "PYTHONWARNINGS": "ignore"}
        self.hosts = work / "hosts.yml"
        benchkit.write_yaml(self.hosts, {"sites": {
            "vars": {"ansible_connection": "local", "ansible_python_interpreter": sys.executable,
                     "site_secrets": str(self.secrets), "site_concurrency": args.concurrency},
            "hosts": {name: {"site_inventory": str(path)} for name, path in self.sites.items()}}})
        (work / "converge.yml").write_text(PLAYBOOK)

    def _ansible_cfg(self) -> Path:
        path = self.work / "ansible.cfg"
        path.write_text("[defaults]\nretry_files_enabled = False\n")
        return path

    def reset(self) -> None:
        """Every camera factory-fresh and its log empty, through the emulator's control
        plane; no journal of an earlier run."""
        benchkit.reset_fleet(self.ports)
        shutil.rmtree(self.work / ".camlink", ignore_errors=True)

    def measure(self, work: Callable[[], None]) -> Measured:
        children = _children_cpu()
        emulator_cpu = self.emulator.cpu_seconds()
        wall = timed(work)
        cpu = _children_cpu() - children
        emulator_cpu = self.emulator.cpu_seconds() - emulator_cpu
        per_camera = benchkit.sent_since_cleared(self.ports).requests / len(self.ports)
        rounds = (math.ceil(self.args.sites / self.args.forks)
                  * math.ceil(self.args.cameras / self.args.concurrency))
        floor = max(rounds * per_camera * self.args.latency / 1000, 1e-9)
        return Measured(wall, cpu, emulator_cpu, per_camera, floor)

    def direct(self) -> None:
        command = [str(BIN / "camlink-provision"), "apply", "--secrets", str(self.secrets),
                   "--yes", "--concurrency", str(self.args.concurrency)]

        def one(site: Path) -> None:
            done = subprocess.run([*command, "-i", str(site)], cwd=self.work, env=self.env,
                                  capture_output=True, text=True, check=False)
            if done.returncode != 0:
                raise SystemExit(f"direct apply of {site.name} failed:\n{done.stdout}"
                                 f"{done.stderr}")
        with ThreadPoolExecutor(self.args.forks) as pool:
            list(pool.map(one, self.sites.values()))

    def ansible(self) -> None:
        done = subprocess.run([str(BIN / "ansible-playbook"), "-i", str(self.hosts),
                               str(self.work / "converge.yml"), "-f", str(self.args.forks)],
                              cwd=self.work, env=self.env, capture_output=True, text=True,
                              check=False)
        if done.returncode != 0:
            raise SystemExit(f"ansible-playbook failed:\n{done.stdout}{done.stderr}")


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(work: Callable[[], None]) -> float:
    begin = time.perf_counter()
    work()
    return time.perf_counter() - begin


def spread(values: list[float], unit: str = " s") -> str:
    return (f"median {statistics.median(values):6.2f}{unit}  "
            f"(range {min(values):.2f}-{max(values):.2f}, {len(values)} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--cameras", type=int, default=50, help="per site (a multiple of 4)")
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16, help="per site")
    parser.add_argument("--latency", type=float, default=20.0, metavar="MS")
    parser.add_argument("--base-port", type=int, default=29000, metavar="P")
    args = parser.parse_args()
    benchkit.guard_loopback()
    total = args.sites * args.cameras
    with benchkit.emulated_fleet(benchkit.camera_names(total), base_port=args.base_port,
                                 latency=args.latency, prefix="bench-ansible-") as emulator, \
            tempfile.TemporaryDirectory(prefix="bench-ansible-work-") as tmp:
        bench = Bench(args, emulator, Path(tmp))
        runs: dict[str, list[Measured]] = {key: [] for key in (
            "direct fresh", "direct converged", "ansible fresh", "ansible converged")}
        for run in range(args.runs):
            for way, work in (("direct", bench.direct), ("ansible", bench.ansible)):
                bench.reset()
                runs[f"{way} fresh"].append(bench.measure(work))
                runs[f"{way} converged"].append(bench.measure(work))
            print(f"run {run + 1}/{args.runs}: " + json.dumps(
                {k: round(v[-1].wall, 2) for k, v in runs.items()}), flush=True)
    print(f"\n{args.sites} sites x {args.cameras} cameras, forks {args.forks}, concurrency "
          f"{args.concurrency} per site, {args.latency:g} ms latency")
    for key, measured in runs.items():
        print(f"  {key:<18} wall {spread([m.wall for m in measured])}")
        print(f"  {'':<18} tool CPU {spread([m.cpu for m in measured])}, emulator CPU "
              f"{spread([m.emulator_cpu for m in measured])}")
        print(f"  {'':<18} {spread([m.requests for m in measured], '')} requests per "
              f"camera; wall / floor {spread([m.wall / m.floor for m in measured], 'x')} "
              f"(floor {statistics.median([m.floor for m in measured]):.2f} s)")
    times = {key: [m.wall for m in measured] for key, measured in runs.items()}
    for state in ("fresh", "converged"):
        overhead = [a - d for a, d in zip(times[f"ansible {state}"], times[f"direct {state}"],
                                          strict=True)]
        per_site = [o / args.sites for o in overhead]
        print(f"  engine overhead, {state:<9}: {statistics.median(overhead):+.2f} s in all "
              f"(range {min(overhead):+.2f} to {max(overhead):+.2f}); "
              f"{statistics.median(per_site) * 1000:+.0f} ms per site")


if __name__ == "__main__":
    main()
