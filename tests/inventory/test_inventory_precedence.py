"""Variable precedence, as Ansible's: inline group vars < group_vars files < inline host <
host_vars; groups in order all < parent < child, then by name."""

from __future__ import annotations

from pathlib import Path

from inventory_kit import load, secrets_file, write

from camlink_provision.inventory.model import Site

# Every level sets `level` (a variable) and the camera's event delay is "{{ level }}": the
# camera ends up with the number of the highest level that sets it.
INVENTORY = """\
all:
  vars:
    credentials: {username: admin, password: "{{ secret('admin_password') }}"}
    level: 1
  children:
    spotters:
      vars: {level: 2}
      children:
        gate_spotters:
          vars: {level: 3}
          hosts:
            spot-1:
              address: 192.0.2.11
              model: IB9391-EHT-v2
              events:
                - {name: e, trigger: {vi: 1}, delay: "{{ level }}"}
              level: 7
        alpha:
          vars: {level: 4}
          hosts:
            spot-1:
site: {name: precedence}
"""


def delay(site: Site) -> int:
    return site.cameras["spot-1"].events[0].delay


def load_with(tmp_path: Path, files: dict[str, str]) -> Site:
    write(tmp_path, {"inventory.yml": INVENTORY, **files})
    return load([tmp_path], secrets_file(tmp_path)).site


def test_the_camera_inline_entry_beats_every_group(tmp_path: Path) -> None:
    assert delay(load_with(tmp_path, {})) == 7


def test_host_vars_file_beats_the_inline_entry(tmp_path: Path) -> None:
    assert delay(load_with(tmp_path, {"host_vars/spot-1.yml": "level: 8\n"})) == 8


def test_group_order_is_all_then_parent_then_child_then_name(tmp_path: Path) -> None:
    no_host = INVENTORY.replace("              level: 7\n", "")
    write(tmp_path, {"inventory.yml": no_host})
    site = load([tmp_path], secrets_file(tmp_path)).site
    # gate_spotters (3) and alpha (4) are both children of spotters, at the same depth:
    # by name, gate_spotters comes later and wins.
    assert delay(site) == 3
    assert site.cameras["spot-1"].groups == ("all", "spotters", "alpha", "gate_spotters")


def test_group_vars_files_beat_every_inline_group_vars(tmp_path: Path) -> None:
    no_host = INVENTORY.replace("              level: 7\n", "")
    # group_vars/all.yml is lowest of the files, yet above gate_spotters' inline vars.
    site = load_with(tmp_path, {"inventory.yml": no_host, "group_vars/all.yml": "level: 5\n"})
    assert delay(site) == 5
    site = load_with(tmp_path, {"inventory.yml": no_host, "group_vars/all.yml": "level: 5\n",
                                "group_vars/spotters.yml": "level: 6\n"})
    assert delay(site) == 6


def test_settings_follow_the_same_precedence_and_merge_deep(tmp_path: Path) -> None:
    site = load_with(tmp_path, {
        "group_vars/spotters.yml": "connection: {port: 8080, timeout: 9}\n",
        "host_vars/spot-1.yml": "connection: {port: 8081}\n"})
    connection = site.cameras["spot-1"].connection
    assert (connection.port, connection.timeout, connection.host) == (8081, 9.0, "192.0.2.11")


def test_named_lists_from_several_levels_add_up(tmp_path: Path) -> None:
    site = load_with(tmp_path, {
        "group_vars/spotters.yml": "events:\n  - {name: shared, trigger: {motion: true}}\n",
        "host_vars/spot-1.yml": "events:\n  - {name: e, priority: high}\n"})
    events = site.cameras["spot-1"].events
    assert [(e.name, e.priority) for e in events] == [("shared", "normal"), ("e", "high")]
    assert events[1].delay == 7 and events[1].trigger.kind == "vi"
