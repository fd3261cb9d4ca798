"""The pairing of a re-imported deck's cards with the stored ones (studyaws.core.decks.matching)
gives, on small decks, exactly what comparing every pair by the rules of docs/deck-format.md
("Stable ids") gives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from studyaws.core.decks.identity import SIMILAR, similarity
from studyaws.core.decks.matching import exact_text, fuzzy_text, ids_compatible, match


def every_pair(rows: list[dict], existing: list[dict]) -> dict[int, dict]:
    """The pairing by its rules with every pair compared (as the importer once did)."""
    matches: dict[int, dict] = {}
    used: set[int] = set()
    by_key = {c["key"]: c for c in existing}
    for n, row in enumerate(rows):
        old = by_key.get(row["key"])
        if old is not None and old["id"] not in used:
            matches[n] = old
            used.add(old["id"])
    for n, row in enumerate(rows):
        if n in matches:
            continue
        for old in existing:
            if old["id"] not in used and (old["kind"], old["variant"], exact_text(old)) == (
                    row["kind"], row["variant"], exact_text(row)) and ids_compatible(row, old):
                matches[n] = old
                used.add(old["id"])
                break
    candidates = []
    for n, row in enumerate(rows):
        if n in matches:
            continue
        for old in existing:
            if old["id"] not in used and (old["kind"], old["variant"], old["topic"]) == (
                    row["kind"], row["variant"], row["topic"]) and ids_compatible(row, old):
                score = similarity(fuzzy_text(row), fuzzy_text(old))
                if score >= SIMILAR:
                    candidates.append((score, n, old))
    for _, n, old in sorted(candidates, key=lambda c: -c[0]):
        if n not in matches and old["id"] not in used:
            matches[n] = old
            used.add(old["id"])
    return matches


WORDS = ("bucket", "volume", "subnet", "route", "zone", "a", "the")


@st.composite
def card(draw, n: int) -> dict:
    kind = draw(st.sampled_from(["basic", "cloze"]))
    body = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=2, max_size=7)))
    return {
        "id": n + 1, "position": n, "kind": kind, "variant": "c1" if kind == "cloze" else "",
        "topic": draw(st.sampled_from(["A", "B"])),
        "stable_id": draw(st.sampled_from([None, None, None, "x", "y"])),
        "key": draw(st.sampled_from(["k1", "k2", f"own{n}"])),
        "prompt": "" if kind == "cloze" else body, "answer": "",
        "cloze_text": "{{" + body + "}}" if kind == "cloze" else None,
    }


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_small_decks_pair_as_comparing_every_pair_does(data):
    existing = [data.draw(card(n)) for n in range(data.draw(st.integers(0, 6)))]
    rows = [data.draw(card(100 + n)) for n in range(data.draw(st.integers(0, 8)))]
    for row in rows:
        del row["id"], row["position"]
    ours = {n: old["id"] for n, old in match(rows, existing).items()}
    theirs = {n: old["id"] for n, old in every_pair(rows, existing).items()}
    assert ours == theirs
