"""The per-camera runner: results in item order, never more than `concurrency` at once."""

from __future__ import annotations

import os
import threading

import pytest
from cpukit import skip_unless_cpus_can_be_narrowed

from camlink_provision.runner import run_each


def test_results_come_back_in_item_order_whatever_finishes_first() -> None:
    first_may_finish = threading.Event()

    def work(item: int) -> int:
        if item == 0:  # the first item finishes last
            first_may_finish.wait(timeout=10)
        elif item == 4:
            first_may_finish.set()
        return item * 10

    assert run_each(list(range(5)), work, concurrency=5) == [0, 10, 20, 30, 40]


def test_never_more_than_concurrency_at_once() -> None:
    lock = threading.Lock()
    running = peak = 0

    def work(item: int) -> int:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        threading.Event().wait(0.01)
        with lock:
            running -= 1
        return item

    assert run_each(list(range(12)), work, concurrency=3) == list(range(12))
    assert 1 <= peak <= 3


def test_no_items_no_threads() -> None:
    assert run_each([], lambda item: item, concurrency=8) == []


def test_the_tuned_collector_gives_the_callers_thresholds_back_however_it_ends() -> None:
    import gc

    import pytest

    from camlink_provision.runner import COLLECTOR_THRESHOLDS, tuned_collector

    before = gc.get_threshold()
    with tuned_collector():
        assert gc.get_threshold() == COLLECTOR_THRESHOLDS != before
    assert gc.get_threshold() == before
    with pytest.raises(KeyError), tuned_collector():
        raise KeyError("boom")
    assert gc.get_threshold() == before


# -- one_cpu: the threads of a run on one CPU -------------------------------------------------
def _cpus_seen_by_workers(count: int = 4) -> list[set[int]]:
    """What the runner's worker threads may run on (threads started now)."""
    return run_each(list(range(count)), lambda _: os.sched_getaffinity(0), concurrency=count)


@pytest.fixture
def two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    """Linux, two CPUs allowed or more, and no $CAMLINK_ALL_CPUS from the caller."""
    from camlink_provision.runner import ALL_CPUS_VARIABLE

    skip_unless_cpus_can_be_narrowed()
    monkeypatch.delenv(ALL_CPUS_VARIABLE, raising=False)


@pytest.mark.usefixtures("two_cpus")
def test_one_cpu_holds_the_block_and_its_worker_threads_to_one_allowed_cpu() -> None:
    from camlink_provision.runner import one_cpu

    before = os.sched_getaffinity(0)
    with one_cpu():
        inside = os.sched_getaffinity(0)
        workers = _cpus_seen_by_workers()
    assert len(inside) == 1 and inside <= before
    assert workers == [inside] * 4  # the runner's threads inherit it
    assert os.sched_getaffinity(0) == before


@pytest.mark.usefixtures("two_cpus")
def test_one_cpu_gives_every_cpu_back_however_the_block_ends() -> None:
    from camlink_provision.runner import one_cpu

    before = os.sched_getaffinity(0)
    with pytest.raises(KeyError), one_cpu():
        assert len(os.sched_getaffinity(0)) == 1
        raise KeyError("boom")
    assert os.sched_getaffinity(0) == before


@pytest.mark.usefixtures("two_cpus")
def test_one_cpu_changes_nothing_unwanted_or_when_the_user_says_all_cpus(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from camlink_provision.runner import ALL_CPUS_VARIABLE, one_cpu

    before = os.sched_getaffinity(0)
    with one_cpu(wanted=False):
        assert os.sched_getaffinity(0) == before
        assert _cpus_seen_by_workers() == [before] * 4
    monkeypatch.setenv(ALL_CPUS_VARIABLE, "1")
    with one_cpu():
        assert os.sched_getaffinity(0) == before
    monkeypatch.setenv(ALL_CPUS_VARIABLE, "0")
    with one_cpu():
        assert len(os.sched_getaffinity(0)) == 1
