"""Out of file descriptors on this machine is a local limit, not an unreachable camera; and
the concurrency is lowered to what the process's open-file limit allows, with a note.

A real client in a real process whose every file descriptor is in use (its soft
RLIMIT_NOFILE lowered, then filled) asks a real emulated camera on loopback.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import textwrap
from pathlib import Path

from camera_support import ADMIN_PASSWORD, PTZ_DIGEST

from camlink_provision import netguard
from camlink_provision.camera.transport import fit_concurrency
from camlink_provision.demo_secrets import ensure_secrets
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


def test_concurrency_fits_the_open_file_limit() -> None:
    assert fit_concurrency(32, limits=(1024, 1024)) == (32, "")
    fits, note = fit_concurrency(500, limits=(1024, 1024))
    assert fits == (1024 - 48) // 2 and "--concurrency 500 lowered to 488" in note
    assert "only 1024 files open (ulimit -n)" in note
    fits, note = fit_concurrency(64, emulated_cameras=12, limits=(256, 256))
    assert fits == (256 - 48 - 12) // 5 and "emulated fleet's 12 camera(s)" in note
    assert fit_concurrency(10, limits=(16, 16))[0] == 1  # never below one


def test_plan_lowers_concurrency_to_the_open_file_limit_and_says_so(tmp_path: Path) -> None:
    inventory = Path(__file__).parents[2] / "inventories" / "construction-site"
    secrets = tmp_path / "secrets.yml"
    ensure_secrets(inventory, secrets)

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (110, 110))

    done = subprocess.run([sys.executable, "-m", "camlink_provision.cli", "plan", "-i",
                           str(inventory), "--secrets", str(secrets), "--emulate",
                           "--concurrency", "500"], cwd=tmp_path, preexec_fn=low_limit,
                          env={**os.environ, netguard.ENV_FLAG: "1"}, capture_output=True,
                          text=True, timeout=240, check=False)
    assert done.returncode == 0, done.stderr
    assert "note: --concurrency 500 lowered to 10: this process may have only 110 files " \
           "open (ulimit -n)" in done.stderr
    assert "Plan:" in done.stdout and "unreachable" not in done.stdout
