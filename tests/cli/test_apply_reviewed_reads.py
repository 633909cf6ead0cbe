"""After a person confirmed the plan at the terminal, each camera's first step reads again
only what it touches and what that refers to, not the whole camera (issue 15: "unless a
person confirmed in between (then re-read only what the plan touches)").

The apply runs as a process on a pseudo-terminal; the test answers its question, and plays
whoever changes a camera while the plan is being reviewed."""

from __future__ import annotations

import os
import select
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from camlink_provision.camera import CameraClient
from camlink_provision.emulator import Fleet
from camlink_provision.emulator.inventory_fleet import overlay_data, point_site_at_fleet
from camlink_provision.emulator.spec import LogEntry
from camlink_provision.firmware import profile
from camlink_provision.inventory.loader import load_site

from .cli_kit import COMMAND, CONSTRUCTION, cli_env, run
from .rollout_kit import fresh

CRANE = "ptz-crane"
PROMPT = b"Only 'yes' goes on: "
IDENTITY = set(profile.IDENTITY_GROUPS)


class Operator:
    """A checkout of the construction site on the served fleet, converged, then one preset
    of the crane moved in the inventory: the plan touches the crane's presets only."""

    def __init__(self, fleet: Fleet, root: Path, secrets: Path) -> None:
        self.fleet, self.root, self.secrets = fleet, root, secrets
        self.inventory = root / "construction-site"
        shutil.copytree(CONSTRUCTION, self.inventory)
        (root / "overlay.yml").write_text(yaml.safe_dump(overlay_data(fleet)))
        self.args = ["-i", str(self.inventory), "-i", str(root / "overlay.yml"),
                     "--secrets", str(secrets)]

    def converge_then_move_a_crane_preset(self) -> None:
        done = run("apply", *self.args, "--yes", cwd=self.root)
        assert done.returncode == 0, done.stdout + done.stderr
        crane = self.inventory / "host_vars" / f"{CRANE}.yml"
        crane.write_text(crane.read_text().replace("name: crane-yard, pan: -2700",
                                                   "name: crane-yard, pan: -2600"))
        for name in self.fleet.names():
            self.fleet.clear_log(name)

    def client(self, name: str) -> CameraClient:
        site = point_site_at_fleet(load_site([self.inventory], self.secrets).site, self.fleet)
        camera = site.cameras[name]
        return CameraClient(name, camera.connection, camera.credentials)

    def confirmed_apply(self, while_reviewing: Callable[[], None] = lambda: None
                        ) -> subprocess.CompletedProcess[str]:
        """``apply`` on a terminal: the plan is shown, ``while_reviewing`` runs, 'yes'."""
        leader, follower = os.openpty()
        try:
            process = subprocess.Popen([*COMMAND, "apply", *self.args], cwd=self.root,
                                       env=cli_env(), stdin=follower,
                                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        finally:
            os.close(follower)
        try:
            shown = _read_until(process, PROMPT)
            while_reviewing()
            os.write(leader, b"yes\n")
            rest, err = process.communicate(timeout=120)
        finally:
            if process.poll() is None:
                process.kill()
            os.close(leader)
        return subprocess.CompletedProcess(process.args, process.returncode,
                                           (shown + rest).decode(), err.decode())


def _read_until(process: subprocess.Popen[bytes], marker: bytes) -> bytes:
    assert process.stdout is not None
    out, deadline = b"", time.monotonic() + 120
    while marker not in out:
        ready, _, _ = select.select([process.stdout], [], [], 1.0)
        if ready:
            chunk = os.read(process.stdout.fileno(), 65536)
            assert chunk, f"apply ended before asking:\n{out.decode()}"
            out += chunk
        assert time.monotonic() < deadline, f"apply never asked:\n{out.decode()}"
    return out


@pytest.fixture
def operator(construction_fleet: Fleet, construction_secrets: Path,
             tmp_path: Path) -> Operator:
    fresh(construction_fleet, construction_secrets)
    operator = Operator(construction_fleet, tmp_path, construction_secrets)
    operator.converge_then_move_a_crane_preset()
    return operator


def _getparams(log: list[LogEntry]) -> list[set[str]]:
    return [set(e.params) for e in log if e.path == profile.GETPARAM and e.status == 200]


def _rule_reads(log: list[LogEntry]) -> int:
    return sum(1 for e in log if e.path == profile.VCA_TRACKING and e.method == "GET"
               and e.status == 200)


def test_a_confirmed_step_reads_again_only_the_groups_it_touches(operator: Operator) -> None:
    done = operator.confirmed_apply()
    assert done.returncode == 0, done.stdout + done.stderr
    log = operator.fleet.request_log(CRANE)
    plan_read, snapshot, read_back = _getparams(log)
    # The step moves a preset: its snapshot is the identity, the presets and what is tied
    # to them on the camera (events name a local preset and peer slots), not the rest of
    # the camera (accounts, the output's state) nor its rules.
    assert snapshot == IDENTITY | {profile.PRESET_GROUP, profile.EVENT_GROUP,
                                   profile.PEER_GROUP}
    assert plan_read == read_back and snapshot < plan_read
    assert _rule_reads(log) == 2  # the plan's and the read-back's, none for the snapshot
    writes = [e for e in log if e.write]
    assert writes and all(e.seq > max(x.seq for x in log if set(x.params) == snapshot)
                          for e in writes)  # the snapshot came before the first write
    # Cameras without a change are read by the plan only.
    for name in operator.fleet.names():
        if name != CRANE:
            assert not any(e.write for e in operator.fleet.request_log(name)), name
            assert len(_getparams(operator.fleet.request_log(name))) == 1, name
    again = run("plan", *operator.args, "--detailed-exitcode", cwd=operator.root)
    assert again.returncode == 0, again.stdout + again.stderr


def test_a_change_to_what_the_step_touches_while_reviewing_stops_that_camera(
        operator: Operator) -> None:
    def someone_edits_the_crane_presets() -> None:
        with operator.client(CRANE) as crane:
            crane.delete_preset("crane-overview")  # another preset: the same group
        operator.fleet.clear_log(CRANE)

    done = operator.confirmed_apply(someone_edits_the_crane_presets)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "changed since the plan was made" in done.stdout, done.stdout
    log = operator.fleet.request_log(CRANE)
    assert not any(e.write for e in log)  # nothing written after the review
    assert _getparams(log) == [IDENTITY | {profile.PRESET_GROUP, profile.EVENT_GROUP,
                                           profile.PEER_GROUP}]  # the snapshot only


def test_a_change_elsewhere_on_the_camera_does_not_stop_the_step(operator: Operator) -> None:
    def someone_adds_a_tracking_rule_to_the_crane() -> None:
        with operator.client("ptz-gate-north") as other:
            rule = next(iter(other.tracking_rules().values()))
        by_hand = {**rule, profile.VCA_RULE_NAME: "by-hand"}
        with operator.client(CRANE) as crane:
            crane.put_tracking_rules({"by-hand": by_hand})  # not what the plan touches
        operator.fleet.clear_log(CRANE)

    done = operator.confirmed_apply(someone_adds_a_tracking_rule_to_the_crane)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _rule_reads(operator.fleet.request_log(CRANE)) == 1  # the read-back's only
    state = operator.fleet.state(CRANE)
    assert "by-hand" in state["rules"]  # left as the other person made it
    assert {p["name"]: p["pan"] for p in state["presets"]}["crane-yard"] == -2600
