"""Where ``secret('NAME')`` finds its values. Values never leave this module as text except
through ``lookup`` (called by the template engine, which wraps them in ``Secret``).

A secrets source is either a YAML file of ``NAME: value`` lines or a directory holding one
file per secret (file name = NAME, content = value, one trailing newline dropped). Which one:
``--secrets PATH``; else ``$CAMLINK_SECRETS``; else ``secrets/`` or ``secrets.yml`` in the
first source's directory (the directory itself for a directory source, the file's directory
for a file source); else there is none, and any ``secret()`` is an error that says so.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from camlink_provision.errors import InventoryError, Location
from camlink_provision.inventory.located import LDict, display_path
from camlink_provision.inventory.yamlfile import read_yaml

ENV_VAR = "CAMLINK_SECRETS"
DEFAULT_NAMES = ("secrets", "secrets.yml", "secrets.yaml")


class SecretStore:
    """The secret values of one run, and where they came from (for messages)."""

    def __init__(self, values: Mapping[str, str], origin: str | None,
                 path: Path | None = None) -> None:
        self._values = dict(values)
        self.origin = origin  # a display path, or None when there is no secrets source
        self.path = path  # the file or directory (an inventory directory may hold it)

    def lookup(self, name: str) -> str | None:
        return self._values.get(name)

    def values(self) -> list[str]:
        """Every secret value: for scrubbing error text, never for printing."""
        return list(self._values.values())

    def missing_hint(self, name: str) -> str:
        if self.origin is None:
            return (f"give a secrets file with {name}: --secrets PATH, ${ENV_VAR}, or "
                    "secrets.yml beside the inventory")
        return f"add {name} to {self.origin}"

    def __repr__(self) -> str:
        return f"SecretStore({len(self._values)} secrets from {self.origin})"


def open_secrets(option: str | Path | None, sources: Sequence[Path],
                 environ: Mapping[str, str] | None = None
                 ) -> tuple[SecretStore, list[InventoryError]]:
    environ = os.environ if environ is None else environ
    chosen = _choose(option, sources, environ)
    if chosen is None:
        return SecretStore({}, None), []
    if chosen.is_dir():
        values, errors = _read_directory(chosen)
        return SecretStore(values, display_path(chosen), chosen), errors
    if chosen.is_file():
        store, errors = _read_file(chosen)
        return SecretStore(store, display_path(chosen), chosen), errors
    error = InventoryError("the secrets file or directory does not exist",
                           Location(display_path(chosen), 1, 1),
                           f"check --secrets or ${ENV_VAR}")
    return SecretStore({}, display_path(chosen), chosen), [error]


def _choose(option: str | Path | None, sources: Sequence[Path],
            environ: Mapping[str, str]) -> Path | None:
    if option is not None:
        return Path(option)
    if environ.get(ENV_VAR):
        return Path(environ[ENV_VAR])
    if not sources:
        return None
    first = sources[0]
    home = first if first.is_dir() else first.parent
    return next((home / n for n in DEFAULT_NAMES if (home / n).exists()), None)


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


def _read_file(path: Path) -> tuple[dict[str, str], list[InventoryError]]:
    origin = display_path(path)
    data, errors = read_yaml(path)
    if errors:
        return {}, errors
    if data is None:
        return {}, []
    if not isinstance(data, LDict):
        return {}, [InventoryError(
            "a secrets file must be a mapping of NAME: value", Location(origin, 1, 1),
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
    return values, errors
