"""FLEET.yml: the documented example loads; every mistake is reported with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from camlink_provision.emulator import AccountSpec, CameraSpec, load_fleet_file
from camlink_provision.errors import InventoryError

EXAMPLE = Path(__file__).parents[2] / "examples" / "fleet.yml"


def test_the_example_fleet_loads_in_file_order() -> None:
    specs = load_fleet_file(EXAMPLE)
    assert [s.name for s in specs] == ["gate-spotter", "gate-ptz", "yard-ptz", "old-bullet"]
    assert specs[0] == CameraSpec("gate-spotter", "IB9389-EHT-v2", "2.2103.34.01d",
                                  "192.168.51.21", 80, "digest",
                                  (AccountSpec("admin", "admin-pass", "admin"),))
    assert (specs[2].address, specs[2].site_port, specs[2].auth) == \
        ("192.168.51.32", 8080, "basic")
    assert specs[1].accounts[1] == AccountSpec("camlink", "link-pass", "operator")
    assert specs[3].address == ""


def _error(tmp_path: Path, text: str) -> InventoryError:
    path = tmp_path / "fleet.yml"
    path.write_text(text)
    with pytest.raises(InventoryError) as caught:
        load_fleet_file(path)
    return caught.value


CAMERA = "cameras:\n  - name: a\n    model: FD9369\n"


@pytest.mark.parametrize(("text", "line", "message"), [
    ("cameras: [\n", 2, "not valid YAML"),
    ("", 0, "empty"),
    ("cams: []\n", 1, "unknown key 'cams'"),
    ("cameras: []\n", 1, "non-empty list"),
    ("cameras:\n  - name: a\n", 2, "missing 'model'"),
    ("cameras:\n  - name: a\n    model: XX1000\n", 2, "unknown model 'XX1000'"),
    (CAMERA + "    colour: red\n", 4, "unknown key 'colour'"),
    (CAMERA + "    firmware: latest\n", 2, "firmware 'latest'"),
    (CAMERA + "    auth: ntlm\n", 2, "basic or digest"),
    (CAMERA + "    address: 10.0.0.1:http\n", 4, "bad port"),
    (CAMERA + "    accounts:\n      - {username: u, password: p, privilege: root}\n", 5,
     "privilege"),
    (CAMERA + "    accounts:\n      - {username: u}\n", 5, "missing 'password'"),
    (CAMERA + "  - name: a\n    model: FD9369\n", 4, "listed twice"),
    (CAMERA + "    address: 10.0.0.1\n  - name: b\n    model: FD9369\n    address: 10.0.0.1:80\n",
     5, "used twice"),
    ("cameras:\n  - name: bad/name\n    model: FD9369\n", 2, "name"),
])
def test_mistakes_point_at_their_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    error = _error(tmp_path, text)
    assert message in str(error)
    assert error.location is not None and error.location.file.endswith("fleet.yml")
    assert error.location.line == line


def test_an_error_never_quotes_a_password(tmp_path: Path) -> None:
    error = _error(tmp_path, CAMERA + "    accounts:\n"
                   "      - {username: u, password: Sekr1t, privilege: root}\n")
    assert "Sekr1t" not in str(error)


def test_a_missing_file_is_an_inventory_error(tmp_path: Path) -> None:
    with pytest.raises(InventoryError, match="cannot read"):
        load_fleet_file(tmp_path / "absent.yml")
