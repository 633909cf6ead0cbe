"""Run one piece of work per camera, many cameras at once (Nornir's runner, in small).

Each item's work makes its own requests one after another, so a camera never has more than
one request in flight; ``concurrency`` bounds how many cameras are worked on together.
Results come back in the order of the items, whatever order the work finishes in.
"""

from __future__ import annotations

import contextlib
import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from typing import TypeVar

# 256 cameras at once: a site of a couple of hundred cameras is read in one wave, while the
# tool host keeps a bounded number of threads and sockets (each camera costs a thread and, per
# request, a fresh TCP connection: cameras close after every reply). Once a request costs
# little CPU, a camera waiting for the interpreter lock is a camera not waiting on the
# network: more in flight hide that. bench/bench_cli.py-style runs, 1,000 cameras at 50 ms,
# the threads on one CPU (``one_cpu``), 3 interleaved runs each (issue 15): plan 2.95-3.08 s
# at 128, 2.74-2.93 at 192, 2.85-3.07 at 256, 3.22-3.56 at 384; apply --yes 8.42-8.93,
# 8.00-8.33, 7.68-7.91, 7.83-8.09 s; converged plan 3.57-3.78, 3.29-3.60, 3.15-3.57,
# 3.21-3.71 s. (Before the threads shared one CPU, 128 beat 64 and 192 was no better.)
DEFAULT_CONCURRENCY = 256

# The cyclic garbage collector's thresholds while a command runs (``tuned_collector``). A
# command builds objects that live until it ends (the inventory, then each camera's read and
# plan), so Python's defaults (a young collection every 700 allocations, and full ones as
# the heap grows) kept walking them: a quarter of loading a 1,000-camera inventory (1.05 ->
# 0.75 s) and about a tenth of planning it (issue 15, 3 interleaved runs each). Cycles are
# still collected, in larger batches: peak memory +2%.
COLLECTOR_THRESHOLDS = (100_000, 50, 100)

# Set to 1 to let a run's threads use every CPU (``one_cpu``).
ALL_CPUS_VARIABLE = "CAMLINK_ALL_CPUS"

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


@contextmanager
def one_cpu(*, wanted: bool = True) -> Iterator[None]:
    """The calling thread, and the threads it starts in the block (the runner's workers
    inherit it), kept on one CPU: the one it is running on. Linux only; elsewhere, with a
    single CPU allowed, when not ``wanted`` or with $CAMLINK_ALL_CPUS=1, nothing changes.

    Why: the workers share the interpreter lock, and every request releases it a few times
    (connect, send, receive, close). On two CPUs each release woke a waiting thread on the
    other one, which took the lock while the first came back from its system call, so they
    handed it to and fro across CPUs (futex calls, cold caches) instead of working.
    bench/bench_cli.py, 1,000 cameras at 50 ms, the process held to one CPU against not, 3
    interleaved runs each (issue 15): the tool's CPU for a plan 3.3 -> 2.6 s, an apply --yes
    8.6 -> 6.3 s. Callers leave it off when TLS handshakes are among the work
    (``one_cpu_for``): those run outside the lock and can use another CPU (not measured:
    the emulator speaks HTTP). Nested, the inner block finds one CPU allowed and changes
    nothing.
    """
    allowed = _allowed_cpus()
    if not wanted or len(allowed) < 2 or os.environ.get(ALL_CPUS_VARIABLE) == "1":
        yield
        return
    try:
        os.sched_setaffinity(0, {_current_cpu(allowed)})
    except OSError:  # a container's policy may refuse it: run as we are
        yield
        return
    try:
        yield
    finally:
        with contextlib.suppress(OSError):  # the CPUs allowed were narrowed meanwhile
            os.sched_setaffinity(0, allowed)


def one_cpu_for(schemes: Iterable[str]) -> AbstractContextManager[None]:
    """``one_cpu`` for work on cameras reached with these URL schemes: wanted unless one is
    https (TLS handshakes run outside the interpreter lock, on another CPU if free)."""
    return one_cpu(wanted="https" not in set(schemes))


def _allowed_cpus() -> set[int]:
    if not hasattr(os, "sched_getaffinity"):  # not Linux
        return set()
    return os.sched_getaffinity(0)


def _current_cpu(allowed: set[int]) -> int:
    """The CPU this thread last ran on (where the scheduler put it, so a CPU two runs started
    at once are unlikely to share), from /proc; the lowest allowed one if that cannot be
    read."""
    try:
        with open("/proc/thread-self/stat", encoding="ascii") as stat:
            # Fields after the command name (in parentheses, which may hold spaces): the
            # 39th field of the line, "processor", is the 37th after it.
            cpu = int(stat.read().rpartition(")")[2].split()[36])
    except (OSError, ValueError, IndexError):
        return min(allowed)
    return cpu if cpu in allowed else min(allowed)
