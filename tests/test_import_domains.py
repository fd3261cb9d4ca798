"""Imported questions are filed under exam domains: a written domain is kept; `--domain`
files the others; else their text decides (marked inferred), under the exams the bank's
title names; what matches nothing stays unfiled and the exam start says how many."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import backends
from domain_bank import saa_task_list_bank
from support import make_collection

from studyaws.core.config import DB_NAME
from studyaws.services import exam as service
from studyaws.services.exchange.anki_export import collect_notes
from studyaws.services.importer import import_paths


def cards(db: Path) -> list[tuple]:
    return backends.query(db, "select saa_domain, clf_domain, domain_inferred from card"
                              " where kind = 'choice' order by id")


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = backends.cli_env({k: v for k, v in os.environ.items() if k != "STUDYAWS_HOME"}, home)
    return subprocess.run([sys.executable, "-m", "studyaws", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=120)


def test_a_task_list_bank_is_filed_by_its_text_under_the_exam_its_title_names(tmp_path):
    text, questions = saa_task_list_bank()
    bank = tmp_path / "saa-bank.md"
    bank.write_text(text, encoding="utf-8")
    home = tmp_path / "home"
    result = run(home, "import", str(bank))
    assert result.returncode == 0, result.stderr
    rows = cards(home / DB_NAME)
    assert len(rows) == len(questions) >= 700
    filed = [saa for saa, _, _ in rows if saa]
    assert len(filed) >= 0.9 * len(rows)
    # The title names SAA-C03: nothing is filed under CLF-C02, and all of it is inferred.
    assert {clf for _, clf, _ in rows} == {None}
    assert {inferred for saa, _, inferred in rows if saa} == {1}
    unfiled = len(rows) - len(filed)
    assert (f"exam domains: {len(filed)} questions filed by their text (marked inferred), "
            f"{unfiled} with none") in result.stdout

    # An exam says how many of its pool have no SAA-C03 domain.
    engine = backends.open_test_engine(home / DB_NAME)
    try:
        view = service.start_exam(engine, service_clock(), "saa-c03", seed=1)
        said = (f"{unfiled} question{'s' if unfiled != 1 else ''} of the pool "
                f"{'have' if unfiled != 1 else 'has'} no SAA-C03 domain")
        assert (said in view.notice) == bool(unfiled), view.notice
        # Exports keep the domains and say they were inferred.
        notes, _ = collect_notes(engine)
        assert any({"domain::inferred"} <= set(n.tags) and any(t.startswith("saa-c03::")
                   for t in n.tags) for n in notes)
    finally:
        engine.dispose()
    exported = json.loads(run(home, "export", "-o", "-").stdout)
    assert any(card["domain_inferred"] and card["saa_domain"]
               for card in exported["tables"]["card"])


def service_clock():
    from datetime import UTC, datetime

    from studyaws.core.clock import FakeClock

    return FakeClock(datetime(2026, 12, 2, 9, 0, tzinfo=UTC))


def test_domain_option_files_questions_that_name_none_and_a_written_domain_stays(tmp_path):
    deck = ("# Mixed\n\n## Which is the MOST cost-effective storage class? {#a}\n\n"
            "- [x] S3 Glacier Deep Archive\n- [ ] S3 Standard\n\n"
            "## Which one? {#b}\n\n- [x] one\n- [ ] two\n\n> Why.\n> domain: resilient\n")
    engine, clock, path = make_collection(tmp_path, deck)
    (saa, _, inferred), written = cards(tmp_path / "home" / DB_NAME)
    assert (saa, inferred) == ("cost-optimized", 1) and written == ("resilient", None, 0)
    report = import_paths(engine, [path], clock.now(),
                          domains={"saa-c03": "secure", "clf-c02": "security-compliance"})
    assert report.decks[0].inferred == 0 and report.decks[0].updated == 0  # filing is silent
    assert cards(tmp_path / "home" / DB_NAME) == [("secure", "security-compliance", 0),
                                                  ("resilient", None, 0)]
    engine.dispose()


def test_bad_domain_option_is_one_line_and_writes_nothing(tmp_path):
    deck = tmp_path / "deck.md"
    deck.write_text("## Which one?\n\n- [x] one\n- [ ] two\n", encoding="utf-8")
    home = tmp_path / "home"
    result = run(home, "import", str(deck), "--domain", "nowhere")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "studyaws import: --domain: unknown domain 'nowhere' (known: saa-c03: secure, "
        "resilient, high-performing, cost-optimized; clf-c02: cloud-concepts, "
        "security-compliance, technology-services, billing-support)"]
    assert not (home / DB_NAME).exists() or cards(home / DB_NAME) == []


def test_a_bank_naming_no_exam_is_filed_under_the_target_exam_only(tmp_path):
    from studyaws.store.settings import save_setting

    bank = ("## Which is the MOST cost-effective way to keep backups for seven years?\n\n"
            "- [x] S3 Glacier Deep Archive\n- [ ] S3 Standard\n- [ ] EBS snapshots\n\n"
            "## Which AWS support plan gives a technical account manager?\n\n"
            "- [x] Enterprise\n- [ ] Basic\n- [ ] Developer\n\n"
            "**[⬆ Back to Top](#top)**\n")
    engine, clock, path = make_collection(tmp_path, bank, name="practice.md")
    rows = cards(tmp_path / "home" / DB_NAME)
    assert all(clf is None for _, clf, _ in rows) and any(saa for saa, _, _ in rows)
    save_setting(engine, "target-exam", "clf-c02")
    import_paths(engine, [path], clock.now(), force=True)
    rows = cards(tmp_path / "home" / DB_NAME)
    assert all(saa is None for saa, _, _ in rows) and any(clf for _, clf, _ in rows)
    engine.dispose()
