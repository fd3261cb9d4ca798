"""Question banks through the real importer on real SQLite files: counts, skipped blocks,
identity across re-imports, history kept, format override, size limit, safety; and the
`studyaws import` command run in a subprocess."""

from __future__ import annotations

import json
import shutil
import socket
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from test_cli import assert_no_traceback, run, table

from studyaws.core.clock import FakeClock
from studyaws.core.config import DB_NAME
from studyaws.core.decks.loader import MAX_DECK_BYTES
from studyaws.core.decks.model import DeckError
from studyaws.core.srs import policy
from studyaws.services.importer import import_paths
from studyaws.services.review import ReviewService
from studyaws.store.engine import reading
from studyaws.store.tables import Card, CardState, ReviewLog

SAMPLES = Path(__file__).parent / "samples"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=2)

EXPECTED = {  # file -> (title, format, cards)
    "bank-numbered.md": ("Solutions Architect practice exam", "md-numbered", 3),
    "bank-tasks.md": ("Cloud Practitioner practice questions", "md-tasks", 4),
    "networking-aiken.txt": ("networking-aiken", "aiken", 4),
    "notes-anki.txt": ("AWS > SAA", "anki", 8),
    "plain.csv": ("plain", "anki", 3),
    "semicolons.csv": ("semicolons", "anki", 2),
    "storage.gift": ("storage", "gift", 11),
}
SKIPPED = 19


@pytest.fixture
def banks(tmp_path: Path) -> Path:
    """A copy of the samples that a test may edit."""
    folder = tmp_path / "banks"
    shutil.copytree(SAMPLES, folder)
    return folder


def cards(engine, *, active: bool = True) -> list[Card]:
    with reading(engine) as session:
        query = select(Card).order_by(Card.id)
        if active:
            query = query.where(Card.retired.is_(False))
        return list(session.execute(query).scalars())


def card_by_prompt(engine, start: str) -> Card:
    (card,) = [c for c in cards(engine, active=False) if c.prompt.startswith(start)]
    return card


def review(engine, card_id: int, when: datetime, rating: int = policy.GOOD) -> None:
    service = ReviewService(engine, FakeClock(when))
    service.answer(service.card(card_id), rating, 4000)


def logs_of(engine, card_id: int) -> list[ReviewLog]:
    with reading(engine) as session:
        return list(session.execute(
            select(ReviewLog).where(ReviewLog.card_id == card_id)).scalars())


# -- a folder of banks -------------------------------------------------------------------


def test_folder_import_counts_formats_and_skipped(engine, banks: Path):
    report = import_paths(engine, [banks], NOW)
    got = {Path(d.path).name: (d.title, d.format, d.added) for d in report.decks}
    assert got == EXPECTED
    assert report.total() == {"added": 35, "updated": 0, "unchanged": 0, "retired": 0}
    assert len(report.skipped) == SKIPPED
    lines = [str(s) for s in report.skipped]
    assert f"{banks / 'bank-tasks.md'}:46: no option is marked correct" in lines
    assert f"{banks / 'storage.gift'}:38: matching question: not supported" in lines
    assert f"{banks / 'notes-anki.txt'}:16: guid 'aws-vpc-001' already used on line 7" in lines
    data = report.to_json()
    assert data["skipped"][0] == {"path": str(banks / "bank-numbered.md"), "line": 27,
                                  "reason": "no <details> block with the answer"}
    assert len(cards(engine)) == 35
    multi = card_by_prompt(engine, "Which two pricing models")
    assert json.loads(multi.payload)["correct"] == [0, 2]
    assert multi.source_path == "bank-tasks.md"  # below the folder imported
    assert multi.source_line == 22


def test_reimporting_the_same_banks_changes_nothing(engine, banks: Path):
    import_paths(engine, [banks], NOW)
    before = [(c.id, c.key, c.prompt, c.answer, c.payload, c.updated_at) for c in cards(engine)]
    report = import_paths(engine, [banks], LATER)
    assert report.total() == {"added": 0, "updated": 0, "unchanged": 35, "retired": 0}
    assert len(report.skipped) == SKIPPED  # still reported: the file still has them
    forced = import_paths(engine, [banks], LATER, force=True)
    assert forced.total() == {"added": 0, "updated": 0, "unchanged": 35, "retired": 0}
    after = [(c.id, c.key, c.prompt, c.answer, c.payload, c.updated_at) for c in cards(engine)]
    assert after == before


