"""When an event's weekly schedule is active: the one reading of it every part of the tool uses.

An event holds its schedule as days (the firmware's ``weekday`` bitmask, see
``profile.WEEKDAY_BITS``) and a time of day ``[begin, end)``. Three places need to know
whether it is active at a moment, and they must agree, or verify would fire an event the
emulator skips and the inventory check would miss two links that clash at night:

    the emulator    does an event run when its trigger fires at this moment?
    verify          when is the event next active, so an end-to-end firing runs it?
    inventory       do two events' schedules overlap (two links, one PTZ, one trigger)?

The rule, [modelled] (the firmware contract states none; docs/firmware-contract-notes.md):

- ``begin < end``: that time of day on each day named.
- ``begin == end``: the whole of each day named.
- ``begin > end``: the span runs past midnight and belongs to the day it *starts* on.
  "Monday 19:00-06:30" is active from Monday 19:00 to Tuesday 06:30, so Tuesday 03:00 is
  active although Tuesday is not named, and Monday 03:00 is not (unless Sunday is named).
  That is what a person means by "Monday 19:00-06:30"; a real camera may read it by the
  weekday of the moment instead, which only a real camera can settle.

Imports only the firmware profile: the emulator, verify and the inventory all use this
module, and none of them may drag another in.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from camlink_provision.firmware import profile

# date.weekday() order: consecutive days are consecutive here (the bitmask order is not).
WEEK = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
WEEK_MINUTES = len(WEEK) * DAY_MINUTES

Span = tuple[int, int]  # [start, stop) in minutes from Monday 00:00


def minutes(hhmm: str) -> int:
    """``"19:30"`` -> 1170; ``"24:00"`` -> 1440. Raises ValueError on anything else."""
    hours, sep, mins = hhmm.partition(":")
    if not sep or not hours.isdigit() or not mins.isdigit():
        raise ValueError(f"not a time of day hh:mm: {hhmm!r}")
    return int(hours) * 60 + int(mins)


def days_of_mask(mask: int) -> tuple[str, ...]:
    """The days a firmware ``weekday`` bitmask names, in WEEK order."""
    return tuple(day for day in WEEK if mask >> profile.WEEKDAY_BITS[day] & 1)


def week_spans(days: Iterable[str], begin: str, end: str) -> list[Span]:
    """The minutes of the week the schedule is active, as spans that never cross the end of
    the week (Sunday's overnight span is cut at Monday 00:00 and goes on from 0)."""
    start_of_day, stop_of_day = minutes(begin), minutes(end)
    spans: list[Span] = []
    for day in dict.fromkeys(d for d in days if d in WEEK):
        base = WEEK.index(day) * DAY_MINUTES
        if start_of_day < stop_of_day:
            spans.append((base + start_of_day, base + stop_of_day))
        elif start_of_day == stop_of_day:
            spans.append((base, base + DAY_MINUTES))
        else:  # past midnight: the rest of this day, then the next morning
            spans.append((base + start_of_day, base + DAY_MINUTES))
            tomorrow = (base + DAY_MINUTES) % WEEK_MINUTES
            spans.append((tomorrow, tomorrow + stop_of_day))
    return [(start, stop) for start, stop in spans if start < stop]


def minute_of_week(moment: datetime) -> int:
    return moment.weekday() * DAY_MINUTES + moment.hour * 60 + moment.minute


def active_at(days: Iterable[str], begin: str, end: str, moment: datetime) -> bool:
    """Whether the schedule is active at ``moment`` (its wall time; seconds do not count)."""
    minute = minute_of_week(moment)
    return any(start <= minute < stop for start, stop in week_spans(days, begin, end))


def next_active(days: Iterable[str], begin: str, end: str, now: datetime) -> datetime:
    """``now`` when the schedule is active, else the start of its next active minute; ``now``
    too when it names no day at all (nothing will ever be active)."""
    spans = week_spans(days, begin, end)
    minute = minute_of_week(now)
    if any(start <= minute < stop for start, stop in spans):
        return now
    ahead = [(start - minute) % WEEK_MINUTES for start, _ in spans]
    if not ahead:
        return now
    return now.replace(second=0, microsecond=0) + timedelta(minutes=min(ahead))


def spans_overlap(a: Iterable[Span], b: Iterable[Span]) -> bool:
    others = list(b)
    return any(a_start < b_stop and b_start < a_stop
               for a_start, a_stop in a for b_start, b_stop in others)
