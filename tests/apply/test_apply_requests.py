"""Pure parts of apply: how Ops merge into requests, and what a restore puts back."""

from __future__ import annotations

from camlink_provision.apply.restore import Touched, restore_ops, secret_resets
from camlink_provision.apply.writes import merge_ops, merge_requests
from camlink_provision.model import Change, Observed, Op


def _change(name: str, *ops: Op, kind: str = "event") -> Change:
    return Change(camera="cam", kind=kind, name=name, action="create",  # type: ignore[arg-type]
                  slot=None, attributes=(), ops=ops)


def test_setparams_merge_across_rule_writes_but_never_across_preset_requests() -> None:
    changes = [
        _change("e1", Op("setparam", {"a": "1"})),
        _change("r1", Op("put_rules", {"rules": {"r1": {}}}), kind="tracking_rule"),
        _change("e2", Op("setparam", {"b": "2"}, {"b": "ptz"})),
        _change("p1", Op("move", {"pan": 1, "tilt": 2, "zoom": 3}),
                Op("add_preset", {"name": "p1", "index": 0}), kind="preset"),
        _change("r2", Op("put_rules", {"rules": {"r2": {}}}), kind="tracking_rule"),
        _change("e3", Op("setparam", {"c": "3"})),
    ]
    requests = merge_requests(changes)
    assert [r.op.call for r in requests] == ["setparam", "put_rules", "move", "add_preset",
                                             "setparam"]
    assert requests[0].op.args == {"a": "1", "b": "2"}
    assert requests[0].op.secret_args == {"b": "ptz"}
    assert requests[1].op.args["rules"] == {"r1": {}, "r2": {}}
    assert requests[1].changes == ("cam/tracking_rule/r1", "cam/tracking_rule/r2")


def test_a_rule_put_waits_for_the_deletion_of_the_same_rule() -> None:
    changes = [_change("a", Op("put_rules", {"rules": {"x": {}}})),
               _change("b", Op("delete_rule", {"name": "y"})),
               _change("c", Op("put_rules", {"rules": {"y": {"v": 2}}}))]
    assert [r.op.call for r in merge_requests(changes)] == ["put_rules", "delete_rule",
                                                           "put_rules"]


def test_merge_ops_folds_setparams_and_rule_puts_but_keeps_preset_requests_apart() -> None:
    ops = [Op("move", {"pan": 1, "tilt": 2, "zoom": 3}),
           Op("add_preset", {"name": "a", "index": 0}),
           Op("put_rules", {"rules": {"r1": {"RuleName": "r1"}}}),
           Op("put_rules", {"rules": {"r2": {"RuleName": "r2"}}}),
           Op("setparam", {"x_i0_name": "", "x_i0_enable": "0"}),
           Op("setparam", {"x_i0_name": "new", "pw": "(sensitive)"}, {"pw": "ptz1"}),
           Op("delete_rule", {"name": "r3"})]
    merged = merge_ops(ops)
    assert [op.call for op in merged] == ["move", "add_preset", "put_rules", "setparam",
                                          "delete_rule"]
    assert list(merged[2].args["rules"]) == ["r1", "r2"]
    assert merged[3].args == {"x_i0_name": "new", "x_i0_enable": "0", "pw": "(sensitive)"}
    assert merged[3].secret_args == {"pw": "ptz1"}


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
    touched = Touched(params=frozenset({"x", "y"}), presets=frozenset({"old", "new"}),
                      rules=frozenset({"changed", "added"}))
    ops = restore_ops(snapshot, current, touched)
    assert [(op.call, dict(op.args)) for op in ops] == [
        ("delete_preset", {"name": "new"}),
        ("move", {"pan": 10, "tilt": 20, "zoom": 1}),
        ("add_preset", {"name": "old", "index": 0}),
        ("delete_rule", {"name": "added"}),
        ("put_rules", {"rules": {"changed": {"v": 1}}}),
        ("setparam", {"x": "1"}),
    ]
    assert restore_ops(snapshot, snapshot, touched) == []


def test_peer_passwords_reset_only_where_the_slot_was_free() -> None:
    snapshot = _obs({"cameralink_i0_name": "", "cameralink_i0_ipaddress": "",
                     "cameralink_i1_name": "ptz-b", "cameralink_i1_ipaddress": "192.0.2.2"})
    touched = Touched(secret_params={"cameralink_i0_passwd": "ptz-a",
                                     "cameralink_i1_passwd": "ptz-b"})
    resets, lost = secret_resets(snapshot, touched)
    assert resets == {"cameralink_i0_passwd": ""}
    assert lost == ["ptz-b"]
