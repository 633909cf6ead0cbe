"""Benchmark ``apply`` on a large factory-fresh emulated fleet.

    python bench/bench_apply.py [--cameras 1000] [--concurrency N] [--latency 50]
                                [--base-port 27000] [--reviewed | --saved]

``--concurrency`` defaults to the tool's own (``runner.DEFAULT_CONCURRENCY``), as users
run it.

The fleet and the site are bench_plan.py's, from benchkit.py (every fourth camera a fixed
spotter, the rest PTZ domes with two presets and a tracking rule; each spotter's event
linked to the next two PTZ cameras), served by ``camlink-provision emulate --fleet FILE
--latency MS`` in a separate process with CAMLINK_LOOPBACK_ONLY=1. Then, timed:

1. plan    ``plan_and_observe`` of the whole site (everything to create), as
           ``apply --yes`` plans;
2. apply   ``apply_plan`` with the default playbook (playbooks/site.yml), given the plan's
           own reads (``fresh``, as ``apply --yes`` does: nobody reviewed in between, so the
           first snapshot is the plan's read); per camera the writes and a read back; PTZ
           cameras first, then spotters. ``--reviewed``: as after a person confirmed at the
           prompt (each camera's step reads again what it touches, ``plan.reread``);
           ``--saved``: without the reads, as a saved plan is applied (every camera is read
           whole again first);
3. again   a second plan (must have no change) and apply (must send nothing).

Prints wall times, writes and requests per camera, and the apply's ratio to its latency
floor. The floor counts what the apply itself must send, play by play (a play waits for the
previous one):

    floor = sum over plays of ceil(cameras in play / concurrency) x requests per camera
            x latency

(requests as actually sent: Digest challenges, snapshot and read-back included). It is the
time if every request cost exactly the latency and no camera ever waited for a thread.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import benchkit
from benchkit import CountingFactory, Emulator

from camlink_provision.apply import RunResult, apply_plan
from camlink_provision.apply.events import ApplyEvent, CameraDone, PlayStarted
from camlink_provision.camera.auth import NonceBook
from camlink_provision.inventory.model import Site
from camlink_provision.plan import make_plan, plan_and_observe
from camlink_provision.playbook import load_playbook
from camlink_provision.runner import DEFAULT_CONCURRENCY

T = TypeVar("T")


@dataclass
class PlayTimes:
    """Per play: how many cameras, and the requests each sent (from CameraDone events)."""

    cameras: dict[str, list[int]]
    started: dict[str, float]
    ended: dict[str, float]

    def __call__(self, event: ApplyEvent) -> None:
        now = time.perf_counter()
        if isinstance(event, PlayStarted):
            self.started[event.play] = now
        elif isinstance(event, CameraDone):
            self.cameras[event.play].append(event.requests)
            self.ended[event.play] = now


def floor_seconds(plays: PlayTimes, concurrency: int, latency_ms: float) -> float:
    total = 0.0
    for requests in plays.cameras.values():
        rounds = math.ceil(len(requests) / concurrency)
        total += rounds * statistics.mean(requests) * latency_ms / 1000.0
    return total


def timed(label: str, work: Callable[[], T]) -> tuple[T, float]:
    begin = time.perf_counter()
    value = work()
    seconds = time.perf_counter() - begin
    print(f"  {label:<10} {seconds:7.2f} s", flush=True)
    return value, seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchkit.add_fleet_options(parser, concurrency=DEFAULT_CONCURRENCY, base_port=27000)
    how = parser.add_mutually_exclusive_group()
    how.add_argument("--reviewed", action="store_true",
                     help="as confirmed at the prompt: each step reads what it touches")
    how.add_argument("--saved", action="store_true",
                     help="apply without the plan's reads (a saved plan): read every camera")
    args = parser.parse_args()
    benchkit.guard_loopback()
    names = benchkit.camera_names(args.cameras)
    with benchkit.emulated_fleet(names, base_port=args.base_port, latency=args.latency,
                                 prefix="bench-apply-") as emulator:
        site = benchkit.build_site(names, emulator.ports)
        run(args, site, emulator)
    return 0


def run(args: argparse.Namespace, site: Site, emulator: Emulator) -> None:
    playbook = load_playbook()
    # One NonceBook for plan and apply, as the apply command (plan.run_clients).
    nonces = NonceBook()
    planning = CountingFactory(nonces)
    (plan, fresh), plan_s = timed("plan", lambda: plan_and_observe(
        site, concurrency=args.concurrency, client_factory=planning))
    if args.saved:
        fresh = {}
    plays = PlayTimes(defaultdict(list), {}, {})
    applying = CountingFactory(nonces)
    cpu, emulator_cpu = time.process_time(), emulator.cpu_seconds()
    result, apply_s = timed("apply", lambda: apply_plan(
        site, plan, playbook=playbook, concurrency=args.concurrency,
        client_factory=applying, on_event=plays, fresh=fresh, reviewed=args.reviewed))
    cpu, emulator_cpu = time.process_time() - cpu, emulator.cpu_seconds() - emulator_cpu
    again, again_s = timed("plan again", lambda: make_plan(site, concurrency=args.concurrency))
    second = apply_plan(site, again, playbook=playbook, concurrency=args.concurrency)
    report(args, plan_s, planning.requests, result, apply_s, plays, again_s,
           len(again.changes), second)
    print(f"CPU during apply   this process {cpu:.2f} s, emulator process {emulator_cpu:.2f} s "
          f"= {(cpu + emulator_cpu) / apply_s:.2f} cores busy of {os.cpu_count()} (shared)")
    print(benchkit.memory_line())


def _snapshots(args: argparse.Namespace) -> str:
    if args.saved:
        return "a saved plan: every camera read again"
    if args.reviewed:
        return "confirmed: each step reads again what it touches"
    return "apply --yes: the plan's reads"


def report(args: argparse.Namespace, plan_s: float, plan_requests: int, result: RunResult,
           apply_s: float, plays: PlayTimes, again_s: float, again_changes: int,
           second: RunResult) -> None:
    cameras = args.cameras
    floor = max(floor_seconds(plays, args.concurrency, args.latency), 1e-9)
    print(f"cameras            {cameras}  (concurrency {args.concurrency}, latency "
          f"{args.latency:g} ms, factory-fresh, "
          f"{_snapshots(args)})")
    print(f"plan               {plan_s:.2f} s  ({plan_requests / cameras:.2f} requests per "
          "camera)")
    print(f"apply              {apply_s:.2f} s  ({result.totals()})")
    print(f"  writes/camera    {result.writes / cameras:.2f}  (PTZ: 2 presets x move+save, "
          "1 rule put; spotter: 1 setparam)")
    print(f"  requests/camera  {result.requests / cameras:.2f}  (snapshot unless the plan's "
          "read is fresh, writes, read back; Digest challenges only for cameras the plan "
          "did not reach)")
    for play, requests in plays.cameras.items():
        took = plays.ended[play] - plays.started[play]
        print(f"  play             {play}: {len(requests)} cameras, "
              f"{statistics.mean(requests):.2f} requests each, {took:.2f} s")
    print(f"latency floor      {floor:.2f} s; apply / floor = {apply_s / floor:.2f}x")
    print(f"second run         plan {again_s:.2f} s, {again_changes} change(s); apply sent "
          f"{second.requests} requests, {second.writes} writes")
    print(f"plan + apply       {plan_s + apply_s:.2f} s end to end")
    if result.failed or again_changes or second.writes:
        print("PROBLEM: the apply failed or was not idempotent")


if __name__ == "__main__":
    sys.exit(main())
