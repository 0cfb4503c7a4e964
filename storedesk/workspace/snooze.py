"""Snooze presets: "later today", "tomorrow", "next week", in the agent's own time zone.

The browser sends its IANA zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`), so
"tomorrow" means 09:00 where the agent is, across daylight-saving changes too; without it the
account's zone is used.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext_lazy as _

MORNING = time(9, 0)
LATER_TODAY_HOURS = 3

PRESETS = [
    ("later_today", _("Later today")),
    ("tomorrow", _("Tomorrow")),
    ("next_week", _("Next week")),
]


def zone_named(name: str, fallback: str = "UTC") -> tzinfo:
    for candidate in (name, fallback, "UTC"):
        try:
            return ZoneInfo(candidate)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    raise AssertionError("UTC is always known")  # pragma: no cover


def wake_time(preset: str, now: datetime, zone: tzinfo) -> datetime:
    """When a conversation snoozed with `preset` at `now` wakes up (timezone-aware).

    later_today: in three hours, on the hour (past 21:00 it is tomorrow morning instead);
    tomorrow: 09:00 tomorrow; next_week: 09:00 on the coming Monday.
    """
    local = now.astimezone(zone)
    if preset == "later_today":
        wake = (local + timedelta(hours=LATER_TODAY_HOURS)).replace(
            minute=0, second=0, microsecond=0
        ) + timedelta(hours=1)
        if wake.date() == local.date():
            return wake
        preset = "tomorrow"
    if preset == "tomorrow":
        day = local.date() + timedelta(days=1)
    elif preset == "next_week":
        day = local.date() + timedelta(days=7 - local.weekday())
    else:
        raise ValueError(f"Unknown snooze preset {preset!r}")
    return datetime.combine(day, MORNING, tzinfo=zone)
