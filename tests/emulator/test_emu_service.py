"""`camlink-provision emulate --fleet` as a user runs it: a subprocess, lines, signals."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from emu_support import Cam
from test_emu_faults import attempt

EXAMPLE = Path(__file__).parents[2] / "examples" / "fleet.yml"
NAMES = ["gate-spotter", "gate-ptz", "yard-ptz", "old-bullet"]


def free_base_port(count: int) -> int:
    """A first port with ``count`` free ports from it (checked by binding each)."""
    for _ in range(50):
        # Below Linux's ephemeral range (32768-60999), so that no outgoing connection of a
        # concurrent test takes one of these ports between this check and the emulator's bind.
        base = random.randrange(20000, 32000)
        sockets = []
        try:
            for port in range(base, base + count):
                sock = socket.socket()
                sockets.append(sock)
                sock.bind(("127.0.0.1", port))
            return base
        except OSError:
            continue
        finally:
            for sock in sockets:
                sock.close()
    raise RuntimeError("no free port range")


def start(*args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "CAMLINK_LOOPBACK_ONLY": "1"}
    return subprocess.Popen([sys.executable, "-m", "camlink_provision.cli", "emulate", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def read_lines(process: subprocess.Popen[str], count: int) -> list[str]:
    assert process.stdout is not None
    return [process.stdout.readline().rstrip("\n") for _ in range(count)]


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serves_the_fleet_file_until_a_signal(tmp_path: Path, stop: signal.Signals) -> None:
    base = free_base_port(len(NAMES))
    process = start("--fleet", str(EXAMPLE), "--base-port", str(base), "--state",
                    str(tmp_path), "--fault", "yard-ptz:down", "--fault",
                    "gate-ptz:status=503,count=1")
    try:
        lines = read_lines(process, len(NAMES))
        assert lines == [f"{name} http://127.0.0.1:{base + i}" for i, name in enumerate(NAMES)]
        assert attempt(Cam("gate-ptz", base + 1, "digest")) == 503  # the fault, once
        reply = Cam("gate-ptz", base + 1, "digest").get(
            "/cgi-bin/anonymous/getparam.cgi?system_info_modelname", auth=None)
        assert reply.body == b"system_info_modelname='SD9384-EHL'\r\n"
        assert attempt(Cam("yard-ptz", base + 2, "basic")) == "refused"
    finally:
        process.send_signal(stop)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr


def test_a_bad_fleet_file_exits_1_with_file_and_line(tmp_path: Path) -> None:
    fleet = tmp_path / "fleet.yml"
    fleet.write_text("cameras:\n  - name: a\n    model: NOPE\n")
    process = start("--fleet", str(fleet))
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 1
    assert f"{fleet}:2:5: unknown model 'NOPE'" in stderr


def test_a_fault_for_an_unknown_camera_exits_1() -> None:
    process = start("--fleet", str(EXAMPLE), "--fault", "nobody:down")
    _, stderr = process.communicate(timeout=20)
    assert process.returncode == 1
    assert "no camera 'nobody'" in stderr


def test_a_taken_port_exits_1_with_advice() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start("--fleet", str(EXAMPLE), "--base-port", str(port))
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 1
    assert "--base-port" in stderr
