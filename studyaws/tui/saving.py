"""Writes a screen cannot go on without (an answer): when one cannot be saved yet, because
another program holds the collection's write lock past SQLite's wait, the disk is full or
the connection to a PostgreSQL server is lost, it is kept, one line on the screen says what
is not saved and why, and it is tried again in a thread, by itself after growing pauses and
at once with `r`, until it is saved. Only then does the screen go on (the next card)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from textual.content import Content
from textual.widgets import Static

from studyaws.core.text import printable

# Seconds between tries; the last one repeats.
RETRY_PAUSES: tuple[float, ...] = (1.0, 2.0, 4.0, 8.0, 15.0)


def why_not_saved(error: BaseException) -> str | None:
    """Why a write failed, when trying it again later can succeed; None for anything else
    (a bug), which is left to the crash report."""
    from studyaws.core.errors import is_busy, is_connection_lost

    if is_busy(error):
        return "another program holds the collection's write lock"
    if is_connection_lost(error):
        return "connection lost (the database server cannot be reached)"
    cause = getattr(error, "orig", None) or error
    text = str(cause).lower()
    if isinstance(cause, sqlite3.OperationalError | OSError):
        if "full" in text or "no space" in text:
            return "the disk is full: free some space"
        if "disk i/o" in text:
            return "the disk could not be written (disk I/O error): is it full?"
    return None


@dataclass
class _Pending:
    what: str
    work: Callable[[], Any]
    then: Callable[[Any], Awaitable[None] | None]
    reason: str
    tries: int = 1
    trying: bool = False
    focused: Any = None  # the widget that had focus, given it back once saved


class SaveLine(Static):
    """The one line that says what is not saved yet, why, and when it is tried again."""

    DEFAULT_CSS = """
    SaveLine {
        height: auto;
        padding: 0 1;
        color: $text-error;
        background: $error-muted;
        display: none;
    }
    """


class PendingSaves:
    """The screen's write that waits to be saved (at most one: the screen waits for it)."""

    def __init__(self, screen, line: SaveLine):
        self.screen = screen
        self.line = line
        self.pending: _Pending | None = None
        self._wake = threading.Event()
        self._stopped = threading.Event()

    @property
    def waiting(self) -> bool:
        return self.pending is not None

    async def save(self, what: str, work: Callable[[], Any],
                   then: Callable[[Any], Awaitable[None] | None]) -> None:
        """Run `work()` (a write) now, then `then(its result)`. If it fails for a reason that
        can pass, keep it and try it again in a thread until it succeeds; `then` runs once
        it has. `what` names it for the user ("your answer to “...”")."""
        # Here, not at the top: the first card is shown before the store is loaded.
        from studyaws.services.interactive import quick_writes

        try:
            with quick_writes():  # the user waits on this try: keep the app responsive
                result = work()
        except Exception as error:
            reason = why_not_saved(error)
            if reason is None:
                raise
            self.pending = _Pending(what, work, then, reason, focused=self.screen.focused)
            # Typing waits too: what is in the number field is what is being saved.
            self.screen.set_focus(None)
            self._wake.clear()
            self._show(next_try=RETRY_PAUSES[0])
            self.screen.refresh_bindings()  # the footer shows the keys that wait
            self.screen.run_worker(self._retry, thread=True, exclusive=True,
                                   group="pending-save", name="pending-save")
            return
        await _call(then, result)

    def retry_now(self) -> None:
        if self.pending is not None:
            self._wake.set()

    def stop(self) -> None:
        """The screen goes away: no more tries (its write is lost only if the user quits)."""
        self._stopped.set()
        self._wake.set()

    def _retry(self) -> None:
        """In a thread: try again after a pause (cut short by retry_now) until it is saved."""
        app = self.screen.app
        pending = self.pending
        while pending is not None and not self._stopped.is_set():
            pause = RETRY_PAUSES[min(pending.tries - 1, len(RETRY_PAUSES) - 1)]
            self._wake.wait(pause)
            self._wake.clear()
            if self._stopped.is_set():
                return
            pending.trying = True
            app.call_from_thread(self._show)
            try:
                result = pending.work()
            except Exception as error:
                reason = why_not_saved(error)
                if reason is None:
                    raise  # a bug: the worker fails and the app's crash report has it
                pending.reason = reason
                pending.tries += 1
                pending.trying = False
                app.call_from_thread(
                    self._show, RETRY_PAUSES[min(pending.tries - 1, len(RETRY_PAUSES) - 1)])
                continue
            app.call_from_thread(self._saved, result)
            return

    async def _saved(self, result: Any) -> None:
        pending = self.pending
        self.pending = None
        self.line.display = False
        self.screen.refresh_bindings()
        if pending is not None:
            widget = pending.focused
            if widget is not None and widget.is_attached and widget.focusable:
                self.screen.set_focus(widget)
            await _call(pending.then, result)

    def _show(self, next_try: float | None = None) -> None:
        pending = self.pending
        if pending is None:
            return
        when = ("retrying now" if pending.trying else
                f"retrying in {next_try:g} s" if next_try is not None else "retrying")
        tries = f" ({pending.tries} tries)" if pending.tries > 1 else ""
        self.line.update(Content(
            f"Not saved yet: {pending.what}: {pending.reason}; {when}{tries} · r retries now"))
        self.line.display = True


async def _call(then: Callable[[Any], Awaitable[None] | None], result: Any) -> None:
    outcome = then(result)
    if outcome is not None:
        await outcome


def card_name(prompt: str, source: str) -> str:
    """A card in a few words: “the start of its prompt…” (file:line)."""
    words = " ".join(prompt.split())
    if len(words) > 40:
        words = words[:39].rstrip() + "…"
    return printable(f"“{words}” ({source})")
