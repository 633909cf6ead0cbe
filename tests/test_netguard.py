"""The loopback guard itself: proves that the suite cannot reach a LAN address."""

from __future__ import annotations

import socket

import pytest
import requests

from camlink_provision import netguard


@pytest.mark.parametrize("host", ["192.168.1.20", "10.0.0.1", "172.16.5.5", "8.8.8.8"])
def test_socket_connect_beyond_loopback_is_refused(host: str) -> None:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        with pytest.raises(netguard.NonLoopbackConnection):
            sock.connect((host, 80))
    finally:
        sock.close()


def test_requests_beyond_loopback_is_refused() -> None:
    with pytest.raises(requests.ConnectionError, match="loopback-only guard"):
        requests.get("http://192.168.1.20/cgi-bin/viewer/getparam.cgi", timeout=1)


def test_loopback_is_allowed() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        client.connect(server.getsockname())
    finally:
        client.close()
        server.close()
