"""What the benchmarks in bench/ share: the loopback guard, a generated fleet, its emulator
process, the matching Site, and a client factory that counts requests.

bench/ is not a package: a script run as ``python bench/<script>.py`` has bench/ on its
sys.path, so it imports this module as ``import benchkit``.

The fleet: camera ``n`` is ``spotNNNN`` (a fixed spotter) when ``n % 4 == 0``, else
``ptzNNNN`` (a PTZ dome). Each camera has a generated LAN address (``10.x.y.10``), but that
address is only a routing key inside the emulator: every connection made here goes to a
127.0.0.1 port, and :func:`guard_loopback` makes sure nothing else is ever dialled.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from camlink_provision import netguard
from camlink_provision.camera import CameraClient
from camlink_provision.camera.auth import NonceBook
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

PASSWORD = "bench-admin-pass"  # throwaway accounts on throwaway emulated cameras
LINK_PASSWORD = "bench-link-pass"
PTZ_MODEL, SPOTTER_MODEL = "SD9384-EHL", "IB9389-EHT-v2"
FIRMWARE = "2.2103.34.01d"
START_TIMEOUT = 300.0  # seconds to wait for the emulator's line per camera
STOP_TIMEOUT = 30.0  # seconds to wait after SIGTERM before killing it


# -- the loopback guard ----------------------------------------------------------------------
def guard_loopback() -> None:
    """Refuse any connection beyond loopback, here and in every subprocess started after.

    Call it first thing in ``main`` (after parsing the options), before anything connects.
    """
    os.environ[netguard.ENV_FLAG] = "1"
    netguard.install()


def compile_bytecode(package: Path) -> None:
    """Write the bytecode of ``package`` (a camlink_provision folder), as pip does when it
    installs a wheel: a command that starts without it compiles every module it imports
    first (0.09 s of each command here). An editable install writes it on first use, unless
    PYTHONDONTWRITEBYTECODE is set, as on this project's shared machine."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(package)], check=True,
                   stdout=subprocess.DEVNULL)


# -- options ---------------------------------------------------------------------------------
def add_fleet_options(parser: argparse.ArgumentParser, *, concurrency: int,
                      base_port: int) -> None:
    """The options every emulated-fleet benchmark takes, in this order:
    ``--cameras``, ``--concurrency``, ``--latency MS``, ``--base-port P``."""
    parser.add_argument("--cameras", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=concurrency)
    parser.add_argument("--latency", type=float, default=50.0, metavar="MS")
    parser.add_argument("--base-port", type=int, default=base_port, metavar="P")


# -- the fleet -------------------------------------------------------------------------------
def camera_names(count: int) -> list[str]:
    """``count`` camera names in fleet order: every fourth (from the first) a spotter."""
    return [f"{'spot' if n % 4 == 0 else 'ptz'}{n:04d}" for n in range(count)]


def is_ptz(name: str) -> bool:
    return name.startswith("ptz")


def model_of(name: str) -> str:
    return PTZ_MODEL if is_ptz(name) else SPOTTER_MODEL


def address_of(number: int) -> str:
    """The generated LAN address of camera ``number``: an emulator routing key, never dialled."""
    return f"10.{number // 250}.{number % 250}.10"


