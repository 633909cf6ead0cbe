"""HTTPS: an unknown certificate is refused unless its CA is given or checking is opted out."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict, Unpack

import pytest
from camera_fakes import Seen, always, fake_camera, self_signed_certificate
from camera_support import ADMIN_PASSWORD

from camlink_provision.camera import CameraClient
from camlink_provision.errors import CameraUnreachable
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Connection, Credentials, Secret

REPLY = b"system_hostname='tls-camera'\r\n"

TlsCamera = tuple[int, Path, Seen]  # port, certificate file, what the fake was sent


class TlsChoice(TypedDict, total=False):
    ca_bundle: str | None
    verify_tls: bool


@pytest.fixture
def tls_camera(tmp_path: Path) -> Iterator[TlsCamera]:
    made = self_signed_certificate(tmp_path)
    if made is None:
        pytest.skip("no way to make a throwaway certificate: neither the `cryptography` "
                    "package nor the `openssl` command is installed")
    cert, key = made
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    with fake_camera(always(REPLY), tls=context) as (port, seen):
        yield port, cert, seen


def _client(port: int, **tls: Unpack[TlsChoice]) -> CameraClient:
    where = Connection("127.0.0.1", port, scheme="https", auth="basic", timeout=2, **tls)
    return CameraClient("tls-camera", where, Credentials("admin", Secret(ADMIN_PASSWORD)))


def test_unknown_certificate_is_refused_by_default(tls_camera: TlsCamera) -> None:
    port, _cert, seen = tls_camera
    client = _client(port)
    with pytest.raises(CameraUnreachable, match="TLS certificate not trusted") as caught:
        client.getparam([fw.HOSTNAME])
    assert "ca_bundle" in str(caught.value)
    assert seen.requests == []  # not one byte of HTTP, so no password, went out
    assert client.requests_sent == 0


def test_certificate_accepted_with_its_ca_bundle(tls_camera: TlsCamera) -> None:
    port, cert, _seen = tls_camera
    client = _client(port, ca_bundle=str(cert))
    assert client.getparam([fw.HOSTNAME]) == {fw.HOSTNAME: "tls-camera"}


def test_checking_can_be_turned_off_explicitly(tls_camera: TlsCamera) -> None:
    port, _cert, _seen = tls_camera
    client = _client(port, verify_tls=False)
    with pytest.warns(Warning, match="Unverified HTTPS"):
        assert client.getparam([fw.HOSTNAME]) == {fw.HOSTNAME: "tls-camera"}
