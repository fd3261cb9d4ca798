"""A JSON backup is checked whole before a restore writes anything: a wrong type, an unknown
kind, a payload that does not fit its card's kind, a value out of range or a document nested
too deeply is one line naming the file and what is wrong, exit 1, and the collection stays
as it was. Through the real command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_cli import run
from test_exchange import full_collection

from studyaws.core.config import DB_NAME


def _card(data: dict, kind: str) -> dict:
    return next(c for c in data["tables"]["card"] if c["kind"] == kind)


def _set(table: str, column: str, value, kind: str | None = None):
    def edit(data: dict) -> None:
        row = _card(data, kind) if kind else data["tables"][table][0]
        row[column] = value
    return edit


def _studied(data: dict) -> dict:
    return next(s for s in data["tables"]["card_state"] if s["state"] != 0)


CASES = {
    "payload-not-json": (_set("card", "payload", "{not json", "choice"), "payload is not JSON"),
    "basic-made-choice": (_set("card", "kind", "choice", "basic"),
                          "does not fit a choice card"),
    "choice-made-basic": (_set("card", "kind", "basic", "choice"),
                          "does not fit a basic card"),
    "reverse-made-cloze": (_set("card", "kind", "cloze", "reverse"),
                           "does not fit a cloze card"),
    "unknown-kind": (_set("card", "kind", "essay", "basic"), "kind is 'essay'"),
    "reps-as-text": (lambda d: _studied(d).update(reps="3"), "reps is '3', not a whole number"),
    "state-7": (_set("card_state", "state", 7), "state is 7"),
    "studied-without-stability": (lambda d: _studied(d).update(stability=None),
                                  "needs stability"),
    "rating-9": (_set("review_log", "rating", 9), "rating is 9"),
    "huge-integer": (_set("review_log", "duration_ms", 2**63), "out of range"),
    "huge-id": (_set("deck", "id", 2**64), "out of range"),
    "float-id": (_set("deck", "id", 1.5), "not a whole number"),
    "retired-yes": (_set("card", "retired", "yes", "basic"), "not true or false"),
    "lone-surrogate": (_set("card", "prompt", "\ud800", "basic"), "not valid text"),
    "choice-index": (lambda d: _card(d, "choice").update(payload=json.dumps(
        dict(json.loads(_card(d, "choice")["payload"]), correct=[99]))), "correct is 99"),
    "numeric-answer": (lambda d: _card(d, "numeric").update(payload=json.dumps(
        dict(json.loads(_card(d, "numeric")["payload"]), answer="many"))), "answer is 'many'"),
    "scenario-kind": (lambda d: _card(d, "scenario").update(
        payload='{"kind": "nope", "params": {}}'), "the payload does not fit a scenario"),
    "deep-payload": (_set("card", "payload", "[" * 100_000 + "]" * 100_000, "basic"),
                     "nested too deeply"),
    "exam-mode": (_set("exam", "mode", "party"), "mode is 'party'"),
    "fsrs-parameters": (lambda d: d["tables"]["setting"].append(
        {"key": "fsrs-parameters", "value": "[1, 2, 3]"}), "fsrs-parameters"),
    "missing-column": (lambda d: _card(d, "basic").pop("kind"), "no kind"),
    "schema-text": (lambda d: d.update(schema="4"), "not a schema version"),
}


@pytest.fixture(scope="module")
def exported(tmp_path_factory) -> tuple[Path, str]:
    """A home with a full collection, and its JSON export."""
    root = tmp_path_factory.mktemp("validation")
    full_collection(root).dispose()
    home = root / "home"
    text = run("export", "-o", "-", home=home).stdout
    assert json.loads(text)["format"] == "studyaws-backup"
    return home, text


def _check_refused(home: Path, path: Path, needle: str) -> None:
    db = home / DB_NAME
    before = db.read_bytes()
    listing = sorted(p.name for p in home.rglob("*"))
    result = run("restore", "--force", str(path), home=home)
    assert result.returncode == 1, result.stdout
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"studyaws restore: {path}"), lines[0]
    assert needle in lines[0], lines[0]
    assert db.read_bytes() == before
    assert sorted(p.name for p in home.rglob("*")) == listing


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_value_is_one_line_and_changes_nothing(exported, tmp_path, case):
    home, text = exported
    edit, needle = CASES[case]
    data = json.loads(text)
    edit(data)
    path = tmp_path / f"{case}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    _check_refused(home, path, needle)


@pytest.mark.parametrize("document", ["nested", "huge-number"])
def test_a_document_nested_too_deeply_or_with_a_huge_number(exported, tmp_path, document):
    home, _ = exported
    path = tmp_path / f"{document}.json"
    if document == "nested":
        path.write_text('{"format": "studyaws-backup", "tables": ' + "[" * 100_000 +
                        "]" * 100_000 + "}")
        _check_refused(home, path, "nested too deeply")
    else:
        path.write_text('{"format": "studyaws-backup", "version": ' + "9" * 5000 + "}")
        _check_refused(home, path, "not valid JSON")


def test_an_untouched_export_restores(exported, tmp_path):
    home, text = exported
    path = tmp_path / "good.json"
    path.write_text(text, encoding="utf-8")
    result = run("restore", "--force", str(path), home=home)
    assert result.returncode == 0, result.stderr
    assert run("export", "-o", "-", home=home).stdout == text
    review = run("decks", home=home)
    assert review.returncode == 0, review.stderr
