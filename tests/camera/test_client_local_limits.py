"""Out of file descriptors on this machine is a local limit, not an unreachable camera.

A real client in a real process whose every file descriptor is in use (its soft
RLIMIT_NOFILE lowered, then filled) asks a real emulated camera on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

from camera_support import ADMIN_PASSWORD, PTZ_DIGEST

from camlink_provision import netguard
from camlink_provision.emulator import Fleet

_SCRIPT = textwrap.dedent("""
    import json, os, resource, sys
    from camlink_provision.camera import CameraClient
    from camlink_provision.errors import CameraError
    from camlink_provision.firmware import profile as fw
    from camlink_provision.inventory.model import Connection, Credentials, Secret

    port, password = int(sys.argv[1]), os.environ["TEST_PASSWORD"]
    client = CameraClient("ptz-digest", Connection(host="127.0.0.1", port=port, timeout=2.0),
                          Credentials("admin", Secret(password)))
    resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
    hoard = []
    try:
        while True:
            hoard.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    try:
        client.getparam([fw.HOSTNAME])
        outcome = {"kind": "none", "message": "it worked"}
    except CameraError as error:
        outcome = {"kind": error.kind, "message": str(error), "type": type(error).__name__}
    for fd in hoard:
        os.close(fd)
    print(json.dumps(outcome))
""")


def test_out_of_file_descriptors_is_reported_as_a_local_limit(fleet: Fleet) -> None:
    env = {**os.environ, netguard.ENV_FLAG: "1", "TEST_PASSWORD": ADMIN_PASSWORD}
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(fleet.port(PTZ_DIGEST))],
                          env=env, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    outcome = json.loads(done.stdout)
    message = outcome["message"]
    assert "too many open files on this machine" in message, outcome
    assert "raise ulimit -n or lower --concurrency" in message
    assert outcome["kind"] == "local" and outcome["type"] == "CameraLocalLimit"
    assert "unreachable" not in message and "could not connect" not in message
    assert ADMIN_PASSWORD not in done.stdout + done.stderr
