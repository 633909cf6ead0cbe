"""A saved, reviewed plan applies without being asked again (as Terraform's saved plans)."""

from __future__ import annotations

from pathlib import Path

from .cli_kit import MINIMAL, run, secrets_for


def test_apply_of_a_saved_plan_needs_no_yes_and_then_verify_passes(tmp_path: Path) -> None:
    secrets = secrets_for(MINIMAL, tmp_path / "s.yml")
    common = ["-i", str(MINIMAL), "--secrets", str(secrets), "--emulate"]
    planned = run("plan", *common, "--out", "site.plan.json", cwd=tmp_path)
    assert planned.returncode == 0, planned.stderr
    applied = run("apply", *common, "site.plan.json", cwd=tmp_path)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    verified = run("verify", *common, cwd=tmp_path)
    assert verified.returncode == 0, verified.stdout + verified.stderr
