"""Hand-worked cases for the RDS backup and restore engine."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from studyaws.core.questions import Choice
from studyaws.core.scenarios import backup_retention as br
from studyaws.core.scenarios.backup_retention import BackupSetup, Snapshot, restore_options

NOW = datetime(2025, 3, 10, 12, 0, 0)


def sources(setup: BackupSetup, when: datetime) -> list[str]:
    return [o.source for o in restore_options(setup, when)]


def test_window_edges_are_inclusive():
    setup = BackupSetup(NOW, 7)
    earliest, latest = br.restore_window(setup)
    assert earliest == NOW - timedelta(days=7)
    assert latest == NOW - timedelta(minutes=5)
    assert sources(setup, earliest) == ["pitr"]
    assert sources(setup, latest) == ["pitr"]


def test_one_second_outside_the_retention_edge():
    setup = BackupSetup(NOW, 7)
    assert sources(setup, NOW - timedelta(days=7, seconds=1)) == []


def test_after_the_latest_restorable_time():
    setup = BackupSetup(NOW, 7)
    assert sources(setup, NOW - timedelta(minutes=4, seconds=59)) == []
    assert sources(setup, NOW - timedelta(minutes=2)) == []
    assert sources(setup, NOW) == []


def test_inside_the_window():
    setup = BackupSetup(NOW, 35)
    assert sources(setup, NOW - timedelta(days=34, hours=23)) == ["pitr"]
    assert sources(setup, NOW - timedelta(days=35, minutes=1)) == []


def test_retention_zero_turns_automated_backups_off():
    setup = BackupSetup(NOW, 0)
    assert br.restore_window(setup) is None
    assert sources(setup, NOW - timedelta(hours=1)) == []


def test_manual_snapshot_outside_the_window():
    snap = Snapshot("db-before-upgrade", NOW - timedelta(days=40))
    setup = BackupSetup(NOW, 7, (snap,))
    found = restore_options(setup, snap.taken)
    assert [(o.source, o.snapshot) for o in found] == [("snapshot", snap)]
    # a different time is not the snapshot's data
    assert restore_options(setup, snap.taken + timedelta(hours=1)) == ()


def test_snapshot_inside_the_window_gives_two_ways():
    snap = Snapshot("daily-check", NOW - timedelta(days=2))
    setup = BackupSetup(NOW, 7, (snap,))
    assert sources(setup, snap.taken) == ["pitr", "snapshot"]


def test_deleted_instance_without_manual_snapshots():
    setup = BackupSetup(NOW, 7, (), deleted_at=NOW - timedelta(hours=3))
    assert setup.deleted and not setup.has_automated_backups
    assert sources(setup, NOW - timedelta(hours=5)) == []
    assert sources(setup, NOW - timedelta(days=1)) == []


def test_deleted_instance_with_manual_snapshots():
    deleted = NOW - timedelta(hours=3)
    final = Snapshot("db-final", deleted, final=True)
    older = Snapshot("db-manual-1", NOW - timedelta(days=10))
    setup = BackupSetup(NOW, 7, (older, final), deleted_at=deleted)
    assert sources(setup, final.taken) == ["snapshot"]
    assert sources(setup, older.taken) == ["snapshot"]
    assert sources(setup, NOW - timedelta(days=1)) == []


def test_setup_validation():
    with pytest.raises(ValueError):
        BackupSetup(NOW, 36)
    with pytest.raises(ValueError):
        BackupSetup(NOW, 7, (Snapshot("future", NOW + timedelta(minutes=1)),))
    with pytest.raises(ValueError):
        BackupSetup(
            NOW,
            7,
            (Snapshot("late", NOW - timedelta(hours=1)),),
            deleted_at=NOW - timedelta(hours=2),
        )


def test_ago():
    assert br.ago(timedelta(days=7)) == "7 days"
    assert br.ago(timedelta(days=7, seconds=1)) == "7 days and 1 second"
    assert br.ago(timedelta(days=2, hours=4, minutes=30)) == "2 days, 4 hours and 30 minutes"


def test_explanation_mentions_new_instance_and_window():
    setup = BackupSetup(NOW, 7)
    text = br.explain(setup, NOW - timedelta(days=7, seconds=1))
    assert "new DB instance with a new endpoint" in text
    assert "before the earliest restorable time" in text


def test_restore_question_marks_the_engines_options():
    for seed in range(80):
        made = br.scenario({"variant": "restore"}, random.Random(seed))
        question = made.question
        assert isinstance(question, Choice)
        found = restore_options(made.setup.backups, made.setup.requested)
        expected = {br.option_text(o) for o in found} or {br.NOT_POSSIBLE_OPTION}
        assert {question.options[i] for i in question.correct} == expected


def test_deleted_parameter():
    for seed in range(20):
        yes = br.scenario({"deleted": "yes"}, random.Random(seed)).setup.backups
        assert yes.deleted
        no = br.scenario({"deleted": "no", "retention": "7"}, random.Random(seed)).setup.backups
        assert not no.deleted and no.retention_days == 7


def test_validate():
    assert br.validate({"retention": "7", "deleted": "any", "variant": "restore"}) == []
    assert br.validate({"retention": "1-35"}) == []
    assert [p for p, _ in br.validate({"retention": "36"})] == ["retention"]
    assert [p for p, _ in br.validate({"retention": "a week"})] == ["retention"]
    assert [p for p, _ in br.validate({"deleted": "perhaps"})] == ["deleted"]
