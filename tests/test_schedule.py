"""The one reading of an event schedule (``camlink_provision.schedule``): an overnight span
belongs to the day it starts on, for the emulator, verify and the inventory alike."""

from __future__ import annotations

from datetime import datetime

import pytest

from camlink_provision import schedule
from camlink_provision.firmware import profile
from camlink_provision.inventory.link_rules import schedules_overlap
from camlink_provision.inventory.model import Schedule

MONDAY_NIGHTS = (("mon",), "19:00", "06:30")


@pytest.mark.parametrize(("moment", "active"), [
    ("2026-11-30 18:59", False),  # Monday, before the span
    ("2026-11-30 19:00", True),  # Monday, its start
    ("2026-11-30 23:59", True),
    ("2026-12-01 00:00", True),  # Tuesday: still Monday's night although Tuesday is not named
    ("2026-12-01 03:00", True),
    ("2026-12-01 06:29", True),
    ("2026-12-01 06:30", False),  # the end is not part of the span
    ("2026-12-01 19:30", False),  # Tuesday evening: Tuesday is not named
    ("2026-11-30 03:00", False),  # Monday morning would be Sunday's night: not named
])
def test_an_overnight_span_belongs_to_the_day_it_starts_on(moment: str, active: bool) -> None:
    assert schedule.active_at(*MONDAY_NIGHTS, datetime.fromisoformat(moment)) is active


def test_sunday_night_runs_into_monday_morning() -> None:
    sunday_nights = (("sun",), "22:00", "06:00")
    assert schedule.active_at(*sunday_nights, datetime(2026, 11, 29, 23, 0))  # Sunday
    assert schedule.active_at(*sunday_nights, datetime(2026, 11, 30, 5, 59))  # Monday
    assert not schedule.active_at(*sunday_nights, datetime(2026, 11, 30, 23, 0))
    assert schedule.week_spans(*sunday_nights) == [(6 * 1440 + 22 * 60, 7 * 1440), (0, 360)]


@pytest.mark.parametrize(("begin", "end"), [("00:00", "24:00"), ("08:00", "08:00")])
def test_a_whole_day(begin: str, end: str) -> None:
    assert schedule.active_at(("wed",), begin, end, datetime(2026, 11, 25, 0, 0))
    assert schedule.active_at(("wed",), begin, end, datetime(2026, 11, 25, 23, 59))
    assert not schedule.active_at(("wed",), begin, end, datetime(2026, 11, 26, 0, 0))


def test_a_span_ending_at_midnight_has_no_morning() -> None:
    assert schedule.week_spans(("mon",), "19:00", "00:00") == [(19 * 60, 24 * 60)]


def test_the_firmware_bitmask_reads_through_the_profile_table() -> None:
    mask = sum(1 << profile.WEEKDAY_BITS[day] for day in ("fri", "mon", "sun"))
    assert schedule.days_of_mask(mask) == ("mon", "fri", "sun")
    assert schedule.days_of_mask(profile.ALL_WEEK) == schedule.WEEK
    assert schedule.days_of_mask(0) == ()


@pytest.mark.parametrize(("now", "expected"), [
    ("2026-11-30 12:00:41", "2026-11-30 19:00"),  # Monday noon: tonight at seven
    ("2026-12-01 03:00:00", "2026-12-01 03:00"),  # inside Monday's night: now
    ("2026-12-01 07:00:00", "2026-12-07 19:00"),  # Tuesday morning: next Monday
])
def test_next_active(now: str, expected: str) -> None:
    at = schedule.next_active(*MONDAY_NIGHTS, datetime.fromisoformat(now))
    assert at == datetime.fromisoformat(expected)


def test_no_day_is_never_active() -> None:
    now = datetime(2026, 11, 30, 12, 0)
    assert not schedule.active_at((), "00:00", "24:00", now)
    assert schedule.next_active((), "00:00", "24:00", now) == now


def test_the_inventory_overlap_check_reads_spans_the_same_way() -> None:
    monday_nights = Schedule(days=("mon",), begin="19:00", end="06:30")
    tuesday_mornings = Schedule(days=("tue",), begin="03:00", end="04:00")
    monday_mornings = Schedule(days=("mon",), begin="03:00", end="04:00")
    assert schedules_overlap(monday_nights, tuesday_mornings)
    assert not schedules_overlap(monday_nights, monday_mornings)


def test_a_bad_time_is_refused() -> None:
    with pytest.raises(ValueError):
        schedule.minutes("7pm")
