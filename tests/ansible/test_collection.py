"""The camlink.provision collection, built and installed as a user would, driven by
``ansible-playbook`` (examples/ansible/fleet.yml) against three emulated sites on loopback:
check mode and diff, converging, idempotence, sites side by side, a failing camera.

This folder has no ``__init__.py`` on purpose: as a package it would be importable as
``ansible`` (pytest puts ``tests/`` on sys.path) and hide ansible-core itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from ansible_kit import (
    EXAMPLES,
    MODULES,
    EmulatedSite,
    PlaybookRun,
    ansible_doc,
    ansible_env,
    emulated_sites,
    install_collection,
    run_playbook,
    write_ansible_inventory,
)

from camlink_provision.api import SiteOptions, plan_site
from camlink_provision.emulator.spec import Fault
from camlink_provision.firmware import profile

SITES = ("site-a", "site-b", "site-c")
FLEET = EXAMPLES / "fleet.yml"
INSPECT = Path(__file__).resolve().parent / "inspect.yml"
PLAN, CONVERGE = "Plan the site", "Converge the site"
# All three sites in one wave, side by side (forks), a failure stopping nothing.
SIDE_BY_SIDE = ("-f", "3", "-e", json.dumps({"camlink_waves": [3],
                                             "camlink_max_fail_percentage": 100}))


@pytest.fixture(scope="module")
def collections(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_collection(tmp_path_factory.mktemp("galaxy"))


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, EmulatedSite]]:
    with emulated_sites(SITES, tmp_path_factory.mktemp("sites")) as sites:
        yield sites


class Fleet:
    """The three sites, factory-fresh, and ansible-playbook run from a fresh directory."""

    def __init__(self, sites: dict[str, EmulatedSite], collections: Path, work: Path) -> None:
        for site in sites.values():
            site.fresh()
        self.sites = sites
        self.work = work
        self.env = ansible_env(collections, work)
        self.inventory = write_ansible_inventory(sites, work, work / "hosts.yml")

    def play(self, playbook: Path, *args: str) -> PlaybookRun:
        return run_playbook(playbook, self.inventory, self.env, self.work, *args)

    def assert_no_secret(self, run: PlaybookRun) -> None:
        text = run.everything()
        for site in self.sites.values():
            for value in site.passwords():
                assert value not in text, f"a secret of {site.name} is in the output"

    def plan(self, name: str) -> list[str]:
        """The changes a plan of the site finds now (the Python API, read-only)."""
        site = self.sites[name]
        planned = plan_site(SiteOptions(inventory=[site.inventory, site.overlay],
                                        secrets=site.secrets))
        assert planned.ok, planned.plan.failed
        return [change.key for change in planned.plan.changes]

    def clear_logs(self) -> None:
        for site in self.sites.values():
            for camera in site.fleet.names():
                site.fleet.clear_log(camera)


@pytest.fixture
def fleet(served: dict[str, EmulatedSite], collections: Path, tmp_path: Path) -> Fleet:
    return Fleet(served, collections, tmp_path)


def test_every_module_is_documented(collections: Path, tmp_path: Path) -> None:
    env = ansible_env(collections, tmp_path)
    for module in MODULES:
        shown = ansible_doc(module, env, tmp_path)
        assert shown.returncode == 0, shown.stderr
        text = shown.stdout
        assert f"camlink.provision.{module}" in text
        for part in ("OPTIONS", "EXAMPLES", "RETURN VALUES", "inventory", "secret_values"):
            assert part in text, f"{module}: no {part} in ansible-doc"


def test_check_mode_plans_every_site_shows_the_diff_and_writes_nothing(fleet: Fleet) -> None:
    wanted = {name: fleet.plan(name) for name in SITES}  # every change, factory-fresh
    assert all(wanted.values())
    fleet.clear_logs()
    run = fleet.play(FLEET, "--check", "--diff", *SIDE_BY_SIDE)
    assert run.returncode == 0, run.output
    for name, site in fleet.sites.items():
        planned = run.task(name, PLAN)
        assert planned["changed"] is True and planned["recap"] is None
        assert sum(planned["totals"].values()) == len(wanted[name])
        assert planned["plan"]["site"] == name
        assert len(planned["diff"]) == len(wanted[name])
        assert run.task(name, CONVERGE)["_status"] == "skipped"  # --check: plan only
        assert run.recap(name)["failed"] == 0
        # Planning read the cameras (and each spotter tested its link): nothing else.
        assert site.log(), f"{name} was not read"
        assert site.writes() == []
        assert {(e.method, e.path) for e in site.log()} <= {
            ("GET", profile.GETPARAM), ("GET", profile.LINK_TEST),
            ("GET", profile.VCA_TRACKING)}
        assert fleet.plan(name) == wanted[name]  # still factory-fresh
    # --diff shows each change, before/after, the link password masked.
    assert "+++ after: lobby-ptz: preset door (create" in run.stdout
    assert "+pan: 1200" in run.stdout
    assert '+password: "(sensitive)"' in run.stdout
    fleet.assert_no_secret(run)


def test_sites_converge_side_by_side_and_a_second_run_changes_nothing(fleet: Fleet) -> None:
    first = fleet.play(FLEET, *SIDE_BY_SIDE)
    assert first.returncode == 0, first.output
    for name in SITES:
        done = first.task(name, CONVERGE)
        assert done["changed"] is True and done["code"] == 0 and done["failed_cameras"] == []
        assert done["recap"]["totals"]["changed"] == 2
        assert "RECAP  site " + name in done["recap_text"]
        assert first.recap(name)["changed"] == 2  # the plan and the apply
        assert fleet.plan(name) == []  # converged
    fleet.assert_no_secret(first)

    fleet.clear_logs()
    second = fleet.play(FLEET, *SIDE_BY_SIDE)
    assert second.returncode == 0, second.output
    for name, site in fleet.sites.items():
        assert second.recap(name)["changed"] == 0
        done = second.task(name, CONVERGE)
        assert done["changed"] is False and done["recap"] is None
        assert "Nothing to apply." in done["messages"]
        assert site.writes() == []


def test_facts_and_read_only_verify_report_the_converged_sites(fleet: Fleet) -> None:
    assert fleet.play(FLEET, *SIDE_BY_SIDE).returncode == 0
    fleet.clear_logs()
    run = fleet.play(INSPECT, "-f", "3")
    assert run.returncode == 0, run.output
    for name, site in fleet.sites.items():
        facts = run.task(name, "Read the cameras")
        ptz = facts["cameras"]["lobby-ptz"]
        assert facts["changed"] is False and facts["ok"] is True
        assert ptz["reachable"] is True and ptz["model"] == "SD9384-EHL"
        assert [p["name"] for p in ptz["preset"]] == ["door"]
        assert facts["ansible_facts"]["camlink_site"] == name
        verified = run.task(name, "Verify the links")
        assert verified["ok"] is True and verified["read_only"] is True
        assert verified["totals"]["passed"] == 1 and verified["totals"]["failed"] == 0
        assert verified["results"][0]["link"] == "door"
        assert site.writes() == []  # read-only: nothing stored, nothing moved
    fleet.assert_no_secret(run)


def test_a_failing_camera_fails_its_site_with_the_recap_and_the_others_converge(
        fleet: Fleet) -> None:
    broken = fleet.sites["site-b"]
    fresh = fleet.plan("site-b")
    broken.fleet.set_fault("lobby-ptz", Fault(status=500, match=profile.PRESET))
    run = fleet.play(FLEET, *SIDE_BY_SIDE)
    assert run.returncode != 0, run.output
    failed = run.task("site-b", CONVERGE)
    assert failed["_status"] == "failed"
    assert failed["code"] == 1 and "lobby-ptz" in failed["failed_cameras"]
    recap = {cam["camera"]: cam for cam in failed["recap"]["cameras"]}
    assert recap["lobby-ptz"]["status"] == "failed"
    assert recap["lobby-ptz"]["ends_in"] == "before"  # restored, confirmed
    assert recap["entrance-spotter"]["status"] == "skipped"  # never half-linked
    assert "RECAP  site site-b" in failed["msg"] and "failed: lobby-ptz" in failed["msg"]
    assert run.recap("site-b")["failed"] == 1
    for name in ("site-a", "site-c"):
        assert run.task(name, CONVERGE)["changed"] is True
        assert run.recap(name)["failed"] == 0
        assert fleet.plan(name) == []
    broken.fleet.clear_faults()
    assert fleet.plan("site-b") == fresh  # left as it was: factory-fresh
    fleet.assert_no_secret(run)


def _only(fleet: Fleet, name: str) -> tuple[EmulatedSite, Path]:
    """One site, in an Ansible inventory without a secrets file."""
    site = fleet.sites[name]
    hosts = write_ansible_inventory({name: site}, fleet.work, fleet.work / "one.yml",
                                    secrets_file=False)
    return site, hosts


def test_secrets_from_a_credentials_environment_or_as_no_log_values(fleet: Fleet) -> None:
    site, hosts = _only(fleet, "site-a")
    (password,) = site.passwords()
    # An AWX credential injects CAMLINK_SECRET_<NAME>: the module reads it as the CLI does.
    by_env = run_playbook(FLEET, hosts, {**fleet.env, "CAMLINK_SECRET_ADMIN_PASSWORD":
                                         password}, fleet.work, "--check")
    assert by_env.returncode == 0, by_env.output
    assert by_env.task("site-a", PLAN)["totals"]["create"] > 0
    wrong = run_playbook(FLEET, hosts, {**fleet.env, "CAMLINK_SECRET_ADMIN_PASSWORD":
                                        "not-the-password"}, fleet.work, "--check")
    assert wrong.returncode != 0
    refused = wrong.task("site-a", PLAN)
    assert refused["_status"] == "failed" and refused["failed_cameras"] == [
        "lobby-ptz", "entrance-spotter"]
    assert "not-the-password" not in wrong.everything()
    # As a value: secret_values is no_log, masked in every result and line of output.
    by_value = run_playbook(Path(__file__).resolve().parent / "secret_values.yml", hosts,
                            fleet.env, fleet.work, "-e",
                            json.dumps({"camlink_admin_password": password}), "-v")
    assert by_value.returncode == 0, by_value.output
    assert by_value.task("site-a", PLAN)["changed"] is True
    fleet.assert_no_secret(by_env)
    fleet.assert_no_secret(by_value)
    assert site.writes() == []


def test_waves_stop_the_fleet_when_the_canary_site_fails(fleet: Fleet) -> None:
    """The example's defaults: one canary site, then 25% of the rest per wave, and a failed
    site in a wave stops every later wave (max_fail_percentage 0)."""
    canary = fleet.sites["site-a"]
    canary.fleet.set_fault("lobby-ptz", Fault(status=500, match=profile.PRESET))
    run = fleet.play(FLEET, "-f", "3")
    assert run.returncode != 0, run.output
    assert run.task("site-a", CONVERGE)["_status"] == "failed"
    for name in ("site-b", "site-c"):
        assert run.task(name, PLAN)["changed"] is True  # play 1 planned every site
        assert all(r["task"] != CONVERGE for r in run.results[name])  # never applied
        assert fleet.sites[name].writes() == []
    canary.fleet.clear_faults()


BAD_ARGUMENTS = """
- hosts: camlink_sites
  gather_facts: false
  tasks:
    - name: A working directory that is not there
      camlink.provision.site: {inventory: "{{ camlink_inventory }}", chdir: /nonexistent/dir}
      ignore_errors: true
    - name: An inventory that is not there
      camlink.provision.site: {inventory: [no-such-inventory], chdir: "{{ camlink_chdir }}"}
      ignore_errors: true
