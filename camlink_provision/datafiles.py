"""The files the tool ships and reads at run time: JSON Schemas and the default playbook.

They live in the checkout as ``schemas/`` and ``playbooks/`` (the project's visible layout,
what editors' ``$schema`` lines point at); ``camlink_provision/schemas`` and
``camlink_provision/playbooks`` are symlinks to them, so setuptools ships them as package data
and, installed or not, the tool reads them through ``importlib.resources`` from here. One
copy of each file, one place that knows where they are.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

PACKAGE = "camlink_provision"
SCHEMAS = "schemas"
PLAYBOOKS = "playbooks"
DEFAULT_PLAYBOOK = "site.yml"


def data_file(folder: str, name: str) -> Traversable:
    """A shipped file, wherever the package is installed (a wheel, a venv, an editable)."""
    return files(PACKAGE).joinpath(folder, name)


def schema_text(name: str) -> str:
    return data_file(SCHEMAS, name).read_text(encoding="utf-8")


def bundled_playbook() -> Traversable:
    return data_file(PLAYBOOKS, DEFAULT_PLAYBOOK)


def checkout_schema_dir() -> Path:
    """``schemas/`` as a directory to write to (``schema --write``: a checkout only)."""
    return Path(str(files(PACKAGE).joinpath(SCHEMAS)))
