"""Writes the user is waiting on. A screen's first try at saving an answer waits for the
collection's write lock only briefly (studyaws.store.engine.quick_writes); when another
program still holds it, the screen keeps the answer and tries again in the background
(studyaws.tui.saving) instead of freezing for the full busy wait."""

from __future__ import annotations

from studyaws.store.engine import quick_writes

__all__ = ["quick_writes"]
