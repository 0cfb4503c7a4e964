"""Business time: "due = start + N business minutes" and "business time between a and b".

Pure functions over a `Schedule` (a time zone, weekly opening hours in local wall-clock time,
holiday dates); no database, no clock. Every timer of the workflow (SLA clocks, escalation,
follow-ups) goes through these two functions, so they agree with each other by construction:

    due = add_business_time(schedule, start, timedelta(hours=1))
    business_time_between(schedule, start, due) == timedelta(hours=1)

Opening hours are wall-clock intervals of a local day ("09:00-17:00"; "24:00" ends at the next
midnight). Business time is real elapsed time inside those intervals: on the day a clock jumps
forward, 01:00-04:00 in Europe/Warsaw lasts two hours; on the day it falls back, three. A local
time that does not exist (02:30 on the spring-forward night) is read as the instant after the
gap; an ambiguous one (02:30 on the fall-back night) as its first occurrence. All arithmetic is
done in UTC: aware datetimes in one zone add wall-clock time in Python, which is wrong here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")

# How far a computation may walk before giving up (a schedule open one minute a year with a
# target of years would otherwise loop for long); generous against any real SLA.
MAX_DAYS_WALKED = 366 * 20

Interval = tuple[int, int]  # minutes after local midnight, start < end <= 1440


class ScheduleError(ValueError):
    """A schedule that cannot be used (unknown zone, bad interval, never open)."""


@dataclass(frozen=True)
class Schedule:
    """Opening hours in one time zone. `weekly[0]` is Monday; `holidays` are local dates."""

    zone: str = "UTC"
    weekly: tuple[tuple[Interval, ...], ...] = field(
        default_factory=lambda: tuple(((0, MINUTES_PER_DAY),) for _ in range(7))
    )
    holidays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        tz(self.zone)  # fails early on an unknown zone
        if len(self.weekly) != 7:
            raise ScheduleError("A week has seven days.")
        for intervals in self.weekly:
            previous_end = -1
            for start, end in intervals:
                if not (0 <= start < end <= MINUTES_PER_DAY) or start < previous_end:
                    raise ScheduleError("Opening hours must be ordered, non-overlapping intervals.")
                previous_end = end
        if not any(self.weekly):
            raise ScheduleError("The schedule is never open.")

    @property
    def tzinfo(self) -> ZoneInfo:
        return tz(self.zone)

    @property
    def always_open(self) -> bool:
        return not self.holidays and all(i == ((0, MINUTES_PER_DAY),) for i in self.weekly)


def tz(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ScheduleError(f"Unknown time zone {name!r}.") from exc


ALWAYS = Schedule()


def is_time_zone(name: str) -> bool:
    return name in _zones()


_ZONES: set[str] = set()


def _zones() -> set[str]:
    if not _ZONES:
        _ZONES.update(available_timezones())
    return _ZONES


# --- Reading and writing the stored form --------------------------------------------------------


def parse_hhmm(text: str) -> int:
    match = _HHMM.match(text.strip())
    if not match:
        raise ScheduleError(f"{text!r} is not a time (HH:MM).")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > MINUTES_PER_DAY:
        raise ScheduleError(f"{text!r} is after 24:00.")
    return minutes


def format_hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_weekly(raw: Mapping[str, Any]) -> tuple[tuple[Interval, ...], ...]:
    """{"mon": [["09:00", "17:00"]], ...} -> seven tuples of intervals (missing day = closed)."""
    unknown = set(raw) - set(DAYS)
    if unknown:
        raise ScheduleError(f"Unknown day {sorted(unknown)[0]!r}.")
    week: list[tuple[Interval, ...]] = []
    for day in DAYS:
        intervals = []
        for pair in raw.get(day) or []:
            if not isinstance(pair, Sequence) or isinstance(pair, str) or len(pair) != 2:
                raise ScheduleError("An opening interval is a [start, end] pair.")
            start, end = parse_hhmm(str(pair[0])), parse_hhmm(str(pair[1]))
            if start >= end:
                raise ScheduleError("An opening interval must end after it starts.")
            intervals.append((start, end))
        intervals.sort()
        week.append(tuple(intervals))
    return tuple(week)


def dump_weekly(weekly: Sequence[Sequence[Interval]]) -> dict[str, list[list[str]]]:
    return {
        day: [[format_hhmm(s), format_hhmm(e)] for s, e in intervals]
        for day, intervals in zip(DAYS, weekly, strict=True)
        if intervals
    }


def parse_holidays(raw: Iterable[Any]) -> frozenset[date]:
    days = set()
    for value in raw:
        try:
            days.add(value if isinstance(value, date) else date.fromisoformat(str(value)))
        except ValueError as exc:
            raise ScheduleError(f"{value!r} is not a date (YYYY-MM-DD).") from exc
    return frozenset(days)


def schedule_from(zone: str, weekly: Mapping[str, Any], holidays: Iterable[Any]) -> Schedule:
    return Schedule(zone=zone, weekly=parse_weekly(weekly), holidays=parse_holidays(holidays))


# --- The two functions ---------------------------------------------------------------------------


def add_business_time(schedule: Schedule, start: datetime, amount: timedelta) -> datetime:
    """The instant when `amount` of business time has passed since `start` (UTC).

    A zero amount is `start` itself; a positive one always ends inside opening hours (at the
    end of an interval at the latest), never in a closed stretch after it.
    """
    _check_aware(start)
    start = start.astimezone(UTC)
    if amount < timedelta(0):
        raise ValueError("A business-time amount cannot be negative.")
    if amount == timedelta(0):
        return start
    if schedule.always_open:
        return start + amount
    remaining = amount
    for opens, closes in _open_windows(schedule, start):
        if closes <= start:
            continue
        begin = max(opens, start)
        available = closes - begin
        if remaining <= available:
            return begin + remaining
        remaining -= available
    raise ScheduleError("The schedule has no opening hours within the next years.")


def business_time_between(schedule: Schedule, a: datetime, b: datetime) -> timedelta:
    """Business time elapsed from `a` to `b` (zero when b is not after a)."""
    _check_aware(a)
    _check_aware(b)
    a, b = a.astimezone(UTC), b.astimezone(UTC)
    if b <= a:
        return timedelta(0)
    if schedule.always_open:
        return b - a
    total = timedelta(0)
    for opens, closes in _open_windows(schedule, a):
        if opens >= b:
            break
        overlap = min(closes, b) - max(opens, a)
        if overlap > timedelta(0):
            total += overlap
    return total


def add_business_minutes(schedule: Schedule, start: datetime, minutes: int) -> datetime:
    return add_business_time(schedule, start, timedelta(minutes=minutes))


def business_minutes_between(schedule: Schedule, a: datetime, b: datetime) -> float:
    return business_time_between(schedule, a, b).total_seconds() / 60


def is_open(schedule: Schedule, at: datetime) -> bool:
    _check_aware(at)
    at = at.astimezone(UTC)
    for opens, closes in _open_windows(schedule, at):
        if opens > at:
            return False
        if opens <= at < closes:
            return True
    return False


# --- Inside --------------------------------------------------------------------------------------


def _open_windows(schedule: Schedule, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The opening windows (UTC, in order) of the local days from the day before `since` on.

    Windows of adjacent intervals (17:00-24:00, then 00:00-09:00 of the next day) follow each
    other without a gap, so a clock running over midnight loses nothing at the seam.
    """
    zone = schedule.tzinfo
    day = since.astimezone(zone).date() - timedelta(days=1)
    for _ in range(MAX_DAYS_WALKED):
        if day not in schedule.holidays:
            for start, end in schedule.weekly[day.weekday()]:
                opens, closes = _local(day, start, zone), _local(day, end, zone)
                if closes > opens:  # an interval inside a DST gap has no length
                    yield opens, closes
        day += timedelta(days=1)


def _local(day: date, minutes: int, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall-clock time (24:00 = the next midnight).

    A time in a spring-forward gap is the instant the clock jumps (the first one after it);
    an ambiguous time in a fall-back hour is its first occurrence.
    """
    if minutes >= MINUTES_PER_DAY:
        day, minutes = day + timedelta(days=1), minutes - MINUTES_PER_DAY
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    instant = wall.astimezone(UTC)
    naive = wall.replace(tzinfo=None)
    if instant.astimezone(zone).replace(tzinfo=None) == naive:
        return instant
    # In a gap: fold=0 reads it with the offset before the jump (an instant after the gap),
    # fold=1 with the offset after it (an instant before the gap). The jump lies between.
    low, high = wall.replace(fold=1).astimezone(UTC), instant
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        if middle.astimezone(zone).replace(tzinfo=None) >= naive:
            high = middle
        else:
            low = middle
    return high.replace(microsecond=0)  # jumps happen on whole seconds: high is within 1 s


def _check_aware(value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("Business-time arithmetic needs timezone-aware datetimes.")
