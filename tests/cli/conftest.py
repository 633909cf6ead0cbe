"""The construction site's secrets and its emulated fleet, served in the test's process
(latency 0), one of each per test module that asks."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from camlink_provision.emulator import Fleet

from .cli_kit import CONSTRUCTION, secrets_for
from .rollout_kit import serve


@pytest.fixture(scope="module")
def construction_secrets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return secrets_for(CONSTRUCTION, tmp_path_factory.mktemp("secrets") / "s.yml")


@pytest.fixture(scope="module")
def construction_fleet(construction_secrets: Path) -> Iterator[Fleet]:
    yield from serve(construction_secrets, latency_ms=0)
