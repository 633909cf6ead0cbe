"""The fleet: many emulated cameras on one asyncio loop, each on its own loopback port.

``running_fleet`` starts the loop in a background thread and yields a ``Fleet`` whose
methods are safe to call from any other thread (each runs on the loop and waits for it).
The fleet's routing table maps a camera's site address and port to its loopback port, so a
spotter that calls its peer by site address reaches the emulated peer and nothing else.
"""

from __future__ import annotations

import asyncio
import resource
import threading
from collections.abc import Coroutine, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from camlink_provision.emulator.camera import EmulatedCamera
from camlink_provision.emulator.control import ControlPlane
from camlink_provision.emulator.dialer import PeerDialer
from camlink_provision.emulator.endpoint import CameraEndpoint, CommandGate
from camlink_provision.emulator.persist import StateDir
from camlink_provision.emulator.spec import CameraSpec, Fault, LogEntry
from camlink_provision.netguard import is_loopback

T = TypeVar("T")


def raise_fd_limit() -> None:
    """A thousand cameras need a thousand listening sockets and their connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def check_specs(specs: Sequence[CameraSpec]) -> None:
    names = [s.name for s in specs]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"camera names must be unique: {', '.join(duplicates)}")
    sites = [(s.address, s.site_port) for s in specs if s.address]
    clashes = sorted({f"{a}:{p}" for a, p in sites if sites.count((a, p)) > 1})
    if clashes:
        raise ValueError(f"site addresses must be unique: {', '.join(clashes)}")


class FleetCore:
    """The fleet as the loop sees it. Every method runs on the loop thread."""

    def __init__(self, specs: Sequence[CameraSpec], host: str, base_port: int,
                 latency_ms: float, state_dir: Path | None) -> None:
        check_specs(specs)
        self.host = host
        self.state = StateDir(state_dir) if state_dir is not None else None
        self.dialer = PeerDialer(self.route, host)
        control = ControlPlane(self)
        self.endpoints: dict[str, CameraEndpoint] = {}
        for offset, spec in enumerate(specs):
            camera = self._camera(spec)
            port = base_port + offset if base_port else 0
            self.endpoints[spec.name] = CameraEndpoint(camera, host, port, latency_ms,
                                                       control.handle)
        self._sites = {(s.address, s.site_port): s.name for s in specs if s.address}
        self._by_port: dict[int, str] = {}

    def _camera(self, spec: CameraSpec) -> EmulatedCamera:
        camera = EmulatedCamera(spec, self.dialer, self._save if self.state else None)
        saved = self.state.load(spec.name) if self.state else None
        if saved is not None:
            camera.restore(saved)
        return camera

    def _save(self, camera: EmulatedCamera) -> None:
        assert self.state is not None
        self.state.save(camera.name, camera.settings())

    def route(self, address: str, port: int) -> int | None:
        """The loopback port of the camera at a site address, or None (unreachable)."""
        name = self._sites.get((address, port))
        if name is None and is_loopback(address):
            name = self._by_port.get(port)  # a peer stored by its emulated address
        return self.endpoints[name].port if name is not None else None

    def endpoint(self, name: str) -> CameraEndpoint:
        try:
            return self.endpoints[name]
        except KeyError:
            raise ValueError(f"no camera {name!r} in this fleet") from None

    async def start(self) -> None:
        try:
            for endpoint in self.endpoints.values():
                await endpoint.server.start()
        except OSError:
            await self.stop()
            raise
        self._by_port = {e.port: name for name, e in self.endpoints.items()}

    async def stop(self) -> None:
        await asyncio.gather(*(e.stop() for e in self.endpoints.values()))


class Fleet:
    """A running fleet, driven from another thread (a test, the ``emulate`` command)."""

    def __init__(self, core: FleetCore, loop: asyncio.AbstractEventLoop,
                 thread: threading.Thread) -> None:
        self._core = core
        self._loop = loop
        self._thread = thread
        self._stopped = False

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        if threading.current_thread() is self._thread:
            coroutine.close()
            raise RuntimeError("Fleet methods block: call them from another thread")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    async def _on_loop(self, function: Any, *args: Any) -> Any:
        return function(*args)

    def names(self) -> list[str]:
        return list(self._core.endpoints)

    def port(self, name: str) -> int:
        return self._core.endpoint(name).port

    def url(self, name: str) -> str:
        host = self._core.host
        return f"http://{f'[{host}]' if ':' in host else host}:{self.port(name)}"

    def camera(self, name: str) -> EmulatedCamera:
        """The live camera object, for inspection (its state changes on the loop thread)."""
        return self._core.endpoint(name).camera

    def set_fault(self, name: str, fault: Fault) -> None:
        self._call(self._core.endpoint(name).set_fault(fault))

    def clear_fault(self, name: str) -> None:
        self._call(self._core.endpoint(name).clear_fault())

    def request_log(self, name: str) -> list[LogEntry]:
        result: list[LogEntry] = self._call(self._on_loop(list, self._core.endpoint(name).log))
        return result

    def clear_log(self, name: str) -> None:
        self._call(self._on_loop(self._core.endpoint(name).log.clear))

    def fire(self, name: str, kind: str, *, rule: str | None = None, input: int = 0,
             at: datetime | None = None) -> dict[str, Any]:
        camera = self._core.endpoint(name).camera
        return self._call(camera.fire(kind, rule, input, at))

    def state(self, name: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call(
            self._on_loop(self._core.endpoint(name).camera.state))
        return result

    def set_position(self, name: str, pan: int, tilt: int, zoom: int) -> None:
        camera = self._core.endpoint(name).camera
        if not camera.caps.ptz:
            raise ValueError(f"{name} is a fixed camera: it has no position")
        self._call(self._on_loop(camera.ptz.move, pan, tilt, zoom))

    def reset(self, name: str) -> None:
        self._call(self._on_loop(self._core.endpoint(name).camera.factory_reset))

    def hold_command(self, at: int) -> CommandGate:
        """Hold the fleet's ``at``-th command from now on (``CommandGate``); the previous
        gate, if any, is dropped."""
        gate = CommandGate(at)
        self._call(self._on_loop(self._set_gate, gate))
        return gate

    def _set_gate(self, gate: CommandGate | None) -> None:
        for endpoint in self._core.endpoints.values():
            endpoint.gate = gate

    def release(self, gate: CommandGate, *, drop: bool) -> None:
        """Let the held command go on: answered as usual, or dropped unanswered."""
        self._loop.call_soon_threadsafe(gate.open, drop)

    def clear_faults(self) -> None:
        """Every camera back to working order (settings kept)."""
        for name in self.names():
            self.clear_fault(name)

    def reset_all(self) -> None:
        """Every camera factory-fresh, working, with an empty request log: what a test that
        shares one fleet with others starts from."""
        for name in self.names():
            self.clear_fault(name)
            self.reset(name)
            self.clear_log(name)

    def stop(self) -> None:
        if self._stopped:
            return
        self._stopped = True
        try:
            self._call(self._core.stop())
        finally:
            _stop_loop(self._loop, self._thread)


def _stop_loop(loop: asyncio.AbstractEventLoop, thread: threading.Thread) -> None:
    async def cancel_rest() -> None:
        current = asyncio.current_task()
        rest = [t for t in asyncio.all_tasks() if t is not current]
        for task in rest:
            task.cancel()
        await asyncio.gather(*rest, return_exceptions=True)

    asyncio.run_coroutine_threadsafe(cancel_rest(), loop).result()
    loop.call_soon_threadsafe(loop.stop)
    thread.join()
    loop.close()


def start_fleet(specs: Sequence[CameraSpec], *, base_port: int = 0,
                state_dir: Path | None = None, latency_ms: float = 0.0,
                host: str = "127.0.0.1") -> Fleet:
    """Start serving; the caller must ``stop()`` the fleet. ``running_fleet`` does both."""
    if not is_loopback(host):
        raise ValueError(f"the emulator serves on loopback only, not {host}")
    raise_fd_limit()
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="camlink-emulator", daemon=True)
    thread.start()
    try:
        core = asyncio.run_coroutine_threadsafe(
            _build(specs, host, base_port, latency_ms, state_dir), loop).result()
    except BaseException:
        loop.call_soon_threadsafe(loop.stop)
        thread.join()
        loop.close()
        raise
    return Fleet(core, loop, thread)


async def _build(specs: Sequence[CameraSpec], host: str, base_port: int, latency_ms: float,
                 state_dir: Path | None) -> FleetCore:
    core = FleetCore(specs, host, base_port, latency_ms, state_dir)
    await core.start()
    return core


@contextmanager
def running_fleet(specs: Sequence[CameraSpec], *, base_port: int = 0,
                  state_dir: Path | None = None, latency_ms: float = 0.0,
                  host: str = "127.0.0.1") -> Iterator[Fleet]:
    """Serve every camera on its own loopback port until the block ends."""
    fleet = start_fleet(specs, base_port=base_port, state_dir=state_dir,
                        latency_ms=latency_ms, host=host)
    try:
        yield fleet
    finally:
        fleet.stop()
