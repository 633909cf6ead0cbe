"""``camlink-provision inventory --graph | --list``: the inventory as ansible-inventory shows
one, offline, never a password."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from camlink_provision.cli import EXIT_ERROR, EXIT_OK

from .cli_kit import CONSTRUCTION, MINIMAL, run

VALUE = "Pw-never-shown-4Kd"


def test_the_graph_is_the_group_tree(tmp_path: Path) -> None:
    result = run("inventory", "-i", str(MINIMAL), "--graph", cwd=tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    assert result.stdout == ("@all:\n"
                             "  |--@spotters:\n"
                             "  |  |--entrance-spotter\n"
                             "  |--@ptz:\n"
                             "  |  |--lobby-ptz\n")


def test_the_graph_nests_groups_and_names_a_host_under_each_group_listing_it(
        tmp_path: Path) -> None:
    lines = run("inventory", "-i", str(CONSTRUCTION), "--graph",
                cwd=tmp_path).stdout.splitlines()
    assert lines[:4] == ["@all:", "  |--@spotters:", "  |  |--@gate_spotters:",
                         "  |  |  |--gate-north-spotter"]
    assert sum(1 for line in lines if line.endswith("|--yard-spotter")) == 2


def test_the_json_list_has_ansible_inventorys_shape_and_no_password(tmp_path: Path) -> None:
    result = run("inventory", "-i", str(MINIMAL), "--list", "--format", "json", cwd=tmp_path,
                 env={"CAMLINK_SECRET_ADMIN_PASSWORD": VALUE})
    assert result.returncode == EXIT_OK, result.stderr
    data = json.loads(result.stdout)
    assert data["all"] == {"children": ["spotters", "ptz"]}
    assert data["ptz"] == {"hosts": ["lobby-ptz"]}
    ptz = data["_meta"]["hostvars"]["lobby-ptz"]
    assert ptz["role"] == "ptz" and ptz["presets"] == ["door"]
    assert ptz["credentials"] == {"username": "admin", "password": "(sensitive)"}
    assert VALUE not in result.stdout + result.stderr


def test_the_text_list_is_one_line_per_camera(tmp_path: Path) -> None:
    result = run("inventory", "-i", str(CONSTRUCTION), "--list", cwd=tmp_path)
    lines = result.stdout.splitlines()
    assert lines[0] == "site construction-site: 12 camera(s)"
    assert len(lines) == 13 and all("groups: all" in line for line in lines[1:])


def test_an_invalid_inventory_says_to_validate(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    inventory = site / "inventory.yml"
    inventory.write_text(inventory.read_text(encoding="utf-8").replace(
        "preset: door", "preset: dooor"), encoding="utf-8")
    result = run("inventory", "-i", str(site), "--graph", cwd=tmp_path)
    assert result.returncode == EXIT_ERROR
    assert "dooor" in result.stderr and "run validate" in result.stderr
    assert result.stdout == ""


def test_graph_or_list_is_required(tmp_path: Path) -> None:
    assert run("inventory", "-i", str(MINIMAL), cwd=tmp_path).returncode == 64
