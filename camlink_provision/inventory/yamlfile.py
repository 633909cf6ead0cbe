"""Read one YAML file into located data (``LDict`` / ``LList``), or say exactly what is wrong.

Differences from PyYAML's ``safe_load``, each to spare an inventory author a surprise:

- ``20:00`` is the string ``"20:00"``, not the sexagesimal integer 1200 (YAML 1.1), and
  ``2024-05-01`` stays a string: schedules and versions are written bare;
- mapping keys are taken as written (``on:`` is the key ``"on"``, not ``True``);
- a key written twice in one mapping is an error (PyYAML silently keeps the last one);
- only the standard tags; ``!vault`` and friends are refused with a hint.

Error messages quote the parser's problem and position, never the text of the line, so that
reading a secrets file can never echo a secret.

Budgets (budgets.py) bound what one file may cost: its bytes, its aliases, its values once
every alias is expanded, and its depth. The anchored value is built once and shared, so
reading a bomb costs nothing; counting its expanded size stops it at the alias that crosses
the bound, before merging, templating or validation walk it. A file that has a ``*`` goes
through PyYAML's Python composer (on the C parser's events), which records where each alias
is written; a file without one (most) through the C composer, a third faster.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from camlink_provision.errors import InventoryError, Location
from camlink_provision.inventory import budgets
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

# Where an alias is used: (id of the node holding it, index in a list or id of the key node).
_AliasKey = tuple[int, int]


class _AliasLoader(Composer, _Loader):
    """The Python composer over the C parser's events: it records where each alias is."""

    def __init__(self, text: str) -> None:
        _Loader.__init__(self, text)  # type: ignore[call-arg]
        Composer.__init__(self)
        self.alias_marks: dict[_AliasKey, Any] = {}

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        if not self.check_event(AliasEvent):
            return super().compose_node(parent, index)
        mark = self.peek_event().start_mark
        if len(self.alias_marks) >= budgets.MAX_ALIASES:
            raise _TooMuch(mark, f"more than {budgets.MAX_ALIASES:,} aliases in one file",
                           "write the values out, or split the file")
        node = super().compose_node(parent, index)
        where = index if isinstance(index, int) else id(index)
        self.alias_marks[(id(parent), where)] = mark
        return node


class _Reject(Exception):
    def __init__(self, node: Node, message: str, hint: str) -> None:
        super().__init__(message)
        self.node, self.message, self.hint = node, message, hint


class _TooMuch(Exception):
    """A budget exceeded, at a position (an alias, or the value that crossed it)."""

    def __init__(self, mark: Any, message: str, hint: str) -> None:
        super().__init__(message)
        self.mark, self.message, self.hint = mark, message, hint


EXPANSION_HINT = ("an alias may not multiply the document: write the values out, or use "
                  "fewer nested aliases")


def read_yaml(path: Path) -> tuple[Any, list[InventoryError]]:
    """The file's content as located data (``None`` for an empty file), or its errors."""
    name = display_path(path)
    text, problem = _read_text(path, name)
    if problem is not None:
        return None, [problem]
    return parse_yaml(text, name)


def parse_yaml(text: str, name: str) -> tuple[Any, list[InventoryError]]:
    """``read_yaml`` for text that did not come from a file (a pipe, a command's output);
    ``name`` is what messages call it."""
    loader = _AliasLoader(text) if "*" in text else _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, []
        return _Builder(loader, name).value(node), []
    except yaml.MarkedYAMLError as exc:
        return None, [_syntax_error(exc, name, text)]
    except yaml.YAMLError as exc:  # the reader: a control character, say
        return None, [_reader_error(exc, name, text)]
    except _Reject as exc:
        return None, [InventoryError(exc.message, _where(exc.node, name), exc.hint)]
    except _TooMuch as exc:
        return None, [InventoryError(exc.message, _at(exc.mark, name), exc.hint)]
    except RecursionError:
        return None, [InventoryError(f"nested more than {budgets.MAX_DEPTH} levels deep",
                                     Location(name, 1, 1), "flatten the file")]
    finally:
        loader.dispose()


def _read_text(path: Path, name: str) -> tuple[str, InventoryError | None]:
    hint = "check the path and that it is a UTF-8 text file"
    try:
        size = path.stat().st_size
        if size > budgets.MAX_FILE_BYTES:
            return "", InventoryError(f"the file is larger than {budgets.MAX_FILE_BYTES:,} "
                                      "bytes", Location(name, 1, 1),
                                      "an inventory file is text of a few kilobytes: "
                                      "split it, or check that this is the right file")
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return "", InventoryError(f"cannot read the file: {reason}", Location(name, 1, 1),
                                  hint)
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        start = data.rfind(b"\n", 0, exc.start) + 1
        column = len(data[start:exc.start].decode("utf-8", "replace")) + 1
        # The byte itself is not shown: the file may be a secrets file.
        return "", InventoryError("the file is not UTF-8 text: the first bad byte is here",
                                  Location(name, line, column),
                                  "save the file as UTF-8")


def _at(mark: Any, name: str) -> Location:
    return Location(name, mark.line + 1, mark.column + 1)


