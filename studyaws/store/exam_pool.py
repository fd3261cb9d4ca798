"""An exam's question pool read from the store: only the cards that can make the exam.

assembly.assemble ranks a group's cards (a blueprint domain, the domains outside the
blueprint, or every card when the blueprint has no weights) by weakness plus a per-card
nudge below NOISE, and takes at most `depth` of each group: the domain's quota plus what
thin domains leave to fill (the fill only reaches that far). So a group's best `depth` cards
are among: the `depth` unseen cards (weakness 1) with the largest nudge, which SQLite sorts
by the same hash; and the seen cards whose weakness plus NOISE still beats the last of those.
Recall falls as whole days elapsed over stability grows (policy.recall_curve), so that test
is one comparison per card in SQL, and Python scores only the few hundred cards it returns
instead of every question card. When a group has too few unseen cards, its seen cards are
read weakest first until no unread one can reach its top `depth`.
"""

from __future__ import annotations

from datetime import datetime
from itertools import pairwise

from studyaws.core.domains import EXAM_OF
from studyaws.core.exam.assembly import (
    HASH_MASK,
    HASH_MIX,
    NOISE,
    Candidate,
    domain_quotas,
    priority,
)
from studyaws.core.srs import policy
from studyaws.store.tables import DOMAIN_COLUMNS, POOL_INDEXES, to_db

QUESTION_KINDS = ("choice", "ordering", "numeric", "scenario")
_EPS = 1e-9  # margin for rounding between SQLite's arithmetic and Python's
_FEW = 2000  # unstable seen cards read one by one rather than scanning the groups
# assembly.noise_bits in SQLite (x ^ y written as (x | y) - (x & y)); :ka and :kb from the key.
# 64-bit arithmetic on both backends (SQLite's integers are; PostgreSQL's int4 would overflow).
_HASH_IN = f"(((CAST(c.id AS BIGINT) & {HASH_MASK}) * :ka + :kb) & {HASH_MASK})"
_HASH = (f"((({_HASH_IN} | ({_HASH_IN} >> 16)) - ({_HASH_IN} & ({_HASH_IN} >> 16)))"
         f" * {HASH_MIX}) & {HASH_MASK}")
_DAYS = "julianday(:now) - julianday(s.last_review)"
# Seen cards that recall_curve gives 0 (weakness 1): no stability or no readable review time.
_NO_CURVE = "(s.stability IS NULL OR s.stability <= 0 OR julianday(s.last_review) IS NULL)"
_WHOLE_DAYS = f"CAST({_DAYS} AS INTEGER)"
_ELAPSED = f"(CASE WHEN {_WHOLE_DAYS} > 0 THEN {_WHOLE_DAYS} ELSE 0 END)"  # max(0, days)
_RATIO = f"{_ELAPSED} * 1.0 / NULLIF(s.stability, 0)"  # NULL for 0, as SQLite gives
_FROM = "FROM card c JOIN card_state s ON s.card_id = c.id"
_SEEN = "SELECT c.id, c.{column}, s.stability, " + _DAYS


def _indexed_by(conn, index: str) -> str:
    """SQLite's hint to read `index` (PostgreSQL's planner takes no hints)."""
    return f" INDEXED BY {index}" if conn.dialect.name == "sqlite" else ""


def _no_index(conn) -> str:
    """SQLite's unary + that keeps a column's test from choosing an index."""
    return "+" if conn.dialect.name == "sqlite" else ""


ALL = "*all*"  # the one group when the blueprint has no weights
OTHERS = "*others*"  # the domains outside the blueprint, and cards without a domain


