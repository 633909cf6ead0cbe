"""Transient faults converge in one apply: a write that fails on the way (no reply, 5xx) is
checked by a read and sent again only if it did not land. (A refusal, the firmware's own
"no", is not transient and is never repeated: see the fault matrix.)"""

from __future__ import annotations

from typing import Any

import pytest
from apply_kit import writes

from camlink_provision.apply import apply_plan
from camlink_provision.apply.recap import render_recap
from camlink_provision.emulator import Fault
from camlink_provision.inventory.model import Site
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook


@pytest.mark.parametrize("run", range(4))
def test_a_third_of_requests_failing_503_still_converges_in_one_apply(
        site: Site, fleet: Any, run: int) -> None:
    for name in site.cameras:
        fleet.set_fault(name, Fault(status=503, rate=0.3))
    plan = make_plan(site)
    assert not plan.failed, [c.error for c in plan.failed]
    result = apply_plan(site, plan, playbook=load_playbook(), restore_pauses=(0.05,))
    assert not result.failed, render_recap(result)
    fleet.clear_faults()
    assert make_plan(site).changes == []


def test_a_preset_saved_whose_reply_was_lost_is_not_saved_twice(site: Site,
                                                                fleet: Any) -> None:
    # The camera stores the preset, then the connection drops before the reply: saving it
    # again would be refused (the name is in use). The read shows it landed: go on.
    fleet.set_fault("ptz-b", Fault(match="preset.cgi", lost_reply=True, count=1))
    result = apply_plan(site, make_plan(site), playbook=load_playbook())
    assert not result.failed, render_recap(result)
    saves = [e for e in fleet.request_log("ptz-b") if e.path.endswith("preset.cgi")]
    assert [(e.status, e.write, e.fault) for e in saves] == [(0, True, "lost_reply")]
    assert len(writes(fleet, "ptz-b")) == 1


def test_a_setparam_whose_reply_was_lost_is_checked_and_not_sent_again(
        site: Site, fleet: Any) -> None:
    fleet.set_fault("spot", Fault(match="setparam.cgi", lost_reply=True, count=1))
    result = apply_plan(site, make_plan(site), playbook=load_playbook())
    assert not result.failed, render_recap(result)
    setparams = [e for e in fleet.request_log("spot") if e.path.endswith("setparam.cgi")]
    assert len(setparams) == 1


def test_a_500_to_a_save_is_checked_and_the_save_sent_again(site: Site,
                                                            fleet: Any) -> None:
    fleet.set_fault("ptz-b", Fault(match="preset.cgi", status=500, count=1))
    result = apply_plan(site, make_plan(site), playbook=load_playbook())
    assert not result.failed, render_recap(result)
    saves = [e.status for e in fleet.request_log("ptz-b") if e.path.endswith("preset.cgi")]
    assert saves == [500, 200]
