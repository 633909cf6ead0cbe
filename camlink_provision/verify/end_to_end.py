"""End to end: fire each (spotter, event) on its own trigger and check every PTZ it targets.

The firing itself is passed in (a ``Firer``): only an emulated fleet can be made to "see" a
person in a zone, and verify does not import the emulator (``commands/verify_cmd.py``
supplies one for ``--emulate``). A firing runs every event of the spotter whose trigger
matches, and each event calls all its peers: every PTZ the spotter's links target is noted
before and put back after. One firing at a time: an event may move several PTZ cameras.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Protocol

from camlink_provision import schedule
from camlink_provision.errors import CameraError
from camlink_provision.inventory.model import Schedule
from camlink_provision.resources import events
from camlink_provision.resources.base import Have
from camlink_provision.verify.context import Pair, Run, camera_errors
from camlink_provision.verify.pair import PairCheck
from camlink_provision.verify.ptz import Before, position_text, put_back, read_before
from camlink_provision.verify.report import Cause, Check, Failed, LinkResult


@dataclass(frozen=True)
class Firing:
    """What a spotter did on one firing of a trigger: the events that ran, and why each
    other event on that trigger did not (its name -> the reason)."""

    ran: tuple[str, ...] = ()
    skipped: Mapping[str, str] = field(default_factory=dict)


class Firer(Protocol):
    """Makes a spotter's trigger fire at a moment, as if its input or analytics saw it."""

    def fire(self, spotter: str, kind: str, *, rule: str | None, input_number: int,
             at: datetime) -> Firing: ...


_FIRING_WEEKS = itertools.count(1)  # process-wide: fleets outlive one verify run in tests


def moment_in(when: Schedule, now: datetime) -> datetime:
    """Now when the schedule is active, else its next start: the event path is checked the
    same by day and by night (whether the schedule is right is the inventory's business).
    The firer judges the schedule at this moment; nothing waits for it."""
    return schedule.next_active(when.days, when.begin, when.end, now)


class EndToEnd:
    """Fire each (spotter, event) whose pairs passed; check every PTZ it targets."""

    def __init__(self, run: Run, firer: Firer) -> None:
        self.run, self.firer = run, firer

    def check(self, results: dict[Pair, LinkResult]) -> None:
        groups: dict[tuple[str, str], list[Pair]] = defaultdict(list)
        for pair, result in results.items():
            if result.passed:
                groups[(pair.link.spotter, pair.link.event)].append(pair)
        for (spotter, event), group in groups.items():
            for pair, (found, cause) in self.fire_group(spotter, event, group).items():
                results[pair] = replace(results[pair], checks=results[pair].checks
                                        + tuple(found), cause=cause)

    def fire_group(self, spotter: str, event: str,
                   group: list[Pair]) -> dict[Pair, tuple[list[Check], Cause | None]]:
        checks = {pair: PairCheck(self.run, pair) for pair in group}
        befores: dict[str, Before] = {}
        stopped: Failed | None = None
        try:
            self.note(spotter, befores)
            stored = {pair: self.prepare(check, befores[pair.ptz])
                      for pair, check in checks.items()}
            fired = self.fire(spotter, event)
            for pair, check in checks.items():
                self.judge(check, fired, stored[pair])
        except Failed as failed:  # could not note, prepare or fire: every pair says why
            stopped = failed
        finally:
            restored = self.put_back(befores)
        out: dict[Pair, tuple[list[Check], Cause | None]] = {}
        for pair, check in checks.items():
            found, cause = list(check.checks), check.cause
            if stopped is not None and cause is None:
                found.append(stopped.as_check())
                cause = stopped.cause
            if pair.ptz in restored:
                found.append(restored[pair.ptz])
                if not restored[pair.ptz].ok and cause is None:
                    cause = "restore_failed"
            out[pair] = (found, cause)
        return out

    def note(self, spotter: str, befores: dict[str, Before]) -> None:
        with camera_errors():
            for name in self.ptz_of_spotter(spotter):
                befores[name] = read_before(self.run.clients(name), True)

    def ptz_of_spotter(self, spotter: str) -> list[str]:
        names = [t.ptz for link in self.run.site.links_of(spotter) if link.state == "present"
                 for t in link.targets]
        return list(dict.fromkeys(names))

    @staticmethod
    def prepare(check: PairCheck, before: Before) -> Have | None:
        with camera_errors():
            stored = check.ptz_offers()
            check.prepare(stored, before)
        check.checks.clear()  # the same checks as the test-button phase: shown once
        return stored

    def fire(self, spotter: str, event_name: str) -> Firing:
        event = next(e for e in self.run.site.cameras[spotter].events if e.name == event_name)
        trigger = event.trigger
        inputs = trigger.inputs or events.DEFAULT_INPUTS
        # Each firing a week after the one before: the weekly schedule still matches, and no
        # "detect next event after" delay (at most 999 s) of an earlier firing can swallow it
        # (a sibling event on the same trigger, or an earlier verify on the same fleet).
        at = moment_in(event.schedule, datetime.now()) + timedelta(weeks=next(_FIRING_WEEKS))
        return self.firer.fire(spotter, trigger.kind, rule=trigger.rule,
                               input_number=inputs[0], at=at)

    @staticmethod
    def judge(check: PairCheck, fired: Firing, stored: Have | None) -> None:
        """Append the pair's end-to-end checks (its first failure ends them)."""
        pair = check.pair
        try:
            if pair.link.event not in fired.ran:
                why = fired.skipped.get(pair.link.event, "no event matched the trigger")
                raise Failed("event_not_fired", "end-to-end", f"firing {pair.link.spotter}'s "
                             f"trigger did not run event '{pair.link.event}': {why}")
            with camera_errors():
                check.judge_effects(stored, check.read_effects(stored), "end-to-end ")
        except Failed as failed:
            check.checks.append(failed.as_check())
            check.cause = failed.cause

    def put_back(self, befores: Mapping[str, Before]) -> dict[str, Check]:
        out: dict[str, Check] = {}
        for name, before in befores.items():
            client = self.run.clients(name)
            try:
                put_back(client, before)
                now = client.position()
            except CameraError as exc:
                out[name] = Check("end-to-end restore", False, f"could not put {name} back: "
                                  f"{exc}")
                continue
            out[name] = Check("end-to-end restore", now == before.position,
                              f"{name} at {position_text(now._asdict())}, was at "
                              f"{position_text(before.position._asdict())}")
        return out
