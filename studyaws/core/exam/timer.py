"""The exam clock's rules, apart from any screen: how much time is left, pausing, the warnings
before the end, running out, and how often the remaining time is saved. The caller feeds it
monotonic "now" values (seconds); it never reads a clock itself."""

from __future__ import annotations

from dataclasses import dataclass

WARNINGS_S = (600, 300)  # "10 minutes left", "5 minutes left"
SAVE_EVERY_S = 1.0  # the remaining time is saved at least this often while the clock runs


@dataclass(frozen=True)
class Due:
    """What the clock asks for after a tick."""

    warnings: tuple[int, ...] = ()  # seconds left each newly passed warning stands for
    expired: bool = False  # no time left: the exam is submitted
    save: bool = False  # the remaining time has not been saved for SAVE_EVERY_S of exam time


class ExamTimer:
    """Counts an exam's time down from `remaining_s` (of `limit_s`), starting at `now`.

    Time counts between the "now" values it is given, except while paused. A warning is
    given once, when the time left first reaches it; the ones already passed when the exam
    is resumed are not given again."""

    def __init__(self, limit_s: float, remaining_s: float, now: float, *,
                 warnings_s: tuple[int, ...] = WARNINGS_S,
                 save_every_s: float = SAVE_EVERY_S):
        self.limit_s = limit_s
        self._remaining = max(0.0, remaining_s)
        self._last = now
        self._paused = False
        self._since_save = 0.0
        self._warnings = tuple(sorted(warnings_s, reverse=True))
        self._warned = {w for w in self._warnings if self._remaining <= w}
        self._save_every_s = save_every_s

    # -- reading ---------------------------------------------------------------------------
    def remaining(self) -> float:
        """Seconds left, never below 0."""
        return self._remaining

    def used(self) -> float:
        """Seconds of the limit used so far."""
        return max(0.0, self.limit_s - self._remaining)

    @property
    def paused(self) -> bool:
        return self._paused

    @property
    def expired(self) -> bool:
        return self._remaining <= 0

    @property
    def running_out(self) -> bool:
        """Past the last warning: the clock is shown as urgent."""
        return bool(self._warnings) and self._remaining <= self._warnings[-1]

    # -- feeding ---------------------------------------------------------------------------
    def advance(self, now: float) -> None:
        """Count the time since the last "now" (none while paused, none if `now` went back)."""
        elapsed = max(0.0, now - self._last)
        self._last = max(self._last, now)
        if self._paused:
            return
        self._remaining = max(0.0, self._remaining - elapsed)
        self._since_save += elapsed

    def due(self) -> Due:
        """The warnings newly passed (each given once), whether the time is up, and whether
        the remaining time should be saved now."""
        new = tuple(w for w in self._warnings
                    if self._remaining <= w and w not in self._warned)
        self._warned.update(new)
        return Due(warnings=new, expired=self.expired,
                   save=self._since_save >= self._save_every_s)

    def tick(self, now: float) -> Due:
        """advance(now), then due()."""
        self.advance(now)
        return self.due()

    def saved(self) -> None:
        """The remaining time was just saved: the save cadence starts again."""
        self._since_save = 0.0

    def pause(self, now: float) -> None:
        """Stop counting, after counting the time up to `now`."""
        self.advance(now)
        self._paused = True

    def resume(self, now: float) -> None:
        """Count again from `now` (the time paused is not counted)."""
        self._last = max(self._last, now)
        self._paused = False

    def toggle_pause(self, now: float) -> None:
        if self._paused:
            self.resume(now)
        else:
            self.pause(now)
