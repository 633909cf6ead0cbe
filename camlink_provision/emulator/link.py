"""Camera Link as a spotter performs it [modelled, contract §6].

For one event's camera-link action on peer k: recall the preset, start tracking with the
rule, pulse the output — each a real HTTP call to the peer with the stored address, port and
credentials. The first call that cannot get through (unreachable, unauthorized) ends the
sequence for that peer; a refused call (no such preset) does not stop the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from camlink_provision.emulator.dialer import CallResult, Outcome, PeerDialer
from camlink_provision.emulator.params import ParamStore
from camlink_provision.firmware import profile as fw

SEVERITY: dict[str, int] = {"ok": 0, "refused": 1, "unauthorized": 2, "unreachable": 3}
Spawn = Callable[[Coroutine[Any, Any, Any]], None]
CONTACT_TARGET = f"/cgi-bin/viewer/getparam.cgi?{fw.MODELNAME}"  # what the Test button reads


@dataclass(frozen=True)
class Peer:
    """A camera-link peer as the spotter stores it (the password never leaves the camera)."""

    index: int
    enabled: bool
    name: str
    address: str
    port: int
    username: str
    password: str = field(repr=False)  # never shown, even by a failing test's repr

    @classmethod
    def from_params(cls, params: ParamStore, index: int) -> Peer:
        def value(key: str) -> str:
            return params.value(fw.peer_param(index, key))

        return cls(index=index, enabled=value(fw.PEER_ENABLE) == fw.ON,
                   name=value(fw.PEER_NAME), address=value(fw.PEER_ADDRESS),
                   port=int(value(fw.PEER_PORT)), username=value(fw.PEER_USERNAME),
                   password=value(fw.PEER_PASSWORD))

    def describe(self) -> dict[str, Any]:
        return {"peer": self.index, "name": self.name, "address": self.address,
                "port": self.port}


@dataclass(frozen=True)
class LinkAction:
    enabled: bool
    preset: str
    track: bool
    rule: str
    do: bool
    do_duration: int
    track_arg: str = fw.TRACK_RULE  # camctrl.cgi's rule argument, as this firmware spells it

    @classmethod
    def from_params(cls, params: ParamStore, slot: int, peer: int,
                    track_arg: str = fw.TRACK_RULE) -> LinkAction:
        def value(key: str) -> str:
            return params.value(fw.link_action_param(slot, peer, key))

        return cls(enabled=value(fw.ACTION_ENABLE) == fw.ON, preset=value(fw.ACTION_PRESET),
                   track=value(fw.ACTION_TRACK_ENABLE) == fw.ON,
                   rule=value(fw.ACTION_TRACK_RULE),
                   do=value(fw.ACTION_DO_ENABLE) == fw.ON,
                   do_duration=int(value(fw.ACTION_DO_DURATION)), track_arg=track_arg)

    def targets(self) -> list[str]:
        """The calls, in the firmware's order: preset, tracking, output."""
        calls = []
        if self.preset:
            calls.append(f"{fw.RECALL}?{fw.encode_query({fw.RECALL_NAME: self.preset})}")
        if self.track:
            track: dict[str, str | int] = {fw.AUTO: fw.AUTO_TRACK}
            if self.rule:
                track[self.track_arg] = self.rule
            calls.append(f"{fw.CAMCTRL}?{fw.encode_query(track)}")
        if self.do:
            calls.append(_output_target(1))
        return calls


def _output_target(value: int) -> str:
    """``setdo.cgi?do1=<value>``: the peer's (first) digital output on or off [real]."""
    return f"{fw.SETDO}?{fw.encode_query({fw.do_arg(1): value})}"


def worst(outcomes: list[str]) -> str:
    return max(outcomes, key=SEVERITY.__getitem__, default="ok")


async def call_peer(dialer: PeerDialer, peer: Peer, target: str) -> CallResult:
    if not peer.address:
        return CallResult("unreachable")
    return await dialer.get(peer.address, peer.port, peer.username, peer.password, target)


async def perform(dialer: PeerDialer, peer: Peer, action: LinkAction,
                  spawn: Spawn) -> dict[str, Any]:
    """Run one camera-link action on one peer; report each call and the overall result."""
    calls: list[dict[str, Any]] = []
    for target in action.targets():
        result = await call_peer(dialer, peer, target)
        calls.append({"call": target, "status": result.status, "result": result.outcome})
        if result.outcome in ("unreachable", "unauthorized"):
            break
        if target.startswith(fw.SETDO) and result.outcome == "ok":
            spawn(_release_output(dialer, peer, action.do_duration))
    return {**peer.describe(), "result": worst([c["result"] for c in calls]), "calls": calls}


async def _release_output(dialer: PeerDialer, peer: Peer, seconds: int) -> None:
    await asyncio.sleep(seconds)
    await call_peer(dialer, peer, _output_target(0))


async def contact(dialer: PeerDialer, peer: Peer) -> Outcome:
    """The Test button: read the peer's model name with the stored credentials."""
    result = await call_peer(dialer, peer, CONTACT_TARGET)
    if result.outcome == "ok" and result.body.startswith(fw.MODELNAME.encode() + b"='"):
        return "ok"
    return "unauthorized" if result.outcome == "unauthorized" else "unreachable"
