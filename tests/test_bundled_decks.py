"""The bundled decks: they lint clean, import into a fresh collection, and hold what a new
user needs (every question tagged with a known exam domain, enough questions for each exam in
the proportions of its domain weights, SAA-C03 questions that also serve CLF-C02 still filed
under SAA-C03, no card repeated)."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import backends
from sqlalchemy import func, select

from studyaws.core.config import bundled_decks_dir
from studyaws.core.decks.identity import normalize
from studyaws.core.decks.loader import load_decks
from studyaws.store.engine import reading
from studyaws.store.tables import Card, Deck

QUESTION_KINDS = ("choice", "ordering", "numeric")
SAA_DOMAINS = {"secure", "resilient", "high-performing", "cost-optimized"}
CLF_DOMAINS = {"cloud-concepts", "security-compliance", "technology-services", "billing-support"}
CLF_DECK = "cloud-practitioner.md"
# SAA-C03 exam guide: the share of scored content per domain, in percent.
SAA_WEIGHTS = {"secure": 30, "resilient": 26, "high-performing": 24, "cost-optimized": 20}
SAA_TOLERANCE = 3  # percentage points either side of the weight
# CLF-C02 exam guide: the share of scored content per domain, in percent.
CLF_WEIGHTS = {"cloud-concepts": 24, "security-compliance": 30, "technology-services": 34,
               "billing-support": 12}
CLF_TOLERANCE = 5  # percentage points either side of the weight

# Cards per deck file as imported (each cloze group and each reverse direction is a card).
EXPECTED = {
    "analytics-streaming.md": 128,
    "architecture-cloud.md": 48,
    "architecture-well-architected.md": 152,
    "cloud-practitioner.md": 158,
    "compute.md": 136,
    "databases-nosql-analytics.md": 103,
    "databases-rds.md": 107,
    "edge-dns.md": 134,
    "integration.md": 116,
    "migration-transfer.md": 122,
    "networking.md": 167,
    "operations-cost.md": 126,
    "resilience.md": 170,
    "security-data-protection.md": 124,
    "security-identity.md": 127,
    "storage.md": 161,
}


def test_bundled_decks_import_with_expected_counts(tmp_path):
    engine = backends.open_test_collection(tmp_path)  # an empty one imports the bundled decks
    with reading(engine) as session:
        per_deck = dict(session.execute(
            select(Deck.path, func.count(Card.id)).join(Card, Card.deck_id == Deck.id)
            .group_by(Deck.id)).all())
        per_deck_domain = session.execute(
            select(Deck.path, Card.saa_domain, Card.clf_domain, func.count(Card.id))
            .join(Card, Card.deck_id == Deck.id)
            .where(Card.kind.in_((*QUESTION_KINDS, "scenario")))
            .group_by(Deck.id, Card.saa_domain, Card.clf_domain)).all()
        kinds = dict(session.execute(
            select(Card.kind, func.count(Card.id)).group_by(Card.kind)).all())
    assert {path.rsplit("/", 1)[-1]: n for path, n in per_deck.items()} == EXPECTED
    assert sum(per_deck.values()) >= 1500
    assert sum(kinds.get(k, 0) for k in QUESTION_KINDS) >= 80
    assert kinds.get("scenario", 0) >= 5
    per_domain = Counter()
    for _, saa, clf, n in per_deck_domain:
        # Every question is filed under an exam, with known domains.
        assert saa or clf
        assert saa in (SAA_DOMAINS | {None}) and clf in (CLF_DOMAINS | {None}), (saa, clf)
        per_domain[saa] += n
        per_domain[clf] += n
    # Every SAA-C03 domain has questions enough for exams.
    assert all(per_domain[domain] >= 10 for domain in SAA_DOMAINS), per_domain
    # The Cloud Practitioner deck's questions are all filed under CLF-C02.
    assert all(clf for path, _, clf, _ in per_deck_domain
               if path.rsplit("/", 1)[-1] == CLF_DECK), per_deck_domain
    # The CLF-C02 tags of questions in the SAA-C03 decks reach the collection too.
    assert sum(n for _, _, clf, n in per_deck_domain if clf) >= 200, per_deck_domain


def test_bundled_scenarios_cover_every_kind():
    from studyaws.core import scenarios

    loaded = load_decks([bundled_decks_dir()])
    used = {item.payload["kind"] for _, deck in loaded for item in deck.items
            if item.kind == "scenario"}
    assert used == set(scenarios.KINDS)


def test_no_two_cards_share_a_prompt():
    loaded = load_decks([bundled_decks_dir()])
    prompts = Counter(
        (item.kind, normalize(item.sides()[0])) for _, deck in loaded for item in deck.items
        if item.kind not in ("scenario",)
    )
    repeated = [prompt for prompt, n in prompts.items() if n > 1]
    assert repeated == []


def test_every_choice_question_explains_itself():
    loaded = load_decks([bundled_decks_dir()])
    missing = [f"{deck.path}:{item.line}" for _, deck in loaded for item in deck.items
               if item.kind in ("choice", "ordering") and not item.explanation]
    assert missing == []


def saa_question_counts(loaded) -> Counter:
    """Objective questions (choice, ordering, numeric) per SAA-C03 domain in loaded decks."""
    return Counter(item.domains["saa-c03"] for _, deck in loaded for item in deck.items
                   if item.kind in QUESTION_KINDS and "saa-c03" in item.domains)


def test_saa_questions_follow_the_exam_weights():
    counts = saa_question_counts(load_decks([bundled_decks_dir()]))
    total = sum(counts.values())
    assert total >= 700, counts
    shares = {domain: round(100 * counts[domain] / total, 1) for domain in SAA_WEIGHTS}
    off = {domain: share for domain, share in shares.items()
           if abs(share - SAA_WEIGHTS[domain]) > SAA_TOLERANCE}
    assert off == {}, (shares, counts)


def clf_question_counts(loaded) -> Counter:
    """Objective questions (choice, ordering, numeric) per CLF-C02 domain in loaded decks."""
    return Counter(item.domains["clf-c02"] for _, deck in loaded for item in deck.items
                   if item.kind in QUESTION_KINDS and "clf-c02" in item.domains)


def test_clf_questions_follow_the_exam_weights():
    counts = clf_question_counts(load_decks([bundled_decks_dir()]))
    total = sum(counts.values())
    assert total >= 200, counts
    shares = {domain: round(100 * counts[domain] / total, 1) for domain in CLF_WEIGHTS}
    off = {domain: share for domain, share in shares.items()
           if abs(share - CLF_WEIGHTS[domain]) > CLF_TOLERANCE}
    assert off == {}, (shares, counts)


def test_saa_questions_tagged_for_clf_keep_their_saa_domain():
    """Outside the Cloud Practitioner deck every question is filed under SAA-C03, and the
    ones that also serve CLF-C02 are many in each deck's share, not a handful."""
    loaded = load_decks([bundled_decks_dir()])
    questions = [(deck.path.rsplit("/", 1)[-1], item) for _, deck in loaded
                 for item in deck.items if item.kind in QUESTION_KINDS]
    unfiled = [f"{path}:{item.line}" for path, item in questions
               if path != CLF_DECK and "saa-c03" not in item.domains]
    assert unfiled == []
    in_cloud_practitioner_deck = {path for path, item in questions
                                  if set(item.domains) == {"clf-c02"}}
    assert in_cloud_practitioner_deck == {CLF_DECK}
    both = sum(1 for path, item in questions if set(item.domains) == {"saa-c03", "clf-c02"})
    assert both >= 150, both



