"""Every example inventory validates, with a throwaway secrets file made for the test; the
construction site has what the issue asks of the flagship."""

from __future__ import annotations

import re
from pathlib import Path
from secrets import token_hex

import pytest
import yaml
from inventory_kit import EXAMPLES, load

from camlink_provision.firmware import models
from camlink_provision.inventory.model import Site

SECRET_CALL = re.compile(r"secret\(\s*['\"]([^'\"]+)['\"]\s*\)")
EXAMPLE_DIRS = sorted(p for p in EXAMPLES.iterdir() if p.is_dir())


def secret_names(inventory: Path) -> set[str]:
    return {name for path in inventory.rglob("*.yml")
            for name in SECRET_CALL.findall(path.read_text())}


def throwaway_secrets(inventory: Path, tmp_path: Path) -> tuple[Path, list[str]]:
    values = {name: f"throwaway-{token_hex(8)}" for name in secret_names(inventory)}
    path = tmp_path / "secrets.yml"
    path.write_text(yaml.safe_dump(values))
    return path, list(values.values())


@pytest.fixture(scope="module")
def construction_site(tmp_path_factory: pytest.TempPathFactory) -> Site:
    inventory = EXAMPLES / "construction-site"
    path, _ = throwaway_secrets(inventory, tmp_path_factory.mktemp("secrets"))
    return load([inventory], path).site


@pytest.mark.parametrize("inventory", EXAMPLE_DIRS, ids=lambda p: p.name)
def test_example_validates_without_warnings(inventory: Path, tmp_path: Path) -> None:
    path, values = throwaway_secrets(inventory, tmp_path)
    result = load([inventory], path)
    assert result.warnings == []
    assert result.site.cameras and result.site.links
    shown = repr(result.site) + str(result.site)
    assert not any(value in shown for value in values)


@pytest.mark.parametrize("inventory", EXAMPLE_DIRS, ids=lambda p: p.name)
def test_example_ships_a_fake_secrets_file_with_exactly_the_names_it_uses(
        inventory: Path) -> None:
    example = yaml.safe_load((inventory / "secrets.example.yml").read_text())
    assert set(example) == secret_names(inventory)
    assert all("example" in str(value) for value in example.values())
    assert not (inventory / "secrets.yml").exists()


def test_construction_site_is_large_with_supported_speed_domes(construction_site: Site
                                                               ) -> None:
    assert len(construction_site.spotters()) >= 4
    ptz = construction_site.ptz_cameras()
    assert len(ptz) >= 6
    assert {c.model for c in ptz} == set(models.ptz_models())
    for camera in construction_site.cameras.values():
        info = models.lookup(camera.model)
        assert info is not None and info.available


def test_construction_site_has_spotters_with_one_two_and_three_ptz(construction_site: Site
                                                                   ) -> None:
    counts = {s.name: len({t.ptz for link in construction_site.links_of(s.name)
                           for t in link.targets}) for s in construction_site.spotters()}
    assert {1, 2, 3} <= set(counts.values())
    several = [p.name for p in construction_site.ptz_cameras()
               if len({link.spotter for link in construction_site.links
                       for t in link.targets if t.ptz == p.name}) > 1]
    assert several, "some PTZ camera is commanded by several spotters"


def test_construction_site_uses_every_rule_type_a_gate_contact_and_a_night(
        construction_site: Site) -> None:
    rule_types = {r.type for c in construction_site.ptz_cameras() for r in c.tracking_rules}
    assert rule_types == {"intrusion", "loitering", "linecrossing"}
    events = [e for c in construction_site.spotters() for e in c.events]
    assert any(e.trigger.kind == "di" for e in events)
    nights = [e.schedule for e in events if e.schedule.begin > e.schedule.end]
    assert nights and all(s.begin >= "18:00" and s.end <= "07:00" for s in nights)


def test_construction_site_shares_credentials_through_group_vars() -> None:
    shared = yaml.safe_load((EXAMPLES / "construction-site/group_vars/all.yml").read_text())
    assert SECRET_CALL.search(shared["credentials"]["password"])
    ptz = yaml.safe_load((EXAMPLES / "construction-site/group_vars/ptz.yml").read_text())
    assert SECRET_CALL.search(ptz["link_credentials"]["password"])


def test_minimal_is_one_spotter_one_ptz_one_link(tmp_path: Path) -> None:
    inventory = EXAMPLES / "minimal"
    path, _ = throwaway_secrets(inventory, tmp_path)
    site = load([inventory], path).site
    assert (len(site.spotters()), len(site.ptz_cameras()), len(site.links)) == (1, 1, 1)
