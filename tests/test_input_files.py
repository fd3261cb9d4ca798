"""Files as people have them: Anki CSV with huge or unclosed fields, UTF-16 and UTF-8 with a
byte-order mark, and files that are not decks at all (a studyaws export, an Anki package, a
backup copy). Each is read, or refused in one line that says what to do; never a
traceback, and a refused import writes nothing. The real command, in a subprocess."""

from __future__ import annotations

import codecs
import json
import shutil
from pathlib import Path

import pytest
from test_cli import assert_no_traceback, run, table

from studyaws.core.config import DB_NAME

SAMPLES = Path(__file__).parent / "samples"
GOOD = "# Good\n\nQ: one\nA: two\n"


def deck_rows(home: Path) -> list[tuple]:
    db = home / DB_NAME
    return table(db, "SELECT title FROM deck") if db.exists() else []


def refused(result, path: Path, line: int | None = None) -> str:
    """The one problem line of a refused import (after checking the rest of the output)."""
    assert_no_traceback(result)
    assert result.returncode == 1, result.stdout + result.stderr
    problem, summary = result.stderr.splitlines()
    assert summary == "1 error; nothing was imported."
    where = f"{path}:{line}: " if line else f"{path}: "
    assert problem.startswith(where), problem
    return problem[len(where):]


# -- Anki CSV ----------------------------------------------------------------------------


@pytest.mark.parametrize("quoted", [False, True])
def test_a_field_longer_than_the_csv_limit_is_one_line(tmp_path: Path, quoted: bool):
    home = tmp_path / "home"
    big = "x" * 140_000
    path = tmp_path / "big.csv"
    path.write_text(f'q1,a1\nq2,{big}\nq3,a3\n' if not quoted else
                    f'q1,a1\nq2,"{big}"\nq3,a3\n', encoding="utf-8")
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    result = run("import", str(tmp_path / "good.md"), str(path), home=home)
    message = refused(result, path, 2)
    assert "131,072" in message, message
    assert deck_rows(home) == []


@pytest.mark.parametrize("text, line", [
    ('q1,a1\nq2,"a2\nq3,a3\n', 2),
    ('q1\ta1\n"q2\ta2\nq3\ta3', 2),
    ('#separator:semicolon\nq1;a1\nq2;a2\nq3;"a3', 4),
])
def test_an_unclosed_quote_is_one_line(tmp_path: Path, text: str, line: int):
    home = tmp_path / "home"
    path = tmp_path / "notes.csv"
    path.write_text(text, encoding="utf-8")
    (tmp_path / "good.md").write_text(GOOD, encoding="utf-8")
    result = run("import", str(tmp_path / "good.md"), str(path), home=home)
    message = refused(result, path, line)
    assert '"' in message and "clos" in message, message
    assert deck_rows(home) == []


def test_an_unclosed_quote_that_runs_past_the_csv_limit_names_its_line(tmp_path: Path):
    home = tmp_path / "home"
    path = tmp_path / "notes.csv"
    path.write_text('q1,a1\nq2,"a2\n' + "".join(f"q{n},a{n}\n" for n in range(3, 20_000)),
                    encoding="utf-8")
    message = refused(run("import", str(path), home=home), path, 2)
    assert '"' in message and "clos" in message, message
    assert deck_rows(home) == []


