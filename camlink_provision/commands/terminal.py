"""Where a command talks to its operator: output, and a question on a terminal."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO


@dataclass(frozen=True)
class Terminal:
    """Where the command talks to its operator; swapped in tests."""

    out: TextIO
    stdin: TextIO
    ask: Callable[[str], str]

    @property
    def interactive(self) -> bool:
        return self.stdin.isatty()

    @property
    def color(self) -> bool:
        return self.out.isatty()

    def say(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)


def system_terminal() -> Terminal:
    return Terminal(out=sys.stdout, stdin=sys.stdin, ask=input)
