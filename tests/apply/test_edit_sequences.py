"""Every edit sequence converges, and the plan a reviewer approves is exactly what runs.

The cases (``edit_sequences.yml``) start from a site and make the edits an installer makes:
replace, rename, swap and move presets and tracking rules, move and remove links, replace
events, change triggers, add and remove cameras, prune, put everything back. Each state is
planned and applied through the real rollout (the shipped playbook, real HTTP to the
emulator). After each:

- apply succeeds and every camera with changes ends fully after (the others untouched);
- planning again shows no change;
- the emulator's request log holds exactly the plan's requests: for each camera, its steps'
  requests in plan order, and no request of a phase answered before every request of the
  phases before it.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from plan.httpkit import spec_of
from resources.sitekit import build_site, with_connections

from camlink_provision.apply import apply_plan
from camlink_provision.apply.recap import render_recap
from camlink_provision.emulator import Fleet, running_fleet
from camlink_provision.emulator.spec import LogEntry
from camlink_provision.firmware import profile as fw
from camlink_provision.firmware.commands import (
    AddAccount,
    AddPreset,
    Command,
    DeleteAccount,
    DeletePreset,
    DeleteRule,
    EditAccount,
    Move,
    PutRules,
    SetParams,
)
from camlink_provision.inventory.model import Site
from camlink_provision.model import Plan
from camlink_provision.plan import make_plan
from camlink_provision.playbook import load_playbook

CASES_FILE = Path(__file__).with_name("edit_sequences.yml")
DATA: dict[str, Any] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
CASES: list[dict[str, Any]] = DATA["cases"]
Wire = tuple[str, str, tuple[str, ...]]  # method, path, parameter names: what the log holds


# -- the edit language ----------------------------------------------------------------------------
def states_of(case: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any],
                                                       list[str] | None]]:
    """(label, site dict, expected changes) for the start and after each edit."""
    base = DATA["bases"][case["base"]]
    state = copy.deepcopy(base)
    yield "start", copy.deepcopy(state), None
    for number, edit in enumerate(case["edits"], start=1):
        state = copy.deepcopy(base) if edit.get("back") else edited(state, edit)
        yield f"edit {number}", copy.deepcopy(state), edit.get("expect")


def edited(state: dict[str, Any], edit: Mapping[str, Any]) -> dict[str, Any]:
    known = {"cameras", "add_cameras", "remove_cameras", "links", "expect", "back"}
    assert set(edit) <= known, f"unknown edit keys {set(edit) - known} in {CASES_FILE.name}"
    out = copy.deepcopy(state)
    cameras = {camera["name"]: camera for camera in out["cameras"]}
    for name, keys in edit.get("cameras", {}).items():
        for key, value in keys.items():
            if value is None:
                cameras[name].pop(key, None)
            else:
                cameras[name][key] = value
    out["cameras"] = [c for c in out["cameras"] if c["name"] not in
                      set(edit.get("remove_cameras", ()))] + list(edit.get("add_cameras", ()))
    if "links" in edit:
        out["links"] = edit["links"]
    return out


# -- what the plan says will be sent --------------------------------------------------------------
def wire_of(command: Command) -> Wire:
    """The request the firmware contract says a command is, as the emulator logs it."""
    if isinstance(command, SetParams):
        return "POST", fw.SETPARAM, tuple(command.values)
    if isinstance(command, Move):
        return "POST", fw.CAMCTRL, (fw.MOVE_PAN, fw.MOVE_TILT, fw.MOVE_ZOOM)
    if isinstance(command, AddPreset):
        index = () if command.index is None else (fw.PRESET_INDEX,)
        return "POST", fw.PRESET, (fw.PRESET_ADD, *index)
    if isinstance(command, DeletePreset):
        return "POST", fw.PRESET, (fw.PRESET_DELETE,)
    if isinstance(command, PutRules):
        return "POST", fw.VCA_TRACKING, ()
    if isinstance(command, DeleteRule):
        return "DELETE", fw.VCA_TRACKING, (fw.VCA_RULE_NAME,)
    account = (fw.ACCOUNT_METHOD, fw.ACCOUNT_USERNAME)
    if isinstance(command, AddAccount):
        return "POST", fw.EDITACCOUNT, (*account, fw.ACCOUNT_USERPASS, fw.ACCOUNT_PRIVILEGE_ARG)
    if isinstance(command, EditAccount):
        fields = ((fw.ACCOUNT_USERPASS,) if command.secret else ()) + \
            ((fw.ACCOUNT_PRIVILEGE_ARG,) if command.privilege else ())
        return "POST", fw.EDITACCOUNT, (*account, *fields)
    if isinstance(command, DeleteAccount):
        return "POST", fw.EDITACCOUNT, account
    raise AssertionError(f"no wire form for {command!r}")


def planned(plan: Plan) -> dict[str, list[tuple[int, Wire]]]:
    """Camera -> (phase, request) in the order the plan's steps list them."""
    out: dict[str, list[tuple[int, Wire]]] = {}
    for step in plan.steps:
        out.setdefault(step.camera, []).extend((step.phase, wire_of(r.command))
                                               for r in step.requests)
    return out


