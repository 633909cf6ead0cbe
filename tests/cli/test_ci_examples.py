"""The CI examples and the pre-commit hook do what they say, run here as far as possible:
the validate steps pass offline, the plan step makes the comment's markdown, and the
secrets the workflow passes are exactly those the inventory asks for."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from camlink_provision.cli import EXIT_CHANGES, EXIT_ERROR, EXIT_OK
from camlink_provision.demo_secrets import secret_names
from camlink_provision.inventory.secrets import env_name

from .cli_kit import CONSTRUCTION, ROOT, run, secrets_for

GITHUB = ROOT / "examples" / "ci" / "github-actions.yml"
GITLAB = ROOT / "examples" / "ci" / "gitlab-ci.yml"
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _commands(lines: list[str]) -> list[list[str]]:
    """The camlink-provision command lines of a job, as argument lists (the part before
    any shell redirection or ``||``)."""
    out = []
    for line in lines:
        head = re.split(r"\s(?:>|\|\|)\s", line)[0]
        words = shlex.split(head)
        if words[:1] == ["camlink-provision"]:
            out.append(words[1:])
    return out


def _github_lines(job: str) -> list[str]:
    return [step["run"] for step in _load(GITHUB)["jobs"][job]["steps"] if "run" in step]


def _gitlab_lines(job: str) -> list[str]:
    return [str(line) for line in _load(GITLAB)[job]["script"]]


@pytest.mark.parametrize("lines", [_github_lines("validate"), _gitlab_lines("validate")],
                         ids=["github", "gitlab"])
def test_the_validate_job_passes_offline_on_the_example_site(lines: list[str],
                                                             tmp_path: Path) -> None:
    (validate,) = _commands(lines)
    assert validate[0] == "validate"
    result = run(*validate, cwd=ROOT)  # no secrets: the job has none
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert "secrets not checked" in result.stdout


@pytest.mark.parametrize("lines", [_github_lines("plan"), _gitlab_lines("plan")],
                         ids=["github", "gitlab"])
def test_the_plan_job_makes_the_comment_body(lines: list[str], tmp_path: Path) -> None:
    (plan,) = _commands(lines)
    assert plan[0] == "plan" and "markdown" in plan
    # What the runner on the site's network does, here against the emulator.
    secrets = secrets_for(CONSTRUCTION, tmp_path / "secrets.yml")
    result = run(*plan, "--emulate", "--secrets", str(secrets), cwd=ROOT)
    assert result.returncode in (EXIT_OK, EXIT_CHANGES), result.stderr
    assert result.stdout.startswith("## camlink-provision plan for construction-site")
    assert "### Order of the run" in result.stdout and "\x1b" not in result.stdout


def test_the_workflow_passes_exactly_the_secrets_the_inventory_needs() -> None:
    env = _load(GITHUB)["jobs"]["plan"]["env"]
    passed = {name for name in env if name.startswith("CAMLINK_SECRET_")}
    assert passed == {env_name(name) for name in secret_names(CONSTRUCTION)}


def test_the_pre_commit_hook_validates_and_fails_a_broken_inventory(tmp_path: Path) -> None:
    (hook,) = _load(HOOKS)
    assert hook["id"] == "camlink-validate" and hook["pass_filenames"] is False
    entry = shlex.split(hook["entry"])
    assert entry[0] == "camlink-provision"
    repo = tmp_path / "repo"
    shutil.copytree(CONSTRUCTION, repo / "inventories" / "site")
    args = [*entry[1:], "-i", "inventories/site"]  # what a user's args: would say
    assert run(*args, cwd=repo).returncode == EXIT_OK
    links = repo / "inventories" / "site" / "links.yml"
    links.write_text(links.read_text(encoding="utf-8").replace("preset:", "presett:", 1),
                     encoding="utf-8")
    broken = run(*args, cwd=repo)
    assert broken.returncode == EXIT_ERROR
    assert "links.yml:" in broken.stdout
