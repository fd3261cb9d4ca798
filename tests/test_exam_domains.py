"""An exam draws the questions filed under its exam (and, to fill, those filed under none),
never those of another exam only; with nothing filed under it, every question card."""

from __future__ import annotations

from support import make_collection

from studyaws.services import exam as service


def question(n: int, domain: str | None) -> str:
    line = f"> domain: {domain}\n" if domain else ""
    return (f"## Which one is {n}? {{#q{n}}}\n\n- [x] {n}\n- [ ] {n + 1}\n- [ ] {n + 2}\n"
            f"- [ ] {n + 3}\n\n> Because.\n{line}")


def deck(*groups: tuple[range, str | None]) -> str:
    return "# Pool\n\n" + "\n".join(question(n, domain) for numbers, domain in groups
                                     for n in numbers)


def stems(view) -> dict[int, str]:
    return {item.card_id: item.question.stem for item in view.items}


def numbers(view) -> set[int]:
    return {int(stem.split()[-1].rstrip("?")) for stem in stems(view).values()}


def test_clf_exam_never_draws_saa_only_questions(tmp_path):
    engine, clock, _ = make_collection(tmp_path, deck(
        (range(0, 30), "secure"),                                   # SAA-C03 only
        (range(30, 40), "saa-c03: resilient, clf-c02: technology"),  # both
        (range(40, 46), "clf-c02: billing"),                         # CLF-C02 only
        (range(46, 50), None)))                                      # no exam
    for seed in range(5):
        view = service.start_exam(engine, clock, "clf-c02", seed=seed)
        assert numbers(view) == set(range(30, 50))  # the pool is smaller than 65: all of it
        assert "4 questions of the pool have no CLF-C02 domain" in view.notice
        assert {i.domain for i in view.items} == {"technology-services", "billing-support",
                                                  None}
        service.finish_exam(engine, clock, view)
    # SAA-C03 leaves out the CLF-C02-only questions.
    view = service.start_exam(engine, clock, "saa-c03", seed=9)
    assert numbers(view) == set(range(0, 40)) | set(range(46, 50))
    service.finish_exam(engine, clock, view)
    # A preset without an exam (quick) draws from every question card.
    drawn: set[int] = set()
    for seed in range(30):
        view = service.start_exam(engine, clock, "quick", seed=seed)
        drawn |= numbers(view)
        service.finish_exam(engine, clock, view)
    assert drawn & set(range(40, 46)) and drawn & set(range(0, 30))


def test_an_exam_with_nothing_filed_under_it_draws_every_question(tmp_path):
    engine, clock, _ = make_collection(tmp_path, deck((range(0, 12), "secure")))
    view = service.start_exam(engine, clock, "clf-c02", seed=1)
    assert numbers(view) == set(range(0, 12))
    assert "No question is filed under CLF-C02" in view.notice
    assert {i.domain for i in view.items} == {None}


def test_a_domain_filter_uses_the_exam_that_owns_the_domain(tmp_path):
    engine, clock, _ = make_collection(tmp_path, deck(
        (range(0, 10), "secure"), (range(10, 20), "clf-c02: billing"),
        (range(20, 25), "saa-c03: secure, clf-c02: security")))
    view = service.start_exam(engine, clock, "quick", domain="billing-support", seed=3)
    assert numbers(view) == set(range(10, 20))
    assert {i.domain for i in view.items} == {"billing-support"}
    service.finish_exam(engine, clock, view)
    view = service.start_exam(engine, clock, "quick", domain="secure", questions=20, seed=3)
    assert numbers(view) == set(range(0, 10)) | set(range(20, 25))