def test_editing_one_question_updates_that_card_and_keeps_its_history(engine, banks: Path):
    import_paths(engine, [banks], NOW)
    card = card_by_prompt(engine, "Which AWS service runs code")
    review(engine, card.id, NOW + timedelta(minutes=5))
    review(engine, card.id, NOW + timedelta(minutes=20))
    state = _state(engine, card.id)
    assert state.reps == 2

    bank = banks / "bank-tasks.md"
    text = bank.read_text(encoding="utf-8")
    edited = text.replace("- [ ] Amazon Lightsail", "- [ ] Amazon Lightsail instances")
    edited = edited.replace("### 1. Which AWS service runs code without provisioning servers?",
                            "### 1. Which AWS service runs your code without provisioning "
                            "servers?")
    assert edited != text
    bank.write_text(edited, encoding="utf-8")
    report = import_paths(engine, [banks], LATER)
    (deck,) = [d for d in report.decks if d.format == "md-tasks"]
    assert (deck.added, deck.updated, deck.unchanged, deck.retired) == (0, 1, 3, 0)
    assert report.total()["updated"] == 1

    again = card_by_prompt(engine, "Which AWS service runs your code")
    assert again.id == card.id
    assert "Amazon Lightsail instances" in json.loads(again.payload)["options"]
    assert len(logs_of(engine, card.id)) == 2
    assert _state(engine, card.id).reps == 2
    assert _state(engine, card.id).due == state.due


def test_removed_question_is_retired_and_comes_back_with_its_history(engine, banks: Path):
    import_paths(engine, [banks], NOW)
    card = card_by_prompt(engine, "Which tool creates a VPC from code?")
    review(engine, card.id, NOW + timedelta(minutes=5))
    aiken = banks / "networking-aiken.txt"
    text = aiken.read_text(encoding="utf-8")
    block = "Which tool creates a VPC from code?\nA. AWS CloudFormation\nB. Amazon Inspector\n" \
            "ANSWER: A\n"
    assert block in text
    aiken.write_text(text.replace(block, ""), encoding="utf-8")
    report = import_paths(engine, [aiken], LATER)
    assert report.total() == {"added": 0, "updated": 0, "unchanged": 3, "retired": 1}
    assert card_by_prompt(engine, "Which tool creates a VPC").retired
    aiken.write_text(text, encoding="utf-8")
    report = import_paths(engine, [aiken], LATER + timedelta(days=1))
    assert report.total()["retired"] == 0
    back = card_by_prompt(engine, "Which tool creates a VPC from code?")
    assert (back.id, back.retired) == (card.id, False)
    assert len(logs_of(engine, card.id)) == 1


def test_anki_guid_updates_the_card_in_place_whatever_its_text(engine, banks: Path):
    notes = banks / "notes-anki.txt"
    import_paths(engine, [notes], NOW)
    card = card_by_prompt(engine, "What does a NAT gateway let")
    assert card.key == "id:aws-vpc-001"
    review(engine, card.id, NOW + timedelta(minutes=5), policy.EASY)
    text = notes.read_text(encoding="utf-8")
    notes.write_text(text.replace(
        "What does a NAT gateway let instances in a private subnet do?",
        "Why put a NAT gateway in a public subnet?"), encoding="utf-8")
    report = import_paths(engine, [notes], LATER)
    assert report.total() == {"added": 0, "updated": 1, "unchanged": 7, "retired": 0}
    moved = card_by_prompt(engine, "Why put a NAT gateway")
    assert moved.id == card.id
    assert len(logs_of(engine, card.id)) == 1
    assert _state(engine, card.id).state != 0


def _state(engine, card_id: int) -> CardState:
    with reading(engine) as session:
        return session.get(CardState, card_id)


# -- formats, limits, files --------------------------------------------------------------

