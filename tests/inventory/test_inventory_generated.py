"""The committed schemas and reference are what the code generates, the schema is a valid
draft 2020-12 schema with a description on every property, and editors that read the
committed files agree that the examples are well formed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from inventory_kit import EXAMPLES, REPO
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from camlink_provision.inventory import docgen, schema

SCHEMAS = REPO / "schemas"


def test_committed_schemas_are_up_to_date() -> None:
    for name, content in schema.rendered().items():
        committed = (SCHEMAS / name).read_text(encoding="utf-8")
        assert committed == content, (f"schemas/{name} is stale: run python -m "
                                      "camlink_provision.inventory.schema --write")


def test_committed_reference_is_up_to_date() -> None:
    assert docgen.DOC.read_text(encoding="utf-8") == docgen.render(), (
        "docs/inventory.md is stale: run python -m camlink_provision.inventory.docgen --write")


def test_the_schema_is_draft_2020_12() -> None:
    Draft202012Validator.check_schema(schema.build_schema())
    Draft202012Validator.check_schema(schema.build_vars_schema())


def _properties(node: Any, path: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every property schema."""
    out = []
    if isinstance(node, dict):
        for key, value in node.get("properties", {}).items():
            out.append((f"{path}.{key}", value))
        for key, value in node.items():
            out += _properties(value, f"{path}/{key}")
    elif isinstance(node, list):
        for value in node:
            out += _properties(value, path)
    return out


def test_every_property_has_a_description() -> None:
    properties = _properties(schema.build_schema())
    assert len(properties) > 60
    assert [path for path, node in properties if not node.get("description")] == []


def _editor_validator(name: str) -> Draft202012Validator:
    """What an editor does with the `$schema=` comment: the committed file, refs by name."""
    registry: Registry[Any] = Registry()
    for path in SCHEMAS.glob("*.schema.json"):
        resource = Resource.from_contents(json.loads(path.read_text()))
        registry = registry.with_resource(path.name, resource)
    return Draft202012Validator({"$ref": name}, registry=registry)


def _example_files() -> list[Path]:
    return sorted(p for p in EXAMPLES.rglob("*.yml") if p.name != "secrets.example.yml")


@pytest.mark.parametrize("path", _example_files(), ids=lambda p: str(p.relative_to(EXAMPLES)))
def test_example_files_declare_and_pass_their_editor_schema(path: Path) -> None:
    first_line = path.read_text().splitlines()[0]
    name = "vars.schema.json" if path.parent.name.endswith("_vars") else \
        "inventory.schema.json"
    assert first_line.startswith("# yaml-language-server: $schema=")
    assert first_line.endswith(f"schemas/{name}")
    assert (path.parent / first_line.split("=", 1)[1]).resolve() == SCHEMAS / name
    errors = list(_editor_validator(name).iter_errors(yaml.safe_load(path.read_text())))
    assert [e.message for e in errors] == []
