"""Data-driven compare cases: one YAML file per case under cases/<kind>/.

A case gives the inventory (``site``: cameras and links), which camera to plan (``camera``),
what that camera holds (``holds``: preset / event / peer slots, raw params, VCA rules, link
test results), and what the plan must say for the case's kind (``expect``):

    changes:   [{action, name, slot, attributes: {attr: [before, after]}, ops?, reason?,
                 depends_on?, releases?}]
    unmanaged: [{name, slot}]
    noops:     [substring of each no-op reason, in order]
    warnings:  [substring of each warning, in order]
    error:     substring of the camera's error (then no changes)

Attributes and ops are compared in their JSON form (a sensitive value reads "(sensitive)").
Adding a case needs no code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from camlink_provision.plan import plan_camera_detail
from resources.sitekit import build_site, observed_from

CASES = Path(__file__).parent / "cases"


def _case_files() -> list[Path]:
    return sorted(CASES.glob("*/*.yaml"))


def _actual(case: dict[str, Any], kind: str) -> dict[str, Any]:
    site = build_site(case["site"])
    camera = site.cameras[case["camera"]]
    detail = plan_camera_detail(site, camera, observed_from(camera, case.get("holds", {})))
    plan = detail.plan
    expect = case["expect"]
    out: dict[str, Any] = {}
    changes = [c.to_json() for c in plan.changes if c.kind == kind]
    out["changes"] = [_shape(change, expected)
                      for change, expected in zip(changes, _padded(expect, changes),
                                                  strict=True)]
    out["unmanaged"] = [{"name": u.name, "slot": u.slot} for u in plan.unmanaged
                        if u.kind == kind]
    reasons = [n.reason for n in detail.noops if n.kind == kind]
    out["noops"] = _substrings(reasons, expect.get("noops", []))
    out["warnings"] = _substrings(list(plan.warnings), expect.get("warnings", []))
    wanted_error = expect.get("error", "")
    out["error"] = wanted_error if wanted_error and wanted_error in plan.error else plan.error
    return out


def _padded(expect: dict[str, Any], changes: list[Any]) -> list[dict[str, Any]]:
    wanted = list(expect.get("changes", []))
    return (wanted + [{}] * len(changes))[:len(changes)]


def _shape(change: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """A change as the case writes it; ops, reason, depends_on and releases only when the
    case gives them."""
    out = {"action": change["action"], "name": change["name"], "slot": change["slot"],
           "attributes": {a["name"]: [a["before"], a["after"]] for a in change["attributes"]}}
    if "ops" in expected:
        out["ops"] = change["ops"]
    if "reason" in expected:
        out["reason"] = expected["reason"] if expected["reason"] in change["reason"] \
            else change["reason"]
    for key in ("depends_on", "releases"):
        if key in expected:
            out[key] = change[key]
    return out


def _substrings(actual: list[str], expected: list[str]) -> list[str]:
    """Each actual text, shown as the expected substring when it contains it."""
    out = []
    for i, text in enumerate(actual):
        want = expected[i] if i < len(expected) else None
        out.append(want if want is not None and want in text else text)
    return out


def _expected(case: dict[str, Any]) -> dict[str, Any]:
    expect = case["expect"]
    return {"changes": expect.get("changes", []), "unmanaged": expect.get("unmanaged", []),
            "noops": expect.get("noops", []), "warnings": expect.get("warnings", []),
            "error": expect.get("error", "")}


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=True, default_flow_style=None, width=100)


@pytest.mark.parametrize("path", _case_files(),
                         ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_case(path: Path) -> None:
    case = yaml.safe_load(path.read_text())
    kind = path.parent.name
    actual = _actual(case, kind)
    expected = _expected(case)
    if actual != expected:
        pytest.fail(f"{path.name}: {case.get('description', '')}\n"
                    f"--- expected\n{_dump(expected)}--- planned\n{_dump(actual)}",
                    pytrace=False)


def test_every_kind_has_cases() -> None:
    kinds = {p.parent.name for p in _case_files()}
    assert kinds == {"preset", "tracking_rule", "peer", "event"}
