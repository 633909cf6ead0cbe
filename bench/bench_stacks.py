"""Compare HTTP stacks for the camera client: CPU per request and wall, side by side.

    python bench/bench_stacks.py [--cameras 200] [--concurrency 64] [--latency 50]
                                 [--requests 4] [--base-port 29000] [--only NAME,...]

Every candidate does the same work on the same emulated fleet (a separate process, on
loopback, CAMLINK_LOOPBACK_ONLY=1): per camera, one unauthenticated getparam to get the
Digest challenge, then ``--requests`` Digest-answered getparams of the planner's full name
list (the real 1,240-line reply), one request in flight per camera, ``--concurrency``
cameras at once. The Digest answer is computed by one shared helper, so the numbers are the
stacks' own cost (plus the reply's decoding to text, which every stack must do):

- ``camlink``   the shipped ``CameraClient.getparam`` (``transport`` underneath), *with* the
                reply parsed into a dict, the request log and the error mapping: the real
                per-request cost of the tool;
- ``transport`` the shipped ``camera/transport.py`` alone: a blocking socket per request,
                its retry policy, the reply read whole (the stack kept, issue 15);
- ``requests``  a ``requests.Session`` with one pooled connection (the client's stack before
                issue 15);
- ``urllib3``   an ``HTTPConnectionPool`` with a ``Retry``, as ``camera/transport.py`` used it
                until this benchmark chose its own socket exchange;
- ``asyncio``   raw asyncio streams and a minimal HTTP/1.1 reader (no retries, no TLS
                options): the floor of what any asyncio client could reach;
- ``aiohttp``   an ``aiohttp.ClientSession`` (only when aiohttp is installed; it is not a
                dependency of the tool).

Threaded candidates run in a ThreadPoolExecutor; asyncio ones on one event loop with a
semaphore. Printed per candidate: wall, CPU of this process and of the emulator, CPU per
request, and wall / floor (floor = rounds x requests per camera x latency).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import importlib
import math
import os
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import benchkit
import requests
from urllib3 import HTTPConnectionPool, Timeout
from urllib3.util.retry import Retry

from camlink_provision.camera import CameraClient
from camlink_provision.camera.transport import CameraTransport
from camlink_provision.camera.wire import encode_names
from camlink_provision.firmware import profile
from camlink_provision.inventory.model import Connection, Site
from camlink_provision.plan import getparam_names

USER = "admin"
TIMEOUT = 30.0


# -- what every candidate shares ---------------------------------------------------------------
@dataclass
class Target:
    """One camera: where it listens and the request target (path and query) to read."""

    name: str
    port: int
    target: str


class Digest:
    """The Digest answers of one camera's requests (RFC 7616, qop=auth, MD5)."""

    def __init__(self, challenge: str) -> None:
        fields = dict(part.strip().split("=", 1) for part in challenge[7:].split(","))
        self.realm = fields["realm"].strip('"')
        self.nonce = fields["nonce"].strip('"')
        self.count = 0

    def header(self, method: str, uri: str) -> str:
        self.count += 1
        nc, cnonce = f"{self.count:08x}", os.urandom(8).hex()
        ha1 = _md5(f"{USER}:{self.realm}:{benchkit.PASSWORD}")
        answer = _md5(f"{ha1}:{self.nonce}:{nc}:{cnonce}:auth:{_md5(f'{method}:{uri}')}")
        return (f'Digest username="{USER}", realm="{self.realm}", nonce="{self.nonce}", '
                f'uri="{uri}", algorithm=MD5, response="{answer}", qop=auth, nc={nc}, '
                f'cnonce="{cnonce}"')


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def _check(status: int, body: bytes) -> None:
    if status != 200 or not body.decode("utf-8"):
        raise SystemExit(f"unexpected reply {status}")


