"""Benchmark ``make_plan`` on a large emulated fleet, beside a plain per-parameter reader.

    python bench/bench_plan.py [--cameras 1000] [--concurrency N] [--latency 50]
                               [--converged] [--naive-cameras 16] [--naive-params 40]

``--concurrency`` defaults to the tool's own (``runner.DEFAULT_CONCURRENCY``), as users
run it.

Starts ``camlink-provision emulate`` in a separate process (CAMLINK_LOOPBACK_ONLY=1) with a
generated FLEET.yml: every fourth camera a fixed spotter, the rest PTZ domes; builds the
Site programmatically (two presets and a tracking rule per PTZ, one event per spotter
linked to the next two PTZ cameras), each connection pointing at the camera's port. Then:

1. plan: ``make_plan`` of the whole site (factory-fresh cameras: everything to create);
   with ``--converged``, the plan's requests are first sent to every camera, so the timed
   plan is the steady state: nothing to change, and every spotter runs its link tests;
2. plain: what a script reading one parameter per getparam would take for the same reads
   (every parameter the plan's getparam returned, plus the same VCA read and link tests).
   At 50 ms a request that is hours for 1,000 cameras, so it runs on a sample: the time of
   one single-parameter request is measured on ``--naive-cameras`` cameras at once
   (``--naive-params`` requests each, one in flight per camera) and scaled up to every
   parameter of every camera at the same concurrency. The printout says it is scaled.

Prints both times, their ratio, and the plan's ratio to the latency floor

    floor = ceil(cameras / concurrency) rounds x requests per camera x latency

(requests as actually sent, Digest challenges included). Target: plan under 3 s for 1,000
cameras at 50 ms.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import benchkit
from benchkit import CountingFactory, Emulator

from camlink_provision.camera import CameraClient
from camlink_provision.inventory.model import Site
from camlink_provision.model import Observed, Plan, Step
from camlink_provision.order import PHASES
from camlink_provision.plan import compute_plan, gather, make_plan
from camlink_provision.runner import DEFAULT_CONCURRENCY


# -- the planner, counted ----------------------------------------------------------------------
@dataclass
class Timing:
    wall: float  # gather + compute
    compute: float  # compute_plan alone, on the same cameras read again
    requests: int
    cpu: float  # this process (client + planner)
    emulator_cpu: float


def timed_plan(site: Site, concurrency: int, emulator: Emulator) -> tuple[Plan, Timing]:
    """``make_plan`` of the whole site (what ``plan`` runs), timed and counted."""
    factory = CountingFactory()
    cpu, emulator_cpu = time.process_time(), emulator.cpu_seconds()
    begin = time.perf_counter()
    plan = make_plan(site, concurrency=concurrency, client_factory=factory)
    wall = time.perf_counter() - begin
    if plan.failed:
        raise SystemExit(f"{len(plan.failed)} cameras failed, e.g. {plan.failed[0].error}")
    return plan, Timing(wall, 0.0, factory.requests, time.process_time() - cpu,
                        emulator.cpu_seconds() - emulator_cpu)


def observations(site: Site, concurrency: int) -> tuple[dict[str, Observed], float]:
    """What the cameras report (untimed), and how long ``compute_plan`` alone takes on it."""
    observed = gather(site, list(site.cameras), concurrency=concurrency)
    begin = time.perf_counter()
    compute_plan(site, observed)
    kept = {name: o for name, o in observed.items() if isinstance(o, Observed)}
    return kept, time.perf_counter() - begin


def converge(site: Site, plan: Plan, concurrency: int) -> None:
    """The plan's steps, phase by phase; the steps of one phase at once."""
    def run(step: Step) -> None:
        camera = site.cameras[step.camera]
        with CameraClient(step.camera, camera.connection, camera.credentials) as client:
            for request in step.requests:
                request.command.send(client, site)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for phase in PHASES:
            list(pool.map(run, [step for step in plan.steps if step.phase == phase]))


