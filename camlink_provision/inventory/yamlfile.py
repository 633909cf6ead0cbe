"""Read one YAML file into located data (``LDict`` / ``LList``), or say exactly what is wrong.

Differences from PyYAML's ``safe_load``, each to spare an inventory author a surprise:

- ``20:00`` is the string ``"20:00"``, not the sexagesimal integer 1200 (YAML 1.1), and
  ``2024-05-01`` stays a string: schedules and versions are written bare;
- mapping keys are taken as written (``on:`` is the key ``"on"``, not ``True``);
- a key written twice in one mapping is an error (PyYAML silently keeps the last one);
- only the standard tags; ``!vault`` and friends are refused with a hint.

Error messages quote the parser's problem and position, never the text of the line, so that
reading a secrets file can never echo a secret.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from camlink_provision.errors import InventoryError, Location
from camlink_provision.inventory.located import LDict, LList, display_path

_BASE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG = "tag:yaml.org,2002:"
_INT, _FLOAT, _TIMESTAMP, _STR = (f"{_TAG}int", f"{_TAG}float", f"{_TAG}timestamp",
                                  f"{_TAG}str")
# PyYAML's own patterns minus the sexagesimal forms (``12:30``).
_INT_RE = re.compile(r"""^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)
                         |[-+]?0x[0-9a-fA-F_]+)$""", re.X)
_FLOAT_RE = re.compile(r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
                           |\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
                           |[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$""", re.X)
_MERGE = f"{_TAG}merge"
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("null", "bool", "int", "float")}


class _Loader(_BASE_LOADER):  # type: ignore[valid-type,misc]
    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in (_INT, _FLOAT, _TIMESTAMP)]
        for first, resolvers in _BASE_LOADER.yaml_implicit_resolvers.items()
    }


_Loader.add_implicit_resolver(_INT, _INT_RE, list("-+0123456789"))
_Loader.add_implicit_resolver(_FLOAT, _FLOAT_RE, list("-+0123456789."))


class _Reject(Exception):
    def __init__(self, node: Node, message: str, hint: str) -> None:
        super().__init__(message)
        self.node, self.message, self.hint = node, message, hint


def read_yaml(path: Path) -> tuple[Any, list[InventoryError]]:
    """The file's content as located data (``None`` for an empty file), or its errors."""
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "not UTF-8"
        return None, [InventoryError(f"cannot read the file: {reason}", Location(name, 1, 1),
                                     "check the path and that it is a UTF-8 text file")]
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        return _Builder(loader, name).value(node), []
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, name, text)]
    except _Reject as exc:
        return None, [InventoryError(exc.message, _where(exc.node, name), exc.hint)]
    finally:
        loader.dispose()


def _where(node: Node, name: str) -> Location:
    return Location(name, node.start_mark.line + 1, node.start_mark.column + 1)


def _syntax_error(exc: yaml.MarkedYAMLError, name: str, text: str) -> InventoryError:
    mark = exc.problem_mark or exc.context_mark
    where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name, 1, 1)
    problem = exc.problem or exc.context or "not valid YAML"
    hint = "fix the YAML here: indentation, a missing quote, or a ':' that needs quoting"
    if "tab" in problem or (mark is not None and _char_at(text, mark.line, mark.column) == "\t"):
        problem, hint = "a tab character", "indent with spaces; YAML does not allow tabs"
    return InventoryError(f"YAML syntax error: {problem}", where, hint)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column:column + 1] if line < len(lines) else ""


class _Builder:
    """Turns a composed node tree into located data; one per file."""

    def __init__(self, loader: yaml.SafeLoader, name: str) -> None:
        self.loader = loader
        self.name = name
        self.active: set[int] = set()  # nodes being built, to refuse recursive anchors
        self.built: dict[int, Any] = {}  # an anchored node is built once, however often used

    def value(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if id(node) in self.built:
            return self.built[id(node)]
        if id(node) in self.active:
            raise _Reject(node, "an alias refers to itself", "remove the recursive anchor")
        self.active.add(id(node))
        try:
            if isinstance(node, MappingNode):
                out: Any = self.mapping(node)
            elif isinstance(node, SequenceNode):
                out = self.sequence(node)
            else:
                raise _Reject(node, "unsupported YAML node", "write a mapping, list or scalar")
        finally:
            self.active.discard(id(node))
        self.built[id(node)] = out
        return out

    def scalar(self, node: ScalarNode) -> Any:
        if node.tag == _STR:
            return node.value
        if node.tag == _INT and _DECIMAL.fullmatch(node.value):
            return int(node.value)  # the common case, without PyYAML's general constructor
        if node.tag in _SCALAR_TAGS:
            return self.loader.yaml_constructors[node.tag](self.loader, node)
        hint = ("use \"{{ secret('NAME') }}\" for secrets" if node.tag == "!vault"
                else "remove the tag")
        raise _Reject(node, f"unsupported YAML tag {node.tag}", hint)

    def mapping(self, node: MappingNode) -> LDict:
        if node.tag != f"{_TAG}map":
            raise _Reject(node, f"unsupported YAML tag {node.tag}", "remove the tag")
        written = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
        self.loader.flatten_mapping(node)  # puts the pairs of ``<<: *anchor`` first
        inherited = len(node.value) - written  # those may be overridden by written keys
        out = LDict(_where(node, self.name))
        overridable: set[str] = set()
        for index, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, ScalarNode):
                raise _Reject(key_node, "a mapping key must be a plain word",
                              "write the key as text")
            key = key_node.value
            if index < inherited:
                overridable.add(key)
            elif key in out and key not in overridable:
                first = out.key_where(key)
                raise _Reject(key_node, f"duplicate key '{key}' (first written at line "
                              f"{first.line})", "remove one of them")
            else:
                overridable.discard(key)
            out.put(key, self.value(value_node), _where(value_node, self.name),
                    _where(key_node, self.name))
        return out

    def sequence(self, node: SequenceNode) -> LList:
        if node.tag != f"{_TAG}seq":
            raise _Reject(node, f"unsupported YAML tag {node.tag}", "remove the tag")
        out = LList(_where(node, self.name))
        for item in node.value:
            out.add(self.value(item), _where(item, self.name))
        return out
