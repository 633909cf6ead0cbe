"""Raw HTTP for the emulator tests: exact bytes in, exact bytes out.

``http.client`` and ``requests`` normalise what they read (header case, order); a camera's
reply is checked here from the socket's own bytes. Digest answers are computed here, from
RFC 2617, independently of the emulator's code.
"""

from __future__ import annotations

import base64
import hashlib
import re
import socket
from dataclasses import dataclass, field

from camlink_provision.emulator import AccountSpec, CameraSpec

REALM = "streaming_server"
ADMIN = ("admin", "admin-pass")
OPERATOR = ("op", "op-pass")
VIEWER = ("view", "view-pass")
ACCOUNTS = (AccountSpec(*ADMIN, "admin"), AccountSpec(*OPERATOR, "operator"),
            AccountSpec(*VIEWER, "viewer"))
SPOT_ADDRESS = "192.168.51.21"
PTZ_ADDRESS = "192.168.51.31"
PTZ2_ADDRESS = "192.168.51.32"


def fleet_specs() -> list[CameraSpec]:
    """A spotter (fixed, Digest), two PTZ cameras (Basic; Digest on a site port 8080) and
    a fixed camera whose firmware predates Camera Link."""
    return [
        CameraSpec("spot1", "IB9389-EHT-v2", address=SPOT_ADDRESS, auth="digest",
                   accounts=ACCOUNTS),
        CameraSpec("ptz1", "SD9384-EHL", address=PTZ_ADDRESS, auth="basic", accounts=ACCOUNTS),
        CameraSpec("ptz2", "SD9368-EHL", address=PTZ2_ADDRESS, site_port=8080, auth="digest",
                   accounts=ACCOUNTS),
        CameraSpec("old1", "FD9369", firmware="2.1908.10.01", auth="basic", accounts=ACCOUNTS),
    ]


@dataclass
class Raw:
    status_line: bytes
    headers: list[tuple[str, str]]
    body: bytes
    raw: bytes = field(repr=False)

    @property
    def status(self) -> int:
        return int(self.status_line.split(b" ")[1])

    def header(self, name: str) -> str | None:
        """The value of a header whose name is exactly ``name`` (case and all)."""
        return next((v for n, v in self.headers if n == name), None)

    def names(self) -> list[str]:
        return [n for n, _ in self.headers]


def exchange(port: int, data: bytes) -> Raw:
    """Send bytes on a new connection, read to EOF (the camera closes after its reply)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(data)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return parse(b"".join(chunks))


def parse(raw: bytes) -> Raw:
    head, sep, body = raw.partition(b"\r\n\r\n")
    assert sep, f"no end of headers in {raw[:200]!r}"
    lines = head.split(b"\r\n")
    headers = []
    for line in lines[1:]:
        name, _, value = line.decode("latin-1").partition(": ")
        headers.append((name, value))
    return Raw(lines[0], headers, body, raw)


def build(method: str, target: str, port: int, authorization: str = "", body: bytes = b"",
          extra: str = "") -> bytes:
    auth = f"Authorization: {authorization}\r\n" if authorization else ""
    length = f"Content-Length: {len(body)}\r\n" if body or method in ("POST", "PUT") else ""
    return (f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}{length}{extra}"
            "\r\n").encode("latin-1") + body


def md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def challenge_nonce(reply: Raw) -> str:
    value = reply.header("WWW-Authenticate") or ""
    match = re.search(r'nonce="([0-9a-f]+)"', value)
    assert match, value
    return match[1]


def digest_header(user: str, password: str, method: str, uri: str, nonce: str,
                  nc: int = 1, cnonce: str = "0a4f113b") -> str:
    ha1 = md5(f"{user}:{REALM}:{password}")
    ha2 = md5(f"{method}:{uri}")
    count = f"{nc:08x}"
    response = md5(f"{ha1}:{nonce}:{count}:{cnonce}:auth:{ha2}")
    return (f'Digest username="{user}", realm="{REALM}", nonce="{nonce}", uri="{uri}", '
            f'algorithm=MD5, qop=auth, nc={count}, cnonce="{cnonce}", response="{response}"')


def basic_header(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def call(port: int, method: str, target: str, *, auth: tuple[str, str] | None = ADMIN,
         scheme: str = "digest", body: bytes = b"", extra: str = "") -> Raw:
    """One authenticated request as a careful client makes it (Digest: challenge first)."""
    if auth is None:
        return exchange(port, build(method, target, port, body=body, extra=extra))
    if scheme == "basic":
        return exchange(port, build(method, target, port, basic_header(*auth), body, extra))
    first = exchange(port, build(method, target, port, body=body, extra=extra))
    if first.status != 401:
        return first
    header = digest_header(*auth, method, target, challenge_nonce(first))
    return exchange(port, build(method, target, port, header, body, extra))


@dataclass
class Cam:
    """One camera of the fleet, spoken to over raw HTTP with its own auth scheme."""

    name: str
    port: int
    scheme: str

    def get(self, target: str, auth: tuple[str, str] | None = ADMIN, extra: str = "") -> Raw:
        return call(self.port, "GET", target, auth=auth, scheme=self.scheme, extra=extra)

    def post(self, target: str, body: bytes, auth: tuple[str, str] | None = ADMIN,
             extra: str = "Content-Type: application/x-www-form-urlencoded\r\n") -> Raw:
        return call(self.port, "POST", target, auth=auth, scheme=self.scheme, body=body,
                    extra=extra)

    def send(self, method: str, target: str, body: bytes = b"",
             auth: tuple[str, str] | None = ADMIN, extra: str = "") -> Raw:
        return call(self.port, method, target, auth=auth, scheme=self.scheme, body=body,
                    extra=extra)


FORM = "Content-Type: application/x-www-form-urlencoded\r\n"
JSON = "Content-Type: application/json\r\n"
