"""Events firing on a camera: triggers, schedules, local actions and camera-link actions.

Fired by the firmware itself (``setvi.cgi``) or through the control plane (a detection as
if a person entered a zone, a digital input, motion). For each enabled event whose trigger
matches and whose schedule is active, the camera does its local actions and, for each
enabled camera-link action whose peer is enabled, calls that peer (``link.py``). Peers are
called concurrently and a failing peer never stops the others or the local actions.

"Detect next event after" (``event_i<N>_delay``): once slot N has handled a firing, further
firings of that slot are suppressed until ``delay`` seconds (its value at the time of the
new firing) have passed since the handled one; other slots are unaffected. The moment of a
firing is its ``at`` when given, else the loop's clock (see ``EventEngine.now``). The window
is runtime state: a ``setparam`` never clears it, a reboot or factory reset does. The link
test (``cameralink_test.cgi?...&event=N``) is a manual test: never suppressed, and it does
not start the window.

Not modelled: recording and upload actions (reported, not performed).
"""

from __future__ import annotations

import asyncio
import math
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from camlink_provision import schedule
from camlink_provision.emulator import link, replies
from camlink_provision.emulator.forms import Pair
from camlink_provision.firmware import profile as fw

if TYPE_CHECKING:
    from camlink_provision.emulator.camera import EmulatedCamera

FireResult = dict[str, Any]
KIND_TRIGGERS = fw.TRIGGER_VALUES
MASK_FIELDS = fw.TRIGGER_INPUT_FIELDS


def local_naive(moment: datetime) -> datetime:
    """A moment as local wall time without a zone, so any two firings compare."""
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


