"""``--limit @FILE`` and the retry file a failed apply leaves, as Ansible's ``.retry``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from camlink_provision.cli import EXIT_ERROR, EXIT_OK
from camlink_provision.errors import InventoryError
from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.loader import load_site
from camlink_provision.selection import select

from .cli_kit import CONSTRUCTION, MINIMAL, run, secrets_for


@pytest.fixture(scope="module")
def construction(tmp_path_factory: pytest.TempPathFactory) -> object:
    secrets = secrets_for(CONSTRUCTION, tmp_path_factory.mktemp("s") / "s.yml")
    return load_site([CONSTRUCTION], secrets).site


def test_a_limit_file_holds_one_term_per_line(construction: object, tmp_path: Path) -> None:
    names = tmp_path / "canary.txt"
    names.write_text("# the first two\nptz-crane\n\n  gate_spotters  # a group\n")
    assert select(construction, f"@{names}") == [  # type: ignore[arg-type]
        "gate-north-spotter", "gate-south-spotter", "ptz-crane"]
    assert select(construction, f"@{names},!gate-south-spotter") == [  # type: ignore[arg-type]
        "gate-north-spotter", "ptz-crane"]


@pytest.mark.parametrize(("content", "says"), [
    (None, "no such file"), ("# nothing\n", "the file names no camera")])
def test_a_limit_file_that_is_missing_or_empty_is_an_error(
        construction: object, tmp_path: Path, content: str | None, says: str) -> None:
    names = tmp_path / "retry"
    if content is not None:
        names.write_text(content)
    with pytest.raises(InventoryError, match=says):
        select(construction, f"@{names}")  # type: ignore[arg-type]


def _fill_every_preset_slot(state: Path) -> None:
    """lobby-ptz holds 256 presets made by hand: no slot is left for the inventory's."""
    params = {fw.preset_param(i, "name"): f"by-hand-{i}" for i in range(256)}
    state.mkdir(parents=True, exist_ok=True)
    (state / "lobby-ptz.json").write_text(json.dumps(
        {"camera": "lobby-ptz", "format": 1, "settings": {"params": params, "rules": {}}}))


def test_a_failed_apply_writes_the_retry_file_and_a_good_one_removes_it(
        tmp_path: Path) -> None:
    secrets = secrets_for(MINIMAL, tmp_path / "s.yml")
    state = tmp_path / "state"
    _fill_every_preset_slot(state)
    common = ["-i", str(MINIMAL), "--secrets", str(secrets), "--emulate",
              "--emulator-state", str(state)]
    failed = run("apply", *common, "--yes", cwd=tmp_path)
    assert failed.returncode == EXIT_ERROR, failed.stdout + failed.stderr
    retry = tmp_path / ".camlink" / "retry" / "minimal.retry"
    assert retry.read_text() == "lobby-ptz\n"
    assert "to run the failed cameras again: --limit @.camlink/retry/minimal.retry" in (
        failed.stdout)
    (state / "lobby-ptz.json").unlink()  # the installer cleared the camera by hand
    again = run("apply", *common, "--yes", "--limit", "@.camlink/retry/minimal.retry",
                cwd=tmp_path)
    assert again.returncode == EXIT_OK, again.stdout + again.stderr
    assert "lobby-ptz" in again.stdout and "entrance-spotter  " not in again.stdout
    assert not retry.exists()
