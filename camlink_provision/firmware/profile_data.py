"""The firmware profile as data: the packaged ``profile.yml``, typed.

``profile.yml`` (package data, read once through importlib.resources) holds every name the
firmware contract tags [modelled], with its value type, access level and default, checked
against ``schemas/firmware-profile.schema.json``. An installer's override file has the same
shape (``override.py`` reads it; ``merged`` lays it over this one). This module only reads
and types the data; ``profile.py`` interprets it (types, parameter tables) and ``naming.py``
translates between spellings. It imports nothing else of the tool: every module that knows
a parameter name imports it, through ``profile.py``.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import jsonschema
import yaml

from camlink_provision import datafiles

SCHEMA_FILE = "firmware-profile.schema.json"
PACKAGED = "profile.yml"
BUILTIN = "built-in profile"


@dataclass(frozen=True)
class ParamDef:
    """One [modelled] parameter: its spelling, type text, ``get/set`` level and default."""

    name: str
    type: str
    level: str
    default: str = ""

    @property
    def get_level(self) -> int:
        return int(self.level.split("/")[0])

    @property
    def set_level(self) -> int:
        return int(self.level.split("/")[1])


@dataclass(frozen=True, eq=False)
class FirmwareProfile:
    """The [modelled] names of one firmware, typed. Compared and hashed by identity (it is
    loaded once per file and model), so caches may key on it."""

    source: str
    capabilities: dict[str, ParamDef]
    peer_group: str
    peer_fields: dict[str, ParamDef]
    link_group: str
    link_fields: dict[str, ParamDef]
    rule_field: ParamDef
    link_test: dict[str, str]  # path, index, event, result, action
    outcomes: dict[str, str]
    commands: dict[str, str]  # preset_index, track_rule
    vca_path: str
    vca_keys: dict[str, str]
    vca_error: str
    data: dict[str, Any] = field(repr=False, default_factory=dict)  # the merged document

    @property
    def secret_peer_fields(self) -> frozenset[str]:
        return frozenset(f.name for f in self.peer_fields.values() if f.get_level == 7)


def _param(raw: Mapping[str, Any]) -> ParamDef:
    return ParamDef(str(raw["name"]), str(raw["type"]), str(raw["level"]),
                    str(raw.get("default", "")))


def build(data: Mapping[str, Any], source: str) -> FirmwareProfile:
    """A complete document (the packaged file, maybe with overrides merged in), typed."""
    return FirmwareProfile(
        source=source,
        capabilities={k: _param(v) for k, v in data["capabilities"].items()},
        peer_group=data["peers"]["group"],
        peer_fields={k: _param(v) for k, v in data["peers"]["fields"].items()},
        link_group=data["link_actions"]["group"],
        link_fields={k: _param(v) for k, v in data["link_actions"]["fields"].items()},
        rule_field=_param(data["events"]["rule_field"]),
        link_test={k: v for k, v in data["link_test"].items() if k != "outcomes"},
        outcomes=dict(data["link_test"]["outcomes"]),
        commands=dict(data["commands"]),
        vca_path=data["tracking"]["path"],
        vca_keys=dict(data["tracking"]["keys"]),
        vca_error=data["tracking"]["error"],
        data=copy.deepcopy(dict(data)))


@cache
def packaged_data() -> dict[str, Any]:
    text = datafiles.data_file("firmware", PACKAGED).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    problems = list(validator().iter_errors(data))
    if problems:  # a broken package, not a user's mistake
        raise RuntimeError(f"the packaged {PACKAGED} is invalid: {problems[0].message}")
    return data


@cache
def packaged() -> FirmwareProfile:
    """The built-in profile, loaded once."""
    return build(packaged_data(), BUILTIN)


@cache
def _schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(datafiles.schema_text(SCHEMA_FILE))
    return schema


def validator() -> jsonschema.protocols.Validator:
    cls = jsonschema.validators.validator_for(_schema())
    validator: jsonschema.protocols.Validator = cls(_schema())
    return validator


def merged(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with every value ``override`` gives replaced (mappings merged key by key)."""
    out = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merged(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out
