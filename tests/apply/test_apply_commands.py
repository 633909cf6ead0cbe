"""Pure parts of apply: how commands merge into requests, and what a restore puts back."""

from __future__ import annotations

import pytest

from camlink_provision.apply.restore import restore_ops, secret_resets
from camlink_provision.firmware import commands
from camlink_provision.firmware.commands import (
    AddPreset,
    Command,
    DeletePreset,
    DeleteRule,
    Move,
    PutRules,
    Scope,
    SetParams,
    merge_commands,
)
from camlink_provision.model import Change, Observed
from camlink_provision.order import requests_of


def _change(name: str, *ops: Command, kind: str = "event") -> Change:
    return Change(camera="cam", kind=kind, name=name, action="create",  # type: ignore[arg-type]
                  slot=None, attributes=(), ops=ops)


def test_setparams_merge_across_rule_writes_but_never_across_preset_requests() -> None:
    changes = [
        _change("e1", SetParams({"a": "1"})),
        _change("r1", PutRules({"r1": {}}), kind="tracking_rule"),
        _change("e2", SetParams({"b": "2"}, {"b": "ptz"})),
        _change("p1", Move(1, 2, 3), AddPreset("p1", 0), kind="preset"),
        _change("r2", PutRules({"r2": {}}), kind="tracking_rule"),
        _change("e3", SetParams({"c": "3"})),
    ]
    requests = requests_of(changes)
    assert [r.command.call for r in requests] == ["setparam", "put_rules", "move",
                                                  "add_preset", "setparam"]
    first = requests[0].command
    assert isinstance(first, SetParams)
    assert first.args == {"a": "1", "b": "2"}
    assert first.secret_args == {"b": "ptz"}
    assert requests[1].command.args["rules"] == {"r1": {}, "r2": {}}
    assert requests[1].changes == ("cam/tracking_rule/r1", "cam/tracking_rule/r2")


def test_a_rule_put_waits_for_the_deletion_of_the_same_rule() -> None:
    changes = [_change("a", PutRules({"x": {}})),
               _change("b", DeleteRule("y")),
               _change("c", PutRules({"y": {"v": 2}}))]
    assert [r.command.call for r in requests_of(changes)] == ["put_rules", "delete_rule",
                                                             "put_rules"]


def test_a_preset_deletion_stays_before_the_save_into_its_slot() -> None:
    changes = [_change("old", DeletePreset("old"), kind="preset"),
               _change("new", Move(1, 2, 3), AddPreset("new", 1), kind="preset")]
    assert [r.command for r in requests_of(changes)] == [DeletePreset("old"), Move(1, 2, 3),
                                                         AddPreset("new", 1)]


def test_merge_commands_folds_setparams_and_rule_puts_but_keeps_preset_requests_apart(
        ) -> None:
    ops: list[Command] = [
        Move(1, 2, 3), AddPreset("a", 0),
        PutRules({"r1": {"RuleName": "r1"}}), PutRules({"r2": {"RuleName": "r2"}}),
        SetParams({"x_i0_name": "", "x_i0_enable": "0"}),
        SetParams({"x_i0_name": "new", "pw": "(sensitive)"}, {"pw": "ptz1"}),
        DeleteRule("r3")]
    merged = merge_commands(ops)
    assert [op.call for op in merged] == ["move", "add_preset", "put_rules", "setparam",
                                          "delete_rule"]
    assert list(merged[2].args["rules"]) == ["r1", "r2"]
    assert merged[3].args == {"x_i0_name": "new", "x_i0_enable": "0", "pw": "(sensitive)"}
    assert merged[3] == SetParams({"x_i0_name": "new", "x_i0_enable": "0",
                                   "pw": "(sensitive)"}, {"pw": "ptz1"})


@pytest.mark.parametrize("command", [
    SetParams({"a": "1", "pw": "(sensitive)"}, {"pw": "ptz"}), Move(1, -2, 3),
    AddPreset("gate", 4), AddPreset("any", None), DeletePreset("gate"),
    PutRules({"r": {"RuleName": "r", "Field": [[0, 0]]}}), DeleteRule("r")])
def test_every_command_round_trips_through_the_plan_file(command: Command) -> None:
    assert commands.from_json(command.to_json()) == command


def test_a_command_this_version_does_not_know_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown command 'reboot'"):
        commands.from_json({"call": "reboot", "args": {}})


def test_only_setting_commands_count_as_writes() -> None:
    assert [c.writes for c in (SetParams({}), Move(0, 0, 0), AddPreset("a"),
                               DeletePreset("a"), PutRules({}), DeleteRule("a"))] == [
        True, False, True, True, True, True]


def test_the_scope_of_commands_is_what_a_restore_looks_at() -> None:
    scope = Scope.of([SetParams({"x": "1", "pw": "(sensitive)"}, {"pw": "ptz-a"}),
                      Move(1, 2, 3), AddPreset("new", 1), DeletePreset("old"),
                      PutRules({"r1": {}}), DeleteRule("r2")])
    assert scope == Scope(params=frozenset({"x"}), secret_params={"pw": "ptz-a"},
                          presets=frozenset({"new", "old"}), rules=frozenset({"r1", "r2"}),
                          moved=True)


def _obs(params: dict[str, str], rules: dict[str, dict[str, int]] | None = None) -> Observed:
    return Observed("cam", params, rules if rules is not None else {})


P = "camctrl_c0_preset_i"


def test_restore_puts_back_params_presets_and_rules_that_differ() -> None:
    snapshot = _obs({"x": "1", "y": "2", f"{P}0_name": "old", f"{P}0_pan": "10",
                     f"{P}0_tilt": "20", f"{P}0_zoom": "1", f"{P}1_name": ""},
                    {"keep": {"v": 1}, "changed": {"v": 1}})
    current = _obs({"x": "9", "y": "2", f"{P}0_name": "", f"{P}0_pan": "0", f"{P}0_tilt": "0",
                    f"{P}0_zoom": "0", f"{P}1_name": "new", f"{P}1_pan": "5"},
                   {"keep": {"v": 1}, "changed": {"v": 2}, "added": {"v": 3}})
    touched = Scope(params=frozenset({"x", "y"}), presets=frozenset({"old", "new"}),
                    rules=frozenset({"changed", "added"}))
    assert restore_ops(snapshot, current, touched) == [
        DeletePreset("new"), Move(10, 20, 1), AddPreset("old", 0), DeleteRule("added"),
        PutRules({"changed": {"v": 1}}), SetParams({"x": "1"})]
    assert restore_ops(snapshot, snapshot, touched) == []


def test_peer_passwords_reset_only_where_the_slot_was_free() -> None:
    snapshot = _obs({"cameralink_i0_name": "", "cameralink_i0_ipaddress": "",
                     "cameralink_i1_name": "ptz-b", "cameralink_i1_ipaddress": "192.0.2.2"})
    touched = Scope(secret_params={"cameralink_i0_passwd": "ptz-a",
                                   "cameralink_i1_passwd": "ptz-b"})
    resets, lost = secret_resets(snapshot, touched)
    assert resets == {"cameralink_i0_passwd": ""}
    assert lost == ["ptz-b"]
