"""Plan and apply called as a library (no CLI, no session) keep their worker threads on one
CPU over HTTP (runner.one_cpu), and on every CPU when a camera speaks HTTPS."""

from __future__ import annotations

import os
import threading
from dataclasses import replace
from typing import Any

import pytest
from cpukit import skip_unless_cpus_can_be_narrowed

from camlink_provision.apply import apply_plan
from camlink_provision.camera import CameraClient
from camlink_provision.inventory.model import Camera, Site
from camlink_provision.plan import default_client, make_plan
from camlink_provision.runner import ALL_CPUS_VARIABLE


@pytest.fixture(autouse=True)
def _two_cpus(monkeypatch: pytest.MonkeyPatch) -> None:
    skip_unless_cpus_can_be_narrowed()
    monkeypatch.delenv(ALL_CPUS_VARIABLE, raising=False)


class _Recording:
    """A client factory noting the CPUs each worker thread may run on."""

    def __init__(self) -> None:
        self.seen: list[frozenset[int]] = []
        self.lock = threading.Lock()

    def __call__(self, camera: Camera) -> CameraClient:
        with self.lock:
            self.seen.append(frozenset(os.sched_getaffinity(0)))
        return default_client(camera)


def test_plan_and_apply_workers_share_one_cpu_and_the_caller_gets_every_cpu_back(
        site: Site, fleet: Any) -> None:
    before = os.sched_getaffinity(0)
    planning, applying = _Recording(), _Recording()
    plan = make_plan(site, client_factory=planning)
    assert os.sched_getaffinity(0) == before
    result = apply_plan(site, plan, client_factory=applying)
    assert not result.failed
    assert os.sched_getaffinity(0) == before
    for seen in (planning.seen, applying.seen):
        assert seen and all(len(cpus) == 1 and cpus <= before for cpus in seen), seen


def test_with_an_https_camera_the_workers_keep_every_cpu(site: Site, fleet: Any) -> None:
    """The https camera fails to connect (the emulator speaks HTTP): the others are read."""
    before = frozenset(os.sched_getaffinity(0))
    name = next(iter(site.cameras))
    camera = site.cameras[name]
    https = replace(site, cameras={**site.cameras, name: replace(
        camera, connection=replace(camera.connection, scheme="https"))})
    recording = _Recording()
    make_plan(https, client_factory=recording, timeout=0.5)
    assert recording.seen and all(cpus == before for cpus in recording.seen)
