"""Hand-worked cases for the Aurora storage quorum engine."""

from __future__ import annotations

import random

import pytest

from studyaws.core.questions import Choice, Numeric
from studyaws.core.scenarios import aurora_quorum as aq


def test_six_copies_two_per_az():
    assert aq.TOTAL == 6
    assert aq.COPIES == ("A1", "A2", "B1", "B2", "C1", "C2")
    assert (aq.WRITE_QUORUM, aq.READ_QUORUM) == (4, 3)


def test_nothing_lost():
    assert aq.can_write([]) and aq.can_read([])
    assert aq.more_losses_tolerated([], "write") == 2
    assert aq.more_losses_tolerated([], "read") == 3


def test_one_copy_lost():
    assert aq.status(["B2"]) == aq.STATUS_BOTH


def test_exactly_two_copies_lost_spread():
    lost = ["A1", "B2"]
    assert aq.can_write(lost) and aq.can_read(lost)
    assert aq.lost_azs(lost) == ()
    assert aq.more_losses_tolerated(lost, "write") == 0


def test_exactly_three_copies_lost():
    lost = ["A1", "B1", "C1"]
    assert not aq.can_write(lost)
    assert aq.can_read(lost)
    assert aq.status(lost) == aq.STATUS_READS
    assert aq.more_losses_tolerated(lost, "read") == 0


def test_whole_az_lost():
    lost = ["C1", "C2"]
    assert aq.lost_azs(lost) == ("C",)
    assert aq.status(lost) == aq.STATUS_BOTH


def test_az_plus_one():
    lost = ["A1", "A2", "B1"]
    assert aq.lost_azs(lost) == ("A",)
    assert aq.status(lost) == aq.STATUS_READS


def test_four_or_more_lost():
    assert aq.status(["A1", "A2", "B1", "B2"]) == aq.STATUS_NEITHER
    assert aq.status(["A1", "B1", "C1", "C2"]) == aq.STATUS_NEITHER
    assert aq.status(aq.COPIES) == aq.STATUS_NEITHER
    assert aq.lost_azs(aq.COPIES) == ("A", "B", "C")


def test_duplicates_count_once_and_unknown_copies_are_rejected():
    assert aq.healthy(["A1", "A1"]) == 5
    with pytest.raises(ValueError):
        aq.can_write(["D1"])


def test_status_question_marks_the_engines_status():
    for seed in range(60):
        made = aq.scenario({"variant": "status"}, random.Random(seed))
        question = made.question
        assert isinstance(question, Choice)
        right = [question.options[i] for i in question.correct]
        assert right == [aq.STATUS_OPTIONS[aq.status(made.setup.lost)]]
        assert aq.IMPOSSIBLE_OPTION in question.options


def test_tolerance_question():
    for seed in range(60):
        made = aq.scenario({"variant": "tolerance", "lose": "1-3"}, random.Random(seed))
        question = made.question
        assert isinstance(question, Numeric)
        assert question.answer == aq.more_losses_tolerated(made.setup.lost, made.setup.operation)
        assert question.answer >= 0


def test_az_loss_parameter():
    for seed in range(40):
        yes = aq.scenario({"az-loss": "yes", "lose": "2-4"}, random.Random(seed)).setup.lost
        assert aq.lost_azs(yes) and 2 <= len(yes) <= 4
        no = aq.scenario({"az-loss": "no"}, random.Random(seed)).setup.lost
        assert not aq.lost_azs(no) and 1 <= len(no) <= 3


def test_validate():
    assert aq.validate({"lose": "1-4", "az-loss": "any", "variant": "status"}) == []
    assert aq.validate({"lose": "3", "az-loss": "yes"}) == []
    assert [p for p, _ in aq.validate({"lose": "7"})] == ["lose"]
    assert [p for p, _ in aq.validate({"lose": "0"})] == ["lose"]
    assert [p for p, _ in aq.validate({"az-loss": "maybe"})] == ["az-loss"]
    assert [p for p, _ in aq.validate({"lose": "4-6", "az-loss": "no"})] == ["lose"]
    assert [p for p, _ in aq.validate({"lose": "1", "az-loss": "yes"})] == ["lose"]