def write_yaml(path: Path, data: object) -> None:
    """Dump ``data`` to ``path`` in key order, creating its directory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def fleet_file(path: Path, names: list[str], *, auth: str = "digest",
               link_accounts: bool = True) -> dict[str, str]:
    """Write the emulator's FLEET.yml for ``names``; return name -> model, in file order.

    Every camera has an ``admin`` account; with ``link_accounts``, every PTZ camera also has
    the ``camlink`` operator account that :func:`build_site`'s links use.
    """
    entries: list[dict[str, Any]] = []
    for number, name in enumerate(names):
        accounts = [{"username": "admin", "password": PASSWORD, "privilege": "admin"}]
        if link_accounts and is_ptz(name):
            accounts.append({"username": "camlink", "password": LINK_PASSWORD,
                             "privilege": "operator"})
        entries.append({"name": name, "model": model_of(name), "firmware": FIRMWARE,
                        "address": address_of(number), "auth": auth, "accounts": accounts})
    write_yaml(path, {"cameras": entries})
    return {entry["name"]: entry["model"] for entry in entries}


# -- the site --------------------------------------------------------------------------------
def build_camera(number: int, name: str, port: int) -> Camera:
    """Camera ``number`` as the inventory would declare it, connecting to 127.0.0.1:``port``.

    A PTZ camera has two presets and a tracking rule; a spotter one detection event.
    """
    ptz = is_ptz(name)
    return Camera(
        name=name, role="ptz" if ptz else "spotter", address=address_of(number),
        model=model_of(name),
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
    """The Site of the fleet: each spotter's event linked to the next two PTZ cameras."""
    cameras = {name: build_camera(n, name, ports[name]) for n, name in enumerate(names)}
    links = []
    for n, name in enumerate(names):
        if not is_ptz(name):
            ptz = [names[m] for m in (n + 1, n + 2) if m < len(names)]
            links.append(Link(f"link-{name}", name, "intrusion",
                              tuple(LinkTarget(p, preset="gate", track_rule="track")
                                    for p in ptz)))
    return Site(name="bench", cameras=cameras, links=tuple(links))


def site_inventory(name: str, names: list[str], first: int, ports: dict[str, int]
                   ) -> dict[str, Any]:
    """The inventory of one site: ``names`` (camera numbers from ``first``), as
    ``build_camera`` declares them, each reached on its emulated port."""
    spotters: dict[str, Any] = {}
    ptz: dict[str, Any] = {}
    links = []
    for offset, camera in enumerate(names):
        host: dict[str, Any] = {
            "address": address_of(first + offset), "model": model_of(camera),
            "connection": {"host": "127.0.0.1", "port": ports[camera], "scheme": "http"}}
        if is_ptz(camera):
            host["presets"] = [{"name": "gate", "pan": 100, "tilt": -10, "zoom": 2},
                               {"name": "yard", "pan": -900, "tilt": 0, "zoom": 1}]
            host["tracking_rules"] = [{"name": "track", "type": "intrusion",
                                       "condition": "enter",
                                       "field": [[0, 0], [5000, 0], [5000, 5000]]}]
            ptz[camera] = host
        else:
            host["events"] = [{"name": "intrusion", "trigger": {"detection": "zone"},
                               "priority": "high"}]
            spotters[camera] = host
            targets = [{"ptz": names[m], "preset": "gate", "track": "track"}
                       for m in (offset + 1, offset + 2) if m < len(names)]
            links.append({"name": f"link-{camera}", "spotter": camera, "event": "intrusion",
                          "targets": targets})
    return {
        "site": {"name": name},
        "all": {"vars": {"credentials": {"username": "admin",
                                         "password": "{{ secret('admin_password') }}"},
                         "firmware": FIRMWARE},
                "children": {
                    "spotters": {"hosts": spotters},
                    "ptz": {"vars": {"link_credentials": {
                        "username": "camlink", "password": "{{ secret('link_password') }}"}},
                        "hosts": ptz}}},
        "links": links}