def _reader_error(exc: yaml.YAMLError, name: str, text: str) -> InventoryError:
    position = getattr(exc, "position", None)
    line, column = 1, 1
    if isinstance(position, int):
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
    reason = getattr(exc, "reason", "") or "not valid YAML"
    return InventoryError(f"YAML cannot read this character: {reason}",
                          Location(name, line, column),
                          "remove it: YAML allows no control characters (write it as an "
                          "escape in a double-quoted string)")


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
        self.aliases: dict[_AliasKey, Any] = getattr(loader, "alias_marks", {})
        self.active: set[int] = set()  # nodes being built, to refuse recursive anchors
        self.built: dict[int, Any] = {}  # an anchored node is built once, however often used
        self.sizes: dict[int, int] = {}  # values in a built node, its aliases expanded
        self.pairs: dict[int, int] = {}
        self.merging: set[int] = set()  # pairs of a mapping once its merge keys are flat
        self.last_alias: Any = None  # the alias most recently expanded (for messages)
        self.depth = 0

    def value(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            return self.scalar(node)
        if id(node) in self.built:
            return self.built[id(node)]
        if id(node) in self.active:
            raise _Reject(node, "an alias refers to itself", "remove the recursive anchor")
        if self.depth >= budgets.MAX_DEPTH:
            raise _Reject(node, f"nested more than {budgets.MAX_DEPTH} levels deep",
                          "flatten the data")
        self.active.add(id(node))
        self.depth += 1
        try:
            if isinstance(node, MappingNode):
                out: Any = self.mapping(node)
            elif isinstance(node, SequenceNode):
                out = self.sequence(node)
            else:
                raise _Reject(node, "unsupported YAML node", "write a mapping, list or scalar")
        finally:
            self.active.discard(id(node))
            self.depth -= 1
        self.built[id(node)] = out
        return out

    def size(self, node: Node) -> int:
        return self.sizes.get(id(node), 1)

    def count(self, holder: Node, total: int, child: Node, key: Any) -> int:
        """``total`` with the child's expanded size added; _TooMuch past the budget."""
        mark = self.aliases.get((id(holder), key))
        if mark is not None:
            self.last_alias = mark
        total += self.size(child)
        if total > budgets.MAX_NODES:
            raise _TooMuch(self.last_alias or child.start_mark,
                           f"this expands to more than {budgets.MAX_NODES:,} values"
                           if self.last_alias else
                           f"the file holds more than {budgets.MAX_NODES:,} values",
                           EXPANSION_HINT if self.last_alias else "split the file")
        return total

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

    def merged_pairs(self, node: MappingNode) -> int:
        """How many pairs flattening ``node``'s merge keys makes, without making them (PyYAML
        copies every merged pair: nested merge keys multiply)."""
        if id(node) in self.pairs:
            return self.pairs[id(node)]
        if id(node) in self.merging:
            raise _Reject(node, "an alias refers to itself", "remove the recursive anchor")
        self.merging.add(id(node))
        total = 0
        try:
            for key_node, value_node in node.value:
                if key_node.tag != _MERGE:
                    total += 1
                    continue
                self.last_alias = self.aliases.get((id(node), id(key_node)), self.last_alias)
                sources = value_node.value if isinstance(value_node, SequenceNode) \
                    else [value_node]
                for index, source in enumerate(sources):
                    if isinstance(value_node, SequenceNode):
                        found = self.aliases.get((id(value_node), index))
                        self.last_alias = found or self.last_alias
                    if isinstance(source, MappingNode):
                        total += self.merged_pairs(source)
                    if total > budgets.MAX_NODES:
                        raise _TooMuch(self.last_alias or key_node.start_mark,
                                       f"these merge keys expand to more than "
                                       f"{budgets.MAX_NODES:,} values", EXPANSION_HINT)
        finally:
            self.merging.discard(id(node))
        self.pairs[id(node)] = total
        return total

    def mapping(self, node: MappingNode) -> LDict:
        if node.tag != f"{_TAG}map":
            raise _Reject(node, f"unsupported YAML tag {node.tag}", "remove the tag")
        written = sum(1 for key_node, _ in node.value if key_node.tag != _MERGE)
        if written < len(node.value):
            self.merged_pairs(node)  # before flattening, which would make them all
        self.loader.flatten_mapping(node)  # puts the pairs of ``<<: *anchor`` first
        inherited = len(node.value) - written  # those may be overridden by written keys
        out = LDict(_where(node, self.name))
        overridable: set[str] = set()
        total = 1
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
            item = self.value(value_node)
            total = self.count(node, total, value_node, id(key_node))
            out.put(key, item, _where(value_node, self.name), _where(key_node, self.name))
        self.sizes[id(node)] = total
        return out

    def sequence(self, node: SequenceNode) -> LList:
        if node.tag != f"{_TAG}seq":
            raise _Reject(node, f"unsupported YAML tag {node.tag}", "remove the tag")
        out = LList(_where(node, self.name))
        total = 1
        for index, item in enumerate(node.value):
            value = self.value(item)
            total = self.count(node, total, item, index)
            out.add(value, _where(item, self.name))
        self.sizes[id(node)] = total
        return out