"""


def test_bad_arguments_fail_the_task_with_the_tools_message(fleet: Fleet) -> None:
    _, hosts = _only(fleet, "site-c")
    playbook = fleet.work / "bad.yml"
    playbook.write_text(BAD_ARGUMENTS)
    run = run_playbook(playbook, hosts, fleet.env, fleet.work)
    missing_dir = run.task("site-c", "A working directory that is not there")
    assert missing_dir["_status"] == "failed"
    assert missing_dir["msg"].startswith("chdir: cannot work in /nonexistent/dir")
    missing = run.task("site-c", "An inventory that is not there")
    assert missing["_status"] == "failed" and "no-such-inventory" in missing["msg"]
    assert "Traceback" not in run.output  # an error of the tool, not a crash
    assert fleet.sites["site-c"].log() == []  # no camera was contacted


def test_the_tools_default_concurrency_applies_unless_the_task_sets_one() -> None:
    from ansible_collections.camlink.provision.plugins.module_utils.camlink import (
        site_options,
    )
    from camlink_provision.runner import DEFAULT_CONCURRENCY
    given = {"inventory": ["site"], "emulate": False}
    assert site_options(given).concurrency == DEFAULT_CONCURRENCY
    assert site_options({**given, "concurrency": 3}).concurrency == 3