# -- the emulator process --------------------------------------------------------------------
@dataclass
class Emulator:
    """A running ``camlink-provision emulate`` process."""

    pid: int
    ports: dict[str, int]  # camera name -> its 127.0.0.1 port
    startup_seconds: float  # from starting the process to the last camera's line

    def cpu_seconds(self) -> float:
        """CPU time the emulator process has used (user + system), from /proc."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _emulate_command() -> list[str]:
    script = shutil.which("camlink-provision")
    return [script] if script else [sys.executable, "-m", "camlink_provision.cli"]


@contextmanager
def running_emulator(fleet: Path, cameras: int, base_port: int,
                     latency: float) -> Iterator[Emulator]:
    """Run ``camlink-provision emulate`` on ``fleet`` with CAMLINK_LOOPBACK_ONLY=1.

    Yields once all ``cameras`` are up; SIGTERMs the process (kills it if it lingers) on exit.
    """
    started = time.perf_counter()
    env = {**os.environ, netguard.ENV_FLAG: "1"}
    command = [*_emulate_command(), "emulate", "--fleet", str(fleet),
               "--base-port", str(base_port), "--latency", str(latency)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env=env)
    try:
        ports = _read_ports(process, cameras)
        yield Emulator(process.pid, ports, time.perf_counter() - started)
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
            process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def emulated_fleet(names: list[str], *, base_port: int, latency: float, prefix: str,
                   auth: str = "digest", link_accounts: bool = True) -> Iterator[Emulator]:
    """Write a FLEET.yml for ``names`` in a temporary directory, print the start line, and
    run the emulator on it (see :func:`fleet_file` and :func:`running_emulator`)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        fleet = Path(tmp) / "FLEET.yml"
        fleet_file(fleet, names, auth=auth, link_accounts=link_accounts)
        print(f"starting {len(names)} emulated cameras ...", flush=True)
        with running_emulator(fleet, len(names), base_port, latency) as emulator:
            yield emulator


# -- the emulator's control plane (untimed work between timed runs) ---------------------------
def control(port: int, method: str, what: str) -> Any:
    """One ``/_emulator/<what>`` request to the camera on ``port``; its JSON answer."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}/_emulator/{what}",
                                     data=b"{}" if method != "GET" else None, method=method)
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read() or b"null")


def on_every_camera(ports: dict[str, int], method: str, what: str) -> dict[str, Any]:
    """``control`` of every camera, 32 at a time: camera name -> answer."""
    with ThreadPoolExecutor(32) as pool:
        answers = pool.map(lambda port: control(port, method, what), ports.values())
        return dict(zip(ports, answers, strict=True))


def reset_fleet(ports: dict[str, int]) -> None:
    """Every camera factory-fresh, its request log empty."""
    on_every_camera(ports, "POST", "reset")
    on_every_camera(ports, "DELETE", "log")


@dataclass
class Sent:
    """What the tool sent, counted from the cameras' own request logs."""

    requests: int
    writes: int
    by_camera: dict[str, int]


def sent_since_cleared(ports: dict[str, int]) -> Sent:
    """The tool's requests in every camera's log since it was last cleared, then clears the
    logs. A spotter's calls to its PTZ cameras (its link tests) are the cameras' own
    traffic, not the tool's, and are left out: they carry no User-Agent, where the tool
    sends ``camlink-provision/<version>`` (and versions before issue 15 urllib3's)."""
    logs = on_every_camera(ports, "GET", "log")
    on_every_camera(ports, "DELETE", "log")
    by_camera: dict[str, int] = {}
    writes = 0
    for name, log in logs.items():
        mine = [e for e in log if not _camera_to_camera(e)]
        by_camera[name] = len(mine)
        writes += sum(1 for e in mine if e["write"])
    return Sent(sum(by_camera.values()), writes, by_camera)


def _camera_to_camera(entry: dict[str, Any]) -> bool:
    return entry["agent"] == ""  # the emulated cameras' calls carry no User-Agent


# -- memory and files ----------------------------------------------------------------------
def memory_line() -> str:
    """Peak resident memory of this process, and the open-file limit it ran under."""
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return (f"memory             peak RSS of this process {peak_mb:.0f} MB; open-file limit "
            f"{soft} (hard {hard})")


# -- counted clients -------------------------------------------------------------------------
class CountingFactory:
    """A client factory that keeps every client, to count the requests they sent.

    ``nonces``: the run's NonceBook, as the apply command's clients share one (plan, then
    apply: ``plan.run_clients``); None, every client starts with a Digest challenge."""

    def __init__(self, nonces: NonceBook | None = None) -> None:
        self.clients: list[CameraClient] = []
        self._lock = threading.Lock()
        self._nonces = nonces

    def __call__(self, camera: Camera) -> CameraClient:
        client = CameraClient(camera.name, camera.connection, camera.credentials,
                              nonces=self._nonces)
        with self._lock:
            self.clients.append(client)
        return client

    @property
    def requests(self) -> int:
        return sum(c.requests_sent for c in self.clients)