def read_pool(conn, now: datetime, scheduler, weights: dict[str, float], questions: int,
              key: int, deck_id: int | None = None, domain: str | None = None,
              exam: str = "saa-c03", only_exam: bool = True,
              memo: dict | None = None) -> list[Candidate]:
    """The candidates `assemble(..., key=key)` can pick for `questions` items: it picks the
    same exam from them as from every question card. `conn` is a SQLAlchemy connection.
    Candidates carry their domain in `exam`; with `only_exam`, the cards filed under another
    exam only are left out (a card filed under no exam stays in). `memo`, kept between reads
    of the same pool under other keys, keeps what does not depend on the key."""
    reader = _Reader(conn, now, scheduler, key, deck_id, domain, exam, only_exam)
    if not weights:
        return list(reader.read({ALL: questions})[0].values())
    quotas = domain_quotas(weights, questions)
    if memo is None:
        memo = {}
    if "sizes" not in memo:
        memo["sizes"] = reader.sizes(quotas)
    sizes, others = memo["sizes"]  # cards, not states: never fewer than the pool has
    reader.domains = list(quotas)
    short = sum(max(0, quota - sizes[d]) for d, quota in quotas.items())
    while True:
        # An empty group is not read (its quota is in `short`).
        depths = {d: quota + short if sizes[d] else 0 for d, quota in quotas.items()}
        depths[OTHERS] = short if others else 0
        found, complete = reader.read(depths)
        # A domain read to its end says how many it really has.
        counts = dict.fromkeys(quotas, 0)
        for candidate in found.values():
            if candidate.domain in counts:
                counts[candidate.domain] += 1
        real = sum(max(0, quota - counts[d]) for d, quota in quotas.items()
                   if complete[d] or not depths[d])
        if real <= short:
            return list(found.values())
        short = real


