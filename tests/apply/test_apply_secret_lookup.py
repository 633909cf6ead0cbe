"""Peer passwords are looked up in the Site when a setparam is sent, never kept in a plan."""

from __future__ import annotations

import pytest
from apply_kit import small_site

from camlink_provision.errors import CameraCommandError
from camlink_provision.firmware.commands import SetParams
from camlink_provision.inventory.model import Secret

PASSWD = "cameralink_i0_passwd"


def test_the_password_comes_from_the_ptz_named_in_secret_args() -> None:
    site = small_site()
    ptz = next(c for c in site.cameras.values() if c.role == "ptz")
    op = SetParams({"cameralink_i0_username": "camlink", PASSWD: "(sensitive)"},
                   {PASSWD: ptz.name})
    values = op.wire_values(site, "spot")
    assert values[PASSWD] == ptz.peer_credentials.password
    assert isinstance(values[PASSWD], Secret)
    assert values["cameralink_i0_username"] == "camlink"


def test_a_ptz_gone_from_the_inventory_is_an_error_of_the_camera_being_written() -> None:
    op = SetParams({PASSWD: "(sensitive)"}, {PASSWD: "ptz-gone"})
    with pytest.raises(CameraCommandError) as caught:
        op.wire_values(small_site(), "spot")
    assert caught.value.camera == "spot"
    assert "link password of 'ptz-gone'" in str(caught.value)