# -- the plain reader ----------------------------------------------------------------------------
def naive_request_seconds(site: Site, observed: dict[str, Observed], sample: list[str],
                          per_camera: int) -> float:
    """Mean wall time of one single-parameter getparam, one in flight per camera."""
    def read(name: str) -> list[float]:
        camera = site.cameras[name]
        times = []
        with CameraClient(name, camera.connection, camera.credentials) as client:
            client.getparam([next(iter(observed[name].params))])  # Digest negotiated once
            for param in list(observed[name].params)[:per_camera]:
                begin = time.perf_counter()
                client.getparam([param])
                times.append(time.perf_counter() - begin)
        return times
    with ThreadPoolExecutor(max_workers=len(sample)) as pool:
        return statistics.mean(t for times in pool.map(read, sample) for t in times)


def naive_seconds(site: Site, observed: dict[str, Observed], concurrency: int,
                  one_request: float) -> tuple[float, int]:
    """Scaled time of the same reads one parameter per request (+ VCA and link tests)."""
    per_camera = [len(o.params) + (o.rules is not None) + len(o.link_tests)
                  for o in observed.values()]
    rounds = math.ceil(len(per_camera) / concurrency)
    return rounds * statistics.mean(per_camera) * one_request, sum(per_camera)


# -- main ----------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchkit.add_fleet_options(parser, concurrency=DEFAULT_CONCURRENCY, base_port=26000)
    parser.add_argument("--converged", action="store_true",
                        help="converge the fleet first; time the steady-state plan")
    parser.add_argument("--naive-cameras", type=int, default=16)
    parser.add_argument("--naive-params", type=int, default=40)
    args = parser.parse_args()
    benchkit.guard_loopback()
    names = benchkit.camera_names(args.cameras)
    with benchkit.emulated_fleet(names, base_port=args.base_port, latency=args.latency,
                                 prefix="bench-plan-") as emulator:
        site = benchkit.build_site(names, emulator.ports)
        if args.converged:
            first, _ = timed_plan(site, args.concurrency, emulator)
            converge(site, first, args.concurrency)
        plan, timing = timed_plan(site, args.concurrency, emulator)
        observed, timing.compute = observations(site, args.concurrency)
        sample = names[:args.naive_cameras]
        one = naive_request_seconds(site, observed, sample, args.naive_params)
    naive, naive_requests = naive_seconds(site, observed, args.concurrency, one)
    report(args, plan, timing, naive, naive_requests, one)
    return 0


def report(args: argparse.Namespace, plan: Plan, timing: Timing, naive: float,
           naive_requests: int, one: float) -> None:
    cameras, latency = args.cameras, args.latency
    wall, requests = timing.wall, timing.requests
    rounds = math.ceil(cameras / args.concurrency)
    floor = max(rounds * requests / cameras * latency / 1000.0, 1e-9)
    print(f"cameras            {cameras}  (concurrency {args.concurrency}, latency "
          f"{latency:g} ms, {'converged' if args.converged else 'factory-fresh'})")
    print(f"plan               {wall:.2f} s  ({requests} requests, {requests / cameras:.2f} "
          f"per camera; compute {timing.compute:.2f} s; totals {plan.totals()})")
    print(f"CPU                planner process {timing.cpu:.2f} s, emulator process "
          f"{timing.emulator_cpu:.2f} s  ({os.cpu_count()} cores, shared)")
    print(f"latency floor      {floor:.2f} s  ({rounds} rounds x {requests / cameras:.2f} "
          f"requests x {latency:g} ms); plan / floor = {wall / floor:.2f}x")
    print(f"plain reader       {naive:.0f} s  (scaled: {naive_requests} single-parameter "
          f"requests at {one * 1000:.1f} ms each, measured on {args.naive_cameras} cameras)")
    print(f"plain / plan       {naive / wall:.0f}x")
    print(f"target             plan under 3 s: {'met' if wall < 3.0 else 'NOT met'}")
    print(benchkit.memory_line())


if __name__ == "__main__":
    sys.exit(main())
