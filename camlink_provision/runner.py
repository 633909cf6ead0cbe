"""Run one piece of work per camera, many cameras at once (Nornir's runner, in small).

Each item's work makes its own requests one after another, so a camera never has more than
one request in flight; ``concurrency`` bounds how many cameras are worked on together.
Results come back in the order of the items, whatever order the work finishes in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def run_each(items: Sequence[Item], work: Callable[[Item], Result], *, concurrency: int,
             name: str = "camera") -> list[Result]:
    """``work(item)`` for every item, ``concurrency`` at a time; results in item order."""
    if not items:
        return []
    workers = max(1, min(concurrency, len(items)))
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=name) as pool:
        return list(pool.map(work, items))
