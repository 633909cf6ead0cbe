"""Benchmark the camera client against a large emulated fleet.

    python bench/bench_client.py [--cameras 1000] [--concurrency 64] [--latency 50]

Starts ``camlink-provision emulate`` in a separate process with a generated FLEET.yml
(every fourth camera a fixed spotter, the rest PTZ domes), waits for its one line per
camera, then reads the identity, event and preset groups of every camera — one getparam
each — from a pool of threads, one client per camera. Prints wall time, requests per
second and the ratio to the latency floor:

    floor = ceil(cameras / concurrency) rounds x requests per camera x latency

(requests per camera as actually sent: 2 with Digest, the challenge and the answer).
The target is within 3x of the floor at concurrency 64. Numbers are printed, never judged.
Nothing leaves loopback: both processes run with CAMLINK_LOOPBACK_ONLY=1.
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

import yaml

from camlink_provision import netguard
from camlink_provision.camera import CameraClient
from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Connection, Credentials, Secret

PASSWORD = "bench-admin-pass"  # a throwaway account on throwaway emulated cameras
PTZ_MODEL, SPOTTER_MODEL = "SD9384-EHL", "IB9389-EHT-v2"
# A fixed spotter has no preset slots, so it has no preset group to name (the firmware
# refuses an unknown name, as a real one does): it reads identity and events only.
GROUPS = {PTZ_MODEL: [*fw.IDENTITY_GROUPS, fw.EVENT_GROUP, fw.PRESET_GROUP],
          SPOTTER_MODEL: [*fw.IDENTITY_GROUPS, fw.EVENT_GROUP]}
START_TIMEOUT = 300.0  # seconds to wait for the fleet's lines


def fleet_file(path: Path, cameras: int, auth: str) -> dict[str, str]:
    """Write FLEET.yml for ``cameras`` cameras; returns name -> model, in file order."""
    entries = []
    for number in range(cameras):
        spotter = number % 4 == 0
        entries.append({
            "name": f"{'spot' if spotter else 'ptz'}{number:04d}",
            "model": SPOTTER_MODEL if spotter else PTZ_MODEL,
            "firmware": "2.2103.34.01d",
            "address": f"10.{number // 250}.{number % 250}.10",
            "auth": auth,
            "accounts": [{"username": "admin", "password": PASSWORD, "privilege": "admin"}],
        })
    path.write_text(yaml.safe_dump({"cameras": entries}, sort_keys=False))
    return {entry["name"]: entry["model"] for entry in entries}


def _emulate_command() -> list[str]:
    script = shutil.which("camlink-provision")
    return [script] if script else [sys.executable, "-m", "camlink_provision.cli"]


@contextmanager
def running_emulator(fleet: Path, cameras: int, base_port: int,
                     latency: float) -> Iterator[dict[str, int]]:
    """Run the emulator process; yields camera name -> port once every camera is up."""
    env = {**os.environ, netguard.ENV_FLAG: "1"}
    command = [*_emulate_command(), "emulate", "--fleet", str(fleet),
               "--base-port", str(base_port), "--latency", str(latency)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        yield _read_ports(process, cameras)
    finally:
        _stop(process)


def _read_ports(process: subprocess.Popen[str], cameras: int) -> dict[str, int]:
    """Parse ``NAME http://127.0.0.1:PORT`` lines; a watchdog ends a fleet that hangs."""
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


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class Outcome:
    seconds: float  # this camera's getparam, wall clock
    requests: int
    parameters: int
    error: str = ""


def read_camera(name: str, model: str, port: int, timeout: float) -> Outcome:
    client = CameraClient(name, Connection("127.0.0.1", port, timeout=timeout),
                          Credentials("admin", Secret(PASSWORD)))
    started = time.perf_counter()
    try:
        values = client.getparam(GROUPS[model])
    except CameraError as error:
        return Outcome(time.perf_counter() - started, client.requests_sent, 0, str(error))
    finally:
        client.close()
    return Outcome(time.perf_counter() - started, client.requests_sent, len(values))


def report(outcomes: list[Outcome], wall: float, cameras: int, concurrency: int,
           latency_ms: float) -> None:
    requests = sum(o.requests for o in outcomes)
    per_camera = requests / cameras
    rounds = math.ceil(cameras / concurrency)
    floor = max(rounds * per_camera * latency_ms / 1000.0, 1e-9)  # --latency 0: no floor
    errors = [o for o in outcomes if o.error]
    times = sorted(o.seconds for o in outcomes)
    print(f"cameras              {cameras}  (concurrency {concurrency}, latency {latency_ms:g} ms)")
    print(f"parameters read      {sum(o.parameters for o in outcomes)}  "
          f"({statistics.mean(o.parameters for o in outcomes):.0f} per camera)")
    print(f"requests sent        {requests}  ({per_camera:.2f} per camera)")
    print(f"wall time            {wall:.2f} s")
    print(f"requests per second  {requests / wall:.0f}")
    print(f"per camera           median {statistics.median(times) * 1000:.0f} ms, "
          f"p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f} ms")
    print(f"latency floor        {floor:.2f} s  ({rounds} rounds x {per_camera:.2f} requests "
          f"x {latency_ms:g} ms)")
    print(f"ratio to floor       {wall / floor:.2f}x  (target: within 3x at concurrency 64)")
    print(f"errors               {len(errors)}")
    for outcome in errors[:5]:
        print(f"  {outcome.error}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cameras", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=50.0, metavar="MS")
    parser.add_argument("--base-port", type=int, default=24000, metavar="P")
    parser.add_argument("--auth", choices=("digest", "basic"), default="digest")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="the client's timeout per request, seconds")
    args = parser.parse_args()
    netguard.install()

    with tempfile.TemporaryDirectory(prefix="bench-client-") as tmp:
        fleet = Path(tmp) / "FLEET.yml"
        models = fleet_file(fleet, args.cameras, args.auth)
        print(f"starting {args.cameras} emulated cameras ...", flush=True)
        started = time.perf_counter()
        with running_emulator(fleet, args.cameras, args.base_port, args.latency) as ports:
            print(f"fleet up in {time.perf_counter() - started:.1f} s", flush=True)
            with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
                begin, cpu = time.perf_counter(), time.process_time()
                outcomes = list(pool.map(
                    lambda name: read_camera(name, models[name], ports[name], args.timeout),
                    models))
                wall = time.perf_counter() - begin
                cpu = time.process_time() - cpu
    report(outcomes, wall, args.cameras, args.concurrency, args.latency)
    print(f"client CPU           {cpu:.2f} s  ({cpu / wall:.0%} of one core; "
          f"{cpu * 1000 / max(1, sum(o.requests for o in outcomes)):.2f} ms per request)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
