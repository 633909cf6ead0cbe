"""The requests a camera client sends: one connection per request, retries, TLS, counting.

A camera closes the connection after every reply (firmware-contract.md §1), so a request is
always: connect (and the TLS handshake), write the request, read the reply to its end, close.
That is all the HTTP this tool needs: no keep-alive, pooling, proxies, redirects, cookies or
compression. bench/bench_stacks.py measured this exchange on a blocking socket at 0.20-0.22
ms of CPU per request, urllib3 (the stack before) at 0.50-0.51 and requests at 1.0-1.2, in
64 threads against the same emulated fleet (issue 15; the README's benchmark table). A
1,000-camera plan is CPU-bound on one core, so the difference is wall time.

Retry policy (``send``): at most ``retries`` repeats of one request, the first at once, then
``backoff`` x 2^(n-1) seconds apart (at most ``BACKOFF_MAX``):

- a connection that was never made (refused, no route, connect timeout, name not resolved,
  the camera hanging up during the TLS handshake) is repeated for every method: nothing
  reached the camera, so nothing can happen twice;
- a TLS failure (the certificate or the handshake refused) is never repeated: the same
  certificate will be refused again;
- a lost reply (read timeout, reset or closed mid-reply, a reply that is not HTTP) and a
  500 or 503 status are repeated for GET only. Every request that changes something is sent
  as POST or DELETE, and is never repeated once it may have been sent.

Errors, each with what happened in words (``what``), never the URL or a header:

    TransportError                  no whole reply to a request
    ├── NotSent                     nothing reached the camera (``maybe_sent`` False)
    │   └── TlsFailed               certificate or handshake refused: never repeated
    └── ReplyLost                   the request may have arrived (``maybe_sent`` True)

The socket error a ``TransportError`` comes from is its ``__cause__`` (``failures.local_limit``
looks there for a machine out of file descriptors).

Counting: ``on_sent`` is called once per attempt that may have reached the camera (every
attempt but a ``NotSent``), the 401 round trips of authentication included; the benchmark
and the tests read it as ``CameraClient.requests_sent``.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import resource
import socket
import ssl
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from camlink_provision import __version__
from camlink_provision.inventory.model import Connection
from camlink_provision.netguard import NonLoopbackConnection

READ_METHODS = frozenset({"GET"})
RETRY_STATUSES = frozenset({500, 503})
# A camera that is down must be reported in about a second, not after minutes of patience.
BACKOFF_MAX = 1.0
# Names the tool in a camera's own logs.
USER_AGENT = f"camlink-provision/{__version__}"
DEFAULT_PORTS = {"http": 80, "https": 443}
RECEIVE_SIZE = 65536
MAX_HEAD = 64 * 1024  # a reply's status line and headers
MAX_REPLY = 64 * 1024 * 1024  # a whole getparam of a real camera is about 60 KB
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_NO_BODY_STATUSES = frozenset({204, 304})
_CLOSED_EARLY = "connection reset or closed before the reply was complete"
_HEAD_END = re.compile(rb"\r?\n\r?\n")  # CRLF as HTTP says; a bare LF tolerated
_STATUS_CODE = re.compile(r"[0-9]{3}")
_DIGITS = re.compile(r"[0-9]+")
_CHUNK_SIZE = re.compile(rb"[0-9A-Fa-f]{1,16}")

OnSent = Callable[[], None]


class TransportError(Exception):
    """A request that got no whole reply; ``what`` says why, in words."""

    maybe_sent = True

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


class NotSent(TransportError):
    """Nothing reached the camera: safe to repeat, whatever the method."""

    maybe_sent = False


class TlsFailed(NotSent):
    """The TLS handshake or the camera's certificate failed: repeating will not help."""


class ReplyLost(TransportError):
    """The request may have reached the camera, and no whole reply came back."""


class UnverifiedTls(UserWarning):
    """A request over HTTPS whose certificate was not checked (``verify_tls: false``)."""


