"""Card search and card details (services.browse) on a real collection with cards of every
kind and in every state."""

from __future__ import annotations

import textwrap
from datetime import timedelta

import pytest
from sqlalchemy import text
from support import card_id_by_prompt, make_collection

from studyaws.core.srs.policy import AGAIN, GOOD, HARD
from studyaws.services import browse
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService

DECK = """\
---
tags: networking, core
domain: secure
---
# Net

Q: What is a VPC? {#vpc}
A: A virtual network

front side :: back side {#one}

left ::: right {#rev}

C: The {{c1::NAT gateway}} lets private subnets reach out {#cl}

Which is serverless? {#ch}

- [x] Lambda
- [ ] EC2

Which two are storage? {#multi}

- [x] S3 buckets
- [x] EBS volumes
- [ ] IAM roles

Order: Steps of 50% {#ord}
1. first_step
2. second

Q: How many AZs at least? {#num}
A: = 3

```scenario nacl
id: scen
```
"""

PRACTICE = """\
---
domain: cloud-concepts
---
# Practice Exam 1

Q: Practice question about VPC endpoints
A: Gateway endpoints
"""


@pytest.fixture
def coll(tmp_path):
    engine, clock, _ = make_collection(tmp_path, DECK, name="net.md")
    practice = tmp_path / "practice.md"
    practice.write_text(PRACTICE, "utf-8")
    import_paths(engine, [practice], clock.now())
    ids = {name: card_id_by_prompt(engine, text) for name, text in (
        ("vpc", "What is a VPC?"), ("one", "front side"), ("fwd", "left"), ("bwd", "right"),
        ("ch", "serverless"), ("multi", "Which two"), ("ord", "Steps"), ("num", "How many"),
        ("scen", "Generated scenario"), ("practice", "Practice question"))}
    with engine.connect() as conn:
        ids["cl"] = conn.execute(text("select id from card where kind='cloze'")).scalar()
    service = ReviewService(engine, clock)
    # vpc: a review card answered on three days; ch: review, then forgotten (a lapse)
    for rating in (GOOD, GOOD, GOOD):
        service.answer(service.card(ids["vpc"]), rating)
        service.answer(service.card(ids["ch"]), GOOD if rating else AGAIN)
        clock.advance(timedelta(days=4))
    service.answer(service.card(ids["ch"]), AGAIN)  # review -> relearning, one lapse
    service.answer(service.card(ids["one"]), HARD)  # new -> learning
    service.suspend(ids["fwd"])
    service.bury(ids["bwd"])
    with engine.begin() as conn:
        conn.execute(text("update card set leech=TRUE, flag=1 where id=:i"), {"i": ids["num"]})
        conn.execute(text("update card set flag=4 where id=:i"), {"i": ids["ord"]})
        conn.execute(text("update card set retired=TRUE where id=:i"), {"i": ids["scen"]})
    return engine, clock, ids


def found(engine, clock, query, **kw) -> list[int]:
    return [row.id for row in browse.search_cards(engine, clock, query, limit=1000, **kw).rows]


def names(coll, query) -> set[str]:
    engine, clock, ids = coll
    by_id = {v: k for k, v in ids.items()}
    result = found(engine, clock, query)
    assert browse.count_cards(engine, clock, query) == len(result)
    return {by_id[i] for i in result}


ALL = {"vpc", "one", "fwd", "bwd", "cl", "ch", "multi", "ord", "num", "scen", "practice"}


def test_words_phrases_and_wildcards(coll):
    assert names(coll, "vpc") == {"vpc", "practice"}
    assert names(coll, "VPC virtual") == {"vpc"}
    assert names(coll, '"virtual network"') == {"vpc"}
    assert names(coll, '"network virtual"') == set()
    assert names(coll, "lambda") == {"ch"}  # an option's text
    assert names(coll, "nat") == {"cl"}  # a cloze's text
    assert names(coll, "50%") == {"ord"}  # % and _ are matched as themselves
    assert names(coll, "first_step") == {"ord"}
    assert names(coll, "5%") == set()
    assert names(coll, "serv*less") == {"ch"}


def test_decks_tags_domains(coll):
    assert names(coll, "deck:net") == ALL - {"practice"}
    assert names(coll, "deck:Practice") == set()  # a title, not its start
    assert names(coll, 'deck:"practice exam*"') == {"practice"}
    assert names(coll, "tag:core") == ALL - {"practice"}
    assert names(coll, "tag:cor") == set()
    assert names(coll, "tag:net*") == ALL - {"practice"}
    assert names(coll, "domain:secure") == ALL - {"practice"}
    assert names(coll, "domain:cloud-concepts") == {"practice"}
    assert names(coll, "domain:none") == set()


def test_kinds(coll):
    assert names(coll, "kind:basic") == {"vpc", "one", "practice"}
    assert names(coll, "kind:reverse") == {"fwd", "bwd"}
    assert names(coll, "kind:cloze") == {"cl"}
    assert names(coll, "kind:choice") == {"ch"}
    assert names(coll, "kind:multi") == {"multi"}
    assert names(coll, "kind:order") == {"ord"}
    assert names(coll, "kind:numeric") == {"num"}
    assert names(coll, "kind:scenario") == {"scen"}


