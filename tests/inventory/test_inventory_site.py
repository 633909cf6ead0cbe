"""The Site load_site returns: defaults, roles, groups for --limit, names, prune."""

from __future__ import annotations

from pathlib import Path

import pytest
from inventory_kit import SITE, load, secrets_file, write

from camlink_provision.errors import InventoryErrors
from camlink_provision.inventory.model import RESOURCE_KINDS, Connection, Site


def site_of(tmp_path: Path, text: str = SITE, name: str = "inventory.yml") -> Site:
    write(tmp_path / "mysite", {name: text})
    return load([tmp_path / "mysite"], secrets_file(tmp_path)).site


def test_connection_defaults_to_http_on_the_site_address(tmp_path: Path) -> None:
    ptz = site_of(tmp_path).cameras["ptz-1"]
    assert ptz.connection == Connection(host="192.0.2.21")
    assert (ptz.connection.port, ptz.connection.scheme, ptz.connection.auth) == (80, "http",
                                                                                 "auto")
    assert ptz.site_port == 80 and ptz.link_credentials is None
    assert ptz.peer_credentials is ptz.credentials


def test_https_defaults_to_port_443_and_a_ca_bundle_beside_the_file(tmp_path: Path) -> None:
    write(tmp_path / "mysite", {"ca.pem": "not checked here\n"})
    text = SITE.replace("          model: SD9384-EHL\n", "          model: SD9384-EHL\n"
                        "          connection: {scheme: https, ca_bundle: ca.pem}\n")
    connection = site_of(tmp_path, text).cameras["ptz-1"].connection
    assert (connection.scheme, connection.port) == ("https", 443)
    assert connection.ca_bundle is not None and Path(connection.ca_bundle).name == "ca.pem"
    assert Path(connection.ca_bundle).is_file()


def test_cameras_keep_inventory_order_and_groups_map_every_group(tmp_path: Path) -> None:
    site = site_of(tmp_path)
    assert list(site.cameras) == ["spot-1", "ptz-1"]
    assert site.groups == {"all": ("spot-1", "ptz-1"), "spotters": ("spot-1",),
                           "ptz": ("ptz-1",)}


def test_an_explicit_role_puts_the_camera_in_its_role_group(tmp_path: Path) -> None:
    text = SITE.replace("links:\n", "  hosts:\n    extra-ptz:\n      role: ptz\n"
                        "      address: 192.0.2.31\n      model: SD9161-H-v2\nlinks:\n")
    site = site_of(tmp_path, text)
    assert site.cameras["extra-ptz"].role == "ptz"
    assert site.groups["ptz"] == ("ptz-1", "extra-ptz")
    assert "extra-ptz" in site.groups["all"]


def test_the_site_is_named_by_its_site_key(tmp_path: Path) -> None:
    assert site_of(tmp_path).name == "kit-site"
    named = SITE.replace("site: {name: kit-site}", "site: {name: gates}")
    assert site_of(tmp_path, named).name == "gates"


@pytest.mark.parametrize("layout", ["directory", "file"])
def test_a_site_without_a_name_is_an_error_at_its_file_never_named_by_its_path(
        tmp_path: Path, layout: str) -> None:
    text = SITE.replace("site: {name: kit-site}\n", "")
    if layout == "directory":
        source = write(tmp_path / "north-gate", {"inventory.yml": text})
        shown, file = "north-gate", source / "inventory.yml"
    else:
        source = write(tmp_path, {"north-gate.yml": text}) / "north-gate.yml"
        shown, file = "north-gate", source
    with pytest.raises(InventoryErrors) as caught:
        load([source], secrets_file(tmp_path))
    assert [e.render() for e in caught.value.errors] == [
        f"{file}:1:1: the inventory does not name its site — add `site: {{name: {shown}}}` "
        f"to {file} (the name keys the site's lock, journal and plan files; a path never "
        "does)"]


@pytest.mark.parametrize(("site_prune", "camera_prune", "expected"), [
    (None, None, set()),
    ("true", None, set(RESOURCE_KINDS) - {"account"}),  # accounts only by name
    ("true", "{account: true}", set(RESOURCE_KINDS)),
    ("{preset: true, event: true}", "{event: false}", {"preset"}),
    ("true", "false", set()),
    (None, "{peer: true}", {"peer"}),
])
def test_prune_site_wide_then_per_camera_kind_by_kind(tmp_path: Path, site_prune: str | None,
                                                      camera_prune: str | None,
                                                      expected: set[str]) -> None:
    text = SITE
    if site_prune:
        text = text.replace("site: {name: kit-site}",
                            f"site: {{name: kit-site, prune: {site_prune}}}")
    if camera_prune:
        text = text.replace("          model: SD9384-EHL\n",
                            f"          model: SD9384-EHL\n          prune: {camera_prune}\n")
    assert site_of(tmp_path, text).cameras["ptz-1"].prune == expected


def test_inputs_are_numbered_from_one_in_the_inventory_and_zero_in_the_site(
        tmp_path: Path) -> None:
    text = SITE.replace("trigger: {detection: zone-1}", "trigger: {vi: [1, 3]}")
    event = site_of(tmp_path, text).cameras["spot-1"].events[0]
    assert (event.trigger.kind, event.trigger.inputs) == ("vi", (0, 2))


def test_absent_things_need_only_their_name(tmp_path: Path) -> None:
    text = SITE.replace("            - {name: intrusion, trigger: {detection: zone-1}}\n",
                        "            - {name: intrusion, trigger: {detection: zone-1}}\n"
                        "            - {name: old-event, state: absent}\n")
    events = site_of(tmp_path, text).cameras["spot-1"].events
    assert [(e.name, e.state) for e in events] == [("intrusion", "present"),
                                                   ("old-event", "absent")]


def test_values_from_files_keep_their_location(tmp_path: Path) -> None:
    site = site_of(tmp_path)
    preset = site.cameras["ptz-1"].presets[0]
    assert (Path(preset.location.file).name, preset.location.line) == ("inventory.yml", 18)
    assert site.links[0].location.line == 20
    assert site.cameras["ptz-1"].location.line == 14
