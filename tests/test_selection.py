from __future__ import annotations

import pytest

from camlink_provision.errors import InventoryError
from camlink_provision.inventory.model import Camera, Connection, Credentials, Secret, Site
from camlink_provision.selection import select


def _site() -> Site:
    creds = Credentials("admin", Secret("x"))
    names = ["gate-spotter", "yard-spotter", "ptz-north", "ptz-yard"]
    cameras = {n: Camera(name=n, role="ptz" if n.startswith("ptz") else "spotter",
                         address="127.0.0.1", model="SD9384-EHL",
                         connection=Connection("127.0.0.1"), credentials=creds)
               for n in names}
    groups = {"all": tuple(names), "spotters": ("gate-spotter", "yard-spotter"),
              "ptz": ("ptz-north", "ptz-yard"), "yard": ("yard-spotter", "ptz-yard")}
    return Site(name="s", cameras=cameras, groups=groups)


@pytest.mark.parametrize(("pattern", "expected"), [
    (None, ["gate-spotter", "yard-spotter", "ptz-north", "ptz-yard"]),
    ("spotters", ["gate-spotter", "yard-spotter"]),
    ("ptz-*", ["ptz-north", "ptz-yard"]),
    ("gate-spotter,ptz-north", ["gate-spotter", "ptz-north"]),
    ("all:!yard", ["gate-spotter", "ptz-north"]),
    ("!yard", ["gate-spotter", "ptz-north"]),
    ("ptz:&yard", ["ptz-yard"]),
    ("yard-*", ["yard-spotter"]),
])
def test_patterns_select_in_inventory_order(pattern: str | None, expected: list[str]) -> None:
    assert select(_site(), pattern) == expected


def test_unknown_term_is_an_error_naming_it() -> None:
    with pytest.raises(InventoryError, match="'nope' matches no camera or group"):
        select(_site(), "spotters,nope")
