"""A play may verify instead of converging: the links are checked through the cameras."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from camlink_provision.apply import apply_plan
from camlink_provision.apply.events import ApplyEvent, VerifyDone
from camlink_provision.apply.progress import LiveProgress
from camlink_provision.apply.recap import render_recap
from camlink_provision.apply.verifying import site_verifier
from camlink_provision.inventory.model import Site
from camlink_provision.order import PHASES
from camlink_provision.plan import make_plan
from camlink_provision.playbook import parse_playbook

CONVERGE_THEN_VERIFY = """
- name: converge
  hosts: all
- name: prove the links
  hosts: spotters
  verify: true
"""


def test_a_verify_play_checks_the_links_it_just_built(site: Site, fleet: Any) -> None:
    seen: list[ApplyEvent] = []
    result = apply_plan(site, make_plan(site),
                        playbook=parse_playbook(CONVERGE_THEN_VERIFY, "pb.yml"),
                        verifier=site_verifier(4), on_event=seen.append)
    assert not result.failed, render_recap(result)
    # One converge play runs as the plan's phases; the verify play once they all ran.
    assert [(p.name, p.outcome) for p in result.plays] == [
        (f"phase 1: {PHASES[1]}", "done"), (f"phase 2: {PHASES[2]}", "done"),
        ("prove the links", "verified")]
    verdicts = [e for e in seen if isinstance(e, VerifyDone)]
    assert len(verdicts) == 1 and verdicts[0].ok
    assert "2 of 2 link check(s) passed" in verdicts[0].summary


def test_a_failed_verify_fails_the_run(site: Site, fleet: Any) -> None:
    # Nothing converged first: the spotter has no event and no peer, so the check fails.
    only_verify = parse_playbook("- hosts: spotters\n  verify: true\n", "pb.yml")
    result = apply_plan(site, make_plan(site), playbook=only_verify,
                        verifier=site_verifier(4))
    assert result.verify_failed and result.failed
    assert result.plays[0].outcome == "verify failed"
    assert "0 of 2 link check(s) passed" in result.plays[0].note
    assert "verify failed" in render_recap(result)


def test_the_live_display_renders_a_run(site: Site, fleet: Any) -> None:
    screen = io.StringIO()
    live = LiveProgress(Console(file=screen, force_terminal=True, width=120))
    result = apply_plan(site, make_plan(site), on_event=live)
    assert not result.failed
    text = screen.getvalue()
    assert f"PLAY [phase 1: {PHASES[1]}]" in text and "ptz-a: changed" in text
