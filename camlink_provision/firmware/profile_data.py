"""The firmware profile as data: the packaged ``profile.yml`` and an installer's override.

``profile.yml`` (package data, read once through importlib.resources) holds every name the
firmware contract tags [modelled], with its value type, access level and default. An
override file has the same shape, every key optional, plus ``models:`` (model name -> the
same shape) for corrections that hold for one model only. Both are checked against
``schemas/firmware-profile.schema.json``; a bad override is an error naming its file, line
and what to do, raised before any camera is contacted.

This module only reads, checks and merges the files; ``profile.py`` interprets the result
(types, parameter tables) and ``naming.py`` translates between spellings.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from camlink_provision import datafiles
from camlink_provision.errors import InventoryError, InventoryErrors, Location
from camlink_provision.firmware import models as catalogue
from camlink_provision.inventory.located import LDict, display_path, locate
from camlink_provision.inventory.yamlfile import read_yaml

SCHEMA_FILE = "firmware-profile.schema.json"
PACKAGED = "profile.yml"
BUILTIN = "built-in profile"
_FIX = "see docs/new-firmware.md, or `camlink-provision probe --write-profile FILE` for a start"


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


@dataclass(frozen=True)
class ProfileSet:
    """What a run uses: a profile for every camera, one per model and one per firmware
    version where an override says so (a firmware section wins over a model's, which wins
    over the common part). ``describe()`` is the line every command prints."""

    base: FirmwareProfile
    models: dict[str, FirmwareProfile] = field(default_factory=dict)
    override: str | None = None  # the override file, as given
    # (model or "", firmware key) -> the profile; built (and checked) when the file loads
    versions: dict[tuple[str, str], FirmwareProfile] = field(default_factory=dict)

    def for_model(self, model: str) -> FirmwareProfile:
        return self.models.get(model, self.base)

    def for_camera(self, model: str, firmware: str = "") -> FirmwareProfile:
        """The profile of a camera of this model running this firmware (either may be
        unknown: ""). ``firmware`` as the inventory or the camera gives it."""
        key = firmware_key(firmware, {k for _, k in self.versions})
        if key is None:
            return self.for_model(model)
        return self.versions[(model if model in self.models else "", key)]

    def describe(self) -> str:
        if self.override is None:
            return f"firmware profile: {BUILTIN}"
        scopes = [f"models: {', '.join(sorted(self.models))}"] if self.models else []
        keys = sorted({k for _, k in self.versions})
        scopes += [f"firmware: {', '.join(keys)}"] if keys else []
        scope = f" ({'; '.join(scopes)})" if scopes else ""
        return f"firmware profile: {BUILTIN} + {self.override}{scope}"


def firmware_key(firmware: str, keys: set[str]) -> str | None:
    """The most specific firmware section for a version: ``2.2103.40`` covers
    ``2.2103.40.02`` and ``SD9384-VVTK-2.2103.40.02`` (the camera's own form)."""
    version = firmware.split("-VVTK-", 1)[-1]
    matching = [k for k in keys if version == k or version.startswith(k + ".")]
    return max(matching, key=len) if matching else None


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
    problems = list(_validator().iter_errors(data))
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


def _validator() -> jsonschema.protocols.Validator:
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


def load_override(path: str | Path) -> ProfileSet:
    """Read, check and merge an override file; raise every problem at once."""
    file = Path(path)
    name = display_path(file)
    data, errors = read_yaml(file)
    if errors:
        raise InventoryErrors(errors)
    if not isinstance(data, LDict) or not data:
        raise InventoryErrors([InventoryError(
            "the firmware profile override is empty or not a mapping", Location(name, 1, 1),
            hint="write the keys to correct, e.g. `peers: {group: camlink}`; " + _FIX)])
    problems = [_schema_problem(error, data, name) for error in _validator().iter_errors(data)]
    problems += _model_problems(data)
    if problems:
        raise InventoryErrors(problems)
    models = data.get("models")
    models = models if isinstance(models, LDict) else LDict(Location(name))
    versions = data.get("firmware")
    versions = versions if isinstance(versions, LDict) else LDict(Location(name))
    common = {k: v for k, v in data.items() if k not in ("models", "firmware", "description")}
    base_data = merged(packaged_data(), common)
    problems = _clash_problems(base_data, data, name)
    sets: dict[str, FirmwareProfile] = {}
    for model, extra in models.items():
        model_data = merged(base_data, extra)
        problems += _clash_problems(model_data, models, name, f"model {model}")
        sets[model] = build(model_data, f"{name} (model {model})")
    combos: dict[tuple[str, str], FirmwareProfile] = {}
    for key, extra in versions.items():
        for model in ("", *models):
            version_data = merged(merged(base_data, models[model]) if model else base_data,
                                  extra)
            where = f" and model {model}" if model else ""
            problems += _clash_problems(version_data, versions, name, f"firmware {key}{where}")
            combos[(model, key)] = build(version_data, f"{name} (firmware {key}{where})")
    if problems:
        raise InventoryErrors(problems)
    return ProfileSet(build(base_data, name), sets, name, combos)


def builtin_set() -> ProfileSet:
    return ProfileSet(packaged())


def _schema_problem(error: jsonschema.ValidationError, root: LDict,
                    name: str) -> InventoryError:
    path = list(error.absolute_path)
    where = locate(root, path) or Location(name, 1, 1)
    dotted = ".".join(str(p) for p in path) or "the file"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = error.schema.get("properties", {}) if isinstance(error.schema, dict) else {}
        extra = sorted(k for k in error.instance if k not in allowed)
        holder = _holder(root, path)
        if extra and holder is not None:
            where = holder.key_where(extra[0])
        known = ", ".join(allowed) if allowed else "model names"
        return InventoryError(f"{dotted}: unknown key {', '.join(map(repr, extra))}", where,
                              hint=f"the keys here are: {known}")
    if error.validator == "pattern" and isinstance(error.schema, dict):
        wanted = error.schema.get("description", "see schemas/" + SCHEMA_FILE)
        return InventoryError(f"{dotted}: {error.instance!r} is not valid here", where,
                              hint=f"write {wanted}")
    return InventoryError(f"{dotted}: {error.message}", where, hint=_FIX)


def _holder(root: LDict, path: list[Any]) -> LDict | None:
    node: Any = root
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, LDict) else None


def _model_problems(data: LDict) -> list[InventoryError]:
    found = data.get("models")
    if not isinstance(found, LDict):
        return []
    return [InventoryError(f"models: {model!r} is not a known model", found.key_where(model),
                           hint="write the model as the camera reports it "
                           "(system_info_modelname), e.g. " + ", ".join(
                               sorted(catalogue.MODELS)[:3]))
            for model in found if catalogue.lookup(model) is None]


def _clash_problems(data: Mapping[str, Any], where_root: LDict, name: str,
                    model: str | None = None) -> list[InventoryError]:
    """Two fields of one group spelled alike would read one parameter as two: refuse."""
    out: list[InventoryError] = []
    for section in ("peers", "link_actions"):
        spellings: dict[str, str] = {}
        for key, value in data[section]["fields"].items():
            other = spellings.setdefault(value["name"], key)
            if other != key:
                scope = f" for {model}" if model else ""
                out.append(InventoryError(
                    f"{section}: fields {other!r} and {key!r} are both spelled "
                    f"{value['name']!r}{scope}", locate(where_root, [section]) or
                    Location(name, 1, 1), hint="each field needs its own name on the camera"))
    return out
