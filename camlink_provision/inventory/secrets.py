"""Where ``secret('NAME')`` finds its values. Values never leave this module as text except
through ``lookup`` (called by the template engine, which wraps them in ``Secret``).

The backends, and which one a run uses (the first that is given):

    --secrets PATH            a YAML file of ``NAME: value`` lines, or a directory with one
                              file per secret (file name = NAME, content = value, one
                              trailing newline dropped)
    --secrets -  / a pipe     the same YAML read from standard input or a FIFO
                              (``--secrets <(sops -d secrets.enc.yml)``)
    --secrets-command CMD     a command whose standard output is that YAML (sops, pass,
                              ansible-vault view, a password manager's CLI); also
                              ``site: secrets_command:`` in the inventory, run in the
                              inventory's directory
    $CAMLINK_SECRETS          a path, as --secrets
    secrets/ or secrets.yml   beside the first inventory source

and, whatever the source, ``$CAMLINK_SECRET_<NAME>`` environment variables (NAME upper-cased,
anything but letters and digits as ``_``): each fills in a secret the source does not have;
one the source has too is an error (two values for one secret: which one was meant?).

Without any of these, ``plan`` and ``apply`` fail at the first ``secret()``. ``validate``
runs offline instead (``offline=True``): every ``secret()`` is a stand-in that fits any
password field, and the names asked for are listed, so a pull request's CI checks an
inventory without holding a single password.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from camlink_provision.errors import InventoryError, Location
from camlink_provision.inventory import budgets
from camlink_provision.inventory.located import LDict, display_path
from camlink_provision.inventory.yamlfile import parse_yaml, read_yaml

ENV_VAR = "CAMLINK_SECRETS"
ENV_PREFIX = "CAMLINK_SECRET_"
STDIN = "-"
DEFAULT_NAMES = ("secrets", "secrets.yml", "secrets.yaml")
COMMAND_TIMEOUT = 120.0  # seconds: a password manager may ask for a passphrase first
# What validate puts where a secret would go: plain letters, so it fits every password field.
OFFLINE_STAND_IN = "offlinevalidate"


def env_name(name: str) -> str:
    """``admin_password`` -> ``CAMLINK_SECRET_ADMIN_PASSWORD``."""
    return ENV_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", name).upper()


class SecretStore:
    """The secret values of one run, and where they came from (for messages)."""

    def __init__(self, values: Mapping[str, str], origin: str | None, *,
                 path: Path | None = None, environ: Mapping[str, str] | None = None,
                 offline: bool = False) -> None:
        self._values = dict(values)
        self.origin = origin  # a display name, or None when there is no secrets source
        self.path = path  # the file or directory read (an inventory directory may hold it)
        self._environ = environ or {}
        self.offline = offline
        self.asked: list[str] = []  # every name looked up, in first-asked order

    def lookup(self, name: str) -> str | None:
        if name not in self.asked:
            self.asked.append(name)
        if name in self._values:
            return self._values[name]
        from_env = self._environ.get(env_name(name))
        if from_env is not None:
            return from_env
        return OFFLINE_STAND_IN if self.offline else None

    def values(self) -> list[str]:
        """Every secret value: for scrubbing error text, never for printing."""
        named = [self._environ[k] for k in self._environ if k.startswith(ENV_PREFIX)]
        return [*self._values.values(), *named]

    def missing(self) -> list[str]:
        """Names asked for that no backend holds (what an offline validate lists)."""
        return [name for name in self.asked if name not in self._values
                and env_name(name) not in self._environ]

    def missing_hint(self, name: str) -> str:
        if self.origin is None:
            return (f"give its value: ${env_name(name)}, --secrets PATH, --secrets-command "
                    f"CMD, ${ENV_VAR}, or secrets.yml beside the inventory")
        return f"add {name} to {self.origin} (or set ${env_name(name)})"

    def __repr__(self) -> str:
        return f"SecretStore({len(self._values)} secrets from {self.origin})"


def open_secrets(option: str | Path | None, sources: Sequence[Path],
                 environ: Mapping[str, str] | None = None, *,
                 command: str | None = None, site_command: str | None = None,
                 offline: bool = False) -> tuple[SecretStore, list[InventoryError]]:
    """The run's secrets from the first backend given (see the module docstring)."""
    environ = os.environ if environ is None else environ
    if option is not None and command is not None:
        return SecretStore({}, None), [InventoryError(
            "--secrets and --secrets-command both given", hint="give one of them")]
    values, where, origin, errors = _read_backend(option, sources, environ, command,
                                                  site_command)
    errors += [InventoryError(f"secret {name} is given twice: in {origin} and in "
                              f"${env_name(name)}", where[name], "remove one of them")
               for name in values if env_name(name) in environ]
    path = planned_path(option, sources, environ, command) if site_command is None or \
        option is not None or command is not None else None
    store = SecretStore(values, origin, path=path, environ=environ,
                        offline=offline and origin is None)
    return store, errors


