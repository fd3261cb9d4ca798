"""Hand-worked cases for the Multi-AZ versus read replica engine."""

from __future__ import annotations

import random

from studyaws.core.questions import Choice
from studyaws.core.scenarios import multi_az_vs_replica as m

MAZ = frozenset({m.MULTI_AZ})
RR = frozenset({m.READ_REPLICA})
BOTH = MAZ | RR
BACKUPS = frozenset({m.BACKUP_REPLICATION})


def test_facts():
    assert m.has(m.MULTI_AZ, "synchronous") and not m.has(m.READ_REPLICA, "synchronous")
    assert m.has(m.READ_REPLICA, "readable") and not m.has(m.MULTI_AZ, "readable")
    assert m.has(m.MULTI_AZ, "automatic-failover")
    assert not m.has(m.READ_REPLICA, "automatic-failover")
    assert m.has(m.READ_REPLICA, "cross-region") and not m.has(m.MULTI_AZ, "cross-region")
    assert m.has(m.BACKUP_REPLICATION, "cross-region")
    assert not m.has(m.BACKUP_REPLICATION, "promotable")
    assert not m.has(m.BACKUP_REPLICATION, "readable")


def test_single_requirements():
    assert m.simplest(["automatic-failover"]) == [MAZ]
    assert m.simplest(["synchronous"]) == [MAZ]
    assert m.simplest(["readable"]) == [RR]
    # cross-Region automated backup replication keeps a copy in another Region without a
    # second DB instance: the least costly way to meet a DR requirement that allows a restore
    assert m.simplest(["cross-region"]) == [BACKUPS]
    assert m.simplest(["cross-region", "readable"]) == [RR]
    assert m.simplest(["cross-region", "promotable"]) == [RR]


def test_requirements_needing_both():
    assert m.simplest(["automatic-failover", "readable"]) == [BOTH]
    assert m.simplest(["synchronous", "cross-region"]) == [MAZ | BACKUPS]
    assert m.simplest(["synchronous", "cross-region", "readable"]) == [BOTH]


def test_either_feature_meets_other_az():
    assert m.simplest(["other-az"]) == [MAZ, RR]
    assert m.simplest(["other-az", "readable"]) == [RR]


def test_meets():
    assert not m.meets(frozenset(), "automatic-failover")
    assert m.meets(BOTH, "readable")
    assert m.meeting(["automatic-failover"]) == [MAZ, MAZ | BACKUPS, BOTH]


def test_pick_question_marks_the_simplest_deployment():
    for seed in range(60):
        made = m.scenario({"variant": "pick"}, random.Random(seed))
        question = made.question
        assert isinstance(question, Choice)
        best = m.simplest(made.setup.requirements)
        assert len(best) == 1
        assert [question.options[i] for i in question.correct] == [m.DEPLOYMENT_TEXT[best[0]]]
        assert "Multi-AZ DB instance deployment" in question.stem


def test_single_az_with_backup_replication_is_sometimes_the_answer():
    keyed = set()
    for seed in range(300):
        made = m.scenario({"variant": "pick", "requirements": "1"}, random.Random(seed))
        keyed |= {made.question.options[i] for i in made.question.correct}
    assert m.DEPLOYMENT_TEXT[BACKUPS] in keyed


def test_statements_stem_says_rds():
    for seed in range(20):
        made = m.scenario({"variant": "statements"}, random.Random(seed))
        assert "Amazon RDS" in made.question.stem


def test_requirements_parameter():
    for seed in range(30):
        made = m.scenario({"variant": "pick", "requirements": "2"}, random.Random(seed))
        assert len(made.setup.requirements) == 2


def test_validate():
    assert m.validate({"variant": "statements", "requirements": "1-3"}) == []
    assert [p for p, _ in m.validate({"requirements": "4"})] == ["requirements"]
    assert [p for p, _ in m.validate({"variant": "quiz"})] == ["variant"]