def test_quoted_fields_over_several_lines_still_import(tmp_path: Path):
    path = tmp_path / "notes.csv"
    path.write_text('q1,"a1\nmore of a1"\n"q2, with a comma",a2\n', encoding="utf-8")
    result = run("import", "--json", str(path), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["total"]["added"] == 2
    answers = table(tmp_path / "home" / DB_NAME, "SELECT answer FROM card ORDER BY id")
    assert answers == [("a1  \nmore of a1",), ("a2",)]


# -- encodings ---------------------------------------------------------------------------

DECK = "# Café\n\nQ: Naïve → ✓?\nA: «yes»\n"


def encode(text: str, encoding: str) -> bytes:
    bom = {"utf-8-sig": codecs.BOM_UTF8, "utf-16-le": codecs.BOM_UTF16_LE,
           "utf-16-be": codecs.BOM_UTF16_BE, "utf-8": b""}[encoding]
    return bom + text.encode(encoding.replace("-sig", ""))


def counts_by_file(report: dict) -> dict[str, tuple]:
    return {Path(d["path"]).name: (d["title"], d["format"], d["added"])
            for d in report["decks"]}


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-8-sig"])
def test_every_format_is_read_from_utf16_and_utf8_with_a_bom(tmp_path: Path, encoding: str):
    """Each sample of each format, re-encoded, reads exactly as its UTF-8 original."""
    plain, other = tmp_path / "plain", tmp_path / encoding
    shutil.copytree(SAMPLES, plain)
    (plain / "deck.md").write_text(DECK, encoding="utf-8")
    other.mkdir()
    texts = []
    for path in plain.iterdir():
        if path.is_dir():  # the pictures the samples show: bytes, as they are
            shutil.copytree(path, other / path.name)
        elif path.suffix == ".png":
            shutil.copy(path, other / path.name)
        else:
            texts.append(path)
            (other / path.name).write_bytes(encode(path.read_text(encoding="utf-8"), encoding))
    reports = []
    for folder in (plain, other):
        result = run("import", "--dry-run", "--json", str(folder), home=tmp_path / "home")
        assert_no_traceback(result)
        assert result.returncode == 0, result.stderr
        reports.append(json.loads(result.stdout))
    expected, got = (counts_by_file(r) for r in reports)
    assert got == expected and len(got) == len(texts)
    assert [(Path(s["path"]).name, s["line"], s["reason"]) for s in reports[1]["skipped"]] == \
        [(Path(s["path"]).name, s["line"], s["reason"]) for s in reports[0]["skipped"]]


def test_a_utf16_deck_keeps_its_text(tmp_path: Path):
    path = tmp_path / "deck.md"
    path.write_bytes(encode(DECK.replace("\n", "\r\n"), "utf-16-le"))
    result = run("check", str(path), home=tmp_path / "home")
    assert (result.returncode, result.stdout) == (0, "1 deck, 1 cards: no errors.\n")
    result = run("import", str(path), home=tmp_path / "home")
    assert result.returncode == 0, result.stderr
    db = tmp_path / "home" / DB_NAME
    assert table(db, "SELECT title FROM deck") == [("Café",)]
    assert table(db, "SELECT prompt, answer FROM card") == [("Naïve → ✓?", "«yes»")]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_bom_is_named(tmp_path: Path, encoding: str):
    path = tmp_path / "deck.md"
    path.write_bytes(DECK.encode(encoding))
    message = refused(run("import", str(path), home=tmp_path / "home"), path)
    assert "UTF-16" in message and "byte-order mark" in message, message


def test_broken_utf16_names_its_line(tmp_path: Path):
    path = tmp_path / "deck.md"
    path.write_bytes(encode("# T\n\nQ: a\nA: b", "utf-16-le") + "\ud800".encode(
        "utf-16-le", "surrogatepass") + "\n".encode("utf-16-le"))
    message = refused(run("import", str(path), home=tmp_path / "home"), path, 4)
    assert "UTF-16" in message, message


# -- files that are not decks --------------------------------------------------------------


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    deck = tmp_path / "deck.md"
    deck.write_text(GOOD, encoding="utf-8")
    assert run("import", str(deck), home=home).returncode == 0
    return home


def test_a_studyaws_export_is_pointed_at_restore(tmp_path: Path, collection: Path):
    export = tmp_path / "all.json"
    assert run("export", "-o", str(export), home=collection).returncode == 0
    big = tmp_path / "big.json"  # over the 5 MB a deck may have: still recognised
    big.write_text(export.read_text(encoding="utf-8") + " " * (6 << 20), encoding="utf-8")
    other = tmp_path / "other"
    for path in (export, big):
        message = refused(run("import", str(path), home=other), path)
        assert "studyaws export" in message and "studyaws restore" in message, message
        assert "--format" not in message
    assert deck_rows(other) == []


def test_an_anki_package_says_how_to_export_text_from_anki(tmp_path: Path, collection: Path):
    package = tmp_path / "cards.apkg"
    assert run("export", "--format", "apkg", "-o", str(package), home=collection).returncode == 0
    other = tmp_path / "other"
    message = refused(run("import", str(package), home=other), package)
    assert "Anki package" in message and "not" in message and "Plain Text" in message, message
    assert deck_rows(other) == []


def test_a_backup_copy_is_pointed_at_restore(tmp_path: Path, collection: Path):
    copy = tmp_path / "copy.sqlite3"
    assert run("backup", str(copy), home=collection).returncode == 0
    other = tmp_path / "other"
    message = refused(run("import", str(copy), home=other), copy)
    assert "studyaws restore" in message, message
    assert deck_rows(other) == []
