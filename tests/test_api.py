"""The Python API (``camlink_provision.api``) against the emulator, as the Ansible modules
use it: the command's run, nothing printed, no secret in any result or error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from camlink_provision.api import (
    SiteOptions,
    apply_site,
    plan_site,
    read_facts,
    verify_site,
)
from camlink_provision.demo_secrets import ensure_secrets
from camlink_provision.errors import CamlinkError, InventoryErrors, LockError
from camlink_provision.journal import read_journal
from camlink_provision.sitelock import lock_dir, site_lock

MINIMAL = Path(__file__).resolve().parents[1] / "inventories" / "minimal"


@pytest.fixture
def options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> SiteOptions:
    monkeypatch.chdir(tmp_path)  # .camlink/ (journal, emulator state) goes here
    secrets = tmp_path / "secrets.yml"
    ensure_secrets(MINIMAL, secrets)
    return SiteOptions(inventory=[MINIMAL], secrets=secrets, emulate=True, concurrency=4)


def _password(options: SiteOptions) -> str:
    assert options.secrets is not None
    return Path(options.secrets).read_text().split("admin_password:")[1].strip()


def test_plan_apply_verify_facts_run_the_commands_and_print_nothing(
        options: SiteOptions, capsys: pytest.CaptureFixture[str]) -> None:
    planned = plan_site(options)
    assert planned.ok and planned.changed and planned.code == 0
    assert planned.plan.totals()["create"] == len(planned.plan.changes)  # factory-fresh

    done = apply_site(options)
    assert done.ok and done.changed and done.failed_cameras == []
    assert done.result is not None and done.result.totals()["changed"] == 2
    assert done.recap.startswith("RECAP  site minimal")
    records = read_journal(Path(done.journal))  # the command's journal, lock and all
    assert records[0]["record"] == "run_started"
    assert records[-1]["record"] == "run_ended" and records[-1]["code"] == 0

    again = apply_site(options)
    assert again.ok and not again.changed and again.result is None
    # every command says which firmware profile it speaks (issue 14), then what it did
    assert again.messages == ("firmware profile: built-in profile", "Nothing to apply.")
    assert not plan_site(options).changed

    checked = verify_site(options)  # read-only by default
    assert checked.ok and checked.report.read_only
    facts = read_facts(options)
    assert facts.ok
    assert {c.camera: c.model for c in facts.cameras} == {
        "lobby-ptz": "SD9384-EHL", "entrance-spotter": "IB9391-EHT-v2"}

    out = capsys.readouterr()
    assert out.out == "" and out.err == ""
    text = json.dumps([planned.to_json(), done.to_json(), again.to_json(), checked.to_json(),
                       facts.to_json()])
    assert _password(options) not in text


def test_a_locked_site_raises_and_writes_nothing(options: SiteOptions) -> None:
    with site_lock("minimal", lock_dir()), pytest.raises(LockError):
        apply_site(options)
    assert plan_site(options).changed  # nothing was applied


def test_errors_are_camlink_errors_without_the_secret(options: SiteOptions,
                                                      tmp_path: Path) -> None:
    password = _password(options)
    broken = tmp_path / "broken.yml"
    broken.write_text("all:\n  hosts:\n    cam: {address: 192.0.2.1, model: nonsense}\n")
    with pytest.raises(InventoryErrors) as raised:
        plan_site(SiteOptions(inventory=[MINIMAL, broken], secrets=options.secrets))
    assert isinstance(raised.value, CamlinkError)
    assert password not in str(raised.value)


def test_a_site_is_worked_on_with_the_tuned_collector(options: SiteOptions) -> None:
    import gc

    from camlink_provision.runner import COLLECTOR_THRESHOLDS
    from camlink_provision.session import open_site

    before = gc.get_threshold()
    with open_site(options) as session:
        assert session.site.cameras
        assert gc.get_threshold() == COLLECTOR_THRESHOLDS
    assert gc.get_threshold() == before


def test_a_site_is_worked_on_from_one_cpu_and_every_cpu_is_given_back(
        options: SiteOptions, monkeypatch: pytest.MonkeyPatch) -> None:
    """The emulated cameras speak HTTP: the run's threads share one CPU (runner.one_cpu)."""
    import os

    from cpukit import skip_unless_cpus_can_be_narrowed

    from camlink_provision.runner import ALL_CPUS_VARIABLE, run_each
    from camlink_provision.session import open_site

    skip_unless_cpus_can_be_narrowed()
    monkeypatch.delenv(ALL_CPUS_VARIABLE, raising=False)
    before = os.sched_getaffinity(0)
    with open_site(options) as session:
        seen = run_each(list(session.names), lambda _: os.sched_getaffinity(0),
                        concurrency=4)
        assert len(seen[0]) == 1 and seen == [seen[0]] * len(session.names)
    assert os.sched_getaffinity(0) == before


def test_a_site_with_an_https_camera_keeps_every_cpu(
        tmp_path: Path, options: SiteOptions, monkeypatch: pytest.MonkeyPatch) -> None:
    """TLS handshakes run outside the interpreter lock: they may use the other CPUs."""
    import os

    from cpukit import skip_unless_cpus_can_be_narrowed

    from camlink_provision.runner import ALL_CPUS_VARIABLE
    from camlink_provision.session import open_site

    skip_unless_cpus_can_be_narrowed()
    monkeypatch.delenv(ALL_CPUS_VARIABLE, raising=False)
    inventory = tmp_path / "https"
    inventory.mkdir()
    text = (MINIMAL / "inventory.yml").read_text()
    text = text.replace("        lobby-ptz:\n",
                        "        lobby-ptz:\n          connection: {scheme: https}\n")
    assert "scheme: https" in text
    (inventory / "inventory.yml").write_text(text)
    before = os.sched_getaffinity(0)
    https = SiteOptions(inventory=[inventory], secrets=options.secrets, concurrency=4)
    with open_site(https) as session:
        assert session.site.cameras["lobby-ptz"].connection.scheme == "https"
        assert os.sched_getaffinity(0) == before
    only_http = SiteOptions(inventory=[inventory], secrets=options.secrets,
                            limit="entrance-spotter", concurrency=4)
    with open_site(only_http):
        assert len(os.sched_getaffinity(0)) == 1
