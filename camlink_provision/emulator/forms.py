"""Decoding query strings and form bodies exactly [real: application/x-www-form-urlencoded].

Pieces are split on ``&`` before anything is decoded, so an encoded ``%26`` or ``%3D`` inside
a value can never start another parameter; ``+`` is a space; percent escapes are decoded to
bytes and the bytes read as UTF-8 (anything else makes the request invalid).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_to_bytes


class FormError(ValueError):
    """The query or body cannot be decoded (bad UTF-8)."""


@dataclass(frozen=True)
class Pair:
    name: str
    value: str | None  # None for a bare name (``getparam.cgi?system_hostname``)


def decode_component(raw: bytes) -> str:
    try:
        return unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FormError("not UTF-8") from exc


def parse_form(raw: bytes) -> list[Pair]:
    """``a=1&b&c=%26`` -> [Pair("a", "1"), Pair("b", None), Pair("c", "&")]."""
    pairs: list[Pair] = []
    for piece in raw.split(b"&"):
        if not piece:
            continue
        name, sep, value = piece.partition(b"=")
        pairs.append(Pair(decode_component(name), decode_component(value) if sep else None))
    return pairs


def parse_query(query: str) -> list[Pair]:
    """The pairs of a request target's query.

    ``query`` is the target's text as read (latin-1), so encoding it back with latin-1 gives
    the bytes that came over the wire.
    """
    return parse_form(query.encode("latin-1"))


def request_pairs(query: str, body: bytes) -> list[Pair]:
    """The query's pairs, then the form body's (a POST may carry both)."""
    return parse_query(query) + parse_form(body)
