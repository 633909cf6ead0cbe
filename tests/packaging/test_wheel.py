"""The tool as people install it: the wheel in a fresh venv, run from a directory that is not
the checkout — every data file (schemas, the default playbook) must come from the package."""

from __future__ import annotations

import os
import shutil
import subprocess
from importlib.metadata import version
from pathlib import Path

import pytest

from camlink_provision import netguard

from .conftest import REPO

pytestmark = pytest.mark.slow


def _run(bin_dir: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, netguard.ENV_FLAG: "1", "PATH": f"{bin_dir}:{os.environ['PATH']}"}
    env.pop("PYTHONPATH", None)
    return subprocess.run([str(bin_dir / "camlink-provision"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def site(tmp_path: Path, installed: Path) -> Path:
    """The minimal inventory and throwaway secrets, in a directory outside the checkout."""
    shutil.copytree(REPO / "inventories" / "minimal", tmp_path / "inv")
    subprocess.run([str(installed / "python"), "-m", "camlink_provision.demo_secrets",
                    "inv", "secrets.yml"], cwd=tmp_path, check=True, capture_output=True,
                   env={**os.environ, netguard.ENV_FLAG: "1"})
    return tmp_path


def test_the_installed_package_is_the_wheel_not_the_checkout(installed: Path,
                                                             tmp_path: Path) -> None:
    where = subprocess.run([str(installed / "python"), "-c",
                            "import camlink_provision; print(camlink_provision.__file__)"],
                           cwd=tmp_path, capture_output=True, text=True, check=True)
    assert "site-packages" in where.stdout and str(REPO) not in where.stdout


def test_version_comes_from_the_package_metadata(installed: Path, tmp_path: Path) -> None:
    shown = _run(installed, tmp_path, "--version")
    assert shown.returncode == 0
    assert shown.stdout.strip() == f"camlink-provision {version('camlink-provision')}"


def test_validate_plan_apply_from_outside_the_checkout(installed: Path, site: Path) -> None:
    checked = _run(installed, site, "validate", "-i", "inv", "--secrets", "secrets.yml")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    planned = _run(installed, site, "plan", "-i", "inv", "--secrets", "secrets.yml",
                   "--emulate", "--out", "site.plan.json")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert '"tool_version"' in (site / "site.plan.json").read_text()
    applied = _run(installed, site, "apply", "-i", "inv", "--secrets", "secrets.yml",
                   "--emulate", "--yes")
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert "failed=0" in applied.stdout
    again = _run(installed, site, "apply", "-i", "inv", "--secrets", "secrets.yml",
                 "--emulate", "--yes", "--playbook", str(REPO / "playbooks" / "site.yml"))
    assert again.returncode == 0, again.stdout + again.stderr
    assert "Nothing to apply." in again.stdout
    journal = next((site / ".camlink" / "journal").rglob("*.jsonl")).read_text()
    assert f'"version": "{version("camlink-provision")}"' in journal
