"""Benchmark the camera client against a large emulated fleet.

    python bench/bench_client.py [--cameras 1000] [--concurrency 64] [--latency 50]

Starts ``camlink-provision emulate`` in a separate process with a generated FLEET.yml
(every fourth camera a fixed spotter, the rest PTZ domes), waits for its one line per
camera, then reads the identity, event and preset groups of every camera — one getparam
each — from a pool of threads, one client per camera. Prints wall time, requests per
second, the CPU of the client and of the emulator, and the ratio to the latency floor:

    floor = ceil(cameras / concurrency) rounds x requests per camera x latency

(requests per camera as actually sent: 2 with Digest, the challenge and the answer).
The target is within 3x of the floor at concurrency 64. Numbers are printed, never judged.
Nothing leaves loopback: both processes run with CAMLINK_LOOPBACK_ONLY=1.
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import benchkit
from benchkit import PASSWORD, PTZ_MODEL, SPOTTER_MODEL

from camlink_provision.camera import CameraClient
from camlink_provision.errors import CameraError
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Connection, Credentials, Secret

# A fixed spotter has no preset slots, so it has no preset group to name (the firmware
# refuses an unknown name, as a real one does): it reads identity and events only.
GROUPS = {PTZ_MODEL: [*fw.IDENTITY_GROUPS, fw.EVENT_GROUP, fw.PRESET_GROUP],
          SPOTTER_MODEL: [*fw.IDENTITY_GROUPS, fw.EVENT_GROUP]}


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
    benchkit.add_fleet_options(parser, concurrency=64, base_port=24000)
    parser.add_argument("--auth", choices=("digest", "basic"), default="digest")
    parser.add_argument("--timeout", type=float, default=10.0,
                        help="the client's timeout per request, seconds")
    args = parser.parse_args()
    benchkit.guard_loopback()

    names = benchkit.camera_names(args.cameras)
    # No link accounts: this bench only reads, as admin.
    with benchkit.emulated_fleet(names, base_port=args.base_port, latency=args.latency,
                                 prefix="bench-client-", auth=args.auth,
                                 link_accounts=False) as emulator:
        ports = emulator.ports
        print(f"fleet up in {emulator.startup_seconds:.1f} s", flush=True)
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            begin, cpu = time.perf_counter(), time.process_time()
            emulator_cpu = emulator.cpu_seconds()
            outcomes = list(pool.map(
                lambda name: read_camera(name, benchkit.model_of(name), ports[name],
                                         args.timeout),
                names))
            wall = time.perf_counter() - begin
            cpu = time.process_time() - cpu
            emulator_cpu = emulator.cpu_seconds() - emulator_cpu
    report(outcomes, wall, args.cameras, args.concurrency, args.latency)
    print(f"client CPU           {cpu:.2f} s  ({cpu / wall:.0%} of one core; "
          f"{cpu * 1000 / max(1, sum(o.requests for o in outcomes)):.2f} ms per request)")
    print(f"emulator CPU         {emulator_cpu:.2f} s  (its own process)")
    return 0

if __name__ == "__main__":
    sys.exit(main())
