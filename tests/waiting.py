"""Waiting for something a test can observe, instead of sleeping a fixed time and hoping."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 10.0,
               what: str | Callable[[], str] = "the condition", interval: float = 0.02) -> T:
    """Check `condition()` every `interval` seconds and return its first true value; fail
    with `what` (a text, or a function making one from the state at the time) after
    `timeout` seconds. The check runs once more at the deadline, so a slow machine that
    got there just in time passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"waited {timeout:g} s for {described}")
        time.sleep(interval)


async def settle(pilot, condition: Callable[[], T], timeout: float = 10.0,
                 what: str | Callable[[], str] = "the condition", interval: float = 0.02) -> T:
    """`wait_until` for an app under Pilot: between checks the app handles its messages
    (what a worker thread posted, say), so the check sees what the user would."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            described = what() if callable(what) else what
            raise AssertionError(f"waited {timeout:g} s for {described}")
        await pilot.pause(interval)
