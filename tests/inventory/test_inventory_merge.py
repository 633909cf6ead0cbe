"""How several -i sources merge: mappings deep, named lists by name, other lists replaced,
null unsets; and the overlay shape the emulator writes."""

from __future__ import annotations

from pathlib import Path

from inventory_kit import SITE, load, problems, secrets_file, write

from camlink_provision.errors import Location
from camlink_provision.inventory.located import LDict, LList
from camlink_provision.inventory.merge import merge

HERE = Location("test.yml", 1, 1)


def located(value: object) -> object:
    if isinstance(value, dict):
        out = LDict(HERE)
        for key, item in value.items():
            out.put(key, located(item), HERE)
        return out
    if isinstance(value, list):
        items = LList(HERE)
        for item in value:
            items.add(located(item), HERE)
        return items
    return value


def test_mappings_merge_key_by_key_and_later_wins() -> None:
    base = located({"connection": {"host": "a", "port": 80}, "model": "X"})
    over = located({"connection": {"port": 8080, "scheme": "https"}})
    assert merge(base, over) == {"connection": {"host": "a", "port": 8080, "scheme": "https"},
                                 "model": "X"}


def test_named_lists_merge_by_name_in_place_and_append_new_names() -> None:
    base = located([{"name": "home", "pan": 0}, {"name": "gate", "pan": 10}])
    over = located([{"name": "gate", "zoom": 4}, {"name": "yard", "pan": 30}])
    assert merge(base, over) == [{"name": "home", "pan": 0},
                                 {"name": "gate", "pan": 10, "zoom": 4},
                                 {"name": "yard", "pan": 30}]


def test_other_lists_and_scalars_are_replaced_whole() -> None:
    base = located({"days": ["mon", "tue"], "field": [[0, 0], [1, 1]], "delay": 5})
    over = located({"days": ["sat"], "field": [[2, 2], [3, 3]], "delay": 9})
    assert merge(base, over) == {"days": ["sat"], "field": [[2, 2], [3, 3]], "delay": 9}


def test_a_list_repeating_a_name_is_replaced_so_validation_sees_the_repeat() -> None:
    base = located([{"name": "gate"}])
    over = located([{"name": "yard"}, {"name": "yard", "pan": 1}])
    assert merge(base, over) == [{"name": "yard"}, {"name": "yard", "pan": 1}]


def test_merge_leaves_its_inputs_alone() -> None:
    base = located({"a": {"b": 1}})
    merge(base, located({"a": {"c": 2}}))
    assert base == {"a": {"b": 1}}


def test_later_sources_win_and_lists_merge_across_sources(tmp_path: Path) -> None:
    first = write(tmp_path / "one", {"inventory.yml": SITE})
    second = write(tmp_path, {"two.yml": """\
        host_vars:
          ptz-1:
            model: SD9368-EHL
            presets:
              - {name: gate, zoom: 9}
              - {name: yard, pan: 5, tilt: 5, zoom: 1}
        links:
          - name: link-1
            targets:
              - {ptz: ptz-1, preset: yard}
        """}) / "two.yml"
    site = load([first, second], secrets_file(tmp_path)).site
    ptz = site.cameras["ptz-1"]
    assert ptz.model == "SD9368-EHL"
    assert [(p.name, p.pan, p.zoom) for p in ptz.presets] == [("gate", 100, 9),
                                                              ("yard", 5, 1)]
    assert [t.preset for t in site.links[0].targets] == ["yard"]
    assert site.links[0].spotter == "spot-1"  # kept from the first source
    # In the other order, the directory's link wins (same level, later source), but
    # host_vars still outranks the inline host entry: sources merge first, levels then.
    other = load([second, first], secrets_file(tmp_path)).site
    assert [t.preset for t in other.links[0].targets] == ["gate"]
    assert other.cameras["ptz-1"].model == "SD9368-EHL"


def test_null_unsets_an_inherited_value(tmp_path: Path) -> None:
    write(tmp_path, {"inventory.yml": SITE.replace(
        "      hosts:\n        ptz-1:\n",
        "      vars:\n        site_port: 8080\n"
        "      hosts:\n        ptz-1:\n          site_port:\n")})
    assert load([tmp_path], secrets_file(tmp_path)).site.cameras["ptz-1"].site_port == 80


def test_an_overlay_changes_only_how_this_tool_connects(tmp_path: Path) -> None:
    site_dir = write(tmp_path / "site", {"inventory.yml": SITE})
    overlay = write(tmp_path, {"overlay.yml": """\
        host_vars:
          ptz-1:
            connection: {host: 127.0.0.1, port: 18001}
          spot-1:
            connection: {host: 127.0.0.1, port: 18002, scheme: http}
        """}) / "overlay.yml"
    secrets = secrets_file(tmp_path)
    plain = load([site_dir], secrets).site
    site = load([site_dir, overlay], secrets).site
    ptz = site.cameras["ptz-1"]
    assert (ptz.connection.host, ptz.connection.port, ptz.connection.base_url) == (
        "127.0.0.1", 18001, "http://127.0.0.1:18001")
    assert ptz.address == "192.0.2.21" and ptz.site_port == 80
    assert site.cameras["spot-1"].connection.port == 18002
    assert site.links == plain.links
    assert {n: c.credentials for n, c in site.cameras.items()} == \
        {n: c.credentials for n, c in plain.cameras.items()}


def test_an_overlay_for_an_unknown_camera_is_refused(tmp_path: Path) -> None:
    site_dir = write(tmp_path / "site", {"inventory.yml": SITE})
    overlay = write(tmp_path, {"overlay.yml": "host_vars:\n  ptz-9:\n    connection: "
                                              "{port: 18001}\n"}) / "overlay.yml"
    found = problems([site_dir, overlay], secrets_file(tmp_path))
    assert len(found) == 1
    assert "host_vars for 'ptz-9', but there is no camera of that name" in found[0]
    assert found[0].startswith(f"{overlay}:2:3: ")
