"""The study day: it starts at a local hour (4 AM by default), not at midnight."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, tzinfo


def day_start(now: datetime, zone: tzinfo, hour: int) -> datetime:
    """UTC start of the study day containing `now`."""
    local = now.astimezone(zone)
    start = datetime.combine(local.date(), time(hour), tzinfo=zone)
    if local < start:
        start = datetime.combine(local.date() - timedelta(days=1), time(hour), tzinfo=zone)
    return start.astimezone(UTC)


def next_day_start(now: datetime, zone: tzinfo, hour: int) -> datetime:
    start = day_start(now, zone, hour).astimezone(zone)
    nxt = datetime.combine(start.date() + timedelta(days=1), time(hour), tzinfo=zone)
    return nxt.astimezone(UTC)
