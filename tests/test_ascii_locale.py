"""Every command under LC_ALL=C, where standard output and error are ASCII: it prints (what
ASCII cannot show as its nearest ASCII), exits as it would anywhere, and `export -o -`
still writes the file's UTF-8 bytes. The real command in a subprocess, no PYTHONIOENCODING,
PYTHONUTF8=0 (so that Python does not switch to UTF-8 by itself)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from support import make_collection

from studyaws.services import exam as service

DECK = """\
# Café → Über ✓

Q: Naïve façade?
A: «résumé» — yes

Which one is right? {#q1}

- [x] Right → one
- [ ] Wrong ✗ one

> domain: secure
"""


def c_locale() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONIOENCODING", "LANG", "LANGUAGE", "LC_CTYPE", "STUDYAWS_HOME")}
    env.update(LC_ALL="C", PYTHONUTF8="0")
    return env


def run_c(*args: str, home: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "studyaws", "--home", str(home), *args],
                          capture_output=True, env=c_locale(), cwd=cwd, timeout=180)


def test_python_really_runs_with_ascii_output(tmp_path: Path):
    result = subprocess.run([sys.executable, "-c", "import sys; print(sys.stdout.encoding)"],
                            capture_output=True, text=True, env=c_locale())
    assert result.stdout.strip() == "ascii"


@pytest.fixture
def collection(tmp_path: Path) -> Path:
    """A collection with non-ASCII titles, reviews and two finished exams (a trend)."""
    engine, clock, _ = make_collection(tmp_path, DECK, name="deck.md")
    for _ in range(2):
        view = service.start_exam(engine, clock, "quick")
        service.finish_exam(engine, clock, view)
        clock.advance(timedelta(days=1))
    engine.dispose()
    return tmp_path / "home"


COMMANDS = [
    ("import", "deck.md", "--force"),
    ("import", "deck.md", "--force", "--dry-run"),
    ("import", "deck.md", "--json"),
    ("check", "deck.md"),
    ("decks",),
    ("stats",),
    ("stats", "--json"),
    ("exam", "--history"),
    ("config", "get"),
    ("config", "set", "new-per-day", "15"),
    ("optimize",),
    ("optimize", "--workload"),
    ("export", "-o", "all.json"),
    ("export", "--format", "csv", "-o", "cards.csv"),
    ("backup", "copy.sqlite3"),
    ("--help",),
    ("import", "--help"),
    ("--version",),
]


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_every_command_prints_under_the_c_locale(collection: Path, args: tuple[str, ...]):
    result = run_c(*args, home=collection, cwd=collection.parent)
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    assert result.returncode == 0, result.stderr
    result.stdout.decode("ascii")
    result.stderr.decode("ascii")
    if args[0] in ("import", "decks") and "--json" not in args and "--help" not in args:
        assert b"Cafe -> Uber v" in result.stdout or b"Cafe > Uber v" in result.stdout, \
            result.stdout


def test_an_error_naming_a_non_ascii_file_prints(collection: Path):
    bad = collection.parent / "broken é.md"
    bad.write_text("# B\n\nQ: lonely\n", encoding="utf-8")
    result = run_c("import", bad.name, home=collection, cwd=collection.parent)
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    assert result.returncode == 1
    problem, summary = result.stderr.decode("ascii").splitlines()
    assert problem.startswith("broken ") and problem.endswith(".md:3: 'Q:' without an 'A:'")
    assert summary == "1 error; nothing was imported."


def test_a_non_ascii_file_name_imports(collection: Path):
    deck = collection.parent / "été.md"
    deck.write_text("Q: one\nA: two\n", encoding="utf-8")
    result = run_c("import", deck.name, home=collection, cwd=collection.parent)
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")
    assert result.returncode == 0, result.stderr
    result.stdout.decode("ascii")


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_to_standard_output_is_the_files_utf8(collection: Path, fmt: str):
    work = collection.parent
    assert run_c("export", "--format", fmt, "-o", f"file.{fmt}", home=collection,
                 cwd=work).returncode == 0
    result = run_c("export", "--format", fmt, "-o", "-", home=collection, cwd=work)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (work / f"file.{fmt}").read_bytes()
    assert "Naïve façade?" in result.stdout.decode("utf-8")
    if fmt == "json":
        json.loads(result.stdout)


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_the_app_draws_in_ascii_of_the_same_width(collection: Path):
    """Textual writes to standard error: under the C locale Python would write each `·` or
    box line as `\\xb7` or `\\u2500`, four to six cells for one, and break the layout."""
    from terminal import Terminal, studyaws_command

    env = c_locale()
    env.update(TERM="xterm-256color", STUDYAWS_HOME=str(collection))
    term = Terminal([*studyaws_command(), "review"], env, size=(30, 100))
    try:
        term.wait_for("Cafe > Uber v")  # the deck's title, in the review's header
        term.send("\x1b")
        term.wait_for("Review all")  # the home screen

    finally:
        term.kill()
    output = bytes(term.output)
    output.decode("ascii")
    assert b"\\x" not in output and b"\\u" not in output
