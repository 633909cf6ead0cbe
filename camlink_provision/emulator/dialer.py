"""How an emulated spotter calls its peers: the fleet's routing table and a tiny HTTP client.

A spotter stores its peer's *site* address and port. The fleet maps each (address, port) to
the loopback port where that emulated camera listens; an address the fleet does not know is
unreachable and nothing is sent anywhere. The client is asyncio (a thousand spotters may
fire at once on the one loop) and answers Basic or Digest challenges as a camera would,
remembering the last challenge per peer so later calls need one round trip, not two.
"""

from __future__ import annotations

import asyncio
import base64
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from camlink_provision.emulator.auth import digest_response, parse_directives
from camlink_provision.firmware.profile import AUTH_REALM, INVALID_COMMAND, LINK_PEER_TIMEOUT
from camlink_provision.netguard import is_loopback

Outcome = Literal["ok", "unreachable", "unauthorized", "refused"]
Router = Callable[[str, int], int | None]  # (site address, site port) -> loopback port
MAX_REPLY = 1024 * 1024


@dataclass(frozen=True)
class CallResult:
    outcome: Outcome
    status: int = 0  # 0 when no reply came
    body: bytes = b""


@dataclass
class _Challenge:
    scheme: str
    nonce: str = ""
    count: int = 0


@dataclass
class PeerDialer:
    route: Router
    host: str = "127.0.0.1"
    timeout: float = LINK_PEER_TIMEOUT  # per request to a peer (a 401 and its answer: two)
    _challenges: dict[tuple[int, str], _Challenge] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not is_loopback(self.host):  # the emulator never dials beyond loopback
            raise ValueError(f"the emulator's peer calls must stay on loopback, not {self.host}")

    async def get(self, address: str, port: int, username: str, password: str,
                  target: str) -> CallResult:
        """GET ``target`` on the peer at its site address, authenticating as the peer asks."""
        local_port = self.route(address, port)
        if local_port is None:
            return CallResult("unreachable")
        try:
            return await self._call(local_port, f"{address}:{port}", username, password,
                                    target)
        except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError):
            return CallResult("unreachable")

    async def _call(self, port: int, host_header: str, username: str, password: str,
                    target: str) -> CallResult:
        key = (port, username)
        authorization = self._authorization(key, username, password, target)
        status, challenge, body = await self._exchange(port, host_header, target, authorization)
        if status == 401:
            self._challenges[key] = _parse_challenge(challenge)
            authorization = self._authorization(key, username, password, target)
            status, challenge, body = await self._exchange(port, host_header, target,
                                                           authorization)
        return CallResult(_outcome(status, body), status, body)

    def _authorization(self, key: tuple[int, str], username: str, password: str,
                       target: str) -> str:
        challenge = self._challenges.get(key)
        if challenge is None:
            return ""
        if challenge.scheme == "basic":
            token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
            return f"Basic {token}"
        challenge.count += 1
        nc, cnonce = f"{challenge.count:08x}", secrets.token_hex(8)
        response = digest_response(username, password, "GET", target, challenge.nonce, nc,
                                   cnonce)
        return (f'Digest username="{username}", realm="{AUTH_REALM}", '
                f'nonce="{challenge.nonce}", uri="{target}", algorithm=MD5, qop=auth, '
                f'nc={nc}, cnonce="{cnonce}", response="{response}"')

    async def _exchange(self, port: int, host_header: str, target: str,
                        authorization: str) -> tuple[int, str, bytes]:
        """One request, within the firmware's wait for one request to a peer."""
        return await asyncio.wait_for(self._send(port, host_header, target, authorization),
                                      self.timeout)

    async def _send(self, port: int, host_header: str, target: str,
                    authorization: str) -> tuple[int, str, bytes]:
        """One request on a new connection (the firmware closes after each reply)."""
        reader, writer = await asyncio.open_connection(self.host, port)
        try:
            auth_line = f"Authorization: {authorization}\r\n" if authorization else ""
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {host_header}\r\n{auth_line}"
                         "Connection: close\r\n\r\n".encode())
            raw = await reader.read(MAX_REPLY)
            while chunk := await reader.read(MAX_REPLY):
                raw += chunk
        finally:
            writer.close()
        return _parse_reply(raw)


def _parse_reply(raw: bytes) -> tuple[int, str, bytes]:
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        raise ValueError("no complete reply")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    challenge = next((line.partition(":")[2].strip() for line in lines[1:]
                      if line.lower().startswith("www-authenticate:")), "")
    return status, challenge, body


def _parse_challenge(header: str) -> _Challenge:
    scheme, _, rest = header.partition(" ")
    if scheme.lower() == "digest":
        return _Challenge("digest", parse_directives(rest).get("nonce", ""))
    return _Challenge("basic")


def _outcome(status: int, body: bytes) -> Outcome:
    if status == 401:
        return "unauthorized"
    if status == 200 and body != INVALID_COMMAND:
        return "ok"
    return "refused"
