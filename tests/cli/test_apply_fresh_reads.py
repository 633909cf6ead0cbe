"""No second read of a camera whose state the run already holds fresh (issue 15): with
``--yes`` nobody reviews between plan and apply, so each step's snapshot is the plan's own
read (later steps: the previous step's read-back); a saved plan's snapshots are the reads
of its stale check. After a person confirmed at the prompt, each step reads again what it
touches (test_apply_reviewed_reads.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from camlink_provision.emulator import Fleet
from camlink_provision.firmware import profile
from camlink_provision.journal import read_journal

from .cli_kit import CONSTRUCTION, run
from .rollout_kit import Site, fresh

ADMIN_GETPARAM = profile.GETPARAM


@pytest.fixture
def site(construction_fleet: Fleet, construction_secrets: Path, tmp_path: Path) -> Site:
    fresh(construction_fleet, construction_secrets)
    return Site(construction_fleet, tmp_path, construction_secrets)


def _records(root: Path) -> list[dict[str, Any]]:
    (path,) = sorted((root / ".camlink" / "journal").glob("*/*.jsonl"))
    return read_journal(path)


def _reads(records: list[dict[str, Any]], purpose: str) -> int:
    return sum(1 for r in records if r["record"] == "request_done" and r["purpose"] == purpose)


def test_apply_yes_takes_its_snapshots_from_the_plan_and_still_converges(site: Site) -> None:
    before = site.states()
    done = site.start()
    _, err = done.communicate(timeout=300)
    assert done.returncode == 0, err
    records = _records(site.root)
    steps = sum(1 for r in records if r["record"] == "step_writing")
    assert steps == len(site.names)  # factory-fresh: one step a camera
    assert _reads(records, "snapshot") == 0
    assert _reads(records, "read back") == steps  # each step still proves what it wrote
    assert site.states() != before
    # Each camera read twice in all: by the plan, and by its step's read-back.
    reads = {n: sum(1 for e in site.fleet.request_log(n)
                    if e.path == ADMIN_GETPARAM and e.status == 200) for n in site.names}
    assert set(reads.values()) == {2}, reads
    again = run("plan", "-i", str(CONSTRUCTION), "-i", str(site.overlay), "--secrets",
                str(site.secrets), "--detailed-exitcode", cwd=site.root)
    assert again.returncode == 0, again.stdout  # converged: nothing left to change


def test_a_saved_plan_takes_its_snapshots_from_its_stale_check(site: Site) -> None:
    common = ["-i", str(CONSTRUCTION), "-i", str(site.overlay), "--secrets",
              str(site.secrets)]
    planned = run("plan", *common, "--out", "p.json", cwd=site.root)
    assert planned.returncode == 0, planned.stderr
    for name in site.names:
        site.fleet.clear_log(name)
    done = run("apply", *common, "p.json", cwd=site.root)
    assert done.returncode == 0, done.stdout + done.stderr
    records = _records(site.root)
    steps = sum(1 for r in records if r["record"] == "step_writing")
    assert steps == len(site.names) and _reads(records, "snapshot") == 0
    assert _reads(records, "read back") == steps
    # Each camera read twice by the apply: by the stale check, and by its read-back.
    reads = {n: sum(1 for e in site.fleet.request_log(n)
                    if e.path == ADMIN_GETPARAM and e.status == 200) for n in site.names}
    assert set(reads.values()) == {2}, reads
