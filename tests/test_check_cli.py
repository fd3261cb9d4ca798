"""`studyaws check`, run for real: it reads every file the way `studyaws import` does (every
format, detected or named with --format) and writes nothing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from backup_support import run

SAMPLES = Path(__file__).parent / "samples"


def import_counts(home: Path, *args: str) -> tuple[int, int]:
    result = run(home, "import", "--dry-run", "--json", *args)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    return len(report["decks"]), report["total"]["added"]


def check_counts(home: Path, *args: str) -> tuple[int, int]:
    result = run(home, "check", *args)
    assert result.returncode == 0, result.stderr
    match = re.match(r"(\d+) decks?, (\d+) cards: no errors\.\n", result.stdout)
    assert match, result.stdout
    return int(match.group(1)), int(match.group(2))


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir()
                                         if p.is_file() and p.suffix != ".png"))
def test_check_counts_each_format_as_import_reads_it(tmp_path, name):
    home = tmp_path / "home"
    path = str(SAMPLES / name)
    checked = check_counts(home, path)
    assert not home.exists()  # check writes nothing
    decks, cards = import_counts(home, path)
    assert cards > 0
    assert checked == (decks, cards)


def test_check_counts_a_folder_of_every_format_as_import_reads_it(tmp_path):
    folder = tmp_path / "banks"
    shutil.copytree(SAMPLES, folder)
    home = tmp_path / "home"
    expected = import_counts(home, str(folder))
    assert expected[0] == len([p for p in SAMPLES.iterdir()
                               if p.is_file() and p.suffix != ".png"])
    assert check_counts(home, str(folder)) == expected


def test_check_takes_format_as_import_does(tmp_path):
    bank = tmp_path / "bank.txt"
    bank.write_text((SAMPLES / "networking-aiken.txt").read_text(encoding="utf-8"),
                    encoding="utf-8")
    home = tmp_path / "home"
    expected = import_counts(home, "--format", "aiken", str(bank))
    assert check_counts(home, "--format", "aiken", str(bank)) == expected


def test_check_reports_a_bank_with_no_questions_as_import_does(tmp_path):
    bank = tmp_path / "empty.gift"
    bank.write_text("// nothing but a comment\n", encoding="utf-8")
    home = tmp_path / "home"
    imported = run(home, "import", str(bank))
    checked = run(home, "check", str(bank))
    assert checked.returncode == 1
    assert "Traceback" not in checked.stderr
    assert checked.stderr.splitlines()[:-1] == imported.stderr.splitlines()[:-1]
    assert str(bank) in checked.stderr
