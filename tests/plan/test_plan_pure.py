"""The pure half of the planner: identity checks, ordering, selection."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from resources.sitekit import build_site, observed_from

from camlink_provision.errors import CameraUnreachable
from camlink_provision.firmware import profile
from camlink_provision.model import Observed
from camlink_provision.order import requests_of
from camlink_provision.plan import check_identity, compute_plan, getparam_names, plan_camera
from camlink_provision.resources.accounts import ACCOUNT_NAMES
from plan.httpkit import SITE


def fresh_observations(site_data: dict | None = None) -> tuple:
    site = build_site(site_data or SITE)
    return site, {name: observed_from(cam, {}) for name, cam in site.cameras.items()}


# -- identity ------------------------------------------------------------------------------------
def identity(model: str = "SD9384-EHL", firmware: str = "SD9384-VVTK-2.2103.34.01d",
             cameralink: str = "1") -> Observed:
    return Observed("ptz1", {profile.MODELNAME: model, profile.FIRMWARE: firmware,
                             profile.CAP_CAMERALINK: cameralink})


def test_identity_accepts_the_inventory_camera() -> None:
    camera = build_site(SITE).cameras["ptz1"]
    assert check_identity(camera, identity()) is None
    assert check_identity(camera, identity(model="sd9384-ehl")) is None


@pytest.mark.parametrize(("observed", "expected"), [
    (identity(model="SD9368-EHL"), "reports model 'SD9368-EHL'"),
    (identity(firmware="SD9384-VVTK-2.2102.99.01"), "older than Camera Link needs"),
    (identity(firmware="garbage"), "not a VIVOTEK version"),
    (identity(cameralink="0"), "does not offer Camera Link"),
])
def test_identity_mismatches(observed: Observed, expected: str) -> None:
    camera = build_site(SITE).cameras["ptz1"]
    assert expected in (check_identity(camera, observed) or "")


def test_identity_checks_the_inventory_minimum_firmware() -> None:
    camera = replace(build_site(SITE).cameras["ptz1"], firmware="2.2103.40.01a")
    assert "inventory's minimum 2.2103.40.01a" in (check_identity(camera, identity()) or "")
    assert check_identity(camera, identity(firmware="SD9384-VVTK-2.2104.1.01")) is None


def test_a_mismatch_plans_nothing_but_keeps_the_fingerprint() -> None:
    site = build_site(SITE)
    plan = plan_camera(site, site.cameras["ptz1"], identity(model="SD9368-EHL"))
    assert (plan.error_kind, plan.changes, plan.model) == ("mismatch", (), "SD9368-EHL")
    assert plan.fingerprint.startswith("sha256:")


def test_a_camera_error_becomes_the_camera_plan_error() -> None:
    site = build_site(SITE)
    plan = plan_camera(site, site.cameras["spot1"],
                       CameraUnreachable("spot1", "no connection within 5 s"))
    assert (plan.error_kind, plan.fingerprint, plan.changes) == ("unreachable", "", ())


# -- what is read --------------------------------------------------------------------------------
def test_getparam_names_every_group_once() -> None:
    site = build_site(SITE)
    assert getparam_names(site.cameras["ptz1"]) == [
        *profile.IDENTITY_GROUPS, profile.PRESET_GROUP, profile.PEER_GROUP,
        profile.EVENT_GROUP, *ACCOUNT_NAMES, profile.DO_STATUS]
    # a fixed spotter has no preset slots: naming the group would be refused
    assert profile.PRESET_GROUP not in getparam_names(site.cameras["spot1"])


# -- order, merging, selection -------------------------------------------------------------------
def test_ptz_cameras_first_then_spotters_in_inventory_order() -> None:
    data = {**SITE, "cameras": [SITE["cameras"][2], SITE["cameras"][0], SITE["cameras"][3],
                                SITE["cameras"][1]]}
    site, observed = fresh_observations(data)
    plan = compute_plan(site, observed)
    assert [cam.camera for cam in plan.cameras] == ["ptz1", "ptz2", "spot1", "spot2"]


def test_deletions_come_first_in_reverse_kind_order() -> None:
    site = build_site({**SITE, "cameras": [
        {**SITE["cameras"][2], "prune": ["event", "peer"]}, *SITE["cameras"][:2]]})
    spot1 = site.cameras["spot1"]
    holds = {"events": {9: {"name": "theirs", "enable": 1}},
             "peers": {2: {"enable": 1, "name": "other", "ipaddress": "192.0.2.99"}}}
    plan = plan_camera(site, spot1, observed_from(spot1, holds))
    assert [(c.action, c.kind) for c in plan.changes] == [
        ("delete", "event"), ("delete", "peer"), ("create", "peer"), ("create", "peer"),
        ("create", "event"), ("create", "event")]
    requests = [r.command for r in requests_of(plan.changes)]
    assert [op.call for op in requests] == ["setparam"]  # one request for the whole spotter
    assert requests[0].secret_args == {"cameralink_i0_passwd": "ptz1",
                                       "cameralink_i1_passwd": "ptz2"}


def test_limit_plans_only_the_named_cameras_and_their_links() -> None:
    site, observed = fresh_observations()
    plan = compute_plan(site, {"spot2": observed["spot2"]}, ["spot2"])
    assert [cam.camera for cam in plan.cameras] == ["spot2"]
    assert [(link["link"], link["ptz"]) for link in plan.links] == [("yard", "ptz1")]
    with pytest.raises(ValueError, match="no observation for spot1"):
        compute_plan(site, {}, ["spot1"])


def test_compute_plan_is_deterministic_and_round_trips() -> None:
    site, observed = fresh_observations()
    first = compute_plan(site, observed)
    second = compute_plan(site, dict(reversed(list(observed.items()))))
    assert json.dumps(first.to_json()) == json.dumps(second.to_json())
    assert type(first).from_json(first.to_json()).to_json() == first.to_json()


# -- the fingerprint -----------------------------------------------------------------------------
def test_the_fingerprint_follows_settings_not_their_order_nor_the_do_state() -> None:
    params = {profile.MODELNAME: "SD9384-EHL", profile.preset_param(0, "name"): "gate",
              profile.DO_STATUS: "0"}
    rules = {"track": {"RuleName": "track"}}
    base = Observed("ptz1", params, rules).fingerprint()
    reordered = Observed("ptz1", dict(reversed(list(params.items()))), rules)
    assert reordered.fingerprint() == base
    assert Observed("ptz1", {**params, profile.DO_STATUS: "1"}, rules).fingerprint() == base
    changed = {**params, profile.preset_param(0, "name"): "yard"}
    assert Observed("ptz1", changed, rules).fingerprint() != base
    assert Observed("ptz1", params, {"track": {"RuleName": "other"}}).fingerprint() != base
    assert Observed("ptz1", params, None).fingerprint() != base
    # Moving text between a name and its value is a different reading, never the same digest.
    assert (Observed("c", {"a_b": "c=d"}).fingerprint()
            != Observed("c", {"a_b=c": "d"}).fingerprint())


def test_a_password_a_camera_lists_is_never_kept() -> None:
    params = {profile.account_param(0, "name"): "root",
              profile.account_param(0, profile.ACCOUNT_PASSWORD): "listed-by-mistake",
              profile.peer_param(1, profile.PEER_PASSWORD): "also-listed",
              profile.MODELNAME: "SD9384-EHL"}
    kept = profile.without_secrets(params)
    assert kept == {profile.account_param(0, "name"): "root",
                    profile.MODELNAME: "SD9384-EHL"}
    assert "listed" not in json.dumps(Observed("c", params).to_json())


def test_secrets_are_found_whatever_the_names_around_them() -> None:
    # The one-pass look for a secret (issue 15) must miss none: a bare field name, a name
    # holding a line break (a snapshot from a journal may), the last name; and a name that
    # only looks like one ("bypass", "passwords") is kept.
    params = {"pass": "1", "a\nb_pass": "2", "x_bypass": "3", "y_passwords": "4",
              "peer_c0_i1_passwd": "5", "z_pass\n": "6", profile.MODELNAME: "m",
              profile.account_param(3, profile.ACCOUNT_PASSWORD): "7"}
    assert profile.without_secrets(params) == {"x_bypass": "3", "y_passwords": "4",
                                               "z_pass\n": "6", profile.MODELNAME: "m"}
    assert profile.without_secrets({profile.MODELNAME: "m"}) == {profile.MODELNAME: "m"}
    for name in params:  # the fast look agrees with the rule, name by name
        assert (name in profile.without_secrets({name: "v"})) != profile.is_secret_param(name)


def test_the_fingerprint_leaves_out_volatile_status_wherever_it_sorts() -> None:
    settings = {"a": "1", "statu": "2", "status": "3", "statut": "4", "zz": "5"}
    volatile = {"status_": "x", "status_do_i0": "1", "status_zz": "y"}
    base = Observed("c", settings).fingerprint()
    assert Observed("c", {**settings, **volatile}).fingerprint() == base
    assert Observed("c", {**settings, "statut": "other"}).fingerprint() != base