def test_states(coll):
    engine, clock, _ = coll
    assert names(coll, "is:review") == {"vpc"}
    assert names(coll, "is:learning") == {"one", "ch"}
    assert names(coll, "is:new") == ALL - {"vpc", "one", "ch"}
    assert names(coll, "is:suspended") == {"fwd"}
    assert names(coll, "is:buried") == {"bwd"}
    assert names(coll, "is:leech") == {"num"}
    assert names(coll, "is:retired") == {"scen"}
    assert names(coll, "is:flagged") == {"num", "ord"}
    assert names(coll, "flag:1") == {"num"}
    assert names(coll, "flag:blue") == {"ord"}
    assert names(coll, "flag:0") == ALL - {"num", "ord"}
    assert names(coll, "is:due") == {"ch", "one"}  # learning steps in minutes; vpc in days
    clock.advance(timedelta(days=40))
    assert names(coll, "is:due") == {"vpc", "one", "ch"}
    assert names(coll, "is:buried") == set()  # buried until the day's end only


def test_rated(coll):
    engine, clock, _ = coll
    assert names(coll, "rated:1") == {"ch", "one"}  # today
    assert names(coll, "rated:1:again") == {"ch"}
    assert names(coll, "rated:1:hard") == {"one"}
    assert names(coll, "rated:5") == {"ch", "one", "vpc"}
    assert names(coll, "rated:30:good") == {"ch", "vpc"}
    clock.advance(timedelta(days=2))
    assert names(coll, "rated:1") == set()
    assert names(coll, "rated:3") == {"ch", "one"}


def test_props_agree_with_the_details(coll):
    engine, clock, ids = coll
    clock.advance(timedelta(days=9))
    details = {name: browse.card_details(engine, clock, i) for name, i in ids.items()}
    seen = {name for name, d in details.items() if d.state != "new"}
    assert seen == {"vpc", "one", "ch"}
    for cut in (0.2, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0):
        assert names(coll, f"prop:r<{cut}") == {
            n for n in seen if details[n].retrievability < cut}
        assert names(coll, f"prop:r>={cut}") == {
            n for n in seen if details[n].retrievability >= cut}
    assert 0 < details["vpc"].retrievability < 1
    for days in range(0, 40, 3):
        assert names(coll, f"prop:ivl>={days}") == {
            n for n in seen if details[n].interval >= days}
    assert details["vpc"].interval > 0
    assert names(coll, "prop:lapses>0") == {"ch"}
    assert names(coll, "prop:lapses=0") == ALL - {"ch"}
    assert names(coll, "prop:reps>=3") == {"vpc", "ch"}
    assert names(coll, "prop:d>0") == seen
    assert names(coll, "prop:s>0") == seen


QUERIES = ["vpc", "kind:basic", "is:new", "is:due", "prop:r<0.9", "prop:ivl>2", "rated:2",
           "flag:1", "deck:net", "nat", "domain:none", "tag:core", "prop:lapses>0",
           "is:buried", "is:learning kind:choice", "(kind:cloze or kind:multi) -is:new"]


@pytest.mark.parametrize("query", QUERIES)
def test_minus_finds_exactly_the_other_cards(coll, query):
    hit, miss = names(coll, query), names(coll, f"-({query})")
    assert hit | miss == ALL
    assert not hit & miss


def test_and_or_and_parentheses(coll):
    assert names(coll, "kind:basic is:new") == {"practice"}
    assert names(coll, "kind:cloze or kind:multi") == {"cl", "multi"}
    assert names(coll, "is:review or is:suspended kind:reverse") == {"vpc", "fwd"}
    assert names(coll, "(is:review or is:suspended) kind:reverse") == {"fwd"}
    assert names(coll, "-kind:basic -kind:reverse is:new") == {"cl", "multi", "ord", "num",
                                                               "scen"}


def test_sorts_and_pages(coll):
    engine, clock, ids = coll
    everything = found(engine, clock, "")
    assert sorted(everything) == sorted(ids.values())
    page1 = browse.search_cards(engine, clock, "", limit=4)
    page2 = browse.search_cards(engine, clock, "", offset=4, limit=4)
    page3 = browse.search_cards(engine, clock, "", offset=8, limit=4)
    assert page1.more and page2.more and not page3.more
    assert [r.id for r in page1.rows + page2.rows + page3.rows] == everything
    # due: as stored (a new card's is when it was added), ties by id
    with engine.connect() as conn:
        by_due = list(conn.execute(text("select card_id from card_state order by due, "
                                        "card_id")).scalars())
    assert everything == by_due
    assert found(engine, clock, "", descending=True) == by_due[::-1]
    assert found(engine, clock, "", sort="created") == sorted(ids.values())
    for sort, key in (("lapses", "lapses"), ("reps", "reps"), ("interval", "interval"),
                      ("difficulty", "difficulty"), ("created", "created_at")):
        rows = browse.search_cards(engine, clock, "-is:new", sort=sort, limit=100).rows
        values = [getattr(r, key) for r in rows]
        assert values == sorted(values), sort
        down = browse.search_cards(engine, clock, "-is:new", sort=sort, descending=True,
                                   limit=100).rows
        assert [getattr(r, key) for r in down] == sorted(values, reverse=True), sort
    decks = [r.deck for r in browse.search_cards(engine, clock, "", sort="deck").rows]
    assert decks == sorted(decks)
    assert found(engine, clock, "", sort="ease") == found(engine, clock, "", sort="difficulty")


