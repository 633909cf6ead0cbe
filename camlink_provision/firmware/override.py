"""An installer's firmware profile override: read, checked, merged over the built-in one.

The file has the shape of ``profile.yml`` with every key optional, plus ``models:`` (model
name -> the same shape) and ``firmware:`` (a version or a prefix of one -> the same shape)
for corrections that hold for one model or one firmware only. It is checked against
``schemas/firmware-profile.schema.json``; a bad file is an error naming its file, line and
what to do, raised before any camera is contacted. Every combination the file can produce
is built and checked when it loads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema

from camlink_provision.errors import InventoryError, InventoryErrors, Location
from camlink_provision.firmware import models as catalogue
from camlink_provision.firmware.profile_data import (
    BUILTIN,
    SCHEMA_FILE,
    FirmwareProfile,
    build,
    merged,
    packaged,
    packaged_data,
    validator,
)
from camlink_provision.inventory.located import LDict, display_path, locate
from camlink_provision.inventory.yamlfile import read_yaml

_FIX = "see docs/new-firmware.md, or `camlink-provision probe --write-profile FILE` for a start"


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
    problems = [_schema_problem(error, data, name) for error in validator().iter_errors(data)]
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