class Headers(Mapping[str, str]):
    """A reply's headers; names case-insensitive, a repeated header's values joined ", "."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._by_name: dict[str, str] = {}
        for line in lines:
            name, colon, value = line.partition(":")
            if not colon:
                continue  # not a header (an obsolete continuation line): nothing to keep
            key, value = name.strip().lower(), value.strip()
            known = self._by_name.get(key)
            self._by_name[key] = value if known is None else f"{known}, {value}"

    def __getitem__(self, name: str) -> str:
        return self._by_name[name.lower()]

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_name)

    def __len__(self) -> int:
        return len(self._by_name)

    def __repr__(self) -> str:
        return f"Headers({self._by_name!r})"


@dataclass(frozen=True)
class Reply:
    """One HTTP reply, read whole."""

    status: int
    reason: str
    headers: Mapping[str, str]  # case-insensitive (``Headers``)
    data: bytes
    # The transport sent the request more than once (a read repeated after a timeout or a
    # reset): every attempt carried the same headers, Authorization included.
    repeated: bool = False
    challenges: int = 0  # 401 challenges answered on the way to this reply (auth.py)


class CameraTransport:
    """Requests to exactly one camera, as ``connection`` describes; one at a time (the
    client's lock), each on a connection of its own."""

    def __init__(self, connection: Connection, on_sent: OnSent, retries: int,
                 backoff: float) -> None:
        self._address = (connection.host, connection.port)
        self._family = _address_family(connection.host)
        self._host_header = _host_header(connection)
        self._verify = tls_verify(connection) if connection.scheme == "https" else None
        self._on_sent = on_sent
        self._retries = retries
        self._backoff = backoff

    def send(self, method: str, target: str, *, body: bytes | None,
             headers: Mapping[str, str], timeout: tuple[float, float]) -> Reply:
        """``method target`` (path and query), repeated as the retry policy allows; raises
        a ``TransportError`` when no whole reply came back."""
        request = self._request(method, target, body, headers)
        repeats = 0
        arrived_before = False  # an earlier attempt may have reached the camera
        while True:
            try:
                reply = self._exchange(request, timeout)
            except TlsFailed:
                raise
            except NotSent:
                if repeats >= self._retries:
                    raise
            except ReplyLost:
                self._on_sent()
                if method not in READ_METHODS or repeats >= self._retries:
                    raise
                arrived_before = True
            else:
                self._on_sent()
                if (reply.status not in RETRY_STATUSES or method not in READ_METHODS
                        or repeats >= self._retries):
                    return replace(reply, repeated=True) if arrived_before else reply
                arrived_before = True
            repeats += 1
            time.sleep(backoff_delay(repeats, self._backoff))

    def close(self) -> None:
        """Nothing stays open between requests; kept for the client's ``with`` block."""

    def _request(self, method: str, target: str, body: bytes | None,
                 headers: Mapping[str, str]) -> bytes:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self._host_header}",
                 f"User-Agent: {USER_AGENT}", "Accept-Encoding: identity", "Connection: close",
                 *(f"{name}: {value}" for name, value in headers.items())]
        if body is not None or method in _BODY_METHODS:
            lines.append(f"Content-Length: {len(body or b'')}")
        if " " in target or any("\r" in text or "\n" in text
                                for text in (target, *headers, *headers.values())):
            # What would end the request line or a header early: a bug upstream (names and
            # values are checked and encoded before they get here), never sent.
            raise ValueError("a request line or header holds a line break or a space")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")

    def _exchange(self, request: bytes, timeout: tuple[float, float]) -> Reply:
        """One attempt: connect, write, read the reply whole, close."""
        sock = self._connect(timeout[0])
        try:
            sock.settimeout(timeout[1])
            try:
                sock.sendall(request)
                return _read_reply(_Receiver(sock, timeout[1]))
            except TimeoutError as error:
                raise ReplyLost(f"no reply within {timeout[1]:g} s") from error
            except OSError as error:  # reset, broken pipe, a TLS record cut short
                raise ReplyLost(_CLOSED_EARLY) from error
        finally:
            sock.close()

    def _connect(self, timeout: float) -> socket.socket:
        context = self._tls_context()
        if context is not None and self._verify is False:
            host, port = self._address
            warnings.warn(f"Unverified HTTPS request to {host}:{port}: the inventory sets "
                          "verify_tls: false, so the camera's certificate is not checked",
                          UnverifiedTls, stacklevel=2)
        try:
            sock = self._open(timeout)
        except NonLoopbackConnection as error:
            raise NotSent(str(error)) from error
        except ConnectionRefusedError as error:
            raise NotSent("connection refused") from error
        except socket.gaierror as error:
            raise NotSent("host name not resolved") from error
        except TimeoutError as error:
            raise NotSent(f"no connection within {timeout:g} s") from error
        except OSError as error:
            raise NotSent(f"could not connect ({error.strerror or error})") from error
        if context is None:
            return sock
        try:
            secure = context.wrap_socket(sock, server_hostname=self._address[0],
                                         do_handshake_on_connect=False)
        except BaseException:
            sock.close()
            raise
        try:
            secure.do_handshake()
        except BaseException as error:
            secure.close()
            failure = _handshake_failure(error, timeout)
            if failure is None:
                raise  # KeyboardInterrupt and the like, as they are
            raise failure from error
        return secure

    def _open(self, timeout: float) -> socket.socket:
        """A connected TCP socket. An address needs no name lookup: getaddrinfo was a tenth
        of the transport's CPU per request (issue 15)."""
        if self._family is None:
            return socket.create_connection(self._address, timeout=timeout)
        sock = socket.socket(self._family, socket.SOCK_STREAM)
        try:
            sock.settimeout(timeout)
            sock.connect(self._address)
        except BaseException:
            sock.close()
            raise
        return sock

    def _tls_context(self) -> ssl.SSLContext | None:
        """The TLS settings for https (None for http), before any connection is made."""
        if self._verify is None:
            return None
        try:
            return tls_context(self._verify)
        except OSError as error:  # an unreadable CA file (the inventory checked it exists)
            raise TlsFailed("TLS set-up failed: the CA bundle could not be read "
                            f"({getattr(error, 'strerror', None) or error})") from error


