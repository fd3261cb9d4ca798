"""The one source of "now": injected everywhere time matters, so tests can move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo


class Clock:
    """Real time: UTC now, and the machine's local zone for the study day."""

    def now(self) -> datetime:
        return datetime.now(UTC)

    def local_zone(self) -> tzinfo:
        return datetime.now().astimezone().tzinfo or UTC

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
