"""A deck named on the command line (`review --deck`, `exam --deck`): its title, or the
start of it when only one deck starts so."""

from __future__ import annotations

from sqlalchemy import Engine

from studyaws.store.queries import decks_matching

LISTED = 8  # candidates named in the error; more are counted


class DeckNameError(ValueError):
    """No deck, or several, go by the name given; the message says which and what to do."""

    def __init__(self, message: str, candidates: int):
        super().__init__(message)
        self.candidates = candidates


def resolve_deck(engine: Engine, name: str) -> int:
    """The id of the deck `name` names, or DeckNameError saying why none is chosen."""
    matches = decks_matching(engine, name)
    if len(matches) == 1:
        return matches[0][0]
    if not matches:
        raise DeckNameError(f"no deck called {name!r} (see: studyaws decks)", 0)
    named = ", ".join(repr(title) for _, title in matches[:LISTED])
    more = f" and {len(matches) - LISTED} more" if len(matches) > LISTED else ""
    raise DeckNameError(f"{name!r} could be {len(matches)} decks: {named}{more}; "
                        "give more of the title", len(matches))
