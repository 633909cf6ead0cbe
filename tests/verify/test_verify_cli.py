"""``camlink-provision verify`` as a user runs it: the applied construction site with
--emulate (end to end too), and a hand-built site through its inventory's own connections;
text, markdown and JSON; exit 1 naming the broken link."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from camlink_provision.cli import main
from camlink_provision.emulator import Fleet
from verify.linkkit import ADMIN_PASSWORD, LINK_PASSWORD, client

CONSTRUCTION = Path(__file__).resolve().parents[2] / "inventories" / "construction-site"
SECRETS = CONSTRUCTION / "secrets.example.yml"


@pytest.fixture(scope="module")
def applied_state(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Emulator state of the construction site after one apply (reused by each verify)."""
    state = tmp_path_factory.mktemp("state")
    code = main(["apply", "-i", str(CONSTRUCTION), "--secrets", str(SECRETS), "--emulate",
                 "--emulator-state", str(state), "--yes"])
    assert code == 0
    return state


def verify(state: Path, *extra: str) -> list[str]:
    return ["verify", "-i", str(CONSTRUCTION), "--secrets", str(SECRETS), "--emulate",
            "--emulator-state", str(state), *extra]


def test_the_applied_construction_site_verifies_end_to_end(
        applied_state: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(verify(applied_state, "--end-to-end", "--format", "json")) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["totals"] == {"links": 12, "passed": 12, "failed": 0}
    crane = next(r for r in report["results"]
                 if (r["link"], r["ptz"]) == ("yard-panic", "ptz-crane"))
    names = [c["name"] for c in crane["checks"]]
    assert "output" in names and "end-to-end output" in names and crane["restored"]


def test_text_and_markdown_views(applied_state: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(verify(applied_state, "--limit", "fence-east-spotter")) == 0
    text = capsys.readouterr().out
    assert text.splitlines()[:4] == [
        "Site: construction-site — 2 of 2 link target(s) passed", "",
        "link east-fence (fence-east-spotter, event east-fence-crossed)",
        "  ptz-fence-east  passed  position, tracking"]
    assert main(verify(applied_state, "--limit", "ptz-crane", "--format", "markdown")) == 0
    markdown = capsys.readouterr().out
    assert "### Link `yard-panic` — yard-spotter, event `yard-panic`" in markdown
    assert "| ptz-crane | ✅ passed | position, output | |" in markdown


def test_end_to_end_needs_emulate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", "-i", str(CONSTRUCTION), "--secrets", str(SECRETS),
                 "--end-to-end"]) == 1
    assert "use it with --emulate" in capsys.readouterr().err


def handmade_inventory(directory: Path, fleet: Fleet) -> tuple[Path, Path]:
    """The inventory of verify.linkkit's hand-built site, aimed at the fleet's ports."""
    from verify.linkkit import ADDRESSES, MODELS, SITE_PORTS
    hosts = {name: {"address": ADDRESSES[name], "model": MODELS[name],
                    "site_port": SITE_PORTS.get(name, 80),
                    "connection": {"host": "127.0.0.1", "port": fleet.port(name)}}
             for name in ADDRESSES}
    inventory = {
        "site": {"name": "handmade"},
        "all": {"vars": {"credentials": {"username": "admin",
                                         "password": "{{ secret('admin') }}"}},
                "children": {
                    "ptz": {"vars": {"link_credentials": {
                        "username": "camlink", "password": "{{ secret('link') }}"}},
                        "hosts": {n: hosts[n] for n in ("ptz1", "ptz2")}},
                    "spotters": {"hosts": {n: hosts[n] for n in ("spot1", "spot2")}}}},
        "host_vars": {
            "ptz1": {"presets": [{"name": "gate", "pan": 100, "tilt": -10, "zoom": 2},
                                 {"name": "yard", "pan": -2000, "tilt": 5, "zoom": 1}],
                     "tracking_rules": [
                         {"name": "gate-track", "type": "intrusion", "condition": "both",
                          "field": [[0, 0], [5000, 0], [5000, 5000]]},
                         {"name": "fence", "type": "linecrossing", "direction": "AtoB",
                          "field": [[0, 10], [9000, 10]], "connect_event": True}]},
            "ptz2": {"presets": [{"name": "dock", "pan": 1, "tilt": 2, "zoom": 3}]},
            "spot1": {"events": [{"name": "gate-intrusion", "priority": "high", "do": 3,
                                  "trigger": {"detection": "gate-zone"}},
                                 {"name": "door", "trigger": {"di": 1}}]},
            "spot2": {"events": [{"name": "yard-motion", "trigger": {"motion": True}}]}},
        "links": [
            {"name": "gate", "spotter": "spot1", "event": "gate-intrusion", "targets": [
                {"ptz": "ptz1", "preset": "gate", "track": "gate-track"},
                {"ptz": "ptz2", "preset": "dock", "do": 4}]},
            {"name": "door", "spotter": "spot1", "event": "door",
             "targets": [{"ptz": "ptz2", "preset": "dock"}]},
            {"name": "yard", "spotter": "spot2", "event": "yard-motion",
             "targets": [{"ptz": "ptz1", "preset": "yard"}]}]}
    path = directory / "handmade.yml"
    path.write_text(yaml.safe_dump(inventory, sort_keys=False))
    secrets = directory / "secrets.yml"
    secrets.write_text(yaml.safe_dump({"admin": ADMIN_PASSWORD, "link": LINK_PASSWORD}))
    return path, secrets


def test_a_broken_link_exits_1_and_names_link_and_cause(
        tmp_path: Path, fleet: Fleet, capsys: pytest.CaptureFixture[str]) -> None:
    inventory, secrets = handmade_inventory(tmp_path, fleet)
    command = ["verify", "-i", str(inventory), "--secrets", str(secrets)]
    assert main(command) == 0, capsys.readouterr()
    with client(fleet, "ptz2") as ptz2:
        ptz2.delete_preset("dock")
    capsys.readouterr()
    assert main(command) == 1
    out = capsys.readouterr().out
    assert "link door (spot1, event door)" in out
    assert "  ptz2  FAILED  preset: preset missing — ptz2 holds no preset 'dock'" in out
    assert "Verify: 2 passed, 2 failed." in out
    assert ADMIN_PASSWORD not in out and LINK_PASSWORD not in out