NATIVE_LOOKING = """# Bank

### Which service stores objects?

- [ ] Amazon EBS
- [x] Amazon S3

### Which service is a queue?

- [ ] Amazon SNS
- [ ] Amazon Kinesis
"""


def test_format_override(engine, tmp_path: Path):
    path = tmp_path / "bank.md"
    path.write_text(NATIVE_LOOKING, encoding="utf-8")
    with pytest.raises(DeckError) as info:
        import_paths(engine, [path], NOW)  # a studyaws deck: the second question is an error
    assert "task list has no correct option" in str(info.value)
    report = import_paths(engine, [path], NOW, format="md-tasks")
    (deck,) = report.decks
    assert (deck.format, deck.added) == ("md-tasks", 1)
    assert [str(s) for s in report.skipped] == [f"{path}:8: no option is marked correct"]


def test_unknown_extension_is_read_by_its_content(engine, tmp_path: Path):
    path = tmp_path / "quiz.questions"
    path.write_text("Which one?\nA. This\nB. That\nANSWER: B\n", encoding="utf-8")
    (deck,) = import_paths(engine, [path], NOW).decks
    assert (deck.format, deck.added) == ("aiken", 1)


def test_oversized_file_is_rejected_and_nothing_is_written(engine, tmp_path: Path):
    big = tmp_path / "big.csv"
    big.write_text("front,back\n" + "q,a\n" * (MAX_DECK_BYTES // 4 + 1), encoding="utf-8")
    good = tmp_path / "good.csv"
    good.write_text("What?,That\n", encoding="utf-8")
    with pytest.raises(DeckError) as info:
        import_paths(engine, [good, big], NOW)
    (problem,) = info.value.problems
    assert str(problem).startswith(f"{big}: file is ")
    assert str(problem).endswith("bytes; decks are limited to 5 MB")
    assert cards(engine) == []


def test_a_bank_with_nothing_importable_is_an_error_listing_why(engine, tmp_path: Path):
    path = tmp_path / "broken.gift"
    path.write_text("Describe it. {}\n\nMatch. {=a -> b =c -> d}\n", encoding="utf-8")
    with pytest.raises(DeckError) as info:
        import_paths(engine, [path], NOW)
    assert [str(p) for p in info.value.problems] == [
        f"{path}: no questions found (read as gift; name another format with --format)",
        f"{path}:1: essay question (empty {{}}): no answer to check",
        f"{path}:3: matching question: not supported",
    ]


def test_folder_files_that_are_no_format_are_skipped_named_ones_are_errors(engine,
                                                                           tmp_path: Path):
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "LICENSE.txt").write_text("Permission is granted.\n", encoding="utf-8")
    (folder / "README.md").write_text("# About\n\nThese are my banks.\n", encoding="utf-8")
    (folder / "bank.txt").write_text("Which?\nA. x\nB. y\nANSWER: A\n", encoding="utf-8")
    (folder / ".hidden").mkdir()
    (folder / ".hidden" / "x.csv").write_text("a,b\n", encoding="utf-8")
    report = import_paths(engine, [folder], NOW)
    assert [Path(d.path).name for d in report.decks] == ["bank.txt"]
    assert [str(s) for s in report.skipped] == [
        f"{folder / 'LICENSE.txt'}: not a deck nor a known question bank format: file skipped"]
    with pytest.raises(DeckError) as info:
        import_paths(engine, [folder / "LICENSE.txt"], NOW)
    assert "name its format with --format" in str(info.value)


def test_a_readme_that_is_a_question_bank_is_imported(engine, tmp_path: Path):
    folder = tmp_path / "repo"
    folder.mkdir()
    shutil.copy(SAMPLES / "bank-tasks.md", folder / "README.md")
    shutil.copytree(SAMPLES / "images", folder / "images")  # the picture it shows
    (deck,) = import_paths(engine, [folder], NOW).decks
    assert (deck.format, deck.added) == ("md-tasks", 4)


def test_progress_is_reported_per_file_and_deck(engine, banks: Path):
    calls = []
    import_paths(engine, [banks], NOW, progress=lambda *a: calls.append(a))
    assert calls[0] == ("read", 0, 7)
    assert ("read", 7, 7) in calls
    assert calls[-1] == ("write", 7, 7)


def test_import_never_touches_the_network_nor_the_bank_folder(engine, banks: Path,
                                                              monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an import tried to open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    before = sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in banks.iterdir())
    report = import_paths(engine, [banks], NOW)
    assert report.total()["added"] == 35
    after = sorted((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in banks.iterdir())
    assert after == before


# -- the command -------------------------------------------------------------------------


def test_cli_import_folder_prints_counts_then_skipped(banks: Path, tmp_home: Path):
    result = run("import", str(banks), home=tmp_home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    total = lines.index(next(ln for ln in lines if ln.startswith("total")))
    assert lines[total].split() == ["total", "35", "0", "0", "0"]
    assert lines[total + 1].startswith("exam domains: ")  # tests/test_import_domains.py
    assert lines[total + 2] == f"skipped {SKIPPED} blocks:"
    assert lines[total + 3] == f"  {banks / 'bank-numbered.md'}:27: no <details> block " \
                               "with the answer"
    assert len(lines) == total + 3 + SKIPPED
    assert result.stderr == ""  # 7 files: no progress shown
    assert table(tmp_home / DB_NAME, "SELECT count(*) FROM card") == [(35,)]


def test_cli_import_format_option_and_json_skipped(tmp_path: Path, tmp_home: Path):
    path = tmp_path / "bank.md"
    path.write_text(NATIVE_LOOKING, encoding="utf-8")
    result = run("import", "--format", "md-tasks", "--json", str(path), home=tmp_home)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["decks"][0]["format"] == "md-tasks"
    assert data["skipped"] == [{"path": str(path), "line": 8,
                                "reason": "no option is marked correct"}]
    bad = run("import", "--format", "docx", str(path), home=tmp_home)
    assert bad.returncode == 2
    assert bad.stderr.startswith("studyaws import: unknown format 'docx'; known: markdown, ")


def test_cli_rejects_an_oversized_file_with_one_line(tmp_path: Path, tmp_home: Path):
    big = tmp_path / "huge.txt"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("#separator:tab\n")
        handle.write("question\tanswer\n" * (MAX_DECK_BYTES // 16 + 10))
    result = run("import", str(big), home=tmp_home)
    assert result.returncode == 1
    assert_no_traceback(result)
    first, last = result.stderr.splitlines()
    assert first.startswith(f"{big}: file is ") and "limited to 5 MB" in first
    assert last == "1 error; nothing was imported."
    assert table(tmp_home / DB_NAME, "SELECT count(*) FROM card") == [(0,)]


def test_without_a_terminal_an_import_prints_its_summary_once(tmp_path: Path, tmp_home: Path):
    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(40):
        (folder / f"bank{n:02}.txt").write_text(f"Question {n}?\tAnswer {n}\n", encoding="utf-8")
    result = run("import", str(folder), home=tmp_home)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress lines in a log
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["deck", "added", "updated", "unchanged", "retired"]
    assert len(lines) == 1 + 40 + 1
    assert lines[-1].split() == ["total", "40", "0", "0", "0"]
    assert sum(line.startswith("total") for line in lines) == 1


class _Terminal:
    """A stream that says it is a terminal, keeping what is written to it."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_rich_progress_bar_and_short_imports_nothing(engine,
                                                                        tmp_path: Path):
    from studyaws.cli.exchange_commands import ImportProgress

    folder = tmp_path / "many"
    folder.mkdir()
    for n in range(12):
        (folder / f"bank{n:02}.txt").write_text(f"Question {n}?\tAnswer {n}\n", encoding="utf-8")
    terminal = _Terminal()
    progress = ImportProgress(terminal)
    try:
        import_paths(engine, [folder], NOW, progress=progress)
        assert progress.bar is not None
    finally:
        progress.close()
    shown = "".join(terminal.parts)
    assert "reading files" in shown and "writing decks" in shown
    assert "\x1b[" in shown  # drawn and erased with terminal control sequences

    quiet = _Terminal()
    short = ImportProgress(quiet)
    import_paths(engine, [folder / "bank00.txt"], LATER, progress=short)
    short.close()
    assert quiet.parts == []