def test_every_card_is_filed_under_its_exam(tmp_path):
    """Every imported card, flashcards included, has a domain: an SAA-C03 domain in the SAA-C03
    decks, a CLF-C02 domain in the Cloud Practitioner deck."""
    engine = backends.open_test_collection(tmp_path)
    with reading(engine) as session:
        rows = session.execute(
            select(Deck.path, Card.kind, Card.saa_domain, Card.clf_domain)
            .join(Card, Card.deck_id == Deck.id)).all()
    assert len(rows) >= 1500
    unfiled = [(path.rsplit("/", 1)[-1], kind) for path, kind, saa, clf in rows
               if not (clf if path.endswith(CLF_DECK) else saa)]
    assert unfiled == []
    assert {saa for _, _, saa, _ in rows} <= SAA_DOMAINS | {None}
    assert {clf for _, _, _, clf in rows} <= CLF_DOMAINS | {None}


def test_saa_question_counts_meet_each_domains_share_of_700():
    """At least 700 objective SAA-C03 questions, and each domain holds at least its exam
    weight of 700 less the tolerance (so no domain is starved as the pool grows)."""
    counts = saa_question_counts(load_decks([bundled_decks_dir()]))
    for domain, weight in SAA_WEIGHTS.items():
        assert counts[domain] >= 700 * (weight - SAA_TOLERANCE) / 100, (domain, counts)


SAA_TASKS = ("1.1", "1.2", "1.3", "2.1", "2.2", "3.1", "3.2", "3.3", "3.4", "3.5",
             "4.1", "4.2", "4.3", "4.4")
TASK_DOMAIN = {"1": "secure", "2": "resilient", "3": "high-performing", "4": "cost-optimized"}


def saa_coverage_rows() -> dict[str, tuple[str, str]]:
    """The SAA-C03 coverage map in decks/README.md: task statement -> (topics, questions)."""
    readme = (Path(bundled_decks_dir()) / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Coverage: SAA-C03 task statements", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        match = re.match(r"\| (\d\.\d) [^|]*\|([^|]*)\|([^|]*)\|$", line)
        if match:
            rows[match[1]] = (match[2].strip(), match[3].strip())
    return rows


def test_saa_coverage_map_fills_every_task_statement():
    rows = saa_coverage_rows()
    assert tuple(rows) == SAA_TASKS
    loaded = load_decks([bundled_decks_dir()])
    questions = {item.stable_id: item for _, deck in loaded for item in deck.items
                 if item.kind in QUESTION_KINDS and item.stable_id}
    topics = {item.topic_path for _, deck in loaded for item in deck.items}
    for task, (topic_cell, id_cell) in rows.items():
        named_topics = [re.sub(r"\s*\(.*\)$", "", t.strip()) for t in topic_cell.split(";")]
        assert named_topics and all(named_topics), task
        unknown = [t for t in named_topics
                   if not any(p == t or p.startswith(t + " > ") for p in topics)]
        assert unknown == [], (task, unknown)
        ids = re.findall(r"`([^`]+)`", id_cell)
        assert [i for i in ids if i not in questions] == [], task
        own = [i for i in ids if questions[i].domains.get("saa-c03") == TASK_DOMAIN[task[0]]]
        assert len(own) >= 3, (task, own)
