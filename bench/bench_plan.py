"""Benchmark ``make_plan`` on a large emulated fleet, beside a plain per-parameter reader.

    python bench/bench_plan.py [--cameras 1000] [--concurrency 64] [--latency 50]
                               [--converged] [--naive-cameras 16] [--naive-params 40]

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
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from camlink_provision import netguard
from camlink_provision.camera import CameraClient
from camlink_provision.inventory.model import (
    Camera,
    Connection,
    Credentials,
    Event,
    Link,
    LinkTarget,
    Preset,
    Secret,
    Site,
    TrackingRule,
    Trigger,
)
from camlink_provision.model import Observed, Op, Plan
from camlink_provision.plan import camera_requests, compute_plan, gather, make_plan

PASSWORD = "bench-admin-pass"  # throwaway accounts on throwaway emulated cameras
LINK_PASSWORD = "bench-link-pass"
PTZ_MODEL, SPOTTER_MODEL = "SD9384-EHL", "IB9389-EHT-v2"
START_TIMEOUT = 300.0


# -- the site and its fleet ----------------------------------------------------------------------
def camera_names(count: int) -> list[str]:
    return [f"{'spot' if n % 4 == 0 else 'ptz'}{n:04d}" for n in range(count)]


def address_of(number: int) -> str:
    return f"10.{number // 250}.{number % 250}.10"


def fleet_file(path: Path, names: list[str]) -> None:
    entries: list[dict[str, Any]] = []
    for number, name in enumerate(names):
        accounts = [{"username": "admin", "password": PASSWORD, "privilege": "admin"}]
        if name.startswith("ptz"):
            accounts.append({"username": "camlink", "password": LINK_PASSWORD,
                             "privilege": "operator"})
        entries.append({"name": name, "model": PTZ_MODEL if name.startswith("ptz")
                        else SPOTTER_MODEL, "firmware": "2.2103.34.01d",
                        "address": address_of(number), "auth": "digest",
                        "accounts": accounts})
    path.write_text(yaml.safe_dump({"cameras": entries}, sort_keys=False))


def build_camera(number: int, name: str, port: int) -> Camera:
    ptz = name.startswith("ptz")
    return Camera(
        name=name, role="ptz" if ptz else "spotter", address=address_of(number),
        model=PTZ_MODEL if ptz else SPOTTER_MODEL,
        connection=Connection("127.0.0.1", port, timeout=30.0),
        credentials=Credentials("admin", Secret(PASSWORD)),
        link_credentials=Credentials("camlink", Secret(LINK_PASSWORD)) if ptz else None,
        presets=(Preset("gate", pan=100, tilt=-10, zoom=2), Preset("yard", pan=-900, tilt=0,
                                                                  zoom=1)) if ptz else (),
        tracking_rules=(TrackingRule("track", "intrusion", ((0, 0), (5000, 0), (5000, 5000)),
                                     condition="enter"),) if ptz else (),
        events=() if ptz else (Event("intrusion", Trigger("detection", rule="zone"),
                                     priority="high"),))


def build_site(names: list[str], ports: dict[str, int]) -> Site:
    cameras = {name: build_camera(n, name, ports[name]) for n, name in enumerate(names)}
    links = []
    for n, name in enumerate(names):
        if name.startswith("spot"):
            ptz = [names[m] for m in (n + 1, n + 2) if m < len(names)]
            links.append(Link(f"link-{name}", name, "intrusion",
                              tuple(LinkTarget(p, preset="gate", track_rule="track")
                                    for p in ptz)))
    return Site(name="bench", cameras=cameras, links=tuple(links))


# -- the emulator process ----------------------------------------------------------------------
def _emulate_command() -> list[str]:
    script = shutil.which("camlink-provision")
    return [script] if script else [sys.executable, "-m", "camlink_provision.cli"]


@dataclass
class Emulator:
    pid: int
    ports: dict[str, int]

    def cpu_seconds(self) -> float:
        """CPU time the emulator process has used (user + system), from /proc."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def running_emulator(fleet: Path, cameras: int, base_port: int,
                     latency: float) -> Iterator[Emulator]:
    env = {**os.environ, netguard.ENV_FLAG: "1"}
    command = [*_emulate_command(), "emulate", "--fleet", str(fleet),
               "--base-port", str(base_port), "--latency", str(latency)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        yield Emulator(process.pid, _read_ports(process, cameras))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _read_ports(process: subprocess.Popen[str], cameras: int) -> dict[str, int]:
    assert process.stdout is not None
    watchdog = threading.Timer(START_TIMEOUT, process.kill)
    watchdog.start()
    ports: dict[str, int] = {}
    try:
        for line in process.stdout:
            name, url = line.split()
            ports[name] = int(url.rsplit(":", 1)[1])
            if len(ports) == cameras:
                return ports
    finally:
        watchdog.cancel()
    errors = process.stderr.read() if process.stderr else ""
    raise SystemExit(f"the emulator stopped after {len(ports)} of {cameras} cameras:\n{errors}")


# -- the planner, counted ----------------------------------------------------------------------
class CountingFactory:
    """A client factory that keeps every client, to count the requests they sent."""

    def __init__(self) -> None:
        self.clients: list[CameraClient] = []
        self._lock = threading.Lock()

    def __call__(self, camera: Camera) -> CameraClient:
        client = CameraClient(camera.name, camera.connection, camera.credentials)
        with self._lock:
            self.clients.append(client)
        return client

    @property
    def requests(self) -> int:
        return sum(c.requests_sent for c in self.clients)


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
    def run(name: str, ops: list[Op]) -> None:
        camera = site.cameras[name]
        with CameraClient(name, camera.connection, camera.credentials) as client:
            for op in ops:
                send(site, client, op)
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda cam: run(cam.camera, camera_requests(cam)), plan.cameras))


def send(site: Site, client: CameraClient, op: Op) -> None:
    args = op.args
    if op.call == "setparam":
        client.setparam({k: site.cameras[op.secret_args[k]].peer_credentials.password
                         if k in op.secret_args else str(v) for k, v in args.items()})
    elif op.call == "move":
        client.move(args["pan"], args["tilt"], args["zoom"])
    elif op.call == "add_preset":
        client.add_preset(args["name"], index=args["index"])
    elif op.call == "put_rules":
        client.put_tracking_rules(args["rules"])
    else:
        raise SystemExit(f"the bench does not send {op.call}")


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
    parser.add_argument("--cameras", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=50.0, metavar="MS")
    parser.add_argument("--base-port", type=int, default=26000, metavar="P")
    parser.add_argument("--converged", action="store_true",
                        help="converge the fleet first; time the steady-state plan")
    parser.add_argument("--naive-cameras", type=int, default=16)
    parser.add_argument("--naive-params", type=int, default=40)
    args = parser.parse_args()
    netguard.install()
    names = camera_names(args.cameras)
    with tempfile.TemporaryDirectory(prefix="bench-plan-") as tmp:
        fleet = Path(tmp) / "FLEET.yml"
        fleet_file(fleet, names)
        print(f"starting {args.cameras} emulated cameras ...", flush=True)
        with running_emulator(fleet, args.cameras, args.base_port, args.latency) as emulator:
            site = build_site(names, emulator.ports)
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


if __name__ == "__main__":
    sys.exit(main())
