"""Benchmark the command a user runs, from start to exit: ``plan`` and ``apply --yes``.

    python bench/bench_cli.py [--cameras 1000] [--concurrency N] [--latency 50] [--runs 5]
                              [--base-port 24000] [--link-accounts]
                              [--tool-checkout DIR]

The fleet and the site are bench_plan.py's (benchkit.py: every fourth camera a fixed
spotter, the rest PTZ domes with two presets and a tracking rule; each spotter's event
linked to the next two PTZ cameras), written as one inventory directory and served by
``camlink-provision emulate --latency MS`` in a separate process (CAMLINK_LOOPBACK_ONLY=1).
The cameras are factory-fresh: the admin account only (``--link-accounts``: the PTZ cameras
already hold the link account, as the fleet of bench_plan.py does).

Each run, timed as separate processes of the installed ``camlink-provision``:

1. plan, factory-fresh      every camera reset first (untimed);
2. apply --yes, fresh       every camera reset again: plan, then the writes and read-backs;
3. plan, converged          nothing to change; every spotter runs its link tests.

The tool's bytecode is compiled first, as pip does when it installs the wheel (on a machine
that sets PYTHONDONTWRITEBYTECODE an editable install never keeps it, and every command
would compile every module it imports).

For each: wall (process start to exit, interpreter start-up and imports included), the CPU
and peak memory of the tool's process, the emulator's CPU, the requests and writes per
camera as the cameras logged them (a spotter's own calls to its PTZ cameras left out), and
the ratio to the latency floor, rounds x requests x latency:

    plan    ceil(cameras / concurrency) x requests per camera x latency
    apply   the plan's floor + per play (PTZ side, then spotters) ceil(cameras in play /
            concurrency) x that play's requests per camera x latency

Prints each run, then the median and range of each figure. Nothing is asserted.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import benchkit

from camlink_provision.runner import DEFAULT_CONCURRENCY

BIN = Path(sys.executable).parent


@dataclass
class Figures:
    wall: float
    cpu: float  # the tool's process: user + system
    emulator_cpu: float
    requests: float  # per camera
    writes: float  # per camera
    floor: float
    peak_mb: float  # the tool's process

    def line(self) -> str:
        return (f"{self.wall:6.2f} s  tool CPU {self.cpu:5.2f} s, emulator CPU "
                f"{self.emulator_cpu:5.2f} s, {self.requests:4.2f} requests and "
                f"{self.writes:4.2f} writes per camera, {self.wall / self.floor:4.2f}x the "
                f"{self.floor:.2f} s floor, peak memory {self.peak_mb:.0f} MB")


class Bench:
    def __init__(self, args: argparse.Namespace, emulator: benchkit.Emulator,
                 names: list[str], work: Path) -> None:
        self.args, self.emulator, self.names, self.work = args, emulator, names, work
        self.ptz = [n for n in names if benchkit.is_ptz(n)]
        self.secrets = work / "secrets.yml"
        benchkit.write_yaml(self.secrets, {"admin_password": benchkit.PASSWORD,
                                           "link_password": benchkit.LINK_PASSWORD})
        self.inventory = work / "site"
        benchkit.write_yaml(self.inventory / "inventory.yml", benchkit.site_inventory(
            "bench-cli", names, 0, emulator.ports))
        self.env = {**os.environ, "CAMLINK_LOOPBACK_ONLY": "1",
                    "CAMLINK_LOCK_DIR": str(work / "locks")}
        if args.tool_checkout:  # an older version's CLI, against this version's emulator
            self.env["PYTHONPATH"] = str(Path(args.tool_checkout).resolve())

    def fresh(self) -> None:
        benchkit.reset_fleet(self.emulator.ports)
        shutil.rmtree(self.work / ".camlink", ignore_errors=True)

    def run(self, *command: str) -> tuple[float, float, float, float, benchkit.Sent]:
        """One CLI process: wall, its CPU, its peak memory (MB), the emulator's CPU, and what
        the cameras logged. ``os.wait4`` gives the process's own resource use."""
        argv = [str(BIN / "camlink-provision"), *command, "-i", str(self.inventory),
                "--secrets", str(self.secrets), "--concurrency", str(self.args.concurrency)]
        emulator_cpu = self.emulator.cpu_seconds()
        with tempfile.TemporaryFile() as output:
            begin = time.perf_counter()
            process = subprocess.Popen(argv, cwd=self.work, env=self.env, stdout=output,
                                       stderr=subprocess.STDOUT)
            _, status, usage = os.wait4(process.pid, 0)
            wall = time.perf_counter() - begin
            process.returncode = os.waitstatus_to_exitcode(status)
            if process.returncode != 0:
                output.seek(0)
                raise SystemExit(f"{' '.join(command)} exited {process.returncode}:\n"
                                 f"{output.read()[-4000:].decode(errors='replace')}")
        emulator_cpu = self.emulator.cpu_seconds() - emulator_cpu
        cpu = usage.ru_utime + usage.ru_stime
        peak_mb = usage.ru_maxrss / 1024  # kB on Linux
        return wall, cpu, peak_mb, emulator_cpu, benchkit.sent_since_cleared(self.emulator.ports)

    def rounds(self, cameras: int) -> int:
        return math.ceil(cameras / self.args.concurrency)

    def plan_floor(self, sent: benchkit.Sent) -> float:
        per_camera = sent.requests / len(self.names)
        return self.rounds(len(self.names)) * per_camera * self.args.latency / 1000

    def figures(self, ran: tuple[float, float, float, float, benchkit.Sent],
                floor: float) -> Figures:
        wall, cpu, peak_mb, emulator_cpu, sent = ran
        n = len(self.names)
        return Figures(wall, cpu, emulator_cpu, sent.requests / n, sent.writes / n, floor,
                       peak_mb)

    def once(self) -> dict[str, Figures]:
        out: dict[str, Figures] = {}
        self.fresh()
        plan = self.run("plan")
        out["plan, factory-fresh"] = self.figures(plan, self.plan_floor(plan[-1]))
        self.fresh()
        apply = self.run("apply", "--yes")
        out["apply --yes, factory-fresh"] = self.figures(
            apply, self.apply_floor(plan[-1], apply[-1]))
        converged = self.run("plan")
        out["plan, converged"] = self.figures(converged, self.plan_floor(converged[-1]))
        if converged[-1].writes:
            raise SystemExit(f"the converged plan wrote {converged[-1].writes} times")
        return out

    def apply_floor(self, plan: benchkit.Sent, apply: benchkit.Sent) -> float:
        """The plan's reads, then the PTZ play, then the spotters' play."""
        spotters = [n for n in self.names if n not in set(self.ptz)]
        floor = self.plan_floor(plan)
        for play in (self.ptz, spotters):
            if play:
                extra = sum(apply.by_camera[n] - plan.by_camera[n] for n in play) / len(play)
                floor += self.rounds(len(play)) * extra * self.args.latency / 1000
        return floor


