"""The bundled decks: they lint clean, import into a fresh collection, and hold what a new
user needs (every question tagged with an SAA-C03 domain, no card repeated)."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from studyaws.core.config import bundled_decks_dir
from studyaws.core.decks.identity import normalize
from studyaws.core.decks.loader import load_decks
from studyaws.services.collection import open_collection
from studyaws.store.engine import reading
from studyaws.store.tables import Card, Deck

QUESTION_KINDS = ("choice", "ordering", "numeric")
SAA_DOMAINS = {"secure", "resilient", "high-performing", "cost-optimized"}

# Cards per deck file as imported (each cloze group and each reverse direction is a card).
EXPECTED = {
    "architecture-cloud.md": 48,
    "architecture-well-architected.md": 146,
    "databases-nosql-analytics.md": 99,
    "databases-rds.md": 105,
    "networking.md": 160,
}


def test_bundled_decks_import_with_expected_counts(tmp_path):
    engine = open_collection(str(tmp_path))  # an empty collection imports the bundled decks
    with reading(engine) as session:
        per_deck = dict(session.execute(
            select(Deck.path, func.count(Card.id)).join(Card, Card.deck_id == Deck.id)
            .group_by(Deck.id)).all())
        per_domain = dict(session.execute(
            select(Card.domain, func.count(Card.id))
            .where(Card.kind.in_((*QUESTION_KINDS, "scenario"))).group_by(Card.domain)).all())
        kinds = dict(session.execute(
            select(Card.kind, func.count(Card.id)).group_by(Card.kind)).all())
    assert {path.rsplit("/", 1)[-1]: n for path, n in per_deck.items()} == EXPECTED
    assert sum(per_deck.values()) >= 300
    assert sum(kinds.get(k, 0) for k in QUESTION_KINDS) >= 80
    assert kinds.get("scenario", 0) >= 5
    # Every question has an SAA-C03 domain, and every domain has questions for exams.
    assert set(per_domain) == SAA_DOMAINS
    assert all(n >= 10 for n in per_domain.values()), per_domain


def test_bundled_scenarios_cover_every_kind():
    from studyaws.core import scenarios

    loaded = load_decks([bundled_decks_dir()])
    used = {item.payload["kind"] for _, deck in loaded for item in deck.items
            if item.kind == "scenario"}
    assert used == set(scenarios.KINDS)


def test_no_two_cards_share_a_prompt():
    loaded = load_decks([bundled_decks_dir()])
    prompts = Counter(
        (item.kind, normalize(item.prompt)) for _, deck in loaded for item in deck.items
        if item.kind not in ("scenario",)
    )
    repeated = [prompt for prompt, n in prompts.items() if n > 1]
    assert repeated == []


def test_every_choice_question_explains_itself():
    loaded = load_decks([bundled_decks_dir()])
    missing = [f"{deck.path}:{item.line}" for _, deck in loaded for item in deck.items
               if item.kind in ("choice", "ordering") and not item.explanation]
    assert missing == []