@pytest.mark.parametrize("sort", ["due", "created", "deck"])
def test_a_page_read_in_index_order_or_by_sorting_is_the_same(coll, monkeypatch, sort):
    from studyaws.store import search_queries

    engine, clock, _ = coll
    queries = ["", "vpc", "-is:new", "is:new", "rated:30", "kind:basic or flag:1"]
    walked = {(q, d): found(engine, clock, q, sort=sort, descending=d)
              for q in queries for d in (False, True)}
    monkeypatch.setattr(search_queries, "WALK_BUDGET_S", -1.0)  # always out of time
    monkeypatch.setattr(search_queries, "_CHECK_EVERY", 1)
    for q in queries:
        for d in (False, True):
            assert found(engine, clock, q, sort=sort, descending=d) == walked[q, d], (q, d)
            assert browse.search_cards(engine, clock, q, sort=sort, descending=d, offset=1,
                                       limit=2).rows == browse.search_cards(
                engine, clock, q, sort=sort, descending=d, limit=100).rows[1:3]


def test_rows_say_what_the_table_shows(coll):
    engine, clock, ids = coll
    rows = {r.id: r for r in browse.search_cards(engine, clock, "", limit=100).rows}
    assert rows[ids["cl"]].prompt == "The [...] lets private subnets reach out"
    assert rows[ids["multi"]].kind == "multi"
    assert rows[ids["ord"]].kind == "order"
    assert rows[ids["vpc"]].state == "review" and rows[ids["vpc"]].interval > 0
    assert rows[ids["practice"]].state == "new" and rows[ids["practice"]].due is None
    assert rows[ids["fwd"]].suspended and rows[ids["bwd"]].buried
    assert rows[ids["num"]].leech and rows[ids["num"]].flag == 1
    assert rows[ids["scen"]].retired


def test_a_bad_search_or_sort_raises_search_error(coll):
    engine, clock, _ = coll
    with pytest.raises(browse.SearchError, match="unknown kind 'foo'"):
        browse.search_cards(engine, clock, "kind:foo")
    with pytest.raises(browse.SearchError, match="unknown sort 'size'"):
        browse.search_cards(engine, clock, "", sort="size")


def test_card_details_has_every_answer(coll, tmp_path):
    engine, clock, ids = coll
    d = browse.card_details(engine, clock, ids["ch"])
    assert (d.kind, d.deck, d.state, d.lapses, d.flag) == ("choice", "Net", "relearning", 1, 0)
    assert d.source.endswith("net.md:16")
    assert d.domains == {"saa-c03": "secure"} and not d.domain_inferred
    assert [(a.source, a.rating_name) for a in d.answers] == [
        ("review", "Good"), ("review", "Good"), ("review", "Good"), ("review", "Again")]
    assert [a.at for a in d.answers] == sorted(a.at for a in d.answers)
    assert all(a.interval is not None and a.interval >= 1 for a in d.answers[1:3])
    assert d.answers[-1].interval is None  # a relearning step, not days
    assert d.retrievability is not None and 0 < d.retrievability <= 1
    assert d.to_json()["answers"][0]["rating_name"] == "Good"
    cl = browse.card_details(engine, clock, ids["cl"])
    assert (cl.prompt, cl.answer) == ("The [...] lets private subnets reach out",
                                      "The **NAT gateway** lets private subnets reach out")
    assert cl.state == "new" and cl.due is None and cl.retrievability is None
    assert cl.answers == []
    with pytest.raises(browse.NoSuchCard, match="no card has the id 9999"):
        browse.card_details(engine, clock, 9999)


def test_details_list_exam_answers(tmp_path):
    from studyaws.services import exam

    engine, clock, _ = make_collection(tmp_path, textwrap.dedent("""\
        # Quiz

        Which is serverless?

        - [x] Lambda
        - [ ] EC2
        """))
    view = exam.start_exam(engine, clock, "quick", questions=1)
    item = view.items[0]
    exam.save_answer(engine, view.id, item, {"chosen": [0]}, 12.0, clock.now())
    exam.set_flag(engine, view.id, item, True)
    clock.advance(60)
    exam.finish_exam(engine, clock, view)
    d = browse.card_details(engine, clock, item.card_id)
    assert [(e.exam_id, e.correct, e.flagged) for e in d.exam_answers] == [(view.id, True, True)]
    assert [a.source for a in d.answers] == ["exam"]
