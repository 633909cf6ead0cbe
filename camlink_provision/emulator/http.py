"""A small asyncio HTTP/1.1 server: one request per connection, replies written byte for byte.

Hand-written on purpose. The firmware's replies are the point of the emulator: header names
with the camera's own capitalisation (``Cache-control``, ``Content-type``), a fixed header
order, ``Connection: close`` after every reply, and faults no framework lets through (a reset
instead of a reply, a write cut off halfway). The subset a camera speaks is tiny: a request
line, headers, an optional ``Content-Length`` body, one reply, close. A protocol class (not
streams) keeps a thousand listening cameras cheap on one event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from http import HTTPStatus

MAX_HEAD = 16 * 1024
MAX_BODY = 1024 * 1024
READ_TIMEOUT = 30.0  # a client that never finishes its request must not hold a socket


@dataclass(frozen=True)
class Request:
    method: str
    target: str  # as sent: path and query, still percent-encoded
    headers: Mapping[str, str]  # names lower-cased
    body: bytes

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    @property
    def query(self) -> str:
        return self.target.partition("?")[2]


@dataclass(frozen=True)
class Reply:
    status: int
    headers: tuple[tuple[str, str], ...]  # in the order written; Content-Length included
    body: bytes

    def encode(self) -> bytes:
        phrase = HTTPStatus(self.status).phrase
        head = f"HTTP/1.1 {self.status} {phrase}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in self.headers)
        return head.encode("latin-1") + b"\r\n" + self.body


# What a handler returns: a reply, or None to reset the connection without one.
Handler = Callable[[Request], Awaitable[Reply | None]]
BadRequest = Callable[[int], Reply]


class RequestTooLarge(Exception):
    pass


def parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    """The request line and headers; raises ValueError when they are not HTTP/1.x."""
    lines = head.decode("latin-1").split("\r\n")
    method, target, version = lines[0].split(" ")
    if not version.startswith("HTTP/1.") or not target.startswith("/"):
        raise ValueError("not an HTTP/1.x request")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise ValueError("malformed header")
        headers[name.lower()] = value.strip()
    return method, target, headers


def body_length(headers: Mapping[str, str]) -> int:
    if "transfer-encoding" in headers:
        raise ValueError("chunked request bodies are not spoken here, as on the firmware")
    raw = headers.get("content-length", "0")
    if not raw.isdigit():
        raise ValueError("bad Content-Length")
    if int(raw) > MAX_BODY:
        raise RequestTooLarge()
    return int(raw)


def reset_connection(transport: asyncio.Transport) -> None:
    """Close with an RST instead of a FIN: what a crashing camera looks like to a client."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


class _Connection(asyncio.Protocol):
    def __init__(self, server: HttpServer) -> None:
        self._server = server
        self._buffer = bytearray()
        self._transport: asyncio.Transport | None = None
        self._head: tuple[str, str, dict[str, str]] | None = None
        self._length = 0
        self._continued = False
        self._dispatched = False
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._timer = asyncio.get_running_loop().call_later(READ_TIMEOUT, transport.abort)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer:
            self._timer.cancel()

    def eof_received(self) -> bool:
        # A client may half-close after its request; keep the socket open for the reply.
        return self._dispatched

    def data_received(self, data: bytes) -> None:
        if self._dispatched:
            return  # one request per connection: anything after it is never read
        self._buffer += data
        try:
            request = self._parse()
        except RequestTooLarge:
            self._finish(self._server.bad_request(413))
        except (ValueError, UnicodeError):
            self._finish(self._server.bad_request(400))
        else:
            if request is not None:
                self._dispatch(request)

    def _parse(self) -> Request | None:
        if self._head is None:
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_HEAD:
                    raise RequestTooLarge()
                return None
            self._head = parse_head(bytes(self._buffer[:end]))
            self._length = body_length(self._head[2])
            del self._buffer[:end + 4]
        method, target, headers = self._head
        if len(self._buffer) < self._length:
            self._send_continue(headers)
            return None
        return Request(method, target, headers, bytes(self._buffer[:self._length]))

    def _send_continue(self, headers: Mapping[str, str]) -> None:
        if not self._continued and headers.get("expect", "").lower() == "100-continue":
            self._continued = True
            assert self._transport is not None
            self._transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _dispatch(self, request: Request) -> None:
        assert self._transport is not None
        self._dispatched = True
        self._transport.pause_reading()
        if self._timer:
            self._timer.cancel()
        self._server.spawn(self._respond(request))

    async def _respond(self, request: Request) -> None:
        reply = await self._server.handler(request)
        self._finish(reply)

    def _finish(self, reply: Reply | None) -> None:
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        if reply is None:
            reset_connection(transport)
            return
        transport.write(reply.encode())
        transport.close()


class HttpServer:
    """One listening socket. ``close()`` refuses new connections; ``start()`` reopens."""

    def __init__(self, handler: Handler, bad_request: BadRequest, host: str,
                 port: int = 0) -> None:
        self.handler = handler
        self.bad_request = bad_request
        self.host = host
        self.port = port
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def listening(self) -> bool:
        return self._server is not None

    async def start(self) -> None:
        if self._server is not None:
            return
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), self.host,
                                                self.port, reuse_address=True, backlog=128)
        self.port = self._server.sockets[0].getsockname()[1]

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def spawn(self, coroutine: Awaitable[None]) -> None:
        task: asyncio.Task[None] = asyncio.ensure_future(coroutine)
        self._tasks.add(task)  # a strong reference until done, as asyncio asks
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait for requests already being answered."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
