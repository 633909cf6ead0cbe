"""Playbook files: loaded, typed, and refused with FILE:LINE:COL errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from apply_kit import small_site

from camlink_provision.errors import InventoryErrors
from camlink_provision.playbook import ALL_HOSTS, Play, load_playbook, parse_playbook

BAD = """\
- name: one
  hosts: ptz
  kinds: [preset, bogus]
  serial: 0
- name: two
  hosts: spotters
  verify: true
  kinds: [peer]
- hosts: all
  colour: blue
"""


def _errors(text: str) -> list[str]:
    with pytest.raises(InventoryErrors) as refused:
        parse_playbook(text, "pb.yml")
    return str(refused.value).splitlines()


def test_every_problem_is_reported_with_file_line_and_column() -> None:
    lines = _errors(BAD)
    assert any(line.startswith("pb.yml:3:19:") and "'bogus'" in line for line in lines)
    assert any(line.startswith("pb.yml:4:11:") and "serial" in line for line in lines)
    assert any(line.startswith("pb.yml:5:3:") and "verify play" in line for line in lines)
    assert any(line.startswith("pb.yml:9:3:") and "'colour'" in line for line in lines)
    assert len(lines) == 4


def test_not_a_list_and_bad_yaml_are_refused() -> None:
    assert "a YAML list of plays" in _errors("hosts: all\n")[0]
    with pytest.raises(Exception, match=r"pb\.yml:2:1: not valid YAML"):
        parse_playbook("- hosts: [all\n", "pb.yml")


def test_a_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(Exception, match=r"nope\.yml: cannot read playbook"):
        load_playbook(tmp_path / "nope.yml")


def test_the_shipped_site_playbook_loads_and_points_at_its_lines() -> None:
    book = load_playbook(Path(__file__).parents[2] / "playbooks" / "site.yml")
    # One play: the order is the plan's, so the shipped playbook only names what to run.
    assert len(book.plays) == 1
    (play,) = book.plays
    assert play.hosts == ALL_HOSTS and not play.verify
    assert set(play.kinds) == {"account", "preset", "tracking_rule", "peer", "event"}
    assert play.location.line == 28


@pytest.mark.parametrize(("serial", "sizes"), [
    ((), [5]), ((2,), [2, 2, 1]), (("40%",), [2, 2, 1]), ((1, "50%"), [1, 2, 2]),
    (("10%",), [1, 1, 1, 1, 1]),
])
def test_serial_batches(serial: tuple[int | str, ...], sizes: list[int]) -> None:
    hosts = [f"c{i}" for i in range(5)]
    batches = Play("p", ALL_HOSTS, serial=serial).batches(hosts)
    assert [len(b) for b in batches] == sizes
    assert [h for b in batches for h in b] == hosts


def test_max_fail_percentage_is_exceeded_only_above_it() -> None:
    play = Play("p", ALL_HOSTS, max_fail_percentage=50)
    assert not play.exceeds_failures(1, 2)
    assert play.exceeds_failures(2, 3)
    assert not Play("p", ALL_HOSTS).exceeds_failures(3, 3)  # no limit: never stops


def test_hosts_select_groups_names_and_globs() -> None:
    site = small_site()
    assert Play("p", "ptz").select_hosts(site) == ["ptz-a", "ptz-b"]
    assert Play("p", "spot,ptz-b").select_hosts(site) == ["ptz-b", "spot"]
    assert Play("p", "ptz-*:!ptz-a").select_hosts(site) == ["ptz-b"]
    assert Play("p", "nothing-here").select_hosts(site) == []
    hosts = parse_playbook("- hosts: [ptz-a, spot]\n", "pb.yml").plays[0]
    assert hosts.select_hosts(site) == ["ptz-a", "spot"]
