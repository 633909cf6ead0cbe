"""Golden files: the exact bytes a view must produce, kept beside the tests for review.

Run with CAMLINK_UPDATE_GOLDEN=1 to rewrite them after an intended change, then read the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from render_plans import Golden

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture
def golden() -> Golden:
    def check(name: str, actual: str) -> None:
        path = GOLDEN / name
        if os.environ.get("CAMLINK_UPDATE_GOLDEN") == "1":
            path.write_text(actual, encoding="utf-8")
        assert actual == path.read_text(encoding="utf-8"), f"differs from {path}"

    return check
