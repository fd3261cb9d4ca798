"""SQLModel tables. Timestamps are stored as fixed-width UTC text and come back UTC-aware."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Column, Index, String, UniqueConstraint, text
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from studyaws.core.srs.policy import Memory
from studyaws.store.columns import (  # noqa: F401 (named here too)
    DOMAIN_COLUMNS,
    domain_values,
    domains_of,
    from_db,
    parse_time,
    to_db,
)
from studyaws.store.columns import FORMAT as _FORMAT


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes as sortable text; anything else is refused, never guessed."""

    impl = String(26)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; times must be UTC-aware")
        return value.astimezone(UTC).strftime(_FORMAT)

    def process_result_value(self, value: str | None, dialect) -> datetime | None:
        if value is None:
            return None
        return parse_time(value)


def _utc_column(nullable: bool = True, index: bool = False) -> Column:
    return Column(UTCDateTime(), nullable=nullable, index=index)


class Preset(SQLModel, table=True):
    """A named set of deck options (store.presets): daily limits and desired retention. The
    Default preset is not a row: its values are the settings new-per-day, reviews-per-day
    and desired-retention, and a deck whose `preset_id` is None uses it. `parameters` (schema
    12): the preset's own FSRS parameters as a JSON list, fitted on its decks' reviews at
    `parameters_fitted_at`; None, its decks use the collection's (setting fsrs-parameters)."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})
    new_per_day: int
    reviews_per_day: int
    desired_retention: float
    parameters: str | None = Field(default=None)
    parameters_fitted_at: datetime | None = Field(default=None, sa_column=_utc_column())


class Deck(SQLModel, table=True):
    # A card search sorted by deck reads decks by title (store.search_queries).
    __table_args__ = (Index("ix_deck_title", "title"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(sa_column_kwargs={"unique": True})
    title: str
    path: str
    domain: str | None = None
    tags: str = ""
    content_hash: str = ""
    imported_at: datetime = Field(sa_column=_utc_column(nullable=False))
    # The folder the deck's file was found in, below the folder imported (that folder's own
    # name first): its place in the deck tree. None for a file named on its own.
    folder: str | None = None
    renamed: bool | None = None  # titled by the user: an import keeps that title
    # Removed by the user (store.decks): hidden, its cards retired; `deleted_cards` lists
    # the ids of the cards the removal retired (JSON), so that undo revives those only.
    deleted_at: datetime | None = Field(default=None, sa_column=_utc_column())
    deleted_cards: str | None = None
    preset_id: int | None = Field(default=None, foreign_key="preset.id")  # None: Default


class SharedText(SQLModel, table=True):
    """Text that several cards show, stored once: a section's notes (each card's context)
    and a cloze's text (each of its cards hides another group of deletions in it)."""

    __tablename__ = "shared_text"

    id: int | None = Field(default=None, primary_key=True)
    deck_id: int = Field(foreign_key="deck.id", index=True)
    text: str


# A card out of the day's queue whatever its state, or may be (buried: until when?).
OUT_OF_QUEUE = "retired OR suspended OR buried_until IS NOT NULL"


class Card(SQLModel, table=True):
    __table_args__ = (
        UniqueConstraint("deck_id", "key"),
        Index("ix_card_deck_sibling", "deck_id", "sibling"),
        # Covers the question pool of an exam or a readiness estimate without reading
        # the cards' text.
        Index("ix_card_pool", "kind", "retired", "suspended", "saa_domain", "deck_id"),
        Index("ix_card_pool_clf", "kind", "retired", "suspended", "clf_domain", "deck_id"),
        # A card search sorted by deck reads each deck's cards in their order in the file.
        Index("ix_card_deck_position", "deck_id", "position"),
        # flag:N (schema 11)
        Index("ix_card_flag", "flag"),
        # Each deck's cards with what makes them count today (schema 13): the day's
        # counts (store.queries.deck_summaries) read this index, not the wide card rows
        # (the id too, which PostgreSQL's index-only scan needs; SQLite's carries it anyway).
        # It serves every lookup by deck too (it replaced an index on deck_id alone). The
        # buried time comes second: first, with retired and suspended, it looked so
        # selective to SQLite that the queue walked a deck's cards instead of the due dates.
        Index("ix_card_queue", "deck_id", "buried_until", "retired", "suspended", "id"),
        # The cards out of the queue whatever their state (schema 14): retired, suspended
        # or buried; the day's counts take them off each deck's.
        Index("ix_card_out", "deck_id", sqlite_where=text(OUT_OF_QUEUE),
              postgresql_where=text(OUT_OF_QUEUE)),
        # The buried cards alone (schema 13): when the first of them comes back.
        Index("ix_card_buried", "buried_until", sqlite_where=text("buried_until IS NOT NULL"),
              postgresql_where=text("buried_until IS NOT NULL")),
    )

    id: int | None = Field(default=None, primary_key=True)
    deck_id: int = Field(foreign_key="deck.id")  # indexed by ix_card_queue
    key: str
    stable_id: str | None = None
    kind: str
    variant: str = ""
    topic: str = ""
    prompt: str
    answer: str = ""
    payload: str = "{}"
    explanation: str = ""
    # The notes of the card's section, and a cloze card's text (its prompt and answer are
    # made from it: decks.cloze.sides; its payload keeps only its group).
    context_id: int | None = Field(default=None, foreign_key="shared_text.id", index=True)
    cloze_text_id: int | None = Field(default=None, foreign_key="shared_text.id", index=True)
    # The card's domain in each exam (DOMAIN_COLUMNS), and whether they were inferred from
    # its text (core.domain_inference) rather than written in the deck.
    saa_domain: str | None = None
    clf_domain: str | None = None
    domain_inferred: bool = False
    source_path: str = ""
    source_line: int = 0
    position: int = 0
    sibling: str = ""
    retired: bool = False
    suspended: bool = False
    leech: bool = False
    flag: int = 0  # 0 none; 1-4 the user's colours (red, orange, green, blue)
    buried_until: datetime | None = Field(default=None, sa_column=_utc_column())
    created_at: datetime = Field(sa_column=_utc_column(nullable=False))
    updated_at: datetime = Field(sa_column=_utc_column(nullable=False))