def planned_path(option: str | Path | None, sources: Sequence[Path],
                 environ: Mapping[str, str], command: str | None) -> Path | None:
    """The file or directory the secrets come from unless the inventory names a command:
    what the inventory's own reading must know before that (a ``secrets.yml`` beside it is
    the secrets, not an unread file). None for standard input and commands."""
    if option is not None:
        return None if str(option) == STDIN else Path(option)
    if command is not None:
        return None
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR])
    home = _home(sources)
    return next((home / n for n in DEFAULT_NAMES if (home / n).exists()), None) \
        if home else None


# values, where each was given, the origin's display name, errors
Read = tuple[dict[str, str], dict[str, Location], str | None, list[InventoryError]]


def _read_backend(option: str | Path | None, sources: Sequence[Path],
                  environ: Mapping[str, str], command: str | None,
                  site_command: str | None) -> Read:
    if option is not None and str(option) == STDIN:
        return _from_text(sys.stdin.read(), "<stdin>")
    if option is not None:
        return _from_path(Path(option), "check --secrets")
    if command is not None:
        return _from_command(command, None)
    if site_command is not None:
        return _from_command(site_command, _home(sources))
    if environ.get(ENV_VAR):
        return _from_path(Path(environ[ENV_VAR]), f"check ${ENV_VAR}")
    found = planned_path(None, sources, environ, None)
    if found is None:
        return {}, {}, None, []
    return _from_path(found, "")


def _home(sources: Sequence[Path]) -> Path | None:
    if not sources:
        return None
    first = sources[0]
    return first if first.is_dir() else first.parent


def _from_path(path: Path, hint: str) -> Read:
    origin = display_path(path)
    try:
        mode = path.stat().st_mode
    except OSError:
        return {}, {}, origin, [InventoryError("the secrets file or directory does not exist",
                                               Location(origin, 1, 1),
                                               hint or "check the path")]
    if stat.S_ISDIR(mode):
        values, errors = _read_directory(path)
        where = {name: Location(display_path(path / name), 1, 1) for name in values}
        return values, where, origin, errors
    if stat.S_ISREG(mode):
        data, errors = read_yaml(path)
        return _values_of(data, errors, origin)
    # a pipe: --secrets <(sops -d secrets.enc.yml) names /dev/fd/63
    with path.open(encoding="utf-8") as stream:
        return _from_text(stream.read(budgets.MAX_FILE_BYTES + 1), origin)


def _from_text(text: str, origin: str) -> Read:
    if len(text) > budgets.MAX_FILE_BYTES:
        return {}, {}, origin, [InventoryError(
            f"the secrets are larger than {budgets.MAX_FILE_BYTES:,} bytes",
            Location(origin, 1, 1), "a secrets source holds NAME: value lines")]
    data, errors = parse_yaml(text, origin)
    return _values_of(data, errors, origin)


