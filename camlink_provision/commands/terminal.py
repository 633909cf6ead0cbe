"""Where a command talks to its operator: output, colour, and a question on a terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TextIO

NO_COLOR_ENV = "NO_COLOR"  # https://no-color.org: set and not empty, no colour
# The one answer that lets a command go on where it asks first (apply, unlock).
CONFIRM_WORD = "yes"


def wants_color(stream: TextIO, *, no_color: bool = False,
                environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and never with --no-color or $NO_COLOR: the one rule
    every command's output follows."""
    environ = os.environ if environ is None else environ
    if no_color or environ.get(NO_COLOR_ENV):
        return False
    return stream.isatty()


@dataclass(frozen=True)
class Terminal:
    """Where the command talks to its operator; swapped in tests."""

    out: TextIO
    stdin: TextIO
    ask: Callable[[str], str]
    no_color: bool = False  # --no-color

    @property
    def interactive(self) -> bool:
        return self.stdin.isatty()

    @property
    def live(self) -> bool:
        """A terminal: progress redraws in place (plain lines otherwise, as in CI)."""
        return self.out.isatty()

    @property
    def color(self) -> bool:
        return wants_color(self.out, no_color=self.no_color)

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)


def system_terminal(*, no_color: bool = False) -> Terminal:
    return Terminal(out=sys.stdout, stdin=sys.stdin, ask=input, no_color=no_color)
