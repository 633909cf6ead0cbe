"""The transport's own HTTP on real loopback sockets: what it writes, and replies the
emulator never gives (no Content-Length, chunks, 100 Continue, cut short, not HTTP).

A raw server (``raw_camera``) answers each connection with canned bytes and records the
request bytes it read, so the test sees exactly what went over the wire.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from camlink_provision.camera import CameraClient
from camlink_provision.camera.transport import (
    BACKOFF_MAX,
    USER_AGENT,
    CameraTransport,
    NotSent,
    ReplyLost,
    TlsFailed,
    backoff_delay,
)
from camlink_provision.errors import CameraUnreachable
from camlink_provision.inventory.model import Connection, Credentials, Secret

TIMEOUT = (2.0, 2.0)
Answer = Callable[[int], list[bytes]]  # attempt number -> the pieces to send, then close


class Wire:
    """What the raw camera was sent, one entry per connection."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []


def _read_request(conn: socket.socket) -> bytes:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            while len(body) < int(line.split(b":")[1]):
                more = conn.recv(65536)
                if not more:
                    break
                body += more
    return data


@contextmanager
def raw_camera(answer: Answer, gap: float = 0.0) -> Iterator[tuple[int, Wire]]:
    """A loopback server: per connection, read one request, send ``answer(n)`` (``gap``
    seconds between pieces), close."""
    wire = Wire()
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            with conn, contextlib.suppress(OSError):  # the client may leave first
                wire.requests.append(_read_request(conn))
                for piece in answer(len(wire.requests)):
                    conn.sendall(piece)
                    time.sleep(gap)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1], wire
    finally:
        stop.set()
        server.close()
        thread.join(timeout=5)


def _transport(port: int, sent: list[int] | None = None) -> CameraTransport:
    counter = sent if sent is not None else []
    return CameraTransport(Connection("127.0.0.1", port), lambda: counter.append(1),
                           retries=2, backoff=0.0)


