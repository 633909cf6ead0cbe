"""Run one piece of work per camera, many cameras at once (Nornir's runner, in small).

Each item's work makes its own requests one after another, so a camera never has more than
one request in flight; ``concurrency`` bounds how many cameras are worked on together.
Results come back in the order of the items, whatever order the work finishes in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

# 64 cameras at once: a site of a few dozen cameras is read in one wave, while the tool
# host keeps a bounded number of threads and sockets (each camera costs a thread and, per
# request, a fresh TCP connection: cameras close after every reply). bench/bench_cli.py,
# 1,000 cameras at 50 ms, one run each (issue 15): plan 9.1 s at 32, 7.4 s at 64, 8.0 s at
# 128; apply --yes 30.1 / 23.7 / 21.8 s. From 64 on the tool is CPU-bound (one core: the
# threads share the interpreter lock), so more threads only add sockets.
DEFAULT_CONCURRENCY = 64

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
