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
over ``--runs`` runs, the median and range of each wall time, and the engine's overhead
(ansible minus direct) in all and per site. Timing only: nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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


class Bench:
    def __init__(self, args: argparse.Namespace, ports: dict[str, int], work: Path) -> None:
        self.args = args
        self.ports = ports
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
                name, names[first:first + args.cameras], first, ports))
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
        """Every camera factory-fresh, through the emulator's control plane."""
        def one(port: int) -> None:
            request = urllib.request.Request(f"http://127.0.0.1:{port}/_emulator/reset",
                                             data=b"{}", method="POST")
            with urllib.request.urlopen(request, timeout=30) as reply:
                reply.read()
        with ThreadPoolExecutor(32) as pool:
            list(pool.map(one, self.ports.values()))
        shutil.rmtree(self.work / ".camlink", ignore_errors=True)

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


def timed(work: Callable[[], None]) -> float:
    begin = time.perf_counter()
    work()
    return time.perf_counter() - begin


def spread(values: list[float]) -> str:
    return (f"median {statistics.median(values):6.2f} s  "
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
        bench = Bench(args, emulator.ports, Path(tmp))
        times: dict[str, list[float]] = {key: [] for key in (
            "direct fresh", "direct converged", "ansible fresh", "ansible converged")}
        for run in range(args.runs):
            for way, work in (("direct", bench.direct), ("ansible", bench.ansible)):
                bench.reset()
                times[f"{way} fresh"].append(timed(work))
                times[f"{way} converged"].append(timed(work))
            print(f"run {run + 1}/{args.runs}: " + json.dumps(
                {k: round(v[-1], 2) for k, v in times.items()}), flush=True)
    print(f"\n{args.sites} sites x {args.cameras} cameras, forks {args.forks}, concurrency "
          f"{args.concurrency} per site, {args.latency:g} ms latency")
    for key, values in times.items():
        print(f"  {key:<18} {spread(values)}")
    for state in ("fresh", "converged"):
        overhead = [a - d for a, d in zip(times[f"ansible {state}"], times[f"direct {state}"],
                                          strict=True)]
        per_site = [o / args.sites for o in overhead]
        print(f"  engine overhead, {state:<9}: {statistics.median(overhead):+.2f} s in all "
              f"(range {min(overhead):+.2f} to {max(overhead):+.2f}); "
              f"{statistics.median(per_site) * 1000:+.0f} ms per site")


if __name__ == "__main__":
    main()
