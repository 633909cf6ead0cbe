"""Accounts (contract section 8), over raw HTTP: listed in ``security_user_*``, passwords
never readable, ``editaccount.cgi`` adds, edits and deletes them, and every change holds for
the very next request, at every level and for a spotter calling its peer."""

from __future__ import annotations

from urllib.parse import urlencode

from emu_support import ACCOUNTS, ADMIN, OPERATOR, PTZ_ADDRESS, VIEWER, Cam

from camlink_provision.emulator import Fleet
from camlink_provision.firmware import profile as fw

EDIT = fw.EDITACCOUNT
GET = "/cgi-bin/admin/getparam.cgi?security_user"
VIEWER_GET = "/cgi-bin/viewer/getparam.cgi?system_info_modelname"
INVALID = b"ERROR: Invalid command!\n"


def edit(cam: Cam, auth: tuple[str, str] = ADMIN, **form: str) -> bytes:
    reply = cam.post(EDIT, urlencode(form).encode(), auth=auth)
    assert reply.status == 200, reply.status
    return reply.body


def listed(cam: Cam) -> dict[str, str]:
    """Account name -> privilege, as getparam lists them: of the passwords only root's
    (slot 0, 6/6 [real]), never another (7/6)."""
    body = cam.get(GET).body.decode()
    passes = [line.split("=", 1)[0] for line in body.split("\r\n") if "_pass=" in line]
    assert passes == [fw.account_param(0, fw.ACCOUNT_PASSWORD)]
    pairs = dict(line.split("=", 1) for line in body.split("\r\n") if line)
    out = {}
    for slot in range(fw.NACCOUNT):
        name = pairs[fw.account_param(slot, fw.ACCOUNT_NAME)].strip("'")
        if name:
            out[name] = pairs[fw.account_param(slot, fw.ACCOUNT_PRIVILEGE)].strip("'")
    return out


def test_the_accounts_are_listed_with_their_privileges(cams: dict[str, Cam]) -> None:
    assert listed(cams["ptz1"]) == {a.username: a.privilege for a in ACCOUNTS}
    assert cams["ptz1"].get(GET, auth=OPERATOR).status == 401  # admin only (6/7)


def test_an_added_account_logs_in_at_once_and_a_deleted_one_no_more(
        cams: dict[str, Cam]) -> None:
    cam, link = cams["ptz1"], ("camlink", "L1nk-pass")
    assert cam.get(VIEWER_GET, auth=link).status == 401
    assert edit(cam, method="add", username=link[0], userpass=link[1],
                privilege="operator") == b""
    assert listed(cam)["camlink"] == "operator"
    assert cam.get(VIEWER_GET, auth=link).status == 200
    assert cam.get("/cgi-bin/operator/preset.cgi?addpos=x", auth=link).status == 200
    assert edit(cam, method="delete", username="camlink") == b""
    assert "camlink" not in listed(cam)
    assert cam.get(VIEWER_GET, auth=link).status == 401


def test_an_edit_changes_password_or_privilege_and_keeps_the_other(
        cams: dict[str, Cam]) -> None:
    cam = cams["spot1"]  # Digest
    assert edit(cam, method="edit", username=VIEWER[0], userpass="n3w-pass") == b""
    assert cam.get(VIEWER_GET, auth=VIEWER).status == 401
    assert cam.get(VIEWER_GET, auth=(VIEWER[0], "n3w-pass")).status == 200
    assert listed(cam)[VIEWER[0]] == "viewer"
    assert edit(cam, method="edit", username=VIEWER[0], privilege="admin") == b""
    assert listed(cam)[VIEWER[0]] == "admin"
    assert cam.get(GET, auth=(VIEWER[0], "n3w-pass")).status == 200  # admin now


def test_what_it_cannot_do_is_refused_and_changes_nothing(cams: dict[str, Cam]) -> None:
    cam = cams["ptz1"]
    before = listed(cam)
    assert edit(cam, method="add", username=OPERATOR[0], userpass="x") == INVALID  # exists
    assert edit(cam, method="edit", username="nobody", userpass="x") == INVALID
    assert edit(cam, method="delete", username="nobody") == INVALID
    assert edit(cam, method="add", username="x", privilege="root") == INVALID
    assert edit(cam, method="delete", username=ADMIN[0]) == INVALID  # slot 0: root's
    assert edit(cam, method="rename", username=VIEWER[0]) == INVALID
    assert edit(cam, method="add", username="q'uote", userpass="x") == INVALID
    assert listed(cam) == before
    assert cam.post(EDIT, urlencode({"method": "delete", "username": VIEWER[0]}).encode(),
                    auth=OPERATOR).status == 401  # admin only


def test_a_spotter_whose_stored_peer_password_is_now_wrong_is_refused(
        cams: dict[str, Cam], fleet: Fleet) -> None:
    spot, ptz = cams["spot1"], cams["ptz1"]
    values = {fw.peer_param(0, k): v for k, v in {
        "enable": "1", "name": "ptz1", "ipaddress": PTZ_ADDRESS, "port": "80",
        "username": OPERATOR[0], "passwd": OPERATOR[1]}.items()}
    assert spot.post("/cgi-bin/admin/setparam.cgi", urlencode(values).encode()).status == 200
    test = "/cgi-bin/admin/cameralink_test.cgi?index=0"
    assert spot.post(test, b"").body == b"result='ok'\r\n"
    edit(ptz, method="edit", username=OPERATOR[0], userpass="changed-on-the-ptz")
    assert spot.post(test, b"").body == b"result='unauthorized'\r\n"


def test_accounts_are_kept_with_the_settings_and_a_factory_reset_restores_them(
        cams: dict[str, Cam], fleet: Fleet) -> None:
    cam = cams["ptz2"]
    edit(cam, method="add", username="guard", userpass="g-pass", privilege="viewer")
    saved = fleet.camera("ptz2").settings()
    assert any(v == "guard" for v in saved["params"].values())
    fleet.reset("ptz2")
    assert "guard" not in listed(cam)
    assert listed(cam) == {a.username: a.privilege for a in ACCOUNTS}
