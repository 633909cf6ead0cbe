"""What the applier tells its front end while it works (it never prints).

Every event is a small frozen value; ``on_event`` receives them one at a time (the applier
serialises the calls, so a renderer needs no lock of its own). None carries a value written
to a camera: requests are described by their call and the *names* they touch. Every event
but ``RunFinished`` is a ``PlayEvent`` (it names its play); those about one camera are
``CameraEvent``s (they name the camera too), so a journal record starts with play, camera.

    PlayStarted      a play begins (its batches and cameras are known)
    BatchStarted     a batch of a play begins
    CameraStarted    one camera's share of a play begins (snapshot, write, read back)
    StepWriting      its snapshot was read and matched: the first write comes next (the
                     journal keeps the snapshot, ahead of the writes, for recovery)
    RequestSending   a request is about to go out (journaled before it is sent)
    RequestDone      one request of that camera went out (apply or restore), and how it went
    ChangeApplied    every request of one change was accepted
    CameraRestoring  something went wrong: the camera's snapshot is being restored
    CameraDone       one camera's share of a play ended: changed / failed / unreachable
    ChangeSkipped    a change was not attempted, and why
    RolloutStopped   max_fail_percentage was exceeded, or a signal came: the rest is skipped
    VerifyDone       a verify play ended
    RunFinished      the recap is ready
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from camlink_provision.apply.result import RunResult

Purpose = Literal["snapshot", "apply", "check", "read back", "restore"]


@dataclass(frozen=True)
class PlayEvent:
    """Something that happened in a play (every event but the last, ``RunFinished``)."""

    play: str


@dataclass(frozen=True)
class CameraEvent(PlayEvent):
    """Something that happened to one camera in a play."""

    camera: str


@dataclass(frozen=True)
class PlayStarted(PlayEvent):
    index: int  # 1-based
    total: int
    cameras: int
    batches: int
    changes: int
    verify: bool = False


@dataclass(frozen=True)
class BatchStarted(PlayEvent):
    index: int  # 1-based
    total: int
    cameras: tuple[str, ...]


@dataclass(frozen=True)
class CameraStarted(CameraEvent):
    changes: int


@dataclass(frozen=True)
class StepWriting(CameraEvent):
    """Written ahead: the step is about to send its first write. With what the camera held
    (``snapshot``, ``Observed.to_json``) and what may change (``step``, ``Step.to_json``),
    the next run can put a camera back if this one is killed half-way (``recovery``)."""

    step: dict[str, Any]
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class RequestSending(CameraEvent):
    """Written ahead of every request (names, never values)."""

    purpose: Purpose
    call: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class RequestDone(CameraEvent):
    purpose: Purpose
    call: str  # setparam, move, add_preset, ... or "gather"
    names: tuple[str, ...]  # parameter / preset / rule names; never values
    error: str = ""  # empty when the camera accepted it


@dataclass(frozen=True)
class ChangeApplied(CameraEvent):
    change: str  # the change's key: camera/kind/name
    action: str


@dataclass(frozen=True)
class CameraRestoring(CameraEvent):
    why: str


@dataclass(frozen=True)
class CameraDone(CameraEvent):
    status: str  # changed | failed | unreachable
    reason: str
    requests: int
    writes: int
    ends_in: str = ""  # after | before | unknown: where the step left the camera


@dataclass(frozen=True)
class ChangeSkipped(CameraEvent):
    change: str
    reason: str


@dataclass(frozen=True)
class RolloutStopped(PlayEvent):
    reason: str


@dataclass(frozen=True)
class VerifyDone(PlayEvent):
    ok: bool
    summary: str


@dataclass(frozen=True)
class RunFinished:
    result: RunResult


ApplyEvent = (PlayStarted | BatchStarted | CameraStarted | StepWriting | RequestSending
              | RequestDone | ChangeApplied
              | CameraRestoring | CameraDone | ChangeSkipped | RolloutStopped | VerifyDone
              | RunFinished)
EventSink = Callable[[ApplyEvent], None]


def ignore(_event: ApplyEvent) -> None:
    """The sink of callers that want only the result."""


def fan_out(*sinks: EventSink) -> EventSink:
    """One sink feeding several (the progress display and the journal)."""
    def send(event: ApplyEvent) -> None:
        for sink in sinks:
            sink(event)
    return send