def _from_command(command: str, cwd: Path | None) -> Read:
    """Run the command (no shell: write ``sh -c '...'`` for one); its stdout is the YAML.
    Its stderr goes straight to ours, so a passphrase prompt or an error reaches the user
    and nothing of it passes through this program's messages."""
    argv = shlex.split(command)
    origin = f"secrets command {shlex.quote(argv[0]) if argv else '(empty)'}"
    where = Location(origin, 1, 1)
    if not argv:
        return {}, {}, origin, [InventoryError("the secrets command is empty", where,
                                           "give a command, e.g. 'sops -d secrets.enc.yml'")]
    try:
        done = subprocess.run(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=None,
                              stdin=subprocess.DEVNULL, timeout=COMMAND_TIMEOUT, check=False)
    except FileNotFoundError:
        return {}, {}, origin, [InventoryError(f"cannot run the secrets command: {argv[0]} not "
                                           "found", where, "check that it is installed and "
                                           "on PATH")]
    except subprocess.TimeoutExpired:
        return {}, {}, origin, [InventoryError(f"the secrets command did not finish within "
                                           f"{COMMAND_TIMEOUT:g} s", where,
                                           "run it by hand to see what it waits for")]
    if done.returncode != 0:
        return {}, {}, origin, [InventoryError(f"the secrets command failed (exit status "
                                           f"{done.returncode})", where,
                                           "its own message is above; run it by hand")]
    try:
        text = done.stdout.decode("utf-8")
    except UnicodeDecodeError:
        return {}, {}, origin, [InventoryError("the secrets command's output is not UTF-8 text",
                                           where, "it must print NAME: value lines")]
    return _from_text(text, origin)


def _read_directory(directory: Path) -> tuple[dict[str, str], list[InventoryError]]:
    """One secret per regular file; anything else there (a subdirectory, a link that
    dangles, a file that cannot be read or is not UTF-8) is an error naming the file, never
    showing its content."""
    values: dict[str, str] = {}
    errors: list[InventoryError] = []
    try:
        paths = sorted(directory.iterdir())
    except OSError as exc:
        return values, [InventoryError(
            f"cannot read the secrets directory: {exc.strerror or type(exc).__name__}",
            Location(display_path(directory), 1, 1), "check its permissions")]
    for path in paths:
        if path.name.startswith("."):
            continue
        where = Location(display_path(path), 1, 1)
        if not path.is_file():
            where = Location(display_path(path) + ("/" if path.is_dir() else ""))
            errors.append(InventoryError(
                "a secrets directory holds one file per secret; this is not a file", where,
                "move it out of the secrets directory"))
            continue
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            errors.append(InventoryError(
                f"cannot read the secret: {exc.strerror or type(exc).__name__}", where,
                "check its permissions"))
            continue
        except UnicodeDecodeError:
            errors.append(InventoryError("the secret is not UTF-8 text", where,
                                         "save the file as UTF-8"))
            continue
        values[path.name] = text.removesuffix("\n").removesuffix("\r")
    return values, errors


def _values_of(data: Any, errors: list[InventoryError], origin: str) -> Read:
    if errors:
        return {}, {}, origin, errors
    if data is None:
        return {}, {}, origin, []
    if not isinstance(data, LDict):
        return {}, {}, origin, [InventoryError(
            "secrets must be a mapping of NAME: value", Location(origin, 1, 1),
            "write one NAME: value per line")]
    values: dict[str, str] = {}
    for name, value in data.items():
        if isinstance(value, str):
            values[name] = value
        else:  # 01234567 would be the number 342391: never change a secret silently
            errors.append(InventoryError(f"secret {name} must be text",
                                         data.where(name),
                                         "quote it: NAME: \"value\" (YAML reads bare "
                                         "numbers, true/false and empty as other types)"))
    return values, {name: data.where(name) for name in values}, origin, errors