# -- threaded candidates -----------------------------------------------------------------------
def with_requests(target: Target, count: int) -> None:
    url = f"http://127.0.0.1:{target.port}{target.target}"
    with requests.Session() as session:
        session.trust_env = False
        adapter = requests.adapters.HTTPAdapter(pool_connections=1, pool_maxsize=1,
                                                max_retries=Retry(total=2))
        session.mount("http://", adapter)
        first = session.get(url, timeout=TIMEOUT)
        digest = Digest(first.headers["WWW-Authenticate"])
        for _ in range(count):
            reply = session.get(url, timeout=TIMEOUT, allow_redirects=False, headers={
                "Authorization": digest.header("GET", target.target)})
            _check(reply.status_code, reply.content)


def with_urllib3(target: Target, count: int) -> None:
    retry = Retry(total=2, redirect=0, raise_on_status=False)
    pool = HTTPConnectionPool("127.0.0.1", target.port, maxsize=1, retries=retry)
    timeout = Timeout(connect=TIMEOUT, read=TIMEOUT)
    try:
        first = pool.urlopen("GET", target.target, retries=retry, timeout=timeout)
        digest = Digest(first.headers["WWW-Authenticate"])
        for _ in range(count):
            reply = pool.urlopen("GET", target.target, retries=retry, timeout=timeout,
                                 redirect=False, headers={
                                     "Authorization": digest.header("GET", target.target)})
            _check(reply.status, reply.data)
    finally:
        pool.close()


def with_transport(target: Target, count: int) -> None:
    def sent() -> None:
        pass
    transport = CameraTransport(Connection("127.0.0.1", target.port), sent, 2, 0.1)
    timeout = (TIMEOUT, TIMEOUT)
    first = transport.send("GET", target.target, body=None, headers={}, timeout=timeout)
    digest = Digest(first.headers["WWW-Authenticate"])
    for _ in range(count):
        reply = transport.send("GET", target.target, body=None, timeout=timeout, headers={
            "Authorization": digest.header("GET", target.target)})
        _check(reply.status, reply.data)


def with_camlink(site: Site) -> Callable[[Target, int], None]:
    def run(target: Target, count: int) -> None:
        camera = site.cameras[target.name]
        with CameraClient(camera.name, camera.connection, camera.credentials) as client:
            for _ in range(count):  # the first costs two requests: challenge and answer
                client.getparam(getparam_names(camera))
    return run


# -- asyncio candidates ------------------------------------------------------------------------
async def _raw_request(port: int, target: str, authorization: str | None
                       ) -> tuple[int, dict[str, str], bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        auth = f"Authorization: {authorization}\r\n" if authorization else ""
        writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}"
                     "Connection: close\r\n\r\n".encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), TIMEOUT)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, v in
                   (line.split(":", 1) for line in lines[1:] if ":" in line)}
        length = headers.get("content-length")
        body = await asyncio.wait_for(reader.readexactly(int(length)) if length is not None
                                      else reader.read(), TIMEOUT)
        return status, headers, body
    finally:
        writer.close()


async def with_asyncio(target: Target, count: int) -> None:
    _, headers, _ = await _raw_request(target.port, target.target, None)
    digest = Digest(headers["www-authenticate"])
    for _ in range(count):
        status, _, body = await _raw_request(target.port, target.target,
                                             digest.header("GET", target.target))
        _check(status, body)


async def with_aiohttp(target: Target, count: int) -> None:
    aiohttp: Any = importlib.import_module("aiohttp")  # optional: not a dependency
    url = f"http://127.0.0.1:{target.port}{target.target}"
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=TIMEOUT)) as session:
        async with session.get(url) as first:
            digest = Digest(first.headers["WWW-Authenticate"])
            await first.read()
        for _ in range(count):
            async with session.get(url, allow_redirects=False, headers={
                    "Authorization": digest.header("GET", target.target)}) as reply:
                _check(reply.status, await reply.read())


