"""The source import starts from is read as ``load_site`` reads an inventory (the same
levels, nulls and templates), though only the settings that reach a camera are needed."""

from __future__ import annotations

from pathlib import Path

from camlink_provision.importer import load_source


def test_a_null_drops_an_inherited_setting_as_in_load_site(tmp_path: Path) -> None:
    (tmp_path / "cameras.yml").write_text(
        "all:\n"
        "  vars:\n"
        "    credentials: {username: admin, password: \"{{ secret('pw') }}\"}\n"
        "    connection: {port: 8080}\n"
        "  hosts:\n"
        "    cam1: {address: 192.168.1.11, connection: {port: null}}\n"
        "    cam2: {address: 192.168.1.12}\n")
    (tmp_path / "secrets.yml").write_text("pw: not-a-real-one\n")
    source = load_source([tmp_path / "cameras.yml"], tmp_path / "secrets.yml")
    cameras = source.site.cameras
    assert (cameras["cam1"].connection.port, cameras["cam2"].connection.port) == (80, 8080)
    assert source.site.name == "cameras"
