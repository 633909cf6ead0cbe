"""No password in the journal, the progress lines, the plan or the recap — even on failure."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

from apply_kit import LINK_USER, all_passwords

from camlink_provision.apply import apply_plan
from camlink_provision.apply.events import fan_out
from camlink_provision.apply.journaling import journal_sink
from camlink_provision.apply.progress import PlainProgress
from camlink_provision.apply.recap import render_recap
from camlink_provision.camera import CameraClient
from camlink_provision.emulator import Fault
from camlink_provision.inventory.model import Credentials, Secret, Site
from camlink_provision.journal import Journal, read_journal
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook
from camlink_provision.render import render_plan


def _run(site: Site, journal_dir: Path) -> tuple[str, Path, Any]:
    out = io.StringIO()
    with Journal.open_for(site.name, journal_dir) as journal:
        plan = make_plan(site)
        out.write(render_plan(plan, "text"))
        result = apply_plan(site, plan, playbook=load_playbook(),
                            on_event=fan_out(PlainProgress(out), journal_sink(journal)),
                            restore_pauses=(0.2,))
        out.write(render_recap(result))
        return out.getvalue(), journal.path, result


def test_no_secret_in_any_output_of_a_run_with_a_failure(site: Site, fleet: Any,
                                                         tmp_path: Path) -> None:
    # Each try of the spotter's write stores three pairs, then the reply is lost: it never
    # lands, however often it is checked and sent again, and a restore follows.
    fleet.set_fault("spot", Fault(match="setparam.cgi", partial_write=3))
    output, journal_path, result = _run(site, tmp_path)
    assert result.camera("spot").status == "failed"
    journal_text = journal_path.read_text()
    for password in all_passwords(site):
        assert password not in output
        assert password not in journal_text
    records = [r["record"] for r in read_journal(journal_path)]
    assert {"request_done", "camera_restoring", "change_applied", "run_finished"} \
        <= set(records)
    sent = [r for r in read_journal(journal_path) if r["record"] == "request_done"
            and r["call"] == "setparam" and r["purpose"] == "apply"]
    assert sent and "cameralink_i0_passwd" in sent[0]["names"]


def test_a_peer_password_that_cannot_be_restored_is_said_so(site: Site, fleet: Any,
                                                            tmp_path: Path) -> None:
    assert not apply_plan(site, make_plan(site), playbook=load_playbook()).failed
    # The inventory now gives ptz-a's link another account: the plan creates it on ptz-a
    # and updates the spotter's peer (user and password); the write lands but the spotter's
    # read-back (its link test) fails, so the spotter is restored: all but the pair of name
    # and password, which cannot be put back whole and so stays on the new, working account.
    ptz_a = site.cameras["ptz-a"]
    rotated = replace(ptz_a, link_credentials=Credentials(LINK_USER + "2",
                                                          Secret("R0tated-9xq")))
    new_site = replace(site, cameras={**site.cameras, "ptz-a": rotated})
    # (the plan's own read tests the one peer that matches already, ptz-b's: let it pass)
    fleet.set_fault("spot", Fault(match="cameralink_test", status=500, skip=1))
    output, journal_path, result = _run(new_site, tmp_path)
    spot = result.camera("spot")
    assert spot.status == "failed"
    assert "link password for ptz-a" in spot.reason and "cannot be read back" in spot.reason
    assert f"keeps calling with account '{LINK_USER}2'" in spot.reason
    fleet.clear_faults()
    with CameraClient("spot", site.cameras["spot"].connection,
                      site.cameras["spot"].credentials) as client:
        assert client.link_test(0) == "ok"  # the link works: both halves are the new ones
    assert "R0tated-9xq" not in output and "R0tated-9xq" not in journal_path.read_text()
