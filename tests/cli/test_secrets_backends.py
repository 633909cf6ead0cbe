"""Every secrets backend, each giving its value to the site; offline validate without any.

Backends: a file or directory (``--secrets PATH``, tested with the inventory suite), standard
input (``--secrets -``), a pipe (``--secrets <(...)``), a command (``--secrets-command``, or
``site: secrets_command:``), and ``CAMLINK_SECRET_<NAME>`` variables. No secret value ever
appears in any output.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from camlink_provision.cli import EXIT_ERROR, EXIT_OK
from camlink_provision.errors import InventoryErrors
from camlink_provision.inventory.loader import load_site
from camlink_provision.inventory.secrets import env_name

from .cli_kit import MINIMAL, cli_env, run

VALUE = "Pw-from-backend-7Qx"


def _password(site_dir: Path | None = None, **kwargs: object) -> str:
    site = load_site([site_dir or MINIMAL], **kwargs).site  # type: ignore[arg-type]
    return site.cameras["lobby-ptz"].credentials.password.reveal()


def _printing(yaml_text: str) -> str:
    """A command (no shell) that prints ``yaml_text``, as sops or pass would."""
    return shlex.join([sys.executable, "-c", f"print({yaml_text!r})"])


def _clean(*outputs: str) -> None:
    for output in outputs:
        assert VALUE not in output


def test_the_environment_name_of_a_secret() -> None:
    assert env_name("admin_password") == "CAMLINK_SECRET_ADMIN_PASSWORD"
    assert env_name("ptz.link-pw") == "CAMLINK_SECRET_PTZ_LINK_PW"


def test_an_environment_variable_gives_a_secret() -> None:
    assert _password(environ={"CAMLINK_SECRET_ADMIN_PASSWORD": VALUE}) == VALUE


def test_a_command_gives_the_secrets() -> None:
    assert _password(secrets_command=_printing(f"admin_password: {VALUE}"),
                     environ={}) == VALUE


def test_the_inventory_names_its_secrets_command_run_in_its_directory(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    (site / "vault.txt").write_text(f"admin_password: {VALUE}\n", encoding="utf-8")
    command = shlex.join([sys.executable, "-c", "print(open('vault.txt').read())"])
    inventory = site / "inventory.yml"
    inventory.write_text(inventory.read_text(encoding="utf-8").replace(
        "site:\n  name: minimal\n",
        f"site:\n  name: minimal\n  secrets_command: {json.dumps(command)}\n"),
        encoding="utf-8")
    assert _password(site, environ={}) == VALUE


def test_a_secret_given_twice_is_an_error_at_both(tmp_path: Path) -> None:
    secrets = tmp_path / "secrets.yml"
    secrets.write_text(f"# shared\nadmin_password: {VALUE}\n", encoding="utf-8")
    with pytest.raises(InventoryErrors) as caught:
        load_site([MINIMAL], secrets, environ={"CAMLINK_SECRET_ADMIN_PASSWORD": VALUE + "2"})
    (error,) = caught.value.errors
    assert error.render() == (f"{secrets}:2:17: secret admin_password is given twice: in "
                              f"{secrets} and in $CAMLINK_SECRET_ADMIN_PASSWORD — remove one "
                              "of them")


@pytest.mark.parametrize(("command", "says"), [
    (shlex.join([sys.executable, "-c", "import sys; sys.exit(3)"]),
     "the secrets command failed (exit status 3)"),
    ("no-such-secrets-tool -d x", "cannot run the secrets command: no-such-secrets-tool not "
     "found"),
    (_printing("- a list"), "secrets must be a mapping of NAME: value"),
    (_printing("admin_password: 01234567"), "secret admin_password must be text"),
])
def test_a_secrets_command_that_fails_is_an_error_saying_so(command: str, says: str) -> None:
    with pytest.raises(InventoryErrors) as caught:
        load_site([MINIMAL], secrets_command=command, environ={})
    assert says in "\n".join(e.render() for e in caught.value.errors)


def test_secrets_from_standard_input(tmp_path: Path) -> None:
    result = run("plan", "-i", str(MINIMAL), "--secrets", "-", "--emulate", cwd=tmp_path,
                 stdin=f"admin_password: {VALUE}\n")
    assert result.returncode == EXIT_OK, result.stderr
    assert "Plan:" in result.stdout
    _clean(result.stdout, result.stderr)


def test_secrets_from_a_pipe(tmp_path: Path) -> None:
    # What `--secrets <(sops -d secrets.enc.yml)` hands over: a /dev/fd path to a pipe.
    line = (f"{shlex.join([sys.executable, '-m', 'camlink_provision.cli', 'plan', '-i'])} "
            f"{shlex.quote(str(MINIMAL))} --emulate --secrets <(printf "
            f"'admin_password: {VALUE}\\n')")
    bash = shutil.which("bash")
    assert bash is not None
    result = run_shell(bash, line, tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    assert "Plan:" in result.stdout
    _clean(result.stdout, result.stderr)


def run_shell(bash: str, line: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([bash, "-c", line], cwd=cwd, env=cli_env(), capture_output=True,
                          text=True, timeout=180, check=False)


def test_a_secrets_command_on_the_command_line(tmp_path: Path) -> None:
    result = run("plan", "-i", str(MINIMAL), "--emulate", "--secrets-command",
                 _printing(f"admin_password: {VALUE}"), cwd=tmp_path)
    assert result.returncode == EXIT_OK, result.stderr
    _clean(result.stdout, result.stderr)


def test_an_environment_variable_on_the_command_line(tmp_path: Path) -> None:
    result = run("plan", "-i", str(MINIMAL), "--emulate", cwd=tmp_path,
                 env={"CAMLINK_SECRET_ADMIN_PASSWORD": VALUE})
    assert result.returncode == EXIT_OK, result.stderr
    _clean(result.stdout, result.stderr)


def test_secrets_and_a_secrets_command_are_one_too_many(tmp_path: Path) -> None:
    result = run("validate", "-i", str(MINIMAL), "--secrets", "x.yml", "--secrets-command",
                 "true", cwd=tmp_path)
    assert result.returncode == EXIT_ERROR
    assert "--secrets and --secrets-command both given" in result.stdout


# -- offline validate ----------------------------------------------------------------------------
def test_validate_without_secrets_checks_the_rest_and_lists_what_is_needed(
        tmp_path: Path) -> None:
    result = run("validate", "-i", str(MINIMAL), cwd=tmp_path)
    assert result.returncode == EXIT_OK, result.stdout + result.stderr
    assert ("secrets not checked (none given): the site needs admin_password — give them "
            "with --secrets, --secrets-command or $CAMLINK_SECRET_ADMIN_PASSWORD and so on, to "
            "check their values too") in result.stdout
    assert "valid — site minimal" in result.stdout


def test_validate_offline_still_fails_on_everything_else(tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(MINIMAL, site)
    inventory = site / "inventory.yml"
    inventory.write_text(inventory.read_text(encoding="utf-8").replace(
        "preset: door", "preset: dooor"), encoding="utf-8")
    result = run("validate", "-i", str(site), cwd=tmp_path)
    assert result.returncode == EXIT_ERROR
    assert "dooor" in result.stdout and "invalid" in result.stdout


def test_validate_with_secrets_checks_them_and_says_nothing_of_offline(tmp_path: Path) -> None:
    result = run("validate", "-i", str(MINIMAL), cwd=tmp_path,
                 env={"CAMLINK_SECRET_ADMIN_PASSWORD": VALUE})
    assert result.returncode == EXIT_OK
    assert "not checked" not in result.stdout
    too_long = run("validate", "-i", str(MINIMAL), cwd=tmp_path,
                   env={"CAMLINK_SECRET_ADMIN_PASSWORD": "x" * 65})
    assert too_long.returncode == EXIT_ERROR, too_long.stdout
    assert "x" * 65 not in too_long.stdout + too_long.stderr


def test_plan_never_runs_offline(tmp_path: Path) -> None:
    result = run("plan", "-i", str(MINIMAL), "--emulate", cwd=tmp_path)
    assert result.returncode == EXIT_ERROR
    assert "secret 'admin_password' is not defined" in result.stderr


def test_a_directory_and_its_inventory_file_are_the_same_site(tmp_path: Path) -> None:
    site = tmp_path / "somewhere-else"  # the path never names the site: site.name does
    shutil.copytree(MINIMAL, site)
    inventory = site / "inventory.yml"
    for source in (site, inventory, Path("somewhere-else")):
        result = run("validate", "-i", str(source), cwd=tmp_path)
        assert "valid — site minimal:" in result.stdout, (source, result.stdout)
    inventory.write_text(inventory.read_text(encoding="utf-8").replace(
        "site:\n  name: minimal\n", ""), encoding="utf-8")
    for source in (site, inventory):
        result = run("validate", "-i", str(source), cwd=tmp_path)
        assert result.returncode == 1
        assert (f"{inventory}:1:1: the inventory does not name its site — add "
                "`site: {name: somewhere-else}`") in result.stdout, result.stdout
