"""Snapshot tests of the main screens (pytest-textual-snapshot). Review the SVGs in
tests/__snapshots__ when a screen changes, then run `pytest --snapshot-update`."""

from __future__ import annotations

from support import make_collection

from studyaws.tui.app import StudyApp

DECK = """
---
title: RDS essentials
domain: resilient
---
# RDS
## Automated backups

Automated backups keep a daily snapshot and the transaction logs.

Q: How long can RDS keep **automated backups**?
A: From 1 to 35 days; 0 turns them off.

Restores create :: a new DB instance with a new endpoint

A company needs to restore its database to ten minutes ago. What happens? {#pitr}

- [ ] The instance is rolled back in place.
- [x] A new DB instance with a new endpoint is created.
- [ ] A read replica is promoted.

> A point-in-time restore always creates a new instance.
"""

SIZE = (100, 30)


def _app(tmp_path, **settings):
    engine, clock, _ = make_collection(tmp_path, DECK, settings=settings)
    return StudyApp(engine, clock)


async def _no_blink(pilot):
    from textual.widgets import Input

    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False


def test_home(tmp_path, snap_compare):
    assert snap_compare(_app(tmp_path), terminal_size=SIZE)


def test_question(tmp_path, snap_compare):
    assert snap_compare(_app(tmp_path), press=["r"], terminal_size=SIZE)


def test_answer_shown(tmp_path, snap_compare):
    assert snap_compare(_app(tmp_path), press=["r", "space"], terminal_size=SIZE)


def test_choice_question(tmp_path, snap_compare):
    app = _app(tmp_path)
    assert snap_compare(app, press=["r", "space", "3", "space", "3"], terminal_size=SIZE)


def test_summary(tmp_path, snap_compare):
    app = _app(tmp_path, **{"learning-steps": "1"})
    keys = ["r", "space", "4", "space", "4", "1", "enter", "4", "space"]
    assert snap_compare(app, press=keys, terminal_size=SIZE)


def test_settings(tmp_path, snap_compare):
    async def open_settings(pilot):
        await pilot.press("s")
        await pilot.pause()
        await _no_blink(pilot)

    assert snap_compare(_app(tmp_path), run_before=open_settings, terminal_size=SIZE)
