"""Every sub-command explains itself with examples; completion scripts come from the parser."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from camlink_provision.cli import ABOUT, COMPLETION_SHELLS, EXIT_OK, HANDLERS

from .cli_kit import run


@pytest.mark.parametrize("command", sorted(HANDLERS))
def test_every_sub_command_has_a_description_and_examples(command: str,
                                                          tmp_path: Path) -> None:
    result = run(command, "--help", cwd=tmp_path)
    assert result.returncode == EXIT_OK
    assert "examples:\n  camlink-provision " + command in result.stdout
    assert " ".join(ABOUT[command][0].split()[:5]) in " ".join(result.stdout.split())


def test_verify_says_it_moves_cameras_and_pulses_outputs(tmp_path: Path) -> None:
    text = " ".join(run("verify", "--help", cwd=tmp_path).stdout.split())
    assert "MOVES PTZ cameras" in text and "PULSES digital outputs" in text


@pytest.mark.parametrize("shell", COMPLETION_SHELLS)
def test_a_completion_script_names_every_sub_command_and_option(shell: str,
                                                                tmp_path: Path) -> None:
    result = run("completion", shell, cwd=tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    for word in (*HANDLERS, "secrets-command", "detailed-exitcode", "no-color"):
        assert word in result.stdout, f"{shell}: {word} missing"  # fish writes -l NAME


def test_bash_loads_the_completion_and_completes_sub_commands(tmp_path: Path) -> None:
    bash = shutil.which("bash")
    assert bash is not None
    script = tmp_path / "camlink-provision.bash"
    script.write_text(run("completion", "bash", cwd=tmp_path).stdout)
    # What bash does on `camlink-provision pl<TAB>`: call the registered function.
    probe = (f"source {script}; COMP_WORDS=(camlink-provision pl); COMP_CWORD=1; "
             "COMP_LINE='camlink-provision pl'; COMP_POINT=${#COMP_LINE}; "
             "$(complete -p camlink-provision | sed -E 's/.* -F ([^ ]+).*/\\1/') "
             "camlink-provision pl camlink-provision; printf '%s\\n' \"${COMPREPLY[@]}\"")
    done = subprocess.run([bash, "-c", probe], capture_output=True, text=True, timeout=30,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert "plan" in done.stdout.split()
