"""YAML as inventory authors write it: locations of every value, bare times and versions
as text, anchors and merge keys, and the mistakes PyYAML would let pass."""

from __future__ import annotations

from pathlib import Path

from inventory_kit import write

from camlink_provision.inventory.located import LDict, LList
from camlink_provision.inventory.yamlfile import read_yaml


def read(tmp_path: Path, text: str) -> tuple[object, list[str]]:
    path = write(tmp_path, {"f.yml": text}) / "f.yml"
    data, errors = read_yaml(path)
    return data, [e.render() for e in errors]


def test_every_value_knows_its_line_and_column(tmp_path: Path) -> None:
    data, errors = read(tmp_path, "a:\n  b: [1, {c: x}]\n  d: yes\n")
    assert errors == []
    assert isinstance(data, LDict)
    inner = data["a"]
    assert isinstance(inner, LDict) and isinstance(inner["b"], LList)
    assert (inner.where("d").line, inner.where("d").column) == (3, 6)
    assert (inner.key_where("d").line, inner.key_where("d").column) == (3, 3)
    assert (inner["b"].where(1).line, inner["b"].where(1).column) == (2, 10)
    assert inner["d"] is True


def test_times_versions_and_dates_stay_text(tmp_path: Path) -> None:
    data, _ = read(tmp_path, "begin: 20:00\nfw: 2.2103.34.01d\nday: 2024-05-01\n"
                             "port: 8080\nratio: 1.5\non: off\n")
    assert data == {"begin": "20:00", "fw": "2.2103.34.01d", "day": "2024-05-01",
                    "port": 8080, "ratio": 1.5, "on": False}


def test_anchors_and_merge_keys_work_and_may_be_overridden(tmp_path: Path) -> None:
    data, errors = read(tmp_path, "base: &b {x: 1, y: 2}\none:\n  <<: *b\n  y: 3\n"
                                  "two: *b\n")
    assert errors == []
    assert data == {"base": {"x": 1, "y": 2}, "one": {"x": 1, "y": 3},
                    "two": {"x": 1, "y": 2}}


def test_an_empty_file_is_nothing(tmp_path: Path) -> None:
    assert read(tmp_path, "# only a comment\n") == (None, [])


def test_a_key_written_twice_is_an_error(tmp_path: Path) -> None:
    _, errors = read(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert errors == [f"{tmp_path / 'f.yml'}:3:1: duplicate key 'a' (first written at "
                      "line 1) — remove one of them"]


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "f.yml"
    path.write_bytes("a: 1\nname: \"Zoë\"\nb: \"x\xff\xfe\"\n".encode("latin-1"))
    _, errors = read_yaml(path)
    # Line 2 is Latin-1 too (the ë): the first bad byte is there, its column in characters.
    assert [e.render() for e in errors] == [
        f"{path}:2:10: the file is not UTF-8 text: the first bad byte is here — save the "
        "file as UTF-8"]
