"""Peer passwords are looked up in the Site when a setparam is sent, never kept in a plan."""

from __future__ import annotations

import pytest
from apply_kit import small_site

from camlink_provision.apply.writes import setparam_values
from camlink_provision.errors import CameraCommandError
from camlink_provision.inventory.model import Secret
from camlink_provision.model import Op

PASSWD = "cameralink_i0_passwd"


def test_the_password_comes_from_the_ptz_named_in_secret_args() -> None:
    site = small_site()
    ptz = next(c for c in site.cameras.values() if c.role == "ptz")
    op = Op("setparam", {"cameralink_i0_username": "camlink", PASSWD: "(sensitive)"},
            {PASSWD: ptz.name})
    values = setparam_values(op, site, "spot")
    assert values[PASSWD] == ptz.peer_credentials.password
    assert isinstance(values[PASSWD], Secret)
    assert values["cameralink_i0_username"] == "camlink"


def test_a_ptz_gone_from_the_inventory_is_an_error_of_the_camera_being_written() -> None:
    op = Op("setparam", {PASSWD: "(sensitive)"}, {PASSWD: "ptz-gone"})
    with pytest.raises(CameraCommandError) as caught:
        setparam_values(op, small_site(), "spot")
    assert caught.value.camera == "spot"
    assert "link password of 'ptz-gone'" in str(caught.value)