# -- running and reporting ---------------------------------------------------------------------
@dataclass
class Result:
    name: str
    wall: float
    cpu: float
    emulator_cpu: float
    requests: int


def run_threaded(work: Callable[[Target, int], None], targets: list[Target], count: int,
                 concurrency: int) -> None:
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(lambda t: work(t, count), targets))


def run_async(work: Callable[[Target, int], Any], targets: list[Target], count: int,
              concurrency: int) -> None:
    async def main() -> None:
        limit = asyncio.Semaphore(concurrency)

        async def one(target: Target) -> None:
            async with limit:
                await work(target, count)
        await asyncio.gather(*(one(t) for t in targets))
    asyncio.run(main())


def measure(name: str, run: Callable[[], None], emulator: benchkit.Emulator,
            requests_sent: int) -> Result:
    cpu, emulator_cpu = time.process_time(), emulator.cpu_seconds()
    begin = time.perf_counter()
    run()
    return Result(name, time.perf_counter() - begin, time.process_time() - cpu,
                  emulator.cpu_seconds() - emulator_cpu, requests_sent)


def _runner(kind: str, work: Callable[..., Any], targets: list[Target],
            args: argparse.Namespace) -> Callable[[], None]:
    run = run_threaded if kind == "thread" else run_async
    return lambda: run(work, targets, args.requests, args.concurrency)


def candidates(site: Site) -> dict[str, tuple[str, Callable[..., Any]]]:
    found = {"camlink": ("thread", with_camlink(site)), "transport": ("thread", with_transport),
             "requests": ("thread", with_requests),
             "urllib3": ("thread", with_urllib3), "asyncio": ("async", with_asyncio)}
    try:
        importlib.import_module("aiohttp")
        found["aiohttp"] = ("async", with_aiohttp)
    except ImportError:
        print("aiohttp is not installed: left out")
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    benchkit.add_fleet_options(parser, concurrency=64, base_port=29000)
    parser.set_defaults(cameras=200)
    parser.add_argument("--requests", type=int, default=4,
                        help="Digest-answered requests per camera (after its challenge)")
    parser.add_argument("--only", default="", help="comma-separated candidate names")
    args = parser.parse_args()
    benchkit.guard_loopback()
    names = benchkit.camera_names(args.cameras)
    results = []
    with benchkit.emulated_fleet(names, base_port=args.base_port, latency=args.latency,
                                 prefix="bench-stacks-") as emulator:
        site = benchkit.build_site(names, emulator.ports)
        targets = [Target(name, emulator.ports[name], f"{profile.GETPARAM}?"
                          f"{encode_names(getparam_names(site.cameras[name]))}")
                   for name in names]
        chosen = set(filter(None, args.only.split(",")))
        sent = args.cameras * (args.requests + 1)
        for name, (kind, work) in candidates(site).items():
            if chosen and name not in chosen:
                continue
            results.append(measure(name, _runner(kind, work, targets, args), emulator, sent))
    report(args, results)
    return 0


def report(args: argparse.Namespace, results: list[Result]) -> None:
    per_camera = args.requests + 1
    floor = math.ceil(args.cameras / args.concurrency) * per_camera * args.latency / 1000
    print(f"cameras {args.cameras}, {per_camera} requests each (1 challenge), concurrency "
          f"{args.concurrency}, latency {args.latency:g} ms; floor {floor:.2f} s; "
          f"{os.cpu_count()} cores, shared")
    print(f"{'stack':<10} {'wall s':>7} {'/floor':>7} {'CPU s':>6} {'ms CPU/req':>10} "
          f"{'emulator CPU s':>14}")
    for r in results:
        print(f"{r.name:<10} {r.wall:7.2f} {r.wall / floor:6.2f}x {r.cpu:6.2f} "
              f"{r.cpu / r.requests * 1000:10.2f} {r.emulator_cpu:14.2f}")


if __name__ == "__main__":
    sys.exit(main())
