"""The study day: it starts at a local hour (4 AM by default), not at midnight. The one place
that turns moments into study days and back (scheduling, stats, the daily backup)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo


def study_date(moment: datetime, zone: tzinfo, hour: int) -> date:
    """The study day a moment belongs to: a day that starts at `hour`, local time."""
    return (moment.astimezone(zone) - timedelta(hours=hour)).date()


def day_start_of(day: date, zone: tzinfo, hour: int) -> datetime:
    """When study day `day` starts, in UTC."""
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


def day_start(now: datetime, zone: tzinfo, hour: int) -> datetime:
    """UTC start of the study day containing `now`."""
    return day_start_of(study_date(now, zone, hour), zone, hour)


def next_day_start(now: datetime, zone: tzinfo, hour: int) -> datetime:
    return day_start_of(study_date(now, zone, hour) + timedelta(days=1), zone, hour)
