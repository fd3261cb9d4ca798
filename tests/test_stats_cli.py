"""`studyaws stats` and `studyaws optimize`, run for real in a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import backends
import pytest
from sqlalchemy import select
from support import without_bundled_decks

from studyaws.core.config import DB_NAME, Settings
from studyaws.core.srs import policy
from studyaws.services.importer import import_paths
from studyaws.services.learner import (
    SyntheticLearner,
    perturbed_parameters,
    simulate_study,
    write_history,
)
from studyaws.store.engine import open_engine, reading
from studyaws.store.settings import load_parameters
from studyaws.store.tables import Card


def run(home: Path, *args: str) -> subprocess.CompletedProcess:
    env = backends.cli_env({k: v for k, v in os.environ.items() if k != "STUDYAWS_HOME"}, home)
    return subprocess.run([sys.executable, "-m", "studyaws", "--home", str(home), *args],
                          capture_output=True, text=True, env=env, timeout=120)


@pytest.fixture(scope="module")
def studied_file(tmp_path_factory) -> Path:
    """A data folder whose SQLite collection has 100 days of a synthetic learner's reviews,
    up to yesterday (made once)."""
    root = tmp_path_factory.mktemp("studied")
    deck = root / "deck.md"
    deck.write_text("---\ntitle: Generated\ndomain: resilient\n---\n# Generated\n\n" + "\n\n".join(
        f"Q: Question {n}\nA: Answer {n}" for n in range(600)) + "\n", encoding="utf-8")
    home = root / "home"
    engine = open_engine(home / DB_NAME)
    start = datetime.now(UTC) - timedelta(days=100)
    import_paths(engine, [deck], start)
    with reading(engine) as session:
        ids = list(session.execute(select(Card.id).order_by(Card.id)).scalars())
    learner = SyntheticLearner(perturbed_parameters(seed=6), seed=1)
    reviews, memories = simulate_study(ids, learner, policy.scheduler_for(Settings()), start,
                                       100, new_per_day=15, seed=1)
    write_history(engine, reviews, memories)
    engine.dispose()
    return home


@pytest.fixture
def studied_home(studied_file, tmp_path) -> Path:
    """That data folder, its collection on the backend the run chose (on PostgreSQL a copy
    in this test's database)."""
    return backends.copied_from_sqlite(studied_file / DB_NAME,
                                       tmp_path / "home" / DB_NAME).parent


def test_stats_json_has_the_five_sections(studied_home):
    result = run(studied_home, "stats", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["heatmap", "forecast", "retention", "domains", "readiness"]
    assert data["heatmap"]["total"] > 5000
    assert len(data["forecast"]["days"]) == 30
    assert set(data["forecast"]["cards"]) == {"new", "learning", "review", "relearning",
                                              "suspended", "retired"}
    thirty = data["retention"]["periods"][2]
    assert thirty["period"] == "30 days" and 0.7 < thirty["all"]["rate"] < 1
    assert data["domains"]["mastery"][0]["domain"] == "resilient"
    assert data["readiness"]["estimate"] is True and data["readiness"]["pass_mark"] == 720


def test_stats_text(studied_home):
    result = run(studied_home, "stats")
    assert result.returncode == 0, result.stderr
    for word in ("heatmap:", "forecast:", "retention", "domains", "Readiness"):
        assert word in result.stdout
    # Its cards are all plain ones: no exam question to estimate a score from.
    assert "Readiness, SAA-C03: no questions for this exam yet" in result.stdout


def question(n: int, domain: str) -> str:
    return (f"## Which one is {n}? {{#q{n}}}\n\n- [x] {n}\n- [ ] {n + 1}\n- [ ] {n + 2}\n"
            f"- [ ] {n + 3}\n\n> Because.\n> domain: {domain}\n")


def test_target_exam_sets_the_exam_readiness_is_for(tmp_path):
    deck = tmp_path / "two-exams.md"
    questions = ([question(n, "secure") for n in range(10)]
                 + [question(n, "saa-c03: resilient, clf-c02: technology") for n in range(10, 14)]
                 + [question(n, "clf-c02: billing") for n in range(14, 17)])
    deck.write_text("# Two exams\n\n" + "\n".join(questions), encoding="utf-8")
    home = tmp_path / "home"
    assert run(home, "import", str(deck)).returncode == 0
    without_bundled_decks(home / DB_NAME)
    saa = json.loads(run(home, "stats", "--json").stdout)["readiness"]
    assert (saa["exam"], saa["pass_mark"], saa["pool"]) == ("saa-c03", 720, 14)
    assert set(saa["today"]["domains"]) <= {"secure", "resilient", "not in the pool"}

    result = run(home, "config", "set", "target-exam", "clf-c02")
    assert result.returncode == 0, result.stderr
    clf = json.loads(run(home, "stats", "--json").stdout)["readiness"]
    assert (clf["exam"], clf["pass_mark"], clf["pool"]) == ("clf-c02", 700, 7)
    assert set(clf["today"]["domains"]) == {"technology-services", "billing-support",
                                            "not in the pool"}
    # Nothing studied: 7 questions and 58 the pool lacks, every one a 1-in-4 guess.
    assert clf["today"]["expected"] == round(100 + 900 * 0.25)
    assert clf["today"]["low"] < clf["today"]["expected"] < clf["today"]["high"]
    text = run(home, "stats").stdout
    assert "Readiness, CLF-C02 (estimate): expected 325 (" in text and "pass mark 700" in text

    bad = run(home, "config", "set", "target-exam", "dva-c02")
    assert bad.returncode != 0 and "target-exam must be one of: saa-c03, clf-c02" in bad.stderr


def test_optimize_fits_compares_and_keeps_better_parameters(studied_home):
    result = run(studied_home, "optimize", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["items"] > 2000 and data["current_is_default"]
    assert data["after"]["log_loss"] < data["before"]["log_loss"]
    assert data["kept"]
    engine = backends.open_test_engine(studied_home / DB_NAME)
    try:
        assert load_parameters(engine) == pytest.approx(data["fitted"])
    finally:
        engine.dispose()
    again = run(studied_home, "optimize")
    assert again.returncode == 0, again.stderr
    assert "log loss" in again.stdout and "current " in again.stdout


def test_optimize_workload(studied_home):
    result = run(studied_home, "optimize", "--workload")
    assert result.returncode == 0, result.stderr
    assert "0.800" in result.stdout and "0.950" in result.stdout and "<- now" in result.stdout
    data = json.loads(run(studied_home, "optimize", "--workload", "--json").stdout)
    rates = [row["reviews_per_day"] for row in data["workload"]]
    assert [row["retention"] for row in data["workload"]] == [0.8, 0.85, 0.9, 0.95]
    assert rates[0] < rates[-1] and data["studied"] > 0 and data["days"] == 365


def test_optimize_on_a_new_collection_keeps_the_defaults(tmp_path):
    result = run(tmp_path / "home", "optimize")
    assert result.returncode == 0, result.stderr
    assert "Not enough reviews" in result.stdout


def test_optimize_retention(studied_home):
    result = run(studied_home, "optimize", "--retention")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    optimal = float(out.split("optimal desired retention: ")[1].split(" ")[0])
    assert 0.70 <= optimal <= 0.95
    assert "your desired retention:    0.90" in out
    assert "simulated from your collection (600 studied cards, 0 new)" in out
    marked = {line.split()[0]: line for line in out.splitlines() if "<- " in line}
    assert marked["0.900"].endswith("yours") and any(
        line.endswith("optimal") for line in marked.values())
    table = [line.split()[0] for line in out.splitlines() if line.startswith("  0.")]
    assert {"0.800", "0.850", "0.900", "0.950"} <= set(table) and table == sorted(table)
    assert "seconds an answer: Again" in out
    data = json.loads(run(studied_home, "optimize", "--retention", "--json").stdout)
    assert data["optimal_retention"] == pytest.approx(optimal, abs=0.006)
    assert data["at_current"]["retention"] == 0.9
    assert data["at_current"]["reviews_per_day"] > 0 and data["at_current"]["minutes_per_day"] > 0
    assert all(data["own_answer_times"])  # the learner's answers are timed
    assert data["own_rating_shares"] == [True, True]  # and rated: 600 first answers on
    first = data["first_rating_shares"]
    assert sum(first) == pytest.approx(1, abs=0.001)
    assert f"ratings of first answers:    Again {first[0]:.0%}, Hard" in out


def test_optimize_retention_on_a_new_collection_says_the_defaults_are_used(tmp_path):
    result = run(tmp_path / "home", "optimize", "--retention")
    assert result.returncode == 0, result.stderr
    assert "No parameters fitted to your reviews yet" in result.stdout
    assert "the default parameters are used" in result.stdout
    assert "defaults for the rest" in result.stdout


def test_optimize_time_series(studied_home):
    result = run(studied_home, "optimize", "--time-series")
    assert result.returncode == 0, result.stderr
    rows = [line.split() for line in result.stdout.splitlines()
            if line.strip()[:1].isdigit()]
    assert [row[0] for row in rows] == ["1", "2", "3", "4"]
    assert "five folds by time" in result.stdout and "lower log loss in" in result.stdout
    data = json.loads(run(studied_home, "optimize", "--time-series", "--json").stdout)
    assert [f["k"] for f in data["folds"]] == [1, 2, 3, 4]
    assert data["folds"][0]["train"] < data["folds"][3]["train"]


def test_optimize_prints_the_margin_decision(studied_home):
    result = run(studied_home, "optimize")
    assert result.returncode == 0, result.stderr
    assert "log loss" in result.stdout and "RMSE(bins)" in result.stdout
    assert "margin" in result.stdout
