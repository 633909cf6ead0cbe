"""The inventory directory's layout: every entry read or reported (inventory/sources.py).

The corpus (cases/) holds what git can store: pairs, directories as files, symbolic links,
unread files, the directory form. Here: what it cannot (permissions, FIFOs) and what loads
without a word (links inside the tree, files ignored by rule, the directory form's merge).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from inventory_kit import SITE, load, problems, secrets_file, write

INVENTORY = SITE.split("links:\n")[0]
LINKS = "links:\n" + SITE.split("links:\n")[1]
AS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _site(root: Path, extra: dict[str, str] | None = None) -> Path:
    inv = root / "site"
    write(inv, {"inventory.yml": INVENTORY, "links.yml": LINKS, **(extra or {})})
    return inv


@pytest.mark.skipif(AS_ROOT, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_an_error_naming_it(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    inv = _site(tmp_path, {"host_vars/ptz-1.yml": "site_port: 8080\n"})
    (inv / "host_vars" / "ptz-1.yml").chmod(0)
    monkeypatch.chdir(tmp_path)
    try:
        found = problems([Path("site")], secrets_file(tmp_path))
    finally:
        (inv / "host_vars" / "ptz-1.yml").chmod(0o644)
    assert found == ["site/host_vars/ptz-1.yml:1:1: cannot read the file: Permission denied "
                     "— check the path and that it is a UTF-8 text file"]


@pytest.mark.skipif(AS_ROOT, reason="root lists a directory whatever its mode")
def test_an_unreadable_directory_is_an_error_naming_it(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    inv = _site(tmp_path, {"group_vars/ptz.yml": "site_port: 8080\n"})
    (inv / "group_vars").chmod(0)
    monkeypatch.chdir(tmp_path)
    try:
        found = problems([Path("site")], secrets_file(tmp_path))
    finally:
        (inv / "group_vars").chmod(0o755)
    assert found == ["site/group_vars/: cannot read the directory: Permission denied — "
                     "check its permissions"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_an_error_not_a_hang(tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    inv = _site(tmp_path)
    (inv / "host_vars").mkdir()
    os.mkfifo(inv / "host_vars" / "ptz-1.yml")
    monkeypatch.chdir(tmp_path)
    assert problems([Path("site")], secrets_file(tmp_path)) == [
        "site/host_vars/ptz-1.yml:1:1: neither a file nor a directory (a pipe or a device) "
        "— replace it with a YAML file, or remove it"]


def test_symbolic_links_inside_the_tree_are_read(tmp_path: Path) -> None:
    inv = _site(tmp_path, {"group_vars/ptz.yml": "site_port: 8080\n"})
    (inv / "host_vars").mkdir()
    (inv / "host_vars" / "ptz-1.yml").symlink_to("../group_vars/ptz.yml")
    (inv / "group_vars" / "spotters").symlink_to(".")  # a directory link, inside too
    found = problems([inv], secrets_file(tmp_path))
    assert found and not any("symbolic link" in line for line in found)  # read, then judged
    (inv / "group_vars" / "spotters").unlink()
    site = load([inv], secrets_file(tmp_path)).site
    assert site.cameras["ptz-1"].site_port == 8080


def test_an_inventory_given_through_a_link_may_use_links_inside_it(tmp_path: Path) -> None:
    inv = _site(tmp_path, {"host_vars/real.yml": "site_port: 8080\n"})
    (inv / "host_vars" / "ptz-1.yml").symlink_to("real.yml")
    (tmp_path / "alias").symlink_to(inv)
    found = problems([tmp_path / "alias"], secrets_file(tmp_path))
    assert len(found) == 1 and "host_vars/real.yml" in found[0]  # names no camera: read
    assert "symbolic link" not in found[0]


def test_files_ignored_by_rule_load_without_a_word(tmp_path: Path) -> None:
    inv = _site(tmp_path, {"README": "notes\n", "NOTES.md": "# notes\n",
                           ".hidden.yml": "links: 3\n", "links.yml~": "links: 3\n",
                           "secrets.example.yml": "admin_password: changeme\n",
                           "host_vars/.ptz-1.yml.swp": "x\n",
                           "host_vars/ptz-1.yml~": "site_port: 0\n"})
    result = load([inv], secrets_file(tmp_path))
    assert result.warnings == []


def test_a_secrets_file_beside_the_inventory_that_is_not_used_is_a_warning(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _site(tmp_path, {"secrets.yml": "admin_password: \"other-Kp2\"\n"})
    monkeypatch.chdir(tmp_path)
    found = problems([Path("site")], secrets_file(tmp_path))
    assert found == ["site/secrets.yml:1:1: warning: secrets.yml is not read: the secrets in "
                     "use are test-secrets.yml — drop --secrets / $CAMLINK_SECRETS to use it, "
                     "or move it out of the inventory"]


def test_the_directory_form_merges_its_files_in_name_order_with_positions(
        tmp_path: Path) -> None:
    inv = _site(tmp_path, {
        "group_vars/ptz/10-base.yml": "site_port: 8080\nport_note: base\n",
        "group_vars/ptz/2-later-by-name.yml": "link_port: 9090\n",
        "host_vars/ptz-1/presets.yml": "presets:\n  - {name: gate, pan: 1, tilt: 2, zoom: 3}\n",
        "host_vars/ptz-1/site.yml": "site_port: 8181\n",
    })
    site = load([inv], secrets_file(tmp_path)).site
    ptz = site.cameras["ptz-1"]
    assert ptz.site_port == 8181  # the camera's directory beats the group's
    assert [p.pan for p in ptz.presets] == [1]


def test_the_directory_form_and_a_file_form_read_alike(tmp_path: Path) -> None:
    as_file = _site(tmp_path / "a", {"host_vars/ptz-1.yml": "site_port: 8080\n"
                                     "presets:\n  - {name: gate, pan: 1, tilt: 2, zoom: 3}\n"})
    as_dir = _site(tmp_path / "b", {
        "host_vars/ptz-1/a.yml": "site_port: 8080\n",
        "host_vars/ptz-1/b.yml": "presets:\n  - {name: gate, pan: 1, tilt: 2, zoom: 3}\n"})
    secrets = secrets_file(tmp_path)
    one = load([as_file], secrets).site.cameras["ptz-1"]
    two = load([as_dir], secrets).site.cameras["ptz-1"]
    assert (one.site_port, [(p.name, p.pan) for p in one.presets]) == \
        (two.site_port, [(p.name, p.pan) for p in two.presets])
    assert two.presets[0].location.file.endswith("host_vars/ptz-1/b.yml")
    assert two.presets[0].location.line == 2


def test_an_error_in_the_directory_form_points_at_its_file_and_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _site(tmp_path, {"host_vars/ptz-1/a.yml": "# first\nsite_port: 8080\n",
                     "host_vars/ptz-1/b.yml": "\n\npresets:\n"
                     "  - {name: gate, pan: 1, tilt: 2, zoom: 3, speed: fast}\n"})
    monkeypatch.chdir(tmp_path)
    found = problems([Path("site")], secrets_file(tmp_path))
    assert len(found) == 1 and found[0].startswith("site/host_vars/ptz-1/b.yml:4:")
