"""Tiny loopback HTTP servers for what the emulator deliberately never does.

A reply that breaks the contract (malformed lines, bad JSON, a 404), a server that records
the Authorization headers it was sent, one that counts requests in flight, and a TLS server
with a throwaway self-signed certificate. Real sockets, real HTTP: nothing is mocked.
"""

from __future__ import annotations

import datetime
import ipaddress
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Canned:
    """What the fake answers: status, headers, body."""

    status: int = 200
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = (("Content-type", "text/plain"),)


@dataclass
class Seen:
    """What the fake was sent, and how many requests overlapped at most."""

    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


Answer = Callable[[str, str, dict[str, str]], Canned]


def _handler(answer: Answer, seen: Seen, hold: float) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            headers = {k: v for k, v in self.headers.items()}
            length = int(self.headers.get("Content-Length", "0") or 0)
            if length:
                self.rfile.read(length)
            with seen.lock:
                seen.requests.append((self.command, self.path, headers))
                seen.in_flight += 1
                seen.max_in_flight = max(seen.max_in_flight, seen.in_flight)
            try:
                time.sleep(hold)  # hold the request open so overlapping ones would show
                canned = answer(self.command, self.path, headers)
            finally:
                with seen.lock:
                    seen.in_flight -= 1
            self.send_response(canned.status)
            for name, value in canned.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(canned.body)))
            self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(canned.body)
            self.close_connection = True

        do_GET = do_POST = do_DELETE = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


@contextmanager
def fake_camera(answer: Answer, *, hold: float = 0.0,
                tls: ssl.SSLContext | None = None) -> Iterator[tuple[int, Seen]]:
    """Serve ``answer`` on 127.0.0.1 (an ephemeral port) until the block ends."""
    seen = Seen()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(answer, seen, hold))
    server.daemon_threads = True
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def always(body: bytes, status: int = 200, **extra: str) -> Answer:
    headers = (("Content-type", "text/plain"), *extra.items())
    return lambda _method, _path, _headers: Canned(status, body, headers)


def self_signed_certificate(directory: Path) -> tuple[Path, Path] | None:
    """A throwaway certificate for 127.0.0.1 (cert file, key file), made with
    ``cryptography`` or else the ``openssl`` command; None when neither is there."""
    try:
        return _certificate_by_cryptography(directory)
    except ImportError:
        pass
    if shutil.which("openssl"):
        return _certificate_by_openssl(directory)
    return None


def _certificate_by_openssl(directory: Path) -> tuple[Path, Path]:
    cert_file, key_file = directory / "camera.pem", directory / "camera.key"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                    "-subj", "/CN=camlink test camera", "-addext",
                    "subjectAltName=IP:127.0.0.1", "-keyout", str(key_file),
                    "-out", str(cert_file)], check=True, capture_output=True)
    return cert_file, key_file


def _certificate_by_cryptography(directory: Path) -> tuple[Path, Path]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "camlink test camera")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "camera.pem", directory / "camera.key"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file
