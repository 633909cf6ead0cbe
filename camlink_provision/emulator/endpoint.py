"""One camera on the wire: its listening socket, faults, request log and control plane.

Between the HTTP server and the camera's firmware: requests under ``/_emulator/`` go to the
control plane (never logged, never faulted); every other request is logged (names only)
and may be delayed, reset, answered 500/503 or cut short by the camera's fault.
"""

from __future__ import annotations

import asyncio
import itertools
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace

from camlink_provision.emulator import replies
from camlink_provision.emulator.camera import EmulatedCamera
from camlink_provision.emulator.faults import Decision, FaultState
from camlink_provision.emulator.forms import FormError, request_pairs
from camlink_provision.emulator.http import HttpServer, Reply, Request
from camlink_provision.emulator.spec import Fault, LogEntry

CONTROL_PREFIX = "/_emulator/"
LOG_SIZE = 10_000
# Shared by every fleet in the process; next() on a count is atomic under the GIL.
_ANSWERED = itertools.count(1)
ControlHandler = Callable[["CameraEndpoint", Request], Awaitable[Reply]]


def logged_names(request: Request) -> tuple[str, ...]:
    """Parameter names of a request, never values (a setparam may carry a password)."""
    body = b"" if request.path.startswith("/VCA/") or request.method != "POST" else request.body
    try:
        return tuple(p.name for p in request_pairs(request.query, body))
    except FormError:
        return ()


def is_setparam(path: str) -> bool:
    return path.startswith("/cgi-bin/") and path.endswith("/setparam.cgi")


class CommandGate:
    """For crash tests: hold the fleet's ``at``-th command (a request that is not a GET:
    a write, a move) once it has arrived, until the test has killed the client; then answer
    it as usual or drop it (``release``), as a camera does with a request whose sender died.
    Counted over every camera of the fleet, on the loop thread."""

    def __init__(self, at: int) -> None:
        self.at = at
        self.seen = 0
        self.reached = threading.Event()  # waited on by the test's thread
        self.drop = False
        self._open = asyncio.Event()

    async def wait(self) -> bool:
        """Let a command through; True when it must be dropped unanswered and unstored."""
        self.seen += 1
        if self.seen != self.at:
            return False
        self.reached.set()
        await self._open.wait()
        return self.drop

    def open(self, drop: bool) -> None:  # on the loop thread
        self.drop = drop
        self._open.set()


class CameraEndpoint:
    def __init__(self, camera: EmulatedCamera, host: str, port: int, latency_ms: float,
                 control: ControlHandler) -> None:
        self.camera = camera
        self.gate: CommandGate | None = None
        self.server = HttpServer(self.handle, replies.status_page, host, port)
        self.faults = FaultState(camera.name, latency_ms)
        self.log: deque[LogEntry] = deque(maxlen=LOG_SIZE)
        self._control = control
        self._reboot: asyncio.TimerHandle | None = None

    @property
    def port(self) -> int:
        return self.server.port

    async def handle(self, request: Request) -> Reply | None:
        if request.path.startswith(CONTROL_PREFIX):
            return await self._control(self, request)
        if self.gate is not None and request.method != "GET" and await self.gate.wait():
            self.log.append(LogEntry(request.method, request.path, logged_names(request), 0,
                                     False, "dropped by a test's gate", next(_ANSWERED),
                                     request.headers.get("user-agent", "")))
            return None
        decision = self.faults.decide(request.path, is_setparam(request.path))
        if decision.delay:
            await asyncio.sleep(decision.delay)
        if decision.reset:
            return self._record(request, None, False, decision)
        if decision.status:
            return self._record(request, replies.status_page(decision.status), False, decision)
        answer = await self.camera.handle(request, store_limit=decision.partial_write)
        if decision.partial_write is not None or decision.lost_reply:
            return self._record(request, None, answer.write, decision)
        return self._record(request, answer.reply, answer.write, decision)

    def _record(self, request: Request, reply: Reply | None, write: bool,
                decision: Decision) -> Reply | None:
        self.log.append(LogEntry(request.method, request.path, logged_names(request),
                                 reply.status if reply else 0, write, decision.label,
                                 next(_ANSWERED), request.headers.get("user-agent", "")))
        return reply

    # ---- faults ------------------------------------------------------------------------
    async def set_fault(self, fault: Fault) -> None:
        self._cancel_reboot()
        if fault.reboot_seconds:
            self._start_reboot(fault.reboot_seconds)
            fault = replace(fault, reboot_seconds=0.0)
        self.faults.set(fault)
        if fault.down:
            self.server.close()
        elif self._reboot is None:
            await self.server.start()

    async def clear_fault(self) -> None:
        self._cancel_reboot()
        self.faults.clear()
        await self.server.start()

    def _start_reboot(self, seconds: float) -> None:
        self.server.close()
        self.camera.reboot()
        loop = asyncio.get_running_loop()
        self._reboot = loop.call_later(seconds, lambda: self.server.spawn(self._boot()))

    async def _boot(self) -> None:
        self._reboot = None
        if not self.faults.fault.down:
            await self.server.start()

    def _cancel_reboot(self) -> None:
        if self._reboot is not None:
            self._reboot.cancel()
            self._reboot = None

    async def stop(self) -> None:
        self._cancel_reboot()
        self.server.close()
        await self.server.drain()
        self.camera.cancel_background()

