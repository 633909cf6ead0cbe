"""For the tests of ``runner.one_cpu``: skip where a thread's CPUs cannot be narrowed."""

from __future__ import annotations

import os

import pytest


def skip_unless_cpus_can_be_narrowed() -> None:
    """Linux, two CPUs allowed or more, and a policy that lets a thread narrow them."""
    if not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs Linux and a process allowed on two CPUs or more")
    allowed = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(allowed)})
    except OSError:
        pytest.skip("this host refuses to narrow a thread's CPUs")
    finally:
        os.sched_setaffinity(0, allowed)