class _Reader:
    def __init__(self, conn, now: datetime, scheduler, key: int, deck_id: int | None,
                 domain: str | None, exam: str, only_exam: bool):
        self.conn = conn
        # SQLite reads the tables of a CROSS JOIN in the order written; PostgreSQL plans it.
        self.cross_join = "CROSS JOIN" if conn.dialect.name == "sqlite" else "JOIN"
        self.key = key
        decay = -scheduler.parameters[20]  # recall_curve's formula
        self.decay = decay
        self.factor = 0.9 ** (1 / decay) - 1
        self.recall = policy.recall_curve(scheduler)
        kinds = ", ".join(f"'{kind}'" for kind in QUESTION_KINDS)
        self.where = f"c.kind IN ({kinds}) AND c.retired = FALSE AND c.suspended = FALSE"
        self.params: dict = {"now": to_db(now), "ka": (key & HASH_MASK) | 1,
                             "kb": (key >> 31) & HASH_MASK}
        if deck_id is not None:
            self.where += " AND c.deck_id = :deck"
            self.params["deck"] = deck_id
        self.column = col = DOMAIN_COLUMNS[exam]
        # With two IS NULL tests SQLite would read every card rather than seek the index.
        self.card = f"card c{_indexed_by(conn, POOL_INDEXES[exam])}"
        self.seen_sql = _SEEN.format(column=col)
        # With only_exam, a card without a domain in this exam must have none in any other:
        # said only where the domain is NULL, so a domain's own reads keep their index.
        others = [c for c in DOMAIN_COLUMNS.values() if c != col]
        self.null = f"c.{col} IS NULL"
        if only_exam and others:
            plus = _no_index(conn)
            self.null += "".join(f" AND {plus}c.{c} IS NULL" for c in others)
        self.only_exam = only_exam and bool(others)
        if domain is not None:
            domain_col = DOMAIN_COLUMNS[EXAM_OF[domain]]
            self.where += f" AND c.{domain_col} = :domain"
            self.params["domain"] = domain
        self.domains: list[str] = []

    def _rows(self, sql: str, **params) -> list:
        return self.conn.exec_driver_sql(sql, {**self.params, **params}).all()

    def sizes(self, quotas: dict[str, int]) -> tuple[dict[str, int], bool]:
        """Question cards in each domain, counted up to its quota or 1 (all that the shortfall
        and the fill need, and cheap however big the domain); and whether any card is outside
        them."""
        self.domains = list(quotas)
        sizes = {}
        for group, quota in quotas.items():
            where, params = self._group(group)
            sizes[group] = self._rows(
                f"SELECT count(*) FROM (SELECT 1 FROM card c WHERE {self.where} AND {where}"
                " LIMIT :most) AS found", most=max(quota, 1), **params)[0][0]
        # Outside them: no domain, or between two of them in SQLite's (byte) order; one
        # index seek each, where NOT IN would test every question card.
        names = {f"r{n}": d for n, d in enumerate(sorted(quotas))}
        keys = list(names)
        col = f"c.{self.column}"
        gaps = [self.null, f"{col} < :{keys[0]}", f"{col} > :{keys[-1]}"]
        gaps += [f"{col} > :{a} AND {col} < :{b}" for a, b in pairwise(keys)]
        others = self._rows("SELECT " + " OR ".join(
            f"EXISTS (SELECT 1 FROM {self.card} WHERE {self.where} AND {gap})" for gap in gaps),
            **names)[0][0]
        return sizes, bool(others)

    def _group(self, group: str) -> tuple[str, dict]:
        """SQL for the cards of a group, and its parameters."""
        col = f"c.{self.column}"
        if group == ALL:
            return (f"({col} IS NOT NULL OR ({self.null}))" if self.only_exam else "TRUE"), {}
        if group == OTHERS:
            names = {f"o{n}": d for n, d in enumerate(self.domains)}
            listed = ", ".join(f":{name}" for name in names)
            return f"(({self.null}) OR {col} NOT IN ({listed}))", names
        name = f"d{self.domains.index(group)}"
        return f"c.{self.column} = :{name}", {name: group}

    def _seen(self, row) -> Candidate:
        card_id, card_domain, stability, days = row
        return Candidate(card_id, card_domain, True, 1.0 - self.recall(stability, days))

    def read(self, depths: dict[str, int]) -> tuple[dict[int, Candidate], dict[str, bool]]:
        """Every card that can be among its group's best `depth`, by id; and for each group
        whether all of it was read."""
        self.domains = [g for g in depths if g not in (ALL, OTHERS)]
        found: dict[int, Candidate] = {}
        complete: dict[str, bool] = {}
        cuts: dict[str, float] = {}  # seen cards at least this weak can still make the group
        for group, depth in depths.items():
            complete[group] = False
            if depth <= 0:
                continue
            where, params = self._group(group)
            unseen = self._rows(
                f"SELECT c.id, c.{self.column} {_FROM} WHERE {self.where} AND {where}"
                f" AND s.state = 0 ORDER BY {_HASH} DESC, c.id LIMIT :depth",
                depth=depth, **params)
            mine = [Candidate(card_id, card_domain, False, 1.0)
                    for card_id, card_domain in unseen]
            if len(mine) == depth:
                cuts[group] = priority(mine[-1], self.key) - NOISE
            else:
                # Too few unseen cards: the weakest seen ones (no curve first), a page at a time.
                page = 2 * depth + 32
                seen = self._rows(
                    f"{self.seen_sql} {_FROM} WHERE {self.where} AND {where} AND s.state != 0"
                    f" ORDER BY {_NO_CURVE} DESC, {_RATIO} DESC, c.id LIMIT :page",
                    page=page, **params)
                mine += [self._seen(row) for row in seen]
                if len(seen) < page:
                    complete[group] = True
                else:
                    last = mine[-1].weakness
                    best = sorted((priority(c, self.key) for c in mine), reverse=True)[depth - 1]
                    if last + NOISE >= best - _EPS:
                        cuts[group] = best - NOISE
            found.update((c.card_id, c) for c in mine)
        if cuts:
            groups = [self._group(group) for group in cuts]
            where = " OR ".join(sql for sql, _ in groups)
            params = {name: value for _, names in groups for name, value in names.items()}
            for row in self._weak_seen(where, self._ratio_for(min(cuts.values())), params):
                found.setdefault(row[0], self._seen(row))
        return found, complete

    def _weak_seen(self, where: str, ratio: float, params: dict) -> list:
        """The seen cards of the groups in `where` at least `ratio` days-over-stability
        since their last review, or without a curve. Such a card has stability at most the
        days since the oldest last review over `ratio`: when few seen cards are that unstable
        they are read through the seen-card indexes, else every card of the groups is."""
        test = (f"s.state != 0 AND ({_NO_CURVE} OR {_ELAPSED}"
                " >= :ratio * s.stability)")
        if ratio > 0:
            oldest, days = self._rows(
                "SELECT (SELECT min(last_review) FROM card_state WHERE state != 0),"
                " julianday(:now) - julianday((SELECT min(last_review) FROM card_state"
                " WHERE state != 0))")[0]
            if oldest is None or days is not None:
                unstable = (max(0.0, days or 0.0) + 1) / ratio
                few = self._rows(
                    "SELECT count(*) FROM (SELECT 1 FROM card_state WHERE state != 0"
                    " AND stability <= :unstable LIMIT :most) AS found",
                    unstable=unstable, most=_FEW + 1)[0][0]
                if few <= _FEW:
                    return self._rows(
                        f"{self.seen_sql} FROM card_state s {self.cross_join} card c ON c.id = s.card_id"
                        " WHERE s.card_id IN (SELECT card_id FROM card_state"
                        " WHERE state != 0 AND stability <= :unstable"
                        " UNION ALL SELECT card_id FROM card_state"
                        " WHERE state != 0 AND stability IS NULL"
                        " UNION ALL SELECT card_id FROM card_state"
                        " WHERE state != 0 AND last_review IS NULL)"
                        f" AND {test} AND {self.where} AND ({where})",
                        ratio=ratio, unstable=unstable, **params)
        return self._rows(f"{self.seen_sql} {_FROM} WHERE {self.where} AND ({where}) AND {test}",
                          ratio=ratio, **params)

    def _ratio_for(self, weakness: float) -> float:
        """The least days-over-stability at which a card is `weakness` weak (less a margin)."""
        weakness -= _EPS
        if weakness <= 0:
            return 0.0
        try:
            ratio = (max(1.0 - weakness, 1e-12) ** (1 / self.decay) - 1) / self.factor
        except OverflowError:
            return 1e300
        return min(ratio * (1 - 1e-9), 1e300)


