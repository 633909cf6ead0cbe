"""Run one piece of work per camera, many cameras at once (Nornir's runner, in small).

Each item's work makes its own requests one after another, so a camera never has more than
one request in flight; ``concurrency`` bounds how many cameras are worked on together.
Results come back in the order of the items, whatever order the work finishes in.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import TypeVar

# 128 cameras at once: a site of a hundred cameras is read in one wave, while the tool host
# keeps a bounded number of threads and sockets (each camera costs a thread and, per request,
# a fresh TCP connection: cameras close after every reply). bench/bench_cli.py, 1,000
# cameras at 50 ms, 64 against 128 interleaved, two runs each, with the socket transport
# (issue 15): plan 5.67 / 5.82 s against 4.97 / 5.83 s, apply --yes 16.58 / 16.48 against
# 12.58 / 15.71 s, converged plan 7.54 / 7.34 against 6.15 / 6.29 s; in-process plan
# 4.3-5.1 s at 192, no better than 128. Once a request costs little CPU, a camera waiting for
# the interpreter lock is a camera not waiting on the network: more in flight hide that.
DEFAULT_CONCURRENCY = 128

# The cyclic garbage collector's thresholds while a command runs (``tuned_collector``). A
# command builds objects that live until it ends (the inventory, then each camera's read and
# plan), so Python's defaults (a young collection every 700 allocations, and full ones as
# the heap grows) kept walking them: a quarter of loading a 1,000-camera inventory (1.05 ->
# 0.75 s) and about a tenth of planning it (issue 15, 3 interleaved runs each). Cycles are
# still collected, in larger batches: peak memory +2%.
COLLECTOR_THRESHOLDS = (100_000, 50, 100)

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


@contextmanager
def tuned_collector() -> Iterator[None]:
    """``COLLECTOR_THRESHOLDS`` for the block (a CLI command, an API call); the caller's
    own thresholds back afterwards, however the block ends."""
    before = gc.get_threshold()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)
