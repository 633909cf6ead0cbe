"""Load and validate a generated 1,000-camera inventory; print the time (target: < 2 s).

    python bench/bench_inventory.py [--cameras N] [--repeat R]

The site: a quarter spotters, each linked to 3 PTZ cameras of its own (two links: a
detection at night and a contact input), every PTZ with 2 presets and a tracking rule;
zone groups of 8 cameras, shared settings in group_vars/, per-camera ones in host_vars/
(one file per camera), links in links.yml, passwords via secret().
Addresses are host names under .invalid: nothing here ever connects anywhere.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import benchkit
from benchkit import write_yaml

from camlink_provision.inventory import load_site

SPOTTER_MODELS = ("IB9391-EHT-v2", "FD9389-EHTV-v2", "IB9367-EHT-v2")
PTZ_MODELS = ("SD9384-EHL", "SD9368-EHL", "SD9161-H-v2")
PTZ_PER_SPOTTER = 3
ZONE = 8  # cameras per zone group: 2 spotters and their 6 PTZ cameras


def _spotter(root: Path, name: str, number: int, ptz: list[str]) -> list[dict[str, object]]:
    """Write the spotter's host_vars; return its links."""
    write_yaml(root / "host_vars" / f"{name}.yml", {
        "events": [{"name": "intrusion", "trigger": {"detection": f"rule-{number % 5}"},
                    "priority": "high", "schedule": "{{ night }}"},
                   {"name": "contact", "trigger": {"di": 1}}]})
    return [{"name": f"{name}-intrusion", "spotter": name, "event": "intrusion",
             "targets": [{"ptz": p, "preset": "watch", "track": "zone"} for p in ptz]},
            {"name": f"{name}-contact", "spotter": name, "event": "contact",
             "targets": [{"ptz": ptz[0], "preset": "gate", "do": 5}]}]


def _ptz(root: Path, name: str) -> None:
    write_yaml(root / "host_vars" / f"{name}.yml", {
        "presets": [{"name": "watch", "pan": 100, "tilt": -200, "zoom": 4},
                    {"name": "gate", "pan": 900, "tilt": -100, "zoom": 8}],
        "tracking_rules": [{"name": "zone", "type": "intrusion", "condition": "enter",
                            "field": [[0, 0], [10000, 0], [10000, 10000]]}]})


def generate(root: Path, cameras: int) -> Path:
    """Write the site under ``root``; return its secrets file."""
    spotters = [f"spot{i:04d}" for i in range(cameras // (PTZ_PER_SPOTTER + 1))]
    ptz = [f"ptz{i:04d}" for i in range(cameras - len(spotters))]
    links = []
    for number, name in enumerate(spotters):
        mine = ptz[number * PTZ_PER_SPOTTER:(number + 1) * PTZ_PER_SPOTTER]
        links += _spotter(root, name, number, mine)
    for name in ptz:
        _ptz(root, name)
    order = [name for n, s in enumerate(spotters)
             for name in (s, *ptz[n * PTZ_PER_SPOTTER:(n + 1) * PTZ_PER_SPOTTER])]
    zones: dict[str, dict[str, dict[str, None]]] = {
        f"zone{i // ZONE:03d}": {"hosts": {}} for i in range(0, len(order), ZONE)}
    for i, name in enumerate(order):
        zones[f"zone{i // ZONE:03d}"]["hosts"][name] = None
    def hosts(names: list[str], models: tuple[str, ...]) -> dict[str, object]:
        return {name: {"address": f"{name}.site.invalid", "model": models[n % len(models)]}
                for n, name in enumerate(names)}
    write_yaml(root / "inventory.yml", {
        "site": {"name": "bench"},
        "all": {"children": {"spotters": {"hosts": hosts(spotters, SPOTTER_MODELS)},
                             "ptz": {"hosts": hosts(ptz, PTZ_MODELS)}, **zones}}})
    write_yaml(root / "group_vars" / "all.yml", {
        "credentials": {"username": "admin", "password": "{{ secret('admin_password') }}"},
        "firmware": "2.2103.34.01d",
        "night": {"days": ["mon", "tue", "wed", "thu", "fri"], "begin": "19:00",
                  "end": "06:30"}})
    write_yaml(root / "group_vars" / "ptz.yml", {
        "link_credentials": {"username": "camlink",
                             "password": "{{ secret('link_password') }}"}})
    write_yaml(root / "links.yml", {"links": links})
    secrets = root / "secrets.yml"
    secrets.write_text("admin_password: bench-not-a-secret\nlink_password: bench-too\n")
    return secrets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cameras", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    benchkit.guard_loopback()  # nothing here connects; the guard makes sure of it
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "bench-site"
        secrets = generate(root, args.cameras)
        times, cpu = [], []
        for _ in range(args.repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            site = load_site([root], secrets).site
            times.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    # CPU time too: on a machine shared with other work, wall time says more about them.
    print(f"load + validate: {len(site.cameras)} cameras, {len(site.links)} links: "
          f"best {min(times):.2f} s, median {statistics.median(times):.2f} s wall; "
          f"best {min(cpu):.2f} s CPU; over {args.repeat} runs (target < 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
