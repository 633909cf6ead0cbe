"""Rotating the admin password this tool logs in with (issue 13): the inventory gives the
new ``password`` and, while cameras still hold it, the ``previous_password``. The tool logs
in with whichever the camera takes, plans an edit of its own account where the camera still
holds the previous one, and confirms each edit by logging in with the new password: no
camera ever locks it out, and no password is ever shown."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

from apply_kit import ADMIN, admin_password

from camlink_provision.apply import apply_plan
from camlink_provision.apply.events import fan_out
from camlink_provision.apply.journaling import journal_sink
from camlink_provision.apply.progress import PlainProgress
from camlink_provision.camera import CameraClient
from camlink_provision.emulator import Fault
from camlink_provision.inventory.model import Credentials, Secret, Site
from camlink_provision.journal import Journal
from camlink_provision.plan import make_plan
from camlink_provision.render import render_plan

NEW = "N3w-admin-pass-Qz8"


def rotating(site: Site, *, keep_previous: bool = True) -> Site:
    cameras = {name: replace(cam, credentials=Credentials(
        ADMIN, Secret(NEW), previous_password=Secret(admin_password(name))
        if keep_previous else None)) for name, cam in site.cameras.items()}
    return replace(site, cameras=cameras)


def accepts(site: Site, name: str, password: str) -> bool:
    camera = site.cameras[name]
    with CameraClient(name, camera.connection, camera.credentials) as client:
        return client.login_accepted(Credentials(ADMIN, Secret(password)))


def test_the_admin_password_is_rotated_camera_by_camera_and_confirmed(
        site: Site, fleet: Any, tmp_path: Path) -> None:
    assert not apply_plan(site, make_plan(site)).failed
    new = rotating(site)
    plan = make_plan(new)
    assert not plan.failed
    assert sorted((c.camera, c.kind, c.name, c.action) for c in plan.changes) == sorted(
        (name, "account", ADMIN, "update") for name in site.cameras)
    text = render_plan(plan, "text") + render_plan(plan, "json")
    out = io.StringIO()
    with Journal.open_for(new.name, tmp_path) as journal:
        result = apply_plan(new, plan, on_event=fan_out(PlainProgress(out),
                                                        journal_sink(journal)))
        logged = journal.path.read_text()
    assert not result.failed
    for name in site.cameras:
        assert accepts(site, name, NEW) and not accepts(site, name, admin_password(name))
        assert admin_password(name) not in text + out.getvalue() + logged
    assert NEW not in text + out.getvalue() + logged
    assert make_plan(new).changes == []  # with the previous password still given
    assert make_plan(rotating(site, keep_previous=False)).changes == []  # and without it


def test_an_edit_whose_reply_is_lost_still_ends_on_the_new_password(
        site: Site, fleet: Any) -> None:
    new = rotating(site)
    fleet.set_fault("ptz-a", Fault(match="editaccount", lost_reply=True, count=1))
    result = apply_plan(new, make_plan(new), retry_pauses=(0.01,) * 5)
    assert not result.failed
    assert accepts(site, "ptz-a", NEW)
    assert make_plan(rotating(site, keep_previous=False)).changes == []


def test_without_the_previous_password_a_camera_that_holds_it_is_unauthorized(
        site: Site, fleet: Any) -> None:
    plan = make_plan(rotating(site, keep_previous=False))
    assert {cam.error_kind for cam in plan.cameras} == {"unauthorized"}
    assert all(NEW not in cam.error for cam in plan.cameras)
