"""The per-camera runner: results in item order, never more than `concurrency` at once."""

from __future__ import annotations

import threading

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
