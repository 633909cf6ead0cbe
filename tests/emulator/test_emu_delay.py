"""The "detect next event after" delay, ``event_i<N>_delay`` (contract §5), over real HTTP.

Firings are placed in time with ``at`` (nothing sleeps); the spotter's peers show in their
request logs whether a firing was handled or suppressed.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from emu_support import Cam
from test_emu_control import control
from test_emu_link import event, link, linked, setparam  # noqa: F401 - linked: the fixture

from camlink_provision.emulator import Fleet
from camlink_provision.firmware import profile as fw

T0 = datetime(2026, 11, 30, 12, 0)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def gate(fleet: Fleet, when: datetime | None) -> dict[str, Any]:
    return fleet.fire("spot1", "detection", rule="gate", at=when)


def peers_called(fleet: Fleet) -> bool:
    """Whether either PTZ peer got a request since the logs were last cleared."""
    called = bool(fleet.request_log("ptz1") or fleet.request_log("ptz2"))
    fleet.clear_log("ptz1")
    fleet.clear_log("ptz2")
    return called


def test_a_second_firing_within_the_delay_is_suppressed(linked: dict[str, Cam],  # noqa: F811
                                                        fleet: Fleet) -> None:
    assert [e["slot"] for e in gate(fleet, at(0))["events"]] == [0]  # default delay: 10 s
    assert peers_called(fleet)
    second = gate(fleet, at(3))
    assert second["events"] == []
    assert second["skipped"] == [{"slot": 0, "name": "ev0", "suppressed_s": 7,
                                  "reason": "suppressed: detect-next delay, 7 s left"}]
    assert not peers_called(fleet)  # the spotter did not call its peers again
    # A suppressed firing does not stretch the window: it runs from the handled one.
    assert gate(fleet, at(9.5))["skipped"][0]["reason"] == (
        "suppressed: detect-next delay, 1 s left")
    assert not peers_called(fleet)
    handled = gate(fleet, at(10))
    assert [e["slot"] for e in handled["events"]] == [0] and handled["skipped"] == []
    assert peers_called(fleet)
    assert gate(fleet, at(15))["skipped"][0]["suppressed_s"] == 5  # a new window from 10 s


def test_the_slot_delay_setting_decides_and_setparam_clears_nothing(
        linked: dict[str, Cam], fleet: Fleet) -> None:  # noqa: F811
    spot = linked["spot1"]
    setparam(spot, {fw.event_param(0, "delay"): "60"})
    assert gate(fleet, at(0))["events"]
    assert gate(fleet, at(30))["skipped"][0]["suppressed_s"] == 30
    # Rewriting the slot (same or other settings) keeps the window it is waiting out ...
    setparam(spot, event(0, priority="2"))
    assert gate(fleet, at(40))["skipped"][0]["suppressed_s"] == 20
    # ... and a changed delay counts from the same handled firing.
    setparam(spot, {fw.event_param(0, "delay"): "45"})
    assert gate(fleet, at(44))["skipped"][0]["suppressed_s"] == 1
    assert gate(fleet, at(45))["events"]
    assert peers_called(fleet)


def test_slots_wait_out_their_own_delay(linked: dict[str, Cam],  # noqa: F811
                                        fleet: Fleet) -> None:
    # Slot 1 matches the same detection with a short delay; slot 2 is a digital input.
    setparam(linked["spot1"], {**event(1, delay="2"), **event(2, "di"),
                               **link(2, 0, rule="", do=False)})
    first = gate(fleet, at(0))
    assert [e["slot"] for e in first["events"]] == [0, 1]
    again = gate(fleet, at(5))
    assert [e["slot"] for e in again["events"]] == [1]
    assert [(s["slot"], s["suppressed_s"]) for s in again["skipped"]] == [(0, 5)]
    peers_called(fleet)
    di = fleet.fire("spot1", "di", input=0, at=at(6))  # slot 0's window holds back no other
    assert [e["slot"] for e in di["events"]] == [2] and di["skipped"] == []
    assert [r.path for r in fleet.request_log("ptz1") if r.status == 200] == [fw.RECALL]


def test_a_virtual_input_honours_the_delay(linked: dict[str, Cam],  # noqa: F811
                                          fleet: Fleet) -> None:
    spot = linked["spot1"]
    setparam(spot, {**event(1, "vi", vi="4", delay="999"), **link(1, 0, rule="", do=False)})
    assert spot.get(f"{fw.SETVI}?vi2=1").body == b""  # the firmware's own clock: now
    assert fleet.state("ptz1")["position"]["pan"] == 900
    assert peers_called(fleet)
    fleet.set_position("ptz1", 0, 0, 1)
    assert spot.get(f"{fw.SETVI}?vi2=1").body == b""  # within 999 s of the first
    assert not peers_called(fleet)
    assert fleet.state("ptz1")["position"]["pan"] == 0
    # The same window, seen through the control plane: now it is still closed ...
    reply = json.loads(control(spot, "POST", "fire", {"kind": "vi", "input": 2}).body)
    assert reply["events"] == []
    assert reply["skipped"][0]["reason"].startswith("suppressed: detect-next delay, ")
    # ... and a firing placed after the delay is handled.
    later = (datetime.now() + timedelta(seconds=1100)).isoformat(timespec="seconds")
    reply = json.loads(control(spot, "POST", "fire", {"kind": "vi", "input": 2,
                                                      "at": later}).body)
    assert [e["slot"] for e in reply["events"]] == [1]
    assert fleet.state("ptz1")["position"]["pan"] == 900


def test_the_link_test_is_never_suppressed_nor_starts_the_delay(
        linked: dict[str, Cam], fleet: Fleet) -> None:  # noqa: F811
    spot = linked["spot1"]
    setparam(spot, {fw.event_param(0, "delay"): "999"})
    test = f"{fw.LINK_TEST}?index=0&event=0"
    assert spot.get(test).body == b"result='ok'\r\naction='ok'\r\n"
    assert spot.get(test).body == b"result='ok'\r\naction='ok'\r\n"
    assert peers_called(fleet)
    assert gate(fleet, None)["events"]  # the tests started no window
    assert peers_called(fleet)
    assert gate(fleet, None)["skipped"][0]["reason"].startswith("suppressed:")
    fleet.set_position("ptz1", 0, 0, 1)
    assert spot.get(test).body == b"result='ok'\r\naction='ok'\r\n"  # inside the window
    assert fleet.state("ptz1")["position"]["pan"] == 900
    assert [r.path for r in fleet.request_log("ptz1") if r.status == 200][-3:] == [
        fw.RECALL, fw.CAMCTRL, fw.SETDO]


def test_earlier_moments_and_a_factory_reset_open_the_window(
        linked: dict[str, Cam], fleet: Fleet) -> None:  # noqa: F811
    assert gate(fleet, at(0))["events"]
    assert gate(fleet, at(-3600))["events"]  # placed before the handled one: not held back
    assert gate(fleet, at(-3595))["skipped"][0]["suppressed_s"] == 5
    fleet.reset("spot1")
    setparam(linked["spot1"], {**event(0), **link(0, 0)})
    assert gate(fleet, at(-3594))["events"]
