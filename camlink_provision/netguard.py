"""Refuse any connection beyond loopback, when asked to.

Installed by the test suite, and by any camlink-provision process started with
``CAMLINK_LOOPBACK_ONLY=1`` (the test suite sets it for the subprocesses it starts, and the
demo and benchmarks set it too). Site inventories hold realistic LAN addresses; this guard
makes sure that, here, nothing ever dials them.
"""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Any

ENV_FLAG = "CAMLINK_LOOPBACK_ONLY"
_original_connect = socket.socket.connect
_original_connect_ex = socket.socket.connect_ex


class NonLoopbackConnection(ConnectionRefusedError):
    """Raised instead of connecting anywhere outside 127.0.0.0/8 and ::1."""


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return host == "localhost"


def _check(sock: socket.socket, address: Any) -> None:
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0] if isinstance(address, tuple) else str(address)
        if not is_loopback(str(host)):
            raise NonLoopbackConnection(f"loopback-only guard: refused to connect to {host}")


def _guarded_connect(self: socket.socket, address: Any) -> None:
    _check(self, address)
    _original_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    _check(self, address)
    return _original_connect_ex(self, address)


def install() -> None:
    socket.socket.connect = _guarded_connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign,assignment]


def install_if_requested() -> None:
    if os.environ.get(ENV_FLAG) == "1":
        install()