class EventEngine:
    def __init__(self, camera: EmulatedCamera) -> None:
        self._camera = camera
        self._params = camera.params
        self._handled: dict[int, datetime] = {}  # slot -> its last handled firing
        self._anchor: tuple[datetime, float] | None = None  # (wall time, loop time)

    def now(self) -> datetime:
        """The loop's clock as local time: wall time at the first call, then advanced by
        ``loop.time()`` (monotonic: a wall-clock step never reopens or stretches a window)."""
        loop_now = asyncio.get_running_loop().time()
        if self._anchor is None:
            self._anchor = (datetime.now(), loop_now)
        wall, base = self._anchor
        return wall + timedelta(seconds=loop_now - base)

    def forget_firings(self) -> None:
        """A reboot or factory reset: no slot is waiting out its delay any more."""
        self._handled.clear()

    def _delay_left(self, slot: int, when: datetime) -> float:
        """Seconds slot still ignores triggers at ``when``; 0 when it may fire.

        A firing placed before the slot's last handled one (``at`` in the past) is not
        suppressed: the window only runs forward from a handled firing."""
        last = self._handled.get(slot)
        if last is None:
            return 0.0
        elapsed = (local_naive(when) - last).total_seconds()
        delay = int(self._value(slot, fw.EVENT_DELAY))
        return delay - elapsed if 0 <= elapsed < delay else 0.0

    def _value(self, slot: int, field: str) -> str:
        return self._params.value(fw.event_param(slot, field))

    def _trigger_matches(self, slot: int, kind: str, rule: str | None, input_: int) -> bool:
        trigger = KIND_TRIGGERS[kind]
        if self._value(slot, fw.EVENT_TRIGGER) != trigger:
            return False
        if kind == "detection":
            wanted = self._value(slot, fw.TRIGGER_RULE_FIELD)
            return rule is None or not wanted or wanted == rule
        mask = int(self._value(slot, MASK_FIELDS[kind]))
        return mask == 0 or bool(mask & (1 << input_))  # 0: the event names no input

    def _skip_reason(self, slot: int, at: datetime) -> str | None:
        if self._value(slot, fw.EVENT_ENABLE) != fw.ON:
            return "disabled"
        # The one reading of a schedule the whole tool shares (an overnight span belongs to
        # the day it starts on), so verify never fires an event the emulator then skips.
        days = schedule.days_of_mask(int(self._value(slot, fw.EVENT_WEEKDAY)))
        if not schedule.active_at(days, self._value(slot, fw.EVENT_BEGIN),
                                  self._value(slot, fw.EVENT_END), at):
            return "outside its schedule"
        return None

    async def fire(self, kind: str, *, rule: str | None = None, input_: int = 0,
                   at: datetime | None = None) -> FireResult:
        """Handle one trigger; returns once every peer call has finished."""
        if kind not in KIND_TRIGGERS:
            raise ValueError(f"kind must be one of {', '.join(KIND_TRIGGERS)}")
        when = at or self.now()
        result: FireResult = {"camera": self._camera.name, "kind": kind, "rule": rule,
                              "input": input_, "at": when.isoformat(timespec="seconds"),
                              "events": [], "skipped": []}
        for slot in range(self._camera.caps.nevent):
            if not self._trigger_matches(slot, kind, rule, input_):
                continue
            name = self._value(slot, fw.EVENT_NAME)
            reason = self._skip_reason(slot, when)
            if reason:
                result["skipped"].append({"slot": slot, "name": name, "reason": reason})
                continue
            left = self._delay_left(slot, when)
            if left:
                seconds = math.ceil(left)
                result["skipped"].append({
                    "slot": slot, "name": name, "suppressed_s": seconds,
                    "reason": f"suppressed: detect-next delay, {seconds} s left"})
                continue
            self._handled[slot] = local_naive(when)  # before the peer calls: a firing
            result["events"].append(await self._run_event(slot, name))  # meanwhile waits
        return result

    async def _run_event(self, slot: int, name: str) -> dict[str, Any]:
        return {"slot": slot, "name": name, "local": self._local_actions(slot),
                "peers": await self._link_actions(slot)}

    def _local_actions(self, slot: int) -> dict[str, Any]:
        done: dict[str, Any] = {}
        camera = self._camera
        if self._value(slot, fw.EVENT_DO_ENABLE) == fw.ON and camera.caps.ndo:
            camera.params.store({fw.DO_STATUS: fw.ON})
            camera.spawn(self._release_output(int(self._value(slot, fw.EVENT_DO_DURATION))))
            done["do"] = "ok"
        if self._value(slot, fw.EVENT_GOTO_ENABLE) == fw.ON:
            preset = self._value(slot, fw.EVENT_GOTO_NAME)
            done["goto"] = "ok" if camera.caps.ptz and camera.ptz.recall(preset) else "refused"
        if self._value(slot, fw.EVENT_CF_ENABLE) == fw.ON:
            done["cf"] = "recorded"
        servers = [i for i in range(fw.NSERVER)
                   if self._value(slot, fw.event_server_field(i, fw.SERVER_ENABLE)) == fw.ON]
        if servers:
            done["server"] = servers
        return done

    async def _release_output(self, seconds: int) -> None:
        await asyncio.sleep(seconds)
        self._camera.params.store({fw.DO_STATUS: fw.OFF})

    async def _link_actions(self, slot: int) -> list[dict[str, Any]]:
        camera = self._camera
        if not camera.caps.cameralink or camera.dialer is None:
            return []
        runs = []
        for index in range(camera.caps.npeer):
            action = link.LinkAction.from_params(camera.params, slot, index, self._track_arg())
            peer = link.Peer.from_params(camera.params, index)
            if action.enabled and peer.enabled:
                runs.append(link.perform(camera.dialer, peer, action, camera.spawn))
        return list(await asyncio.gather(*runs))

    def _track_arg(self) -> str:
        """The rule argument of camctrl.cgi as this camera's firmware spells it when it
        calls a peer (its profile's: ``naming``)."""
        return self._camera.naming.arg_out("camctrl", fw.TRACK_RULE)

    async def link_test(self, pairs: list[Pair]) -> bytes | None:
        """``cameralink_test.cgi?index=<k>[&event=<N>]``: the body, or None if invalid."""
        camera = self._camera
        args = {p.name: p.value or "" for p in pairs}
        index = _small_int(args.get(fw.LINK_TEST_INDEX))
        slot = _small_int(args.get(fw.LINK_TEST_EVENT, "0"))
        if (not camera.caps.cameralink or camera.dialer is None or len(args) != len(pairs)
                or not args.keys() <= {fw.LINK_TEST_INDEX, fw.LINK_TEST_EVENT}
                or index is None or slot is None
                or index >= camera.caps.npeer or slot >= camera.caps.nevent):
            return None
        peer = link.Peer.from_params(camera.params, index)
        outcome = await link.contact(camera.dialer, peer)
        lines: list[tuple[str, str]] = [(fw.LINK_TEST_RESULT, outcome)]
        if fw.LINK_TEST_EVENT in args and outcome == fw.LINK_TEST_OK:
            action = link.LinkAction.from_params(camera.params, slot, index, self._track_arg())
            report = await link.perform(camera.dialer, peer, action, camera.spawn)
            lines.append((fw.LINK_TEST_ACTION, report["result"]))
        return replies.param_lines(lines)


def _small_int(text: str | None) -> int | None:
    return int(text) if text is not None and text.isdigit() and len(text) < 4 else None