def is_command(entry: LogEntry) -> bool:
    """A request that changes the camera (reads, and apply's link test read-back, do not; nor
    does a request refused with 401 for the Digest challenge, which the client answers)."""
    return entry.method != "GET" and entry.path != fw.LINK_TEST and entry.status != 401


def sent(fleet: Fleet, names: Sequence[str]) -> dict[str, list[LogEntry]]:
    return {name: [e for e in fleet.request_log(name) if is_command(e)] for name in names}


def check_log_is_the_plan(plan: Plan, log: Mapping[str, list[LogEntry]]) -> None:
    expected = planned(plan)
    answered: dict[int, list[int]] = {}  # phase -> when each of its requests was answered
    for name, entries in log.items():
        wanted = expected.get(name, [])
        got = [(e.method, e.path, e.params) for e in entries]
        assert got == [wire for _, wire in wanted], f"{name}: the requests sent are not the plan's"
        for (phase, _), entry in zip(wanted, entries, strict=True):
            answered.setdefault(phase, []).append(entry.seq)
    phases = sorted(answered)
    for earlier, later in itertools.pairwise(phases):
        assert max(answered[earlier]) < min(answered[later]), (
            f"a phase-{later} request was answered before phase {earlier} had ended")


def change_lines(plan: Plan) -> list[str]:
    """The plan's changes in run order, as the cases' ``expect`` writes them."""
    by_key = {change.key: change for change in plan.changes}
    out = []
    for step in plan.steps:
        for key in step.changes:
            c = by_key[key]
            slot = "" if c.slot is None else f" slot {c.slot}"
            out.append(f"{c.phase} {c.camera} {c.action} {c.kind} {c.name}{slot}")
    return out


# -- the run --------------------------------------------------------------------------------------
def every_camera() -> list[dict[str, Any]]:
    """Each camera any case names, once (the first description wins: models are shared)."""
    seen: dict[str, dict[str, Any]] = {}
    for case in CASES:
        for _, state, _ in states_of(case):
            for camera in state["cameras"]:
                seen.setdefault(camera["name"], camera)
    return list(seen.values())


@pytest.fixture(scope="module")
def fleet() -> Iterator[Fleet]:
    cameras = build_site({"cameras": every_camera()}).cameras.values()
    with running_fleet([spec_of(camera) for camera in cameras]) as running:
        yield running


def site_for(state: Mapping[str, Any], fleet: Fleet) -> Site:
    site = build_site(state)
    return with_connections(site, {name: fleet.port(name) for name in site.cameras})


def test_there_are_enough_cases_across_every_kind() -> None:
    assert len(CASES) >= 25
    assert len({case["name"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_edit_sequence(case: dict[str, Any], fleet: Fleet, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the journal and lock of each case stay apart
    fleet.reset_all()
    for label, state, expect in states_of(case):
        site = site_for(state, fleet)
        plan = make_plan(site)
        if expect is not None:
            assert change_lines(plan) == expect, f"{label}: the plan is not the expected one"
        for name in site.cameras:
            fleet.clear_log(name)
        result = apply_plan(site, plan, playbook=load_playbook())
        assert not result.failed, f"{label}:\n{render_recap(result)}"
        changed = {change.camera for change in plan.changes}
        assert {cam.camera: cam.ends_in for cam in result.cameras} == {
            name: "after" if name in changed else "before" for name in site.cameras}
        check_log_is_the_plan(plan, sent(fleet, list(site.cameras)))
        again = make_plan(site)
        assert again.changes == [], f"{label}: planning again still changes {change_lines(again)}"
        assert not again.failed
