"""Business-time arithmetic: properties over random schedules, plus hand-checked cases
across DST changes, holidays and time zones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storedesk.workflow.hours import (
    ALWAYS,
    Schedule,
    ScheduleError,
    add_business_minutes,
    add_business_time,
    business_minutes_between,
    business_time_between,
    dump_weekly,
    is_open,
    parse_weekly,
    schedule_from,
)

WARSAW = ZoneInfo("Europe/Warsaw")
NEW_YORK = ZoneInfo("America/New_York")
OFFICE = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}


def local(zone: ZoneInfo, *args: int) -> datetime:
    return datetime(*args, tzinfo=zone)


# --- Hand-checked cases --------------------------------------------------------------------------


def test_an_hour_asked_at_four_thirty_on_friday_is_due_monday_at_nine_thirty():
    office = schedule_from("Europe/Warsaw", OFFICE, [])
    # 2026-11-27 is a Friday: 30 minutes left on Friday, 30 more on Monday morning
    due = add_business_minutes(office, local(WARSAW, 2026, 11, 27, 16, 30), 60)
    assert due == local(WARSAW, 2026, 11, 30, 9, 30)


def test_a_message_on_saturday_starts_counting_on_monday_morning():
    office = schedule_from("Europe/Warsaw", OFFICE, [])
    due = add_business_minutes(office, local(WARSAW, 2026, 11, 28, 11, 0), 60)
    assert due == local(WARSAW, 2026, 11, 30, 10, 0)


def test_holidays_are_skipped():
    office = schedule_from("Europe/Warsaw", OFFICE, ["2026-12-24", "2026-12-25"])
    # Wednesday 23 Dec 16:00 + 2 h: one hour that day, Thu/Fri are holidays, Monday 28th 10:00
    due = add_business_minutes(office, local(WARSAW, 2026, 12, 23, 16, 0), 120)
    assert due == local(WARSAW, 2026, 12, 28, 10, 0)
    assert business_minutes_between(office, local(WARSAW, 2026, 12, 23, 16, 0), due) == 120


def test_twenty_four_business_hours_are_three_office_days():
    office = schedule_from("Europe/Warsaw", OFFICE, [])
    due = add_business_minutes(office, local(WARSAW, 2026, 11, 30, 9, 0), 24 * 60)
    assert due == local(WARSAW, 2026, 12, 2, 17, 0)


def test_spring_forward_night_shift_is_an_hour_shorter():
    night = schedule_from("Europe/Warsaw", {d: [["00:00", "06:00"]] for d in OFFICE}, [])
    # Sunday 2026-03-29: clocks jump 02:00 -> 03:00. Use a Monday-Friday night schedule on
    # the Monday after instead, and a 24/7 zone check on the Sunday itself.
    always_warsaw = Schedule(zone="Europe/Warsaw")
    start = local(WARSAW, 2026, 3, 29, 0, 0)
    end = local(WARSAW, 2026, 3, 29, 6, 0)
    assert business_time_between(always_warsaw, start, end) == timedelta(hours=5)
    seven_days = {d: [["00:00", "06:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                    "sun")}
    nights = schedule_from("Europe/Warsaw", seven_days, [])
    assert business_time_between(nights, start, end) == timedelta(hours=5)
    # 5 hours of night on that Sunday: 6 hours asked run into Monday's night
    assert add_business_time(nights, start, timedelta(hours=6)) == local(WARSAW, 2026, 3, 30,
                                                                         1, 0)
    assert night.zone == "Europe/Warsaw"


def test_fall_back_night_is_an_hour_longer():
    seven_days = {d: [["00:00", "06:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat",
                                                    "sun")}
    nights = schedule_from("Europe/Warsaw", seven_days, [])
    start = local(WARSAW, 2026, 10, 25, 0, 0)  # clocks fall back 03:00 -> 02:00
    end = datetime(2026, 10, 25, 5, 0, tzinfo=UTC)  # 06:00 CET
    assert business_time_between(nights, start, end) == timedelta(hours=7)
    assert add_business_time(nights, start, timedelta(hours=7)) == end


def test_opening_inside_the_dst_gap_opens_when_the_clock_jumps():
    early = schedule_from("Europe/Warsaw", {"sun": [["02:30", "04:00"]]}, [])
    start = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    # 02:30 does not exist on 29 March: the window opens at the jump (01:00 UTC = 03:00 CEST)
    assert add_business_minutes(early, start, 1) == datetime(2026, 3, 29, 1, 1, tzinfo=UTC)
    assert business_minutes_between(early, start, datetime(2026, 3, 30, tzinfo=UTC)) == 60


def test_the_same_hours_in_two_zones_are_different_instants():
    warsaw = schedule_from("Europe/Warsaw", OFFICE, [])
    new_york = schedule_from("America/New_York", OFFICE, [])
    start = datetime(2026, 11, 30, 7, 0, tzinfo=UTC)  # Monday 08:00 Warsaw, 02:00 New York
    assert add_business_minutes(warsaw, start, 60) == local(WARSAW, 2026, 11, 30, 10, 0)
    assert add_business_minutes(new_york, start, 60) == local(NEW_YORK, 2026, 11, 30, 10, 0)


def test_new_york_dst_change_between_friday_and_monday():
    office = schedule_from("America/New_York", OFFICE, [])
    # Friday 2026-03-06 16:00 EST + 2 h -> Monday 2026-03-09 10:00 EDT (clocks moved Sunday)
    due = add_business_minutes(office, local(NEW_YORK, 2026, 3, 6, 16, 0), 120)
    assert due == local(NEW_YORK, 2026, 3, 9, 10, 0)
    assert due.astimezone(UTC) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


def test_hours_running_to_midnight_continue_after_midnight():
    late = schedule_from("UTC", {"mon": [["20:00", "24:00"]], "tue": [["00:00", "02:00"]]}, [])
    start = datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert add_business_minutes(late, start, 120) == datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert is_open(late, datetime(2026, 12, 1, 0, 0, tzinfo=UTC))
    assert not is_open(late, datetime(2026, 12, 1, 2, 0, tzinfo=UTC))


def test_bad_schedules_are_refused():
    with pytest.raises(ScheduleError):
        schedule_from("Mars/Olympus", OFFICE, [])
    with pytest.raises(ScheduleError):
        parse_weekly({"mon": [["17:00", "09:00"]]})
    with pytest.raises(ScheduleError):
        parse_weekly({"funday": [["09:00", "17:00"]]})
    with pytest.raises(ScheduleError):
        parse_weekly({"mon": [["09:00", "25:00"]]})
    with pytest.raises(ScheduleError):
        schedule_from("UTC", {}, [])  # never open
    with pytest.raises(ScheduleError):
        schedule_from("UTC", {"mon": [["09:00", "12:00"], ["11:00", "13:00"]]}, [])
    with pytest.raises(ValueError):
        add_business_minutes(ALWAYS, datetime(2026, 1, 1), 5)  # naive


def test_weekly_round_trips():
    weekly = {"mon": [["08:30", "12:00"], ["13:00", "24:00"]], "sat": [["10:00", "14:00"]]}
    assert dump_weekly(parse_weekly(weekly)) == weekly


# --- Properties ----------------------------------------------------------------------------------

ZONES = ["UTC", "Europe/Warsaw", "America/New_York", "Asia/Bangkok", "Europe/Istanbul",
         "Asia/Jakarta", "Australia/Lord_Howe", "America/Sao_Paulo"]


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[tuple[int, int], ...]:
    cuts = sorted(set(draw(st.lists(st.integers(0, 48), max_size=6))))
    cuts = [c * 30 for c in cuts]
    pairs = [(cuts[i], cuts[i + 1]) for i in range(0, len(cuts) - 1, 2)]
    return tuple((s, e) for s, e in pairs if s < e)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    weekly = tuple(draw(day_intervals()) for _ in range(7))
    if not any(weekly):
        weekly = (((540, 1020),), *weekly[1:])
    holidays = draw(st.frozensets(st.dates(date(2026, 1, 1), date(2027, 12, 31)), max_size=20))
    return Schedule(zone=draw(st.sampled_from(ZONES)), weekly=weekly, holidays=holidays)


instants = st.datetimes(datetime(2026, 1, 1), datetime(2027, 6, 30)).map(
    lambda d: d.replace(tzinfo=UTC))
amounts = st.integers(0, 60 * 24 * 10).map(lambda m: timedelta(minutes=m))

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None,
                             suppress_health_check=[HealthCheck.too_slow])


@PROPERTY_SETTINGS
@given(schedules(), instants, amounts)
def test_the_business_time_from_start_to_due_is_the_amount(schedule, start, amount):
    due = add_business_time(schedule, start, amount)
    assert due >= start
    assert business_time_between(schedule, start, due) == amount


@PROPERTY_SETTINGS
@given(schedules(), instants, amounts, amounts)
def test_adding_in_two_steps_is_adding_once(schedule, start, first, second):
    middle = add_business_time(schedule, start, first)
    assert add_business_time(schedule, middle, second) == add_business_time(
        schedule, start, first + second) or second == timedelta(0)


@PROPERTY_SETTINGS
@given(schedules(), instants, instants, instants)
def test_elapsed_time_adds_up_over_a_split(schedule, a, b, c):
    a, b, c = sorted((a, b, c))
    assert business_time_between(schedule, a, c) == (
        business_time_between(schedule, a, b) + business_time_between(schedule, b, c))
    assert business_time_between(schedule, a, c) <= c - a


@PROPERTY_SETTINGS
@given(schedules(), instants, amounts.filter(lambda a: a > timedelta(0)))
def test_a_positive_amount_ends_inside_opening_hours(schedule, start, amount):
    due = add_business_time(schedule, start, amount)
    # the last second before the due time is business time
    assert business_time_between(schedule, due - timedelta(seconds=1), due) == timedelta(
        seconds=1)
