"""`camlink-provision validate` as a user runs it: a subprocess, its output and exit code."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from inventory_kit import CASES, EXAMPLES, SECRET_VALUES, SITE, secrets_file, write

from camlink_provision import netguard


def validate(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, netguard.ENV_FLAG: "1"}
    env.pop("CAMLINK_SECRETS", None)
    return subprocess.run([sys.executable, "-m", "camlink_provision.cli", "validate", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=60,
                          check=False)


def test_a_valid_inventory_exits_0_with_a_summary(tmp_path: Path) -> None:
    write(tmp_path / "site", {"inventory.yml": SITE})
    secrets = secrets_file(tmp_path)
    done = validate("-i", "site", "--secrets", str(secrets), cwd=tmp_path)
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == ("site: valid — site kit-site: 2 cameras (1 spotter, 1 PTZ), 1 link; "
                           "0 errors, 0 warnings\n")


def test_every_problem_one_line_relative_paths_then_a_summary_and_exit_1(
        tmp_path: Path) -> None:
    done = validate("-i", "directory-many-files", "--secrets", "secrets.yml", cwd=CASES)
    expected = (CASES / "directory-many-files.expected").read_text()
    assert done.returncode == 1
    assert done.stdout == expected + ("directory-many-files: invalid — 4 errors, 0 warnings\n")
    assert done.stderr == ""


def test_warnings_alone_pass(tmp_path: Path) -> None:
    name = "warning-different-presets-same-trigger"
    done = validate("-i", f"{name}.yml", "--secrets", "secrets.yml", cwd=CASES)
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].split(": ", 1)[1].startswith("warning: links 'link-1' and 'link-2'")
    assert lines[1].endswith("; 0 errors, 1 warning")


def test_several_sources_and_the_secrets_default_beside_the_first(tmp_path: Path) -> None:
    write(tmp_path / "site", {"inventory.yml": SITE})
    secrets_file(tmp_path / "site").rename(tmp_path / "site" / "secrets.yml")
    write(tmp_path, {"overlay.yml": "host_vars:\n  ptz-1:\n    connection: {port: 18001}\n"})
    done = validate("-i", "site", "-i", "overlay.yml", cwd=tmp_path)
    assert done.returncode == 0, done.stdout


def test_no_secret_value_in_any_output(tmp_path: Path) -> None:
    broken = SITE.replace("address: 192.0.2.21", "address: \"{{ secret('admin_password') }}\"")
    write(tmp_path / "site", {"inventory.yml": broken})
    secrets = secrets_file(tmp_path)
    done = validate("-i", "site", "--secrets", str(secrets), cwd=tmp_path)
    assert done.returncode == 1
    assert "address uses a secret" in done.stdout
    for value in SECRET_VALUES.values():
        assert value not in done.stdout + done.stderr


def test_the_examples_validate_from_the_repository_root(tmp_path: Path) -> None:
    repo = EXAMPLES.parent
    for example in ("minimal", "construction-site"):
        done = validate("-i", f"inventories/{example}", "--secrets",
                        f"inventories/{example}/secrets.example.yml", cwd=repo)
        assert done.returncode == 0, done.stdout
        assert done.stdout.startswith(f"inventories/{example}: valid — site {example}: ")


def test_a_missing_source_is_one_problem(tmp_path: Path) -> None:
    done = validate("-i", "nowhere", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout == ("nowhere:1:1: no such inventory file or directory — check the -i "
                           "path\nnowhere: invalid — 1 error, 0 warnings\n")