def filed_counts(conn, exam: str, deck_id: int | None = None,
                 exact: bool = True) -> tuple[int, int]:
    """Question cards (not retired or suspended, in the deck when given): filed under
    `exam` (without `exact`, 1 when there are any), and filed under no exam. Both read this
    exam's pool index, the second only its cards without a domain."""
    col = DOMAIN_COLUMNS[exam]
    kinds = ", ".join(f"'{kind}'" for kind in QUESTION_KINDS)
    where = f"c.kind IN ({kinds}) AND c.retired = FALSE AND c.suspended = FALSE"
    params: dict = {}
    if deck_id is not None:
        where += " AND c.deck_id = :deck"
        params["deck"] = deck_id
    # With two IS NULL tests SQLite would read every card rather than seek the index.
    plus = _no_index(conn)
    none = "".join(f" AND {plus}c.{c} IS NULL" for c in DOMAIN_COLUMNS.values() if c != col)
    filed_sql = f"SELECT 1 FROM card c WHERE {where} AND c.{col} IS NOT NULL"
    filed = conn.exec_driver_sql(
        f"SELECT count(*) FROM ({filed_sql}{'' if exact else ' LIMIT 1'}) AS filed", params).scalar()
    unfiled = conn.exec_driver_sql(
        f"SELECT count(*) FROM card c{_indexed_by(conn, POOL_INDEXES[exam])} WHERE {where}"
        f" AND c.{col} IS NULL{none}", params).scalar()
    return int(filed or 0), int(unfiled or 0)


def question_payloads(conn, card_ids: list[int]) -> dict[int, tuple[str, str]]:
    """Each card's kind and payload (JSON text), by id."""
    result: dict[int, tuple[str, str]] = {}
    ids = sorted(set(card_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        marks = ", ".join("?" for _ in chunk)
        for card_id, kind, payload in conn.exec_driver_sql(
                f"SELECT id, kind, payload FROM card WHERE id IN ({marks})", tuple(chunk)):
            result[card_id] = (kind, payload)
    return result