def _get(port: int, sent: list[int] | None = None, method: str = "GET",
         body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    reply = _transport(port, sent).send(method, "/cgi-bin/admin/getparam.cgi?system_hostname",
                                        body=body, headers={}, timeout=TIMEOUT)
    return reply.status, dict(reply.headers), reply.data


def test_the_request_on_the_wire() -> None:
    with raw_camera(lambda _n: [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]) as (
            port, wire):
        transport = _transport(port)
        transport.send("GET", "/cgi-bin/admin/getparam.cgi?a&b", body=None,
                       headers={"Authorization": "Digest x"}, timeout=TIMEOUT)
        transport.send("POST", "/cgi-bin/admin/setparam.cgi", body=b"a=1",
                       headers={"Content-Type": "application/x-www-form-urlencoded"},
                       timeout=TIMEOUT)
        transport.send("POST", "/cgi-bin/admin/setvi.cgi?vi0=1", body=None, headers={},
                       timeout=TIMEOUT)
    get, post, command = (request.decode("latin-1").split("\r\n") for request in wire.requests)
    assert get[0] == "GET /cgi-bin/admin/getparam.cgi?a&b HTTP/1.1"
    assert f"Host: 127.0.0.1:{port}" in get and f"User-Agent: {USER_AGENT}" in get
    assert "Connection: close" in get and "Authorization: Digest x" in get
    assert not any(line.lower().startswith("content-length") for line in get)
    assert post[-1] == "a=1" and "Content-Length: 3" in post
    assert "Content-Length: 0" in command  # a POST always says how long its body is


def test_a_header_that_would_end_early_is_refused_before_anything_is_sent() -> None:
    with raw_camera(lambda _n: [b"HTTP/1.1 200 OK\r\n\r\n"]) as (port, wire):
        with pytest.raises(ValueError, match="line break"):
            _transport(port).send("GET", "/x", body=None, timeout=TIMEOUT,
                                  headers={"Authorization": "Basic a\r\nX-Injected: 1"})
        with pytest.raises(ValueError):
            _transport(port).send("GET", "/x y", body=None, headers={}, timeout=TIMEOUT)
    assert wire.requests == []


def test_a_reply_without_length_is_read_until_the_camera_closes() -> None:
    body = b"".join(b"camctrl_c0_preset_i%d_name=''\r\n" % n for n in range(6000))
    pieces = [b"HTTP/1.0 200 OK\r\nContent-type: text/plain\r\n\r\n",
              *(body[at:at + 7000] for at in range(0, len(body), 7000))]
    with raw_camera(lambda _n: pieces) as (port, _wire):
        assert _get(port) == (200, {"content-type": "text/plain"}, body)


def test_a_chunked_reply_is_put_back_together() -> None:
    chunked = (b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
               b"5;ext=1\r\nhello\r\n", b"7\r\n, world\r\n0\r\nTrailer: x\r\n\r\n")
    with raw_camera(lambda _n: list(chunked)) as (port, _wire):
        assert _get(port)[2] == b"hello, world"


def test_100_continue_is_skipped_for_the_reply_after_it() -> None:
    with raw_camera(lambda _n: [b"HTTP/1.1 100 Continue\r\n\r\n",
                                b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]) as (port, _w):
        assert _get(port, method="POST", body=b"a=1")[::2] == (200, b"ok")


def test_repeated_headers_are_joined_and_names_are_case_insensitive() -> None:
    with raw_camera(lambda _n: [b"HTTP/1.1 401 Unauthorized\r\n"
                                b"WWW-Authenticate: Basic realm=\"a\"\r\n"
                                b"www-authenticate: Digest realm=\"a\"\r\n"
                                b"Content-Length: 0\r\n\r\n"]) as (port, _wire):
        reply = _transport(port).send("GET", "/x", body=None, headers={}, timeout=TIMEOUT)
    assert reply.status == 401 and reply.reason == "Unauthorized"
    assert reply.headers["WWW-Authenticate"] == 'Basic realm="a", Digest realm="a"'
    assert reply.headers.get("Www-Authenticate") == reply.headers["www-authenticate"]


@pytest.mark.parametrize(("pieces", "what"), [
    ([b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"], "before the reply was complete"),
    ([], "before the reply was complete"),
    ([b"garbage\r\n\r\n"], "not HTTP"),
    ([b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"], "bad Content-Length"),
    ([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"], "bad chunk"),
    # A size int() would take: negative (it once sent the reader back, forever), prefixed.
    ([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n-6\r\n"], "bad chunk"),
    ([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0x2\r\nok\r\n0\r\n\r\n"],
     "bad chunk"),
    ([b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n"], "bad chunk"),
    # Digits str.isdigit() takes and int() does not (latin-1 superscripts).
    ([b"HTTP/1.1 \xb200 OK\r\nContent-Length: 0\r\n\r\n"], "not HTTP"),
    ([b"HTTP/1.1 200 OK\r\nContent-Length: \xb9\r\n\r\n"], "bad Content-Length"),
])
def test_a_broken_reply_to_a_read_is_repeated_then_reported(pieces: list[bytes],
                                                           what: str) -> None:
    sent: list[int] = []
    with raw_camera(lambda _n: pieces) as (port, wire), pytest.raises(ReplyLost, match=what):
        _get(port, sent)
    assert len(wire.requests) == 3 and len(sent) == 3  # the read and its 2 repeats


def test_a_broken_reply_to_a_write_is_never_repeated() -> None:
    with raw_camera(lambda _n: [b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"]) as (
            port, wire), pytest.raises(ReplyLost):
        _get(port, method="POST", body=b"a=1")
    assert len(wire.requests) == 1


def test_a_read_that_works_on_a_repeat_is_marked_repeated() -> None:
    def answer(attempt: int) -> list[bytes]:
        return [] if attempt == 1 else [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]
    with raw_camera(answer) as (port, wire):
        reply = _transport(port).send("GET", "/x", body=None, headers={}, timeout=TIMEOUT)
    assert (reply.data, reply.repeated, len(wire.requests)) == (b"ok", True, 2)


def test_a_refused_connection_is_not_counted_as_sent() -> None:
    with socket.create_server(("127.0.0.1", 0)) as placeholder:
        port = placeholder.getsockname()[1]
    sent: list[int] = []
    with pytest.raises(NotSent, match="connection refused"):
        _get(port, sent, method="POST", body=b"a=1")
    assert sent == []


def test_an_unreadable_ca_bundle_is_a_tls_failure_and_nothing_is_sent(tmp_path: Path) -> None:
    bundle = tmp_path / "not-a-ca.pem"
    bundle.write_text("not a certificate\n")
    with raw_camera(lambda _n: [b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"]) as (port, w):
        where = Connection("127.0.0.1", port, scheme="https", ca_bundle=str(bundle), timeout=2)
        client = CameraClient("tls-camera", where, Credentials("admin", Secret("pw-unused")))
        with pytest.raises(CameraUnreachable, match="CA bundle could not be read"):
            client.getparam(["system_hostname"])
    assert w.requests == [] and client.requests_sent == 0
    assert issubclass(TlsFailed, NotSent)


def test_backoff_starts_at_once_then_doubles_up_to_the_cap() -> None:
    assert [backoff_delay(n, 0.1) for n in (1, 2, 3)] == [0.0, 0.2, 0.4]
    assert backoff_delay(10, 0.1) == BACKOFF_MAX


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"], ids=["address", "name"])
def test_an_address_and_a_host_name_both_connect(host: str) -> None:
    """An address is dialled as it is; a name goes through the resolver (/etc/hosts here)."""
    with raw_camera(lambda _n: [b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"]) as (port, w):
        transport = CameraTransport(Connection(host, port), lambda: None, retries=0,
                                    backoff=0.0)
        reply = transport.send("GET", "/x", body=None, headers={}, timeout=TIMEOUT)
    assert reply.data == b"ok"
    assert f"Host: {host}:{port}".encode() in w.requests[0]


def test_a_reply_trickling_in_gets_the_read_timeout_in_all_not_per_byte() -> None:
    """Each byte comes well within the 1 s read timeout, the whole reply would take 3 s: the
    request ends as timed out, as a camera that never answered would."""
    body = b"system_hostname='x'\r\n"
    pieces = [b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body),
              *(body[at:at + 2] for at in range(0, len(body), 2))]
    with raw_camera(lambda _n: pieces, gap=0.25) as (port, wire):
        transport = CameraTransport(Connection("127.0.0.1", port), lambda: None, retries=2,
                                    backoff=0.0)
        with pytest.raises(ReplyLost, match=r"no reply within 1 s"):
            transport.send("POST", "/cgi-bin/admin/setparam.cgi", body=b"a=1", headers={},
                           timeout=(1.0, 1.0))
    assert len(wire.requests) == 1  # a write: reported, not repeated


def test_chunks_split_anywhere_across_reads_are_put_back_together() -> None:
    pieces = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1", b"0\r\nsixteen ",
              b"bytes!!!\r", b"\n3\r\nend\r", b"\n0\r", b"\n\r\n"]
    with raw_camera(lambda _n: pieces, gap=0.02) as (port, _wire):
        assert _get(port)[2] == b"sixteen bytes!!!end"


def test_a_head_ended_by_bare_line_feeds_is_read() -> None:
    with raw_camera(lambda _n: [b"HTTP/1.0 200 OK\nContent-Length: 2\n\nok"]) as (port, _w):
        assert _get(port) == (200, {"content-length": "2"}, b"ok")


def test_retries_after_a_refused_connection_do_not_mark_the_reply_repeated() -> None:
    """Only an attempt that may have reached the camera makes a repeat (``repeated`` tells
    the Digest answer a replay may be refused); refused connections never reached it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))  # bound, not yet listening: connections are refused
    port = server.getsockname()[1]

    def listen_later() -> None:
        time.sleep(0.3)  # after the first two attempts (the second backoff is 1 s)
        server.listen()
        conn, _ = server.accept()
        with conn:
            _read_request(conn)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")

    thread = threading.Thread(target=listen_later, daemon=True)
    thread.start()
    try:
        transport = CameraTransport(Connection("127.0.0.1", port), lambda: None, retries=2,
                                    backoff=0.5)
        reply = transport.send("GET", "/x", body=None, headers={}, timeout=TIMEOUT)
    finally:
        thread.join(timeout=5)
        server.close()
    assert (reply.data, reply.repeated) == (b"ok", False)


def test_a_camera_hanging_up_in_the_tls_handshake_is_a_connection_never_made() -> None:
    """Repeated like a refused connection (nothing was sent), and named as what it is."""
    server = socket.create_server(("127.0.0.1", 0))
    accepted: list[int] = []

    def hang_up() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            accepted.append(1)
            conn.close()

    threading.Thread(target=hang_up, daemon=True).start()
    sent: list[int] = []
    try:
        transport = CameraTransport(
            Connection("127.0.0.1", server.getsockname()[1], scheme="https", verify_tls=False),
            lambda: sent.append(1), retries=2, backoff=0.0)
        with pytest.warns(Warning, match="Unverified HTTPS"), \
                pytest.raises(NotSent, match="closed the connection during the TLS handshake"):
            transport.send("POST", "/x", body=b"a=1", headers={}, timeout=TIMEOUT)
    finally:
        server.close()
    assert len(accepted) == 3 and sent == []  # the attempt and its 2 repeats; none counted
