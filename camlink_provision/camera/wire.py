"""What goes on the wire and what comes back: pure encoding and parsing, no I/O.

Encoding is the profile's ``encode_query`` (every byte outside RFC 3986's unreserved set
percent-encoded, text UTF-8 first), after checking that each name is a parameter name.
``Secret.reveal()`` is called here and nowhere earlier.

Parsing follows the contract's reply forms: ``name='value'`` lines ending in CRLF (a bare LF
is accepted too), position replies unquoted (``pan=10``), and the 24-byte
``ERROR: Invalid command!`` hidden in a 200. Parse failures raise ``ReplyError``, which the
client turns into ``CameraProtocolError`` (or ``CameraCommandError``) with the camera's name.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from camlink_provision.firmware import profile as fw
from camlink_provision.inventory.model import Secret

_NAME = re.compile(r"[A-Za-z0-9_]+")
ERROR_PREFIX = "ERROR:"


class ReplyError(Exception):
    """A reply that does not follow the contract. The message never quotes a value."""


class InvalidCommand(Exception):
    """The camera answered ``ERROR: ...`` inside a 200: it refused the command."""


# -- encoding -------------------------------------------------------------------------------


def check_names(names: Iterable[str]) -> list[str]:
    """Parameter names as given, after making sure none can be read as query syntax."""
    checked = list(names)
    for name in checked:
        if not _NAME.fullmatch(name):
            raise ValueError(f"not a parameter name: {name!r}")
    return checked


def encode_pairs(values: Mapping[str, str | Secret | int]) -> str:
    """``name=value&...`` for a query string or a form body, every value percent-encoded."""
    names = check_names(values)
    return fw.encode_query({name: _revealed(values[name]) for name in names})


def _revealed(value: str | Secret | int) -> str | int:
    return value.reveal() if isinstance(value, Secret) else value


def encode_names(names: Iterable[str]) -> str:
    """``name1&name2`` — getparam's bare names, no ``=`` [real]."""
    return "&".join(check_names(names))


# -- parsing --------------------------------------------------------------------------------


def decode_body(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise ReplyError("the reply is not UTF-8 text") from None


def raise_if_refused(text: str) -> None:
    """The firmware reports a refused command as a 200 whose body starts ``ERROR:``."""
    if text.lstrip().startswith(ERROR_PREFIX):
        raise InvalidCommand(text.strip().splitlines()[0][:80])


# One match per line: a pair (name, quoted value, or bare value), or anything else (junk).
# One regex pass over the whole reply: a getparam of every group is 1,500 lines.
_LINES = re.compile(r"^(?:(?P<name>[A-Za-z0-9_]+)=(?:'(?P<quoted>.*)'|(?P<bare>.*?))"
                    r"|(?P<junk>.*?))\r?$", re.MULTILINE)


# The form every line of a real reply has: one pass of this simpler pattern reads a whole
# well-formed reply about 12% faster than _LINES (issue 15); anything else takes the careful
# path.
_QUOTED_LINE = re.compile(r"^([A-Za-z0-9_]+)='(.*)'\r?$", re.MULTILINE)


def parse_pairs(text: str) -> dict[str, str]:
    """``name='value'\\r\\n`` lines (or unquoted ``name=value``) into a dict, in reply order."""
    raise_if_refused(text)
    quoted = _QUOTED_LINE.findall(text)
    if len(quoted) == text.count("\n") + (not text.endswith("\n")):
        # Every line matched (a line matches at most once, so none is blank or junk).
        return dict(quoted)
    return _parse_pairs_carefully(text)


def shared_names(pairs: dict[str, str]) -> dict[str, str]:
    """``pairs`` with each name the one copy every other kept read uses (interned): every
    camera of a fleet answers the same names, and a run keeps each camera's read. Done on
    the reads kept, not in ``parse_pairs``: 35 us for a PTZ's kept 786 names, where
    interning every reply's 1,554 added 100 us (issue 15)."""
    return {sys.intern(name): value for name, value in pairs.items()}


def _parse_pairs_carefully(text: str) -> dict[str, str]:
    """Line by line: bare values, blank lines, and the number of a line that is neither."""
    pairs: dict[str, str] = {}
    for number, (name, quoted, bare, junk) in enumerate(_LINES.findall(text), start=1):
        if name:
            pairs[name] = quoted or bare
        elif junk.strip():
            raise ReplyError(f"reply line {number} is not name='value'")
    return pairs


def require(pairs: Mapping[str, str], key: str) -> str:
    if key not in pairs:
        raise ReplyError(f"the reply has no {key!r}")
    return pairs[key]


def require_int(pairs: Mapping[str, str], key: str) -> int:
    value = require(pairs, key)
    try:
        return int(value)
    except ValueError:
        raise ReplyError(f"{key!r} in the reply is not an integer") from None


def require_choice(pairs: Mapping[str, str], key: str, choices: Iterable[str]) -> str:
    value, allowed = require(pairs, key), tuple(choices)
    if value not in allowed:
        raise ReplyError(f"{key!r} in the reply is none of " + ", ".join(allowed))
    return value


def parse_json_object(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        raise ReplyError("the reply is not JSON") from None
    if not isinstance(data, dict):
        raise ReplyError("the reply is not a JSON object")
    return data


def json_member(data: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    if not isinstance(value, dict):
        raise ReplyError(f"the reply has no object {key!r}")
    return value


def parse_rules(text: str) -> dict[str, dict[str, Any]]:
    """The VCA rule set: an object keyed by rule name, each rule an object."""
    data = parse_json_object(text)
    for name in data:
        json_member(data, name)
    return data
