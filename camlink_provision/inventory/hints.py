"""The "did you mean" of every message: the closest of the names that would have been right."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

# How alike a word must be to be offered: looser for short keys (prot -> port), stricter
# where a wrong guess would mislead (a model, a camera, a variable taken for a setting).
LOOSE, STRICT = 0.6, 0.8


def closest(word: str, choices: Iterable[str], cutoff: float = LOOSE) -> str | None:
    """The choice most like ``word`` (case-insensitively), or None if none is close."""
    by_folded = {c.casefold(): c for c in choices}
    found = difflib.get_close_matches(word.casefold(), list(by_folded), n=1, cutoff=cutoff)
    return by_folded[found[0]] if found else None


def did_you_mean(word: str, choices: Iterable[str], otherwise: str,
                 cutoff: float = LOOSE) -> str:
    near = closest(word, choices, cutoff)
    return f"did you mean '{near}'?" if near else otherwise
