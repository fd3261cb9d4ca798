"""The one source of "now": injected everywhere time matters, so tests can move it."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The times studyaws can count with. Before 2000 is a clock that was never set (a machine
# without a battery starts at 1970). From 9800 on, the longest interval a card may be given
# (100 years) and a year of stats would run past the last date Python has, 9999-12-31.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(9800, 1, 1, tzinfo=UTC)


class ClockError(Exception):
    """The system clock says a time studyaws cannot work with."""


def system_now() -> datetime:
    """The machine's clock, in UTC."""
    return datetime.now(UTC)


def checked(now: datetime) -> datetime:
    """`now`, when it lies between EARLIEST and LATEST; else a ClockError that says so."""
    if EARLIEST <= now < LATEST:
        return now
    now = now.astimezone(UTC)
    raise ClockError(
        f"the system clock says {now.year:04d}-{now.month:02d}-{now.day:02d} "
        f"{now.hour:02d}:{now.minute:02d} UTC, which cannot be right (studyaws counts days "
        f"from {EARLIEST.year} to {LATEST.year - 1}): set the clock to the right time")


def system_zone() -> tzinfo:
    """The machine's named time zone, so that study days on either side of a daylight-saving
    change start at the same local hour: from TZ (a zone name, optionally after ':', or a
    zone file's path), else /etc/localtime (the zone its link names, or the file itself).
    A TZ that is set but empty is UTC (as for the C library). When no named zone can be
    found (a TZ rule such as "CET-1CEST,M3.5.0,M10.5.0/3", a system without a zone
    database), the offset the system gives now, which is UTC when it does not know either."""
    name = os.environ.get("TZ")
    if name == "":
        return UTC
    if name is not None:
        zone = _zone_named(name.removeprefix(":"))
    else:
        zone = _zone_at("/etc/localtime")
    return zone or datetime.now().astimezone().tzinfo or UTC


def _zone_named(name: str) -> tzinfo | None:
    if name.startswith("/"):
        return _zone_at(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


# path -> (what says whether it changed, its zone): resolving the links of /etc/localtime
# took about 0.1 ms, twice an answer; a link's text and the file's identity take two calls.
_ZONE_FILES: dict[str, tuple[tuple, tzinfo | None]] = {}


def _zone_at(path: str) -> tzinfo | None:
    """The zone of a zone file: by the name its path (links followed) gives it under a
    zoneinfo folder, else read from the file. Worked out again whenever the link or the
    file it leads to changes."""
    try:
        stat = os.stat(path)
    except (OSError, ValueError):
        return None
    try:
        link = os.readlink(path)
    except OSError:  # not a link
        link = None
    marks = (link, stat.st_ino, stat.st_dev, stat.st_size, stat.st_mtime_ns)
    known = _ZONE_FILES.get(path)
    if known is not None and known[0] == marks:
        return known[1]
    zone = _resolve_zone_file(path)
    _ZONE_FILES[path] = (marks, zone)
    return zone


def _resolve_zone_file(path: str) -> tzinfo | None:
    try:
        target = os.path.realpath(path)
    except (OSError, ValueError):
        return None
    _, found, key = target.rpartition("/zoneinfo/")
    if found and key:
        zone = _zone_named(key)
        if zone is not None:
            return zone
    try:
        with open(target, "rb") as file:
            return ZoneInfo.from_file(file, key=os.path.basename(target))
    except (OSError, ValueError):
        return None


class Clock:
    """Real time: UTC now, and the machine's local zone for the study day."""

    def now(self) -> datetime:
        return checked(system_now())

    def local_zone(self) -> tzinfo:
        return system_zone()

    def monotonic(self) -> float:
        import time

        return time.monotonic()


class FakeClock(Clock):
    """A clock that only moves when told to."""

    def __init__(self, start: datetime, zone: tzinfo = UTC):
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._zone = zone
        self._mono = 0.0

    def now(self) -> datetime:
        return self._now

    def local_zone(self) -> tzinfo:
        return self._zone

    def monotonic(self) -> float:
        return self._mono

    def advance(self, delta: timedelta | float) -> None:
        seconds = delta.total_seconds() if isinstance(delta, timedelta) else float(delta)
        self._now += timedelta(seconds=seconds)
        self._mono += seconds

    def set(self, when: datetime) -> None:
        self._now = when.astimezone(UTC)
