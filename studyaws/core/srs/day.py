"""The study day: it starts at a local hour (4 AM by default), not at midnight. The one place
that turns moments into study days and back (scheduling, stats, the daily backup).

`zone` is the user's named zone (a `zoneinfo.ZoneInfo`, from `Clock.local_zone()`), so that
days on either side of a daylight-saving change each start at the same local hour."""

from __future__ import annotations

from dataclasses import dataclass
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


@dataclass(frozen=True)
class StudyDays:
    """How the scheduler counts days: by study day (as Anki does), not by 24-hour periods.
    An answer at 09:00 to a card last answered at 23:00 the evening before comes one day
    later; two answers at 05:00 and 03:00 the next night come on the same day."""

    zone: tzinfo = UTC
    hour: int = 4  # the local hour a study day starts (the day-starts-at setting)

    def date_of(self, moment: datetime) -> date:
        return study_date(moment, self.zone, self.hour)

    def between(self, earlier: datetime, later: datetime) -> int:
        """Study days from `earlier` to `later`: 0 on the same day, never negative."""
        return max(0, (self.date_of(later) - self.date_of(earlier)).days)

    def start_of(self, day: date) -> datetime:
        """When study day `day` starts, in UTC."""
        return day_start_of(day, self.zone, self.hour)

    def later(self, moment: datetime, days: int) -> datetime:
        """`days` study days after `moment`, at the same local time (in UTC): across a
        daylight-saving change that is an hour more or less than days x 24 hours, and it
        always falls on the study day `days` after the one `moment` is in."""
        day = self.date_of(moment) + timedelta(days=days)
        result = (moment.astimezone(self.zone) + timedelta(days=days)).astimezone(UTC)
        # A local time the change skips (02:30 on the night clocks go forward, with a day that
        # starts at 3 AM) can land past the day's end: keep it within the day.
        return min(max(result, self.start_of(day)),
                   self.start_of(day + timedelta(days=1)) - timedelta(microseconds=1))
