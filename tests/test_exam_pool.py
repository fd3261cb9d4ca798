"""The exam reads only the cards that can make it (exam.pool): the exam it starts is the one
ranking every question card in Python picks, for every seed, on collections built to take
each of the pool's reading paths."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from fsrs.scheduler import DEFAULT_PARAMETERS
from support import make_collection

from studyaws.core.exam.assembly import Candidate, assemble, noise_bits
from studyaws.core.exam.blueprints import Blueprint, preset
from studyaws.core.srs import policy
from studyaws.services import exam as service
from studyaws.services.importer import import_paths
from studyaws.store import exam_pool as pool
from studyaws.store.settings import load_parameters, load_settings, save_parameters
from studyaws.store.tables import to_db

DOMAINS = ("secure", "resilient", "high-performing", "cost-optimized", "networking", None)


def _questions(count: int, prefix: str) -> str:
    return "\n\n".join(
        f"{prefix} question {n}? {{#{prefix}{n}}}\n\n- [x] Right {n}\n- [ ] Wrong {n}\n"
        f"- [ ] Other {n}" for n in range(count))


def collection(tmp_path, cards: int, unseen: float, spread: str, seed: int = 1,
               domains=DOMAINS, decay: float | None = None):
    """About `cards` question cards over two decks (plus plain cards, retired and suspended
    ones, which an exam never asks), `unseen` of them new, the rest seen with memories
    from `spread`: "wide" (weakness anywhere), "close" (all about equally weak, so that the
    nudge decides) or "odd" (also cards without a forgetting curve, reviews in the future).
    A steep forgetting curve (`decay` 0.8) lets long-unseen cards rival new ones."""
    engine, clock, _ = make_collection(tmp_path, _questions(cards // 2, "a") + "\n\nQ: x\nA: y\n")
    if decay is not None:
        save_parameters(engine, (*DEFAULT_PARAMETERS[:20], decay))
    other = tmp_path / "other.md"
    other.write_text(_questions(cards - cards // 2, "b"), encoding="utf-8")
    import_paths(engine, [other], clock.now())
    rng = random.Random(seed)
    now = clock.now()
    with engine.begin() as conn:
        ids = [row[0] for row in conn.exec_driver_sql("SELECT id FROM card WHERE kind = 'choice'")]
        cards_rows, states = [], []
        for card_id in ids:
            cards_rows.append((rng.choice(domains), rng.random() < 0.04, rng.random() < 0.04,
                               card_id))
            if rng.random() < unseen:
                continue
            if spread == "close":
                stability = rng.uniform(20, 22)
                days = rng.uniform(9, 11)
            else:
                stability = rng.choice((0.2, 1.0, 5.0, 30.0, 200.0)) * rng.uniform(0.5, 2)
                days = rng.uniform(-3 if spread == "odd" else 0, 400)
            last = now - timedelta(days=days)
            if spread == "odd" and rng.random() < 0.1:
                stability = rng.choice((None, 0.0, stability))
                last = None if stability is not None and rng.random() < 0.5 else last
            states.append((rng.choice((1, 2, 3)), stability, to_db(last) if last else None,
                           card_id))
        conn.exec_driver_sql(
            "UPDATE card SET saa_domain = ?, retired = ?, suspended = ? WHERE id = ?", cards_rows)
        if states:
            conn.exec_driver_sql("UPDATE card_state SET state = ?, stability = ?, difficulty = 5,"
                                 " last_review = ?, reps = 1 WHERE card_id = ?", states)
    return engine, clock


def every_candidate(engine, now, deck_id=None, domain=None) -> list[Candidate]:
    """The pool as it was read before exam.pool: every question card, scored in Python."""
    recall = policy.recall_curve(policy.scheduler_for(load_settings(engine),
                                                      load_parameters(engine)))
    sql = ("SELECT c.id, c.saa_domain, s.state, s.stability,"
           " julianday(:now) - julianday(s.last_review)"
           " FROM card c JOIN card_state s ON s.card_id = c.id"
           " WHERE c.kind IN ('choice', 'ordering', 'numeric', 'scenario')"
           " AND NOT c.retired AND NOT c.suspended")
    if deck_id is not None:
        sql += " AND c.deck_id = :deck"
    if domain is not None:
        sql += " AND c.saa_domain = :domain"
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(sql, {"now": to_db(now), "deck": deck_id,
                                          "domain": domain}).all()
    return [Candidate(card_id, card_domain, state != 0,
                      1.0 - (recall(stability, days) if state != 0 else 0.0))
            for card_id, card_domain, state, stability, days in rows]


@pytest.fixture
def paths(monkeypatch):
    """The SQL the pool ran, to tell which reading paths a test took."""
    seen: list[str] = []
    rows = pool._Reader._rows

    def spy(self, sql, **params):
        seen.append(sql)
        return rows(self, sql, **params)

    monkeypatch.setattr(pool._Reader, "_rows", spy)
    return seen


def same_exams(engine, clock, preset_name, seeds, unfiled: bool = False, **options) -> None:
    """`unfiled`: nothing is filed under the preset's exam, so it draws from every question
    card without domain weights, and the cards carry no domain of that exam."""
    blueprint = preset(preset_name)
    if options.get("domain") is not None or unfiled:
        blueprint = Blueprint(blueprint.name, blueprint.title, blueprint.questions,
                              blueprint.minutes, blueprint.pass_mark, {})
    wanted = options.get("questions") or blueprint.questions
    everything = every_candidate(engine, clock.now(), options.get("deck_id"),
                                 options.get("domain"))
    if unfiled:
        everything = [Candidate(c.card_id, None, c.seen, c.weakness) for c in everything]
    for seed in seeds:
        view = service.start_exam(engine, clock, preset_name, seed=seed, **options)
        expected = assemble(everything, blueprint, wanted, random.Random(seed)).picks
        assert [(i.card_id, i.domain, i.seed) for i in view.items] == [
            (p.card_id, p.domain, p.seed) for p in expected], f"seed {seed}"


def test_noise_bits_match_sqlite_and_spread_evenly(tmp_path):
    engine, _ = collection(tmp_path, 40, 1.0, "wide")
    key = random.Random(3).getrandbits(62)
    params = {"ka": (key & 0x7FFFFFFF) | 1, "kb": (key >> 31) & 0x7FFFFFFF}
    big = [2**31 - 1, 2**31, 2**40 + 17, 2**62 + 5]
    with engine.connect() as conn:
        for card_id in big:
            assert conn.exec_driver_sql(
                f"SELECT {pool._HASH.replace('c.id', str(card_id))}", params
            ).scalar() == noise_bits(card_id, key)
        rows = conn.exec_driver_sql(f"SELECT c.id, {pool._HASH} FROM card c", params).all()
    assert len(rows) > 40 and all(bits == noise_bits(card_id, key) for card_id, bits in rows)
    # Consecutive ids land all over the range: each quarter holds some of 400.
    quarters = {noise_bits(n, key) >> 29 for n in range(1000, 1400)}
    assert quarters == {0, 1, 2, 3}


def test_many_unseen_cards_read_few_and_pick_the_same(tmp_path, paths, monkeypatch):
    engine, clock = collection(tmp_path, 600, 0.6, "odd", decay=0.8)
    same_exams(engine, clock, "saa-c03", range(12), questions=20)
    assert any("FROM card_state s CROSS JOIN card c" in sql  # weak seen cards by the index
               or "FROM card_state s JOIN card c" in sql for sql in paths)
    scheduler = policy.scheduler_for(load_settings(engine), load_parameters(engine))
    with engine.connect() as conn:
        read = pool.read_pool(conn, clock.now(), scheduler, preset("saa-c03").weights, 20, 5)
    assert 20 <= len(read) < len(every_candidate(engine, clock.now())) / 3
    # Scanning the groups instead of the index reads the same.
    monkeypatch.setattr(pool, "_FEW", -1)
    paths.clear()
    same_exams(engine, clock, "saa-c03", range(12, 20), questions=20)
    assert not any("FROM card_state s CROSS JOIN card c" in sql
                   or "FROM card_state s JOIN card c" in sql for sql in paths)


def test_mostly_seen_cards_are_read_weakest_first(tmp_path, paths):
    engine, clock = collection(tmp_path, 500, 0.02, "wide")
    same_exams(engine, clock, "quick", range(15))
    same_exams(engine, clock, "saa-c03", range(15, 25), questions=12)
    assert any("LIMIT :page" in sql for sql in paths)


def test_equally_weak_cards_are_all_read_where_the_nudge_decides(tmp_path, paths):
    engine, clock = collection(tmp_path, 300, 0.0, "close")
    same_exams(engine, clock, "quick", range(15))
    assert any("LIMIT :page" in sql for sql in paths)
    assert any(":ratio * s.stability" in sql for sql in paths)
    scheduler = policy.scheduler_for(load_settings(engine), load_parameters(engine))
    with engine.connect() as conn:
        read = pool.read_pool(conn, clock.now(), scheduler, {}, 10, 5)
    assert len(read) == len(every_candidate(engine, clock.now()))


def test_thin_domains_filters_and_odd_memories(tmp_path):
    engine, clock = collection(tmp_path, 260, 0.3, "odd", seed=2,
                               domains=("secure", "secure", "resilient", "networking", None))
    same_exams(engine, clock, "saa-c03", range(10))  # two domains empty, one thin
    # Nothing filed under CLF-C02: every question card, no domain weights.
    same_exams(engine, clock, "clf-c02", range(10, 14), unfiled=True, questions=30)
    same_exams(engine, clock, "saa-c03", range(14, 18), deck_id=1)
    same_exams(engine, clock, "quick", range(18, 22), domain="secure")
    same_exams(engine, clock, "saa-c03", range(22, 26), questions=300)  # more than there are
    clock.advance(timedelta(days=-30))  # a clock set back: no time has passed since then
    same_exams(engine, clock, "saa-c03", range(26, 30), questions=40)


def test_cards_without_a_memory_state_are_not_counted(tmp_path):
    """Cards are counted without their states, so a domain whose cards lack states (never
    made by studyaws, but possible in a file) turns out thinner once read: the fill grows."""
    engine, clock = collection(tmp_path, 300, 0.5, "wide", seed=3,
                               domains=("secure", "resilient", "high-performing"))
    with engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM card_state WHERE card_id IN (SELECT id FROM card"
                             " WHERE saa_domain = 'secure') AND card_id NOT IN (SELECT id"
                             " FROM card WHERE saa_domain = 'secure' ORDER BY id LIMIT 6)")
    same_exams(engine, clock, "saa-c03", range(8))


@pytest.mark.parametrize("outside", ["aaa", "networking", "zzz"])
def test_domains_outside_the_blueprint_fill_a_thin_exam(tmp_path, outside):
    # Below, between and above the blueprint's domains in SQLite's order, none without one.
    engine, clock = collection(tmp_path, 120, 0.5, "wide", domains=("secure", outside))
    same_exams(engine, clock, "saa-c03", range(4))
    assert {i.domain for i in service.load_exam(engine, 1).items} == {"secure", outside}


def test_a_domain_without_quota_still_fills(tmp_path):
    # Three questions: one each for secure, resilient and high-performing, none for
    # cost-optimized, which must fill in for the two empty domains as much as secure does.
    engine, clock = collection(tmp_path, 80, 0.5, "wide", domains=("secure", "cost-optimized"))
    same_exams(engine, clock, "saa-c03", range(12), questions=3)
