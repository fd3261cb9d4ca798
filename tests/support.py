"""Shared test helpers: a real collection on a temp SQLite file with a movable clock."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from studyaws.core.clock import FakeClock
from studyaws.services.importer import import_paths
from studyaws.store.engine import open_engine, reading
from studyaws.store.settings import save_setting
from studyaws.store.tables import Card, CardState, ReviewLog

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC


def make_collection(tmp_path: Path, deck_text: str, name: str = "deck.md",
                    settings: dict[str, str] | None = None, start: datetime = START):
    """A fresh collection holding one deck; returns (engine, clock, deck path)."""
    deck = tmp_path / name
    deck.write_text(textwrap.dedent(deck_text).lstrip(), encoding="utf-8")
    engine = open_engine(tmp_path / "home" / "studyaws.sqlite3")
    clock = FakeClock(start)
    import_paths(engine, [deck], clock.now())
    for key, value in (settings or {}).items():
        save_setting(engine, key, value)
    return engine, clock, deck


def basic_deck(count: int, prefix: str = "Question") -> str:
    return "# Basics\n\n" + "\n\n".join(
        f"Q: {prefix} {n}\nA: Answer {n}" for n in range(1, count + 1)
    ) + "\n"


def review_count(engine, source: str | None = None) -> int:
    with reading(engine) as session:
        query = select(func.count(ReviewLog.id))
        if source:
            query = query.where(ReviewLog.source == source)
        return session.execute(query).scalar_one()


def card_id_by_prompt(engine, text: str) -> int:
    with reading(engine) as session:
        return session.execute(select(Card.id).where(Card.prompt.contains(text))).scalars().first()


def state_of(engine, card_id: int) -> CardState:
    with reading(engine) as session:
        return session.get(CardState, card_id)


def card_of(engine, card_id: int) -> Card:
    with reading(engine) as session:
        return session.get(Card, card_id)


async def home_settled(pilot) -> None:
    """After a return to the home screen: wait until it has read and shown its numbers
    again (it reads them in a worker thread)."""
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()