# exam -> the index of its question pool (Card.__table_args__)
POOL_INDEXES: dict[str, str] = {"saa-c03": "ix_card_pool", "clf-c02": "ix_card_pool_clf"}


class CardState(SQLModel, table=True):
    """FSRS memory state. state 0 is new (never reviewed); 1-3 are fsrs.State values."""

    __tablename__ = "card_state"
    __table_args__ = (
        # The queue's next card of a state by due date, and the day's counts of each deck
        # (schema 14): the card orders ties as the queue does; with the deck, the counts
        # read this index alone (store.queries.deck_summaries), not every card's row.
        # Before, PostgreSQL walked the due index for the next review card and passed over
        # every new card (all due before the reviews).
        Index("ix_card_state_queue", "state", "due", "card_id", "deck_id"),
        Index("ix_card_state_state_card", "state", "card_id"),
        # Seen cards only (new ones have neither): the oldest last review and the least
        # stable cards bound which seen cards an exam can still pick (exam.pool) without
        # reading every card's state.
        Index("ix_card_state_seen_stability", "stability", sqlite_where=text("state != 0"),
              postgresql_where=text("state != 0")),
        Index("ix_card_state_seen_review", "last_review", sqlite_where=text("state != 0"),
              postgresql_where=text("state != 0")),
        # A card search sorted by due reads its first page in this order (store.search_queries).
        Index("ix_card_state_due", "due"),
        # ... and so by difficulty, lapses, answers (schema 11), and by interval through its
        # length in days (store.search_queries: a study-day interval is within a day of it).
        Index("ix_card_state_difficulty", "difficulty"),
        Index("ix_card_state_lapses", "lapses"),
        Index("ix_card_state_reps", "reps"),
        # SQLite only: PostgreSQL indexes no expression of a function it cannot prove
        # immutable, and its searches sort by interval without it.
        Index("ix_card_state_interval", text("julianday(due) - julianday(last_review)"))
        .ddl_if(dialect="sqlite"),
    )

    card_id: int = Field(foreign_key="card.id", primary_key=True)
    state: int = 0
    step: int | None = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime = Field(sa_column=_utc_column(nullable=False))
    last_review: datetime | None = Field(default=None, sa_column=_utc_column())
    reps: int = 0
    lapses: int = 0
    # The card's deck, as card.deck_id (schema 14; a card never changes deck): the day's
    # counts of each deck read card_state alone (ix_card_state_queue). Last, where the
    # migration's ALTER TABLE puts it, so that a new collection's columns are in the same
    # order as an upgraded one's.
    deck_id: int | None = Field(default=None)

    def memory(self) -> Memory:
        """The FSRS memory this row stores."""
        return Memory(self.state, self.step, self.stability, self.difficulty, self.due,
                      self.last_review, self.reps, self.lapses)


def memory_columns(memory: Memory) -> dict:
    """The card_state columns that store `memory` (for an UPDATE's values)."""
    return {"state": memory.state, "step": memory.step, "stability": memory.stability,
            "difficulty": memory.difficulty, "due": memory.due,
            "last_review": memory.last_review, "reps": memory.reps, "lapses": memory.lapses}


class ReviewLog(SQLModel, table=True):
    """One answer. Append-only, except that undo removes the row it restores from."""

    __tablename__ = "review_log"
    __table_args__ = (
        Index("ix_review_log_card_time", "card_id", "reviewed_at"),
        Index("ix_review_log_source_time", "source", "reviewed_at", "state_before"),
    )

    id: int | None = Field(default=None, primary_key=True)
    card_id: int = Field(foreign_key="card.id")
    rating: int
    reviewed_at: datetime = Field(sa_column=_utc_column(nullable=False, index=True))
    duration_ms: int = 0
    source: str = "review"
    state_before: int = 0
    seed: int | None = None
    correct: bool | None = None
    response: str = ""
    prior_state: str = "{}"
    state: int = 0
    stability: float | None = None
    difficulty: float | None = None
    due: datetime | None = Field(default=None, sa_column=_utc_column())


class Setting(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


class Exam(SQLModel, table=True):
    """One sitting of a mock exam. `remaining_s` is saved as the clock runs, so a killed app
    resumes with the time it had."""

    id: int | None = Field(default=None, primary_key=True)
    preset: str
    mode: str = "exam"  # exam | practice
    status: str = Field(default="running", index=True)  # running | finished
    started_at: datetime = Field(sa_column=_utc_column(nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=_utc_column())
    time_limit_s: float
    remaining_s: float
    current: int = 0
    pass_mark: int = 720
    correct: int | None = None
    total: int = 0
    scaled: int | None = None
    passed: bool | None = None
    settings: str = "{}"


class ExamQuestion(SQLModel, table=True):
    __tablename__ = "exam_question"
    __table_args__ = (UniqueConstraint("exam_id", "position"),)

    id: int | None = Field(default=None, primary_key=True)
    exam_id: int = Field(foreign_key="exam.id", index=True)
    position: int
    card_id: int = Field(foreign_key="card.id")
    domain: str | None = None
    seed: int
    response: str = ""
    correct: bool | None = None
    flagged: bool = False
    seconds: float = 0.0
    answered_at: datetime | None = Field(default=None, sa_column=_utc_column())
