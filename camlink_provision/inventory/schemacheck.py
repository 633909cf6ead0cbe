"""JSON Schema validation of inventory data, with every error at its file:line:col.

Two modes:

- ``partial``: every keyword but ``x-complete``. For the merged document before templating,
  where a level may set part of a camera (a group_vars file with only credentials), and for
  the values a camera's templates produced.
- ``required``: only ``x-complete`` (a camera needs an address, a model and credentials), on
  a camera or link once every level is merged.

The two add up to the whole schema on every camera, without judging a value twice: a value
that did not come from a template was judged in the document already, and a merge of valid
levels is valid but for what ``x-complete`` asks. (Measured: validating every camera whole
again took a quarter of the load time of a 1,000-camera site.)

A value that is still a template (``"{{ ... }}"``) is not judged: it is, once rendered.
``Secret`` counts as a string. Messages never show a secret or a password.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from typing import Any, Literal

import jsonschema
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.protocols import Validator

from camlink_provision.errors import InventoryError, Location
from camlink_provision.firmware import profile
from camlink_provision.inventory import limits
from camlink_provision.inventory.hints import did_you_mean
from camlink_provision.inventory.located import LDict, PathPart, dotted, is_template, locate
from camlink_provision.inventory.model import Secret
from camlink_provision.inventory.schema import (
    COMPLETE_KEYWORD,
    FIRMWARE_KEYWORD,
    UNLESS_ABSENT,
    build_schema,
)

TYPE_WORDS = {"object": "a mapping", "array": "a list", "string": "text",
              "integer": "a whole number", "number": "a number", "boolean": "true or false",
              "null": "empty"}
TYPE_HINTS = {"object": "write key: value lines below it", "array": "write a list",
              "string": "write text (quote it if YAML reads it as a number or true/false)",
              "integer": "write a whole number, without quotes",
              "number": "write a number, without quotes", "boolean": "write true or false"}
SENSITIVE_KEYS = frozenset({"password"})
_REQUIRED = re.compile(r"^'(?P<key>.+)' is a required property")
Check = Callable[[Validator, Any, Any, dict[str, Any]], Iterator[ValidationError] | None]


# Errors after which the data cannot be built into the Site's types (a list where a mapping
# should be, a missing name, a day that is no day). After the others (a name too long, a
# port out of range, an unknown key) it can, so the cross-camera rules still run on it.
BLOCKING = frozenset({"type", "required", "enum", "minProperties"})


Mode = Literal["partial", "required"]


@dataclass(frozen=True)
class Checked:
    errors: list[InventoryError]
    blocked: frozenset[Location]  # where values are that cannot be built into the Site


def check(instance: Any, definition: str, *, mode: Mode,
          prefix: Sequence[PathPart] = (), subject: str | None = None,
          root_location: Location | None = None) -> Checked:
    """Validate ``instance`` against ``$defs[definition]`` (or the whole schema when
    ``definition`` is empty). ``prefix`` is the instance's path in the document (for
    messages); ``subject`` names the instance in messages ("camera 'ptz-1'")."""
    validator = _validator(definition, mode)
    out: list[InventoryError] = []
    blocked: set[Location] = set()
    remembered = _VALID_SCALARS.set({})
    try:
        errors = list(validator.iter_errors(instance))
    finally:
        _VALID_SCALARS.reset(remembered)
    for error in errors:
        found = _Translation(error, instance, prefix, subject, root_location).errors()
        if _keywords(error) & BLOCKING:
            blocked.update(e.location for e in found if e.location is not None)
        out.extend(found)
    return Checked(out, frozenset(blocked))


def _keywords(error: ValidationError) -> set[str]:
    """The keyword that failed, and those that failed under it (anyOf, if/else...)."""
    found = {str(error.validator)}
    for inner in error.context or ():
        found |= _keywords(inner)
    return found


@cache
def _validator(definition: str, mode: Mode) -> Validator:
    schema = build_schema()
    # The definitions inlined too: a recursive reference (a group's children are groups)
    # lands in one, and every camera below it was reached through references again (a
    # third of a 1,000-camera inventory's load went to resolving them, issue 15).
    defs = {name: _inline(body, schema["$defs"], (name,))
            for name, body in schema["$defs"].items()}
    root = schema if not definition else {"$ref": f"#/$defs/{definition}"}
    inlined = _inline(root, defs)
    if mode == "required":
        inlined = _requirements(inlined) or {}
        defs = {name: _requirements(d) or {} for name, d in defs.items()}
    return _validator_class(mode)({**inlined, "$defs": defs})


_NAVIGATION = ("properties", "items", "additionalProperties", "$ref")


def _requirements(node: Any) -> Any:
    """Only the ``x-complete`` parts of a schema and the way to them; None if it has none."""
    if not isinstance(node, dict):
        return None
    out: dict[str, Any] = {}
    if COMPLETE_KEYWORD in node:
        out[COMPLETE_KEYWORD] = node[COMPLETE_KEYWORD]
    for key in _NAVIGATION:
        if key == "$ref" and key in node:
            out[key] = node[key]
        elif key == "properties" and isinstance(node.get(key), dict):
            kept = {name: sub for name, value in node[key].items()
                    if (sub := _requirements(value)) is not None}
            if kept:
                out[key] = kept
        elif (sub := _requirements(node.get(key))) is not None:
            out[key] = sub
    return out or None


def _inline(node: Any, defs: dict[str, Any], inside: tuple[str, ...] = ()) -> Any:
    """The schema with each ``$ref`` replaced by its target (but a recursive one): the same
    schema, without a reference lookup at every value (a third of the time, measured)."""
    if isinstance(node, list):
        return [_inline(item, defs, inside) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _inline(value, defs, inside) for key, value in node.items() if key != "$ref"}
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in inside:
            out["$ref"] = ref
        else:
            out = {**_inline(defs[name], defs, (*inside, name)), **out}
    return out


# The keywords that judge a scalar; the others only lead to them (``properties`` of a string
# is no error), so only these need to look away from a template.
SCALAR_KEYWORDS = ("type", "enum", "const", "pattern", "minLength", "maxLength", "minimum",
                   "maximum", "exclusiveMinimum", "exclusiveMaximum", "not", FIRMWARE_KEYWORD)


@cache
def _validator_class(mode: Mode) -> type[Validator]:
    keywords: dict[str, Check] = dict(Draft202012Validator.VALIDATORS)
    keywords[FIRMWARE_KEYWORD] = _firmware_type
    for name in SCALAR_KEYWORDS:
        keywords[name] = _tolerant(keywords[name], skip_null=mode == "partial")
    keywords[COMPLETE_KEYWORD] = _complete if mode == "required" else _skip
    types = Draft202012Validator.TYPE_CHECKER.redefine(
        "string", lambda _checker, value: isinstance(value, str | Secret))
    extended: type[Validator] = jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        Draft202012Validator, validators=keywords, type_checker=types)
    _remember_valid_scalars(extended)
    return extended


_SCALARS = (str, int, float, bool, type(None))
# The (schema part, value type, value) found valid during the ``check`` under way, each with
# its schema part: held here, a part made for one call (``_complete`` makes some) cannot
# be freed and its id given to another part before the check ends.
_VALID_SCALARS: ContextVar[dict[tuple[int, type, object], object] | None] = ContextVar(
    "valid_scalars", default=None)


def _remember_valid_scalars(validator_class: type[Validator]) -> None:
    """Within one ``check``, a text, number, boolean or null found valid against a part of
    the schema is not judged there again: whether it is depends on that part and the value
    alone (every keyword that looks at more, a required key or an unknown one, judges a
    mapping). A document repeats its values (a model, a scheme, a trigger on every camera);
    judging each again took half of validating a 1,000-camera inventory (issue 15).

    Keyed by the schema part (its id, the part kept alive for the check) and the value's
    type (``True`` and ``1`` are equal, and differently valid). Only what is valid is kept:
    an error is found again, with its own path, wherever it is."""
    judge = validator_class.descend  # type: ignore[attr-defined]  # not in the protocol

    def descend(self: Validator, instance: Any, schema: Any, path: Any = None,
                schema_path: Any = None, resolver: Any = None) -> Iterator[ValidationError]:
        valid = _VALID_SCALARS.get()
        if valid is None or type(instance) not in _SCALARS or not isinstance(schema, dict):
            yield from judge(self, instance, schema, path, schema_path, resolver)
            return
        key = (id(schema), type(instance), instance)
        if key in valid:
            return
        errors = list(judge(self, instance, schema, path, schema_path, resolver))
        if not errors:
            valid[key] = schema
        yield from errors

    validator_class.descend = descend  # type: ignore[attr-defined]


def _tolerant(keyword: Check, skip_null: bool) -> Check:
    """A template is judged once rendered, not before; in partial mode a null is no error
    (it unsets an inherited value; a required one missing is reported once merged)."""
    def check(validator: Validator, value: Any, instance: Any,
              schema: dict[str, Any]) -> Iterator[ValidationError]:
        if is_template(instance) or (skip_null and instance is None):
            return
        found = keyword(validator, value, instance, schema)
        if found is not None:
            yield from found
    return check


def _firmware_type(validator: Validator, key: str, instance: Any,
                   schema: dict[str, Any]) -> Iterator[ValidationError]:
    vtype = limits.FIRMWARE_TYPES[key]
    if isinstance(instance, Secret):
        if vtype.check(instance.reveal()):
            yield ValidationError(f"does not fit the firmware's {limits.describe(vtype)}")
    elif isinstance(instance, str):
        problem = vtype.check(instance)
        if problem:
            yield ValidationError(problem)


def _complete(validator: Any, subschema: Any, instance: Any,
              schema: dict[str, Any]) -> Iterator[ValidationError]:
    if subschema.get(UNLESS_ABSENT) and isinstance(instance, dict) and \
            instance.get("state") == "absent":
        return
    yield from validator.descend(instance, {k: v for k, v in subschema.items()
                                            if k != UNLESS_ABSENT})


def _skip(validator: Validator, subschema: Any, instance: Any,
          schema: dict[str, Any]) -> Iterator[ValidationError]:
    yield from ()


# -- messages ---------------------------------------------------------------------------------
def _shown(value: Any, path: Sequence[PathPart]) -> str:
    if isinstance(value, Secret) or any(p in SENSITIVE_KEYS for p in path):
        return "(sensitive)"
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _choices_hint(word: str, choices: Sequence[str]) -> str:
    return did_you_mean(word, choices, "use one of: " + ", ".join(choices))


def _structure(path: Sequence[PathPart]) -> tuple[list[PathPart], str]:
    """Split a document path into (path inside the thing, the thing's name)."""
    parts = list(path)
    if parts[:1] == ["all"]:
        group, parts = "all", parts[1:]
        while len(parts) >= 2 and parts[0] == "children":
            group, parts = str(parts[1]), parts[2:]
        if len(parts) >= 2 and parts[0] == "hosts":
            return parts[2:], f"camera '{parts[1]}'"
        if parts[:1] == ["vars"]:
            return parts[1:], f"the vars of group '{group}'"
        return parts, f"group '{group}'"
    if len(parts) >= 2 and parts[0] in ("group_vars", "host_vars"):
        return parts[2:], f"{parts[0]} of '{parts[1]}'"
    return parts, "the inventory"


def _value_at(root: Any, path: Sequence[PathPart]) -> Any:
    node = root
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return None
    return node


class _Translation:
    """One jsonschema error as InventoryErrors in this project's words."""

    def __init__(self, error: ValidationError, instance: Any, prefix: Sequence[PathPart],
                 subject: str | None, root_location: Location | None) -> None:
        self.error = error
        # jsonschema types these as possibly unset; on a raised error they are always set.
        self.value: Any = error.instance
        self.schema: dict[str, Any] = dict(error.schema) if isinstance(error.schema, dict) \
            else {}
        self.expected: Any = error.validator_value
        self.instance = instance
        self.inner = list(error.absolute_path)
        self.path = [*prefix, *self.inner]
        self.inside, self.subject = _structure(self.path)
        if subject is not None:
            self.inside, self.subject = list(self.inner), subject
        if self.inside[:1] == ["links"] and len(self.inside) >= 2:
            self.inside, self.subject = self._link_subject()
        self.root_location = root_location

    def _link_subject(self) -> tuple[list[PathPart], str]:
        inside_instance = 2 - (len(self.path) - len(self.inner))  # of ["links", <index>]
        link = _value_at(self.instance, self.inner[:inside_instance])
        name = link.get("name") if isinstance(link, dict) else None
        label = f"link '{name}'" if isinstance(name, str) else f"link {self.inside[1]}"
        return self.inside[2:], label

    @property
    def what(self) -> str:
        return dotted(self.inside) if self.inside else self.subject

    def where(self) -> Location:
        """The offending value's location (the camera's declaration for the camera itself)."""
        if not self.inner and self.root_location is not None:
            return self.root_location
        return locate(self.instance, self.inner) or Location("<inventory>")

    def key_where(self, key: str) -> Location:
        """Where a key of the offending mapping is written."""
        holder = self.value
        return holder.key_where(key) if isinstance(holder, LDict) else self.where()

    def errors(self) -> list[InventoryError]:
        kind = str(self.error.validator)
        if "propertyNames" in self.error.absolute_schema_path:
            return [self._bad_name()]
        if kind == "additionalProperties":
            return self._unknown_keys()
        handler = _MESSAGES.get(kind)
        if handler is None:
            return [InventoryError(f"{self.what}: {self.error.message}", self.where(),
                                   "see docs/inventory.md")]
        message, hint = handler(self)
        return [InventoryError(message, self.where(), hint)]

    def _bad_name(self) -> InventoryError:
        name = str(self.value)
        schema = self.schema
        hint = str(schema.get("description", "")) if self.error.validator == "pattern" \
            else self.error.message
        return InventoryError(f"{self.what}: invalid name '{name}'", self.key_where(name),
                              hint or "rename it")

    def _unknown_keys(self) -> list[InventoryError]:
        allowed = list(self.schema.get("properties", {}))
        extra = [k for k in self.value if k not in allowed]
        return [InventoryError(f"unknown key '{k}' in {self.what}", self.key_where(k),
                               _choices_hint(k, allowed)) for k in extra]

    # Each returns (message, hint).
    def _type(self) -> tuple[str, str]:
        expected = self.expected
        kinds = [str(k) for k in (expected if isinstance(expected, list) else [expected])]
        kinds = [k for k in kinds if k != "null"] or kinds
        words = " or ".join(TYPE_WORDS.get(k, k) for k in kinds)
        return f"{self.what} must be {words}", TYPE_HINTS.get(kinds[0], "fix the value")

    def _enum(self) -> tuple[str, str]:
        choices = [str(c) for c in self.expected]
        shown = _shown(self.value, self.path)
        return (f"{self.what}: {shown} is not allowed",
                _choices_hint(str(self.value), choices))

    def _required(self) -> tuple[str, str]:
        match = _REQUIRED.match(self.error.message)
        key = match["key"] if match else "?"
        elsewhere = "" if self.subject.startswith("link") else \
            " here or at another level (all, a group, host_vars)"
        return f"{self.what} is missing '{key}'", f"add {key}:{elsewhere}"

    def _range(self) -> tuple[str, str]:
        low = self.schema.get("minimum")
        high = self.schema.get("maximum")
        value = _shown(self.value, self.path)
        if low is not None and high is not None:
            return f"{self.what} {value} is out of range", f"use {low}~{high}"
        if low is not None:
            return f"{self.what} {value} is too small", f"use {low} or more"
        return f"{self.what} {value} is too large", f"use {high} or less"

    def _exclusive_minimum(self) -> tuple[str, str]:
        return (f"{self.what} must be more than {self.expected}",
                "use a positive number")

    def _min_items(self) -> tuple[str, str]:
        count, need = len(self.value), self.expected
        return (f"{self.what} has {count} item{'s' * (count != 1)}, needs at least {need}",
                "add the missing items")

    def _max_items(self) -> tuple[str, str]:
        count, most = len(self.value), self.expected
        return (f"{self.what} has {count} items, at most {most} allowed",
                "remove some, or split them")

    def _min_properties(self) -> tuple[str, str]:
        keys = ", ".join(self.schema.get("properties", {}))
        return f"{self.what} needs exactly one of: {keys}", "write one of them"

    def _max_properties(self) -> tuple[str, str]:
        keys = ", ".join(self.value)
        return f"{self.what} has several of: {keys}", "keep exactly one"

    def _unique_items(self) -> tuple[str, str]:
        return f"{self.what} lists an item twice", "remove the repeat"

    def _min_length(self) -> tuple[str, str]:
        return f"{self.what} is empty", "write a value"

    def _pattern(self) -> tuple[str, str]:
        shown = _shown(self.value, self.path)
        return (f"{self.what}: {shown} is not allowed",
                str(self.schema.get("description", "fix the value")))

    def _firmware(self) -> tuple[str, str]:
        key = str(self.expected)
        vtype = limits.FIRMWARE_TYPES[key]
        if isinstance(vtype, profile.StringType):
            hint = f"the camera stores it as string[{vtype.size}]: shorten it or drop the " \
                "characters"
        else:
            hint = f"write {limits.describe(vtype)}"
        return f"{self.what} {self.error.message}", hint


_MESSAGES: dict[str, Callable[[_Translation], tuple[str, str]]] = {
    "type": _Translation._type, "enum": _Translation._enum,
    "required": _Translation._required, "minimum": _Translation._range,
    "maximum": _Translation._range, "exclusiveMinimum": _Translation._exclusive_minimum,
    "minItems": _Translation._min_items, "maxItems": _Translation._max_items,
    "minProperties": _Translation._min_properties,
    "maxProperties": _Translation._max_properties,
    "uniqueItems": _Translation._unique_items, "minLength": _Translation._min_length,
    "pattern": _Translation._pattern, FIRMWARE_KEYWORD: _Translation._firmware,
}