def _handshake_failure(error: BaseException, timeout: float) -> TransportError | None:
    """What a failed TLS handshake is: a refused certificate or a broken handshake is never
    repeated; a timeout, a reset or the camera hanging up is a connection never made."""
    if isinstance(error, ssl.SSLCertVerificationError):
        detail = error.verify_message or error.reason or "verification failed"
        return TlsFailed(f"TLS certificate not trusted ({detail}); give the camera's CA as "
                         "ca_bundle, or opt out with verify_tls: false")
    if isinstance(error, TimeoutError):
        return NotSent(f"no connection within {timeout:g} s")
    if isinstance(error, ssl.SSLEOFError | ConnectionError):
        return NotSent("the camera closed the connection during the TLS handshake")
    if isinstance(error, OSError):
        return TlsFailed("TLS handshake failed")
    return None


def backoff_delay(repeat: int, backoff: float) -> float:
    """Seconds before repeat number ``repeat`` (1, 2, ...): none before the first."""
    return 0.0 if repeat <= 1 else min(BACKOFF_MAX, backoff * 2 ** (repeat - 1))


def _address_family(host: str) -> socket.AddressFamily | None:
    """AF_INET or AF_INET6 for an IP address; None for a name, which needs a lookup."""
    try:
        version = ipaddress.ip_address(host).version
    except ValueError:
        return None
    return socket.AF_INET if version == 4 else socket.AF_INET6


def _host_header(connection: Connection) -> str:
    host = f"[{connection.host}]" if ":" in connection.host else connection.host
    if DEFAULT_PORTS.get(connection.scheme) == connection.port:
        return host
    return f"{host}:{connection.port}"


# -- reading a reply ---------------------------------------------------------------------------
class _Receiver:
    """A reply's bytes as they arrive, all within one deadline from the request's end: a
    camera that trickles its reply cannot hold a request longer than the read timeout
    (a timeout per read alone would restart with every byte)."""

    def __init__(self, sock: socket.socket, timeout: float) -> None:
        self._sock = sock
        self._deadline = time.monotonic() + timeout

    def recv(self) -> bytes:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the reply took longer than the read timeout")
        self._sock.settimeout(left)
        return self._sock.recv(RECEIVE_SIZE)


def _read_reply(receiver: _Receiver) -> Reply:
    """Status, headers and body; the body ends where Content-Length says, where the chunks
    end, or where the camera closes the connection (the firmware's way)."""
    buffer, end = _receive_head(receiver, b"")
    while True:
        status, reason, headers = _parse_head(bytes(buffer[:end.start()]))
        rest = buffer[end.end():]
        if not 100 <= status < 200:
            break
        buffer, end = _receive_head(receiver, rest)  # 100 Continue: the reply follows
    if status in _NO_BODY_STATUSES:
        return Reply(status, reason, headers, b"")
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return Reply(status, reason, headers, _read_chunked(receiver, rest))
    length = headers.get("content-length")
    if length is not None:
        return Reply(status, reason, headers, _read_length(receiver, rest, _content_length(length)))
    return Reply(status, reason, headers, _read_to_close(receiver, rest))


def _receive_head(receiver: _Receiver, buffer: bytes | bytearray
                  ) -> tuple[bytearray, re.Match[bytes]]:
    """The bytes received until the end of a head is among them, and where it is."""
    received = bytearray(buffer)
    while (end := _HEAD_END.search(received)) is None:
        if len(received) > MAX_HEAD:
            raise ReplyLost("the camera's reply headers do not end")
        received += _more(receiver, received)
    return received, end


def _parse_head(head: bytes) -> tuple[int, str, Headers]:
    lines = [line.rstrip("\r") for line in head.decode("latin-1").split("\n")]
    version, _, rest = lines[0].partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/") or not _STATUS_CODE.fullmatch(code):
        raise ReplyLost("the camera's reply is not HTTP")
    return int(code), reason.strip(), Headers(lines[1:])


def _content_length(value: str) -> int:
    if not _DIGITS.fullmatch(value):
        raise ReplyLost("the camera's reply has a bad Content-Length")
    return int(value)