def spread(values: list[float], unit: str = " s") -> str:
    return (f"{statistics.median(values):6.2f}{unit} [{min(values):.2f}-{max(values):.2f}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchkit.add_fleet_options(parser, concurrency=DEFAULT_CONCURRENCY, base_port=24000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--link-accounts", action="store_true",
                        help="the PTZ cameras already hold the link account")
    parser.add_argument("--tool-checkout", metavar="DIR",
                        help="run the CLI from this checkout (a 'before' figure)")
    args = parser.parse_args()
    benchkit.guard_loopback()
    checkout = Path(args.tool_checkout or Path(__file__).resolve().parents[1])
    benchkit.compile_bytecode(checkout / "camlink_provision")
    names = benchkit.camera_names(args.cameras)
    runs: list[dict[str, Figures]] = []
    with benchkit.emulated_fleet(names, base_port=args.base_port, latency=args.latency,
                                 prefix="bench-cli-", link_accounts=args.link_accounts
                                 ) as emulator, \
            tempfile.TemporaryDirectory(prefix="bench-cli-work-") as tmp:
        bench = Bench(args, emulator, names, Path(tmp))
        for number in range(args.runs):
            runs.append(bench.once())
            print(f"run {number + 1}/{args.runs}", flush=True)
            for what, figures in runs[-1].items():
                print(f"  {what:<28} {figures.line()}", flush=True)
    print(f"\n{args.cameras} cameras, concurrency {args.concurrency}, {args.latency:g} ms "
          f"latency, {'link accounts held' if args.link_accounts else 'factory-fresh'}; "
          f"median [range] of {args.runs} runs, each command a process from start to exit")
    for what in runs[0]:
        rows = [run[what] for run in runs]
        print(f"  {what}")
        print(f"    wall            {spread([r.wall for r in rows])}")
        print(f"    tool CPU        {spread([r.cpu for r in rows])}")
        print(f"    emulator CPU    {spread([r.emulator_cpu for r in rows])}")
        print(f"    requests/camera {spread([r.requests for r in rows], '')}"
              f"   writes/camera {spread([r.writes for r in rows], '')}")
        print(f"    peak memory     {spread([r.peak_mb for r in rows], ' MB')}")
        print(f"    wall / floor    {spread([r.wall / r.floor for r in rows], 'x')} "
              f"(floor {statistics.median([r.floor for r in rows]):.2f} s)")
    print(benchkit.memory_line().replace("this process", "this bench process"))


if __name__ == "__main__":
    main()
