"""Converge cameras to a Plan: ``apply_plan(site, plan, ...) -> RunResult``.

    apply_plan
      rollout.Rollout          the plan's steps: phases (order.py) -> plays -> batches
        transaction.run_step   one step: snapshot, send its requests, read back, restore
          restore.restore_camera   put the snapshot back, confirmed by reading

The core never prints: progress goes out as events (events.py) to ``on_event``, which the
command renders (progress.py, recap.py) and the journal records (journaling.py). Each camera
ends with one CameraResult, whatever happened to it (result.py).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Mapping, Sequence

from camlink_provision import plan as planner
from camlink_provision.apply.events import ApplyEvent, EventSink, RunFinished, fan_out, ignore
from camlink_provision.apply.result import (
    CameraResult,
    EndState,
    PlayResult,
    RunResult,
    SkippedChange,
    Status,
)
from camlink_provision.apply.rollout import Rollout, Verifier
from camlink_provision.apply.stopping import StopRequest
from camlink_provision.apply.transaction import RETRY_PAUSES, StepTools
from camlink_provision.camera import CameraClient
from camlink_provision.errors import CameraError
from camlink_provision.inventory.model import Camera, Site
from camlink_provision.link_accounts import with_link_accounts
from camlink_provision.model import Observed, Plan
from camlink_provision.playbook import Playbook, single_play
from camlink_provision.runner import DEFAULT_CONCURRENCY, one_cpu_for

__all__ = ["CameraResult", "EndState", "PlayResult", "RunResult", "SkippedChange", "Status",
           "apply_plan"]

class CountingFactory:
    """Hands out clients and remembers them, to count the requests sent to each camera."""

    def __init__(self, factory: planner.ClientFactory) -> None:
        self._factory = factory
        self._clients: dict[str, list[CameraClient]] = defaultdict(list)
        self._lock = threading.Lock()

    def __call__(self, camera: Camera) -> CameraClient:
        client = self._factory(camera)
        with self._lock:
            self._clients[camera.name].append(client)
        return client

    def requests_of(self, name: str) -> int:
        with self._lock:
            return sum(client.requests_sent for client in self._clients.get(name, ()))


def serialised(sink: EventSink) -> EventSink:
    """Events come from worker threads; a renderer sees them one at a time."""
    lock = threading.Lock()

    def emit(event: ApplyEvent) -> None:
        with lock:
            sink(event)
    return emit


def apply_plan(site: Site, plan: Plan, *, playbook: Playbook | None = None,
               concurrency: int = DEFAULT_CONCURRENCY,
               client_factory: planner.ClientFactory | None = None,
               on_event: EventSink = ignore, record: EventSink = ignore,
               verifier: Verifier | None = None,
               restore_pauses: Sequence[float] | None = None,
               retry_pauses: Sequence[float] = RETRY_PAUSES,
               stop: StopRequest | None = None,
               fresh: Mapping[str, Observed | CameraError] | None = None,
               reviewed: bool = False) -> RunResult:
    """Apply ``plan`` to ``site``'s cameras as ``playbook`` orders (default: one play).
    ``on_event`` sees the events one at a time (a display); ``record`` sees them too, from
    the worker threads as they happen, so it must be thread-safe itself (the journal: its
    durable records then share fsyncs instead of queueing for one each).
    ``stop``: set by a signal (``stopping.stop_on_signals``), no further step starts.
    ``fresh``: what the plan read moments ago (``plan.plan_and_observe``): a camera's
    first snapshot is taken from it, not read again, when it still has the plan's
    fingerprint; ``reviewed``: a person took their time over the plan since, so each
    camera's first step reads again what it touches and what that refers to
    (``plan.reread``), and keeps the rest of the plan's read."""
    stop = stop or StopRequest()
    # The link account names the plan was made with (a rotation under way): every step's
    # secret look-up and read-back planning uses them, as the plan did.
    site = with_link_accounts(site, plan.link_accounts)
    factory = CountingFactory(client_factory or planner.default_client)
    emit = fan_out(serialised(on_event), record)
    # Reading a camera is the planner's own gather: the dry run is the first half of apply.
    tools = StepTools(site=site, observe=planner.gather_camera, replan=planner.plan_camera,
                      reread=planner.reread, connect=factory,
                      emit=emit, requests_of=factory.requests_of,
                      restore_pauses=restore_pauses, retry_pauses=retry_pauses,
                      sleep=stop.pause)
    rollout = Rollout(site=site, plan=plan, playbook=playbook or single_play(),
                      tools=tools, concurrency=concurrency, emit=emit, verifier=verifier,
                      stop=stop, fresh={name: seen for name, seen in (fresh or {}).items()
                                        if isinstance(seen, Observed)}, reviewed=reviewed)
    del fresh  # the rollout owns the reads now, and lets each go once its camera is read back
    with one_cpu_for(site.cameras[cam.camera].connection.scheme for cam in plan.cameras
                     if cam.camera in site.cameras):
        result = rollout.run()
    emit(RunFinished(result))
    return result
