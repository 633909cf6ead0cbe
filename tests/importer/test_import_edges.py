"""What import does with what an inventory cannot say exactly: a peer that is no camera of
the inventory, cameras outside --limit, an enabled event without a name, a trigger the
inventory has no word for, a peer named otherwise than its PTZ. Each is a warning that
names the camera and what plan will do, and the files still validate."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from verify.linkkit import ADMIN_PASSWORD, LINK_PASSWORD, action, client, event_params

from camlink_provision.emulator import Fleet
from camlink_provision.firmware import profile
from camlink_provision.importer import Imported, ImportFailed, import_site, load_source, write_out
from camlink_provision.inventory import load_site
from camlink_provision.inventory.model import Secret
from camlink_provision.plan import make_plan
from importer.sourcekit import bare_source, handmade_secrets, secrets_file


def run_import(tmp_path: Path, fleet: Fleet, names: list[str] | None = None
               ) -> tuple[Imported, Path, Path]:
    source = load_source([bare_source(tmp_path / "source", fleet)],
                         handmade_secrets(tmp_path / "secrets.yml"))
    imported = import_site(source, names or list(source.site.cameras), concurrency=4)
    out = tmp_path / "imported"
    write_out(imported.files, out)
    secrets_file(tmp_path / "secrets.yml", {"site_admin_password": ADMIN_PASSWORD,
                                            **dict.fromkeys(imported.files.new_secrets,
                                                            LINK_PASSWORD)})
    return imported, out, tmp_path / "secrets.yml"


def stranger_peer(fleet: Fleet) -> None:
    """spot2's motion event also commands a camera at 192.0.2.99, which no inventory lists."""
    with client(fleet, "spot2") as spot2:
        spot2.setparam({profile.peer_param(1, "enable"): "1",
                        profile.peer_param(1, "name"): "stranger",
                        profile.peer_param(1, "ipaddress"): "192.0.2.99",
                        profile.peer_param(1, "username"): "camlink",
                        profile.peer_param(1, "passwd"): Secret("whatever-Pw-1")})
        spot2.setparam(event_params(0, {"name": "yard-motion", "trigger": "motion",
                                        "mdwin": "1", **action(1, preset="far")}))


def test_a_peer_no_camera_of_the_inventory_has_is_a_placeholder(tmp_path: Path,
                                                                 handmade: Fleet) -> None:
    stranger_peer(handmade)
    imported, out, secrets = run_import(tmp_path, handmade)
    assert any("commands 192.0.2.99:80, but no camera in the inventory has that address" in w
               for w in imported.warnings)
    text = (out / "links.yml").read_text()
    assert "#     - {ptz: TODO-camera-at-192.0.2.99, preset: far}" in text
    links = yaml.safe_load(text)["links"]
    assert [t["ptz"] for t in links[-1]["targets"]] == ["ptz1"]  # the known target stays
    load_site([out], secrets)  # still a valid inventory


def test_cameras_outside_limit_are_placeholders_too(tmp_path: Path, handmade: Fleet) -> None:
    imported, out, secrets = run_import(tmp_path, handmade, ["spot2"])
    assert any("ptz1 was not imported (outside --limit)" in w for w in imported.warnings)
    assert list(imported.adoption.site.cameras) == ["spot2"]
    text = (out / "links.yml").read_text()
    assert "# - name: yard-motion" in text  # no target left: the whole link is a comment
    assert yaml.safe_load(text)["links"] == []
    load_site([out], secrets)


def test_what_the_inventory_cannot_say_is_warned_and_left_alone(tmp_path: Path,
                                                                handmade: Fleet) -> None:
    with client(handmade, "spot1") as spot1:
        spot1.setparam({profile.event_param(5, "enable"): "1"})  # enabled, no name
        spot1.setparam({profile.event_param(6, "name"): "tamper",
                        profile.event_param(6, "trigger"): "tampering"})
        spot1.setparam({profile.peer_param(0, "name"): "Gate PTZ 192.168.51.27"})
    imported, out, secrets = run_import(tmp_path, handmade)
    warned = "\n".join(imported.warnings)
    assert "spot1: event slot 5 is enabled but has no name; left unmanaged" in warned
    assert "event 'tamper' (event slot 6): trigger 'tampering' cannot be written" in warned
    assert "plan will rename it 'ptz1'" in warned
    site = load_site([out], secrets).site
    changes = [(c.camera, c.kind, c.name, c.action) for c in make_plan(site).changes]
    # Only the peer's name changes; the two events are left alone (unmanaged).
    assert changes == [("spot1", "peer", "ptz1", "update")]


def test_unreadable_camera_writes_nothing(tmp_path: Path, handmade: Fleet) -> None:
    from camlink_provision.emulator import Fault
    handmade.set_fault("ptz2", Fault(down=True))
    source = load_source([bare_source(tmp_path / "source", handmade)],
                         handmade_secrets(tmp_path / "secrets.yml"))
    with pytest.raises(ImportFailed, match=r"1 camera\(s\) could not be read, nothing written"):
        import_site(source, list(source.site.cameras), concurrency=4)


def test_accounts_are_imported_by_name_and_privilege_with_new_secret_references(
        tmp_path: Path, handmade: Fleet) -> None:
    """A recorder's viewer account on ptz1 and a guard's operator account on spot1 become
    ``accounts:``; passwords cannot be read, so each gets a new secret() to fill in. Root,
    the admin account and the link account are not among them."""
    with client(handmade, "ptz1") as ptz1:
        ptz1.edit_account("add", "recorder", password=Secret("Rec-pass-77"),
                          privilege="viewer")
    with client(handmade, "spot1") as spot1:
        spot1.edit_account("add", "guard", password=Secret("Guard-pass-88"),
                           privilege="operator")
    imported, out, secrets = run_import(tmp_path, handmade)
    ptz1 = yaml.safe_load((out / "host_vars" / "ptz1.yml").read_text())
    assert ptz1["accounts"] == [{"name": "recorder",
                                 "password": "{{ secret('ptz1_recorder_password') }}"}]
    spot1 = yaml.safe_load((out / "host_vars" / "spot1.yml").read_text())
    assert spot1["accounts"] == [{"name": "guard", "privilege": "operator",
                                  "password": "{{ secret('spot1_guard_password') }}"}]
    assert {"ptz1_recorder_password", "spot1_guard_password"} <= set(
        imported.files.new_secrets)
    assert "Rec-pass-77" not in str(imported.files.texts)
    # With the real passwords filled in, the imported inventory plans no account change.
    secrets_file(secrets, {"site_admin_password": ADMIN_PASSWORD,
                           **dict.fromkeys(imported.files.new_secrets, LINK_PASSWORD),
                           "ptz1_recorder_password": "Rec-pass-77",
                           "spot1_guard_password": "Guard-pass-88"})
    site = load_site([out], secrets).site
    plan = make_plan(site, concurrency=4)
    assert [c.key for c in plan.changes if c.kind == "account"] == []
