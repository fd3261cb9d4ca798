"""Shared fixtures: a temporary data folder, an opened store, and a deck-writing helper."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from studyaws.store.engine import open_engine


@pytest.fixture
def tmp_home(tmp_path: Path) -> Path:
    """An empty data folder (not created yet: the code under test makes it)."""
    return tmp_path / "home"


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A store opened on a fresh SQLite file in a temporary folder."""
    eng = open_engine(tmp_path / "store" / "studyaws.sqlite3")
    yield eng
    eng.dispose()


@pytest.fixture
def write_deck(tmp_path: Path) -> Callable[[str, str], Path]:
    """write_deck(name, text) writes a deck file under tmp_path/decks and returns its path.
    `name` may hold sub-folders; `.md` is added when missing."""
    root = tmp_path / "decks"

    def write(name: str, text: str) -> Path:
        path = root / (name if name.endswith(".md") else f"{name}.md")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write