def _read_length(receiver: _Receiver, received: bytearray, length: int) -> bytes:
    if length > MAX_REPLY:
        raise ReplyLost("the camera's reply is too large")
    while len(received) < length:
        received += _more(receiver, received)
    return bytes(received[:length])


def _read_to_close(receiver: _Receiver, received: bytearray) -> bytes:
    while chunk := receiver.recv():
        received += chunk
        if len(received) > MAX_REPLY:
            raise ReplyLost("the camera's reply is too large")
    return bytes(received)


def _read_chunked(receiver: _Receiver, received: bytearray) -> bytes:
    """A chunked body (RFC 9112 §7.1), trailers skipped; read until the last chunk."""
    body, at = bytearray(), 0
    while True:
        line_end = received.find(b"\r\n", at)
        if line_end < 0:
            received += _more(receiver, received)
            continue
        size_text = bytes(received[at:line_end]).split(b";", 1)[0].strip()
        if not _CHUNK_SIZE.fullmatch(size_text):
            raise ReplyLost("the camera's reply has a bad chunk")
        size = int(size_text, 16)
        if size == 0:
            return bytes(body)
        data_end = line_end + 2 + size
        while len(received) < data_end + 2:
            received += _more(receiver, received)
        if received[data_end:data_end + 2] != b"\r\n":
            raise ReplyLost("the camera's reply has a bad chunk")
        body += received[line_end + 2:data_end]
        at = data_end + 2
        if len(body) > MAX_REPLY:
            raise ReplyLost("the camera's reply is too large")


def _more(receiver: _Receiver, received: bytearray) -> bytes:
    """The next bytes of a reply that is not whole yet: the camera closing now cut it short."""
    if len(received) > MAX_REPLY + MAX_HEAD:
        raise ReplyLost("the camera's reply is too large")
    chunk = receiver.recv()
    if not chunk:
        raise ReplyLost(_CLOSED_EARLY)
    return chunk


# -- TLS ---------------------------------------------------------------------------------------
def tls_verify(connection: Connection) -> bool | str:
    """Verification: the camera's CA file, the system store (True), or the explicit opt-out."""
    if not connection.verify_tls:
        return False
    return connection.ca_bundle or True


@functools.lru_cache(maxsize=64)
def tls_context(verify: bool | str) -> ssl.SSLContext:
    """The TLS settings for ``verify`` (``tls_verify``), made once per run: loading a trust
    store costs milliseconds, and a context serves any number of connections at once.

    Verification on: the certificate must chain to the CA file (or the system store) and
    name the host dialled. Off only when the inventory opts out."""
    if verify is False:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    else:
        context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


# -- file descriptors --------------------------------------------------------------------------
# Each camera worked on holds at most one socket to it (one per request, closed after it;
# the second is a margin). With --emulate the emulator runs in the same process: per camera
# in flight the socket it accepted, and a spotter's link test opens a connection to its PTZ
# (both ends are ours); every emulated camera also listens on a socket of its own.
FDS_RESERVED = 48  # the interpreter, stdio, journal, lock, the emulator's event loop
FDS_PER_CAMERA = 2
FDS_PER_EMULATED_CAMERA = 3


def fit_concurrency(requested: int, *, emulated_cameras: int = 0,
                    limits: tuple[int, int] | None = None) -> tuple[int, str]:
    """``requested`` cameras at once, or fewer if this process cannot open enough files.

    The soft RLIMIT_NOFILE is first raised towards the hard one as far as the work needs
    (any process may); what still does not fit lowers the concurrency, and the returned
    note says so ("" when nothing was lowered). ``limits``: (soft, hard), for tests.
    """
    soft, hard = limits if limits is not None else resource.getrlimit(resource.RLIMIT_NOFILE)
    per_camera = FDS_PER_CAMERA + (FDS_PER_EMULATED_CAMERA if emulated_cameras else 0)
    needed = FDS_RESERVED + emulated_cameras + requested * per_camera
    if soft == resource.RLIM_INFINITY or needed <= soft:
        return requested, ""
    if limits is None and (hard == resource.RLIM_INFINITY or hard > soft):
        raised = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
        except (ValueError, OSError):
            pass
        if needed <= soft:
            return requested, ""
    fits = max(1, (soft - FDS_RESERVED - emulated_cameras) // per_camera)
    if fits >= requested:
        return requested, ""
    emulated = (f", the emulated fleet's {emulated_cameras} camera(s) included"
                if emulated_cameras else "")
    return fits, (f"note: --concurrency {requested} lowered to {fits}: this process may have "
                  f"only {soft} files open (ulimit -n){emulated}; raise ulimit -n to work on "
                  "more cameras at once")
