"""Fixtures of the apply tests: the kit site on a fresh emulated fleet, in a temp directory.

Each test gets factory-fresh cameras (the fleet is reset, not restarted, between tests) and
runs in its own working directory, so journals and locks under ``.camlink/`` never mix.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apply_kit import aimed, small_site, specs_for

from camlink_provision.demo_secrets import ensure_secrets
from camlink_provision.emulator import running_fleet
from camlink_provision.emulator.inventory_fleet import (
    point_site_at_fleet,
    seed_adopted_presets,
    specs_for_site,
)
from camlink_provision.inventory.loader import load_site
from camlink_provision.inventory.model import Site


@pytest.fixture(scope="session")
def _kit_fleet() -> Iterator[Any]:
    with running_fleet(specs_for(small_site())) as fleet:
        yield fleet


@pytest.fixture
def fleet(_kit_fleet: Any) -> Iterator[Any]:
    _kit_fleet.reset_all()
    yield _kit_fleet
    _kit_fleet.clear_faults()


@pytest.fixture
def site(fleet: Any) -> Site:
    return aimed(small_site(), fleet)


@pytest.fixture(autouse=True)
def _workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


# -- the flagship site (inventories/construction-site), as an operator loads it -------------------
CONSTRUCTION_SITE = Path(__file__).parents[2] / "inventories" / "construction-site"


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Site:
    secrets = tmp_path_factory.mktemp("secrets") / "secrets.yml"
    ensure_secrets(CONSTRUCTION_SITE, secrets)
    return load_site([CONSTRUCTION_SITE], secrets).site


@pytest.fixture
def construction(loaded: Site) -> Iterator[tuple[Site, Any]]:
    """Its twelve cameras emulated as an installer leaves them (the admin account only)."""
    with running_fleet(specs_for_site(loaded)) as fleet:
        site = point_site_at_fleet(loaded, fleet)
        seed_adopted_presets(site)  # presets an installer saved by hand, as --emulate does
        yield site, fleet
