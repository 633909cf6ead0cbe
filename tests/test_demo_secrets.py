from __future__ import annotations

import stat
from pathlib import Path

import yaml

from camlink_provision.demo_secrets import ensure_secrets, secret_names


def _inventory(tmp_path: Path) -> Path:
    inv = tmp_path / "inv"
    (inv / "group_vars").mkdir(parents=True)
    (inv / "group_vars" / "all.yml").write_text(
        "credentials:\n  password: \"{{ secret('admin_pw') }}\"\n"
        "link: '{{ secret(\"link_pw\") }}'\n")
    return inv


def test_names_are_found_in_every_yaml_file(tmp_path: Path) -> None:
    assert secret_names(_inventory(tmp_path)) == ["admin_pw", "link_pw"]


def test_existing_values_are_kept_and_missing_ones_added(tmp_path: Path) -> None:
    inv = _inventory(tmp_path)
    target = tmp_path / "state" / "secrets.yml"
    target.parent.mkdir()
    target.write_text("admin_pw: keep-me\n")
    assert ensure_secrets(inv, target) == ["link_pw"]
    data = yaml.safe_load(target.read_text())
    assert data["admin_pw"] == "keep-me"
    assert len(data["link_pw"]) >= 16
    assert ensure_secrets(inv, target) == []


def test_new_file_is_private(tmp_path: Path) -> None:
    target = tmp_path / "secrets.yml"
    ensure_secrets(_inventory(tmp_path), target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
