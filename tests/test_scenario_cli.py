"""`studyaws scenario KIND`: one generated question, its key and explanation, for deck
authors; as text or JSON; unknown kinds and bad parameters refused in one line."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from studyaws.cli.main import main
from studyaws.core import scenarios
from studyaws.core.questions import Choice, Numeric, Ordering


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["scenario", *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", sorted(scenarios.KINDS))
def test_json_matches_the_engine(capsys, kind):
    code, out, err = run(capsys, kind, "--seed", "7", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"kind", "seed", "params", "stem", "options", "correct", "answer",
                         "tolerance", "explanation"}
    question = scenarios.generate(kind, {}, 7)
    assert (data["kind"], data["seed"], data["params"]) == (kind, 7, {})
    assert data["stem"] == question.stem and data["explanation"] == question.explanation
    if isinstance(question, Choice):
        assert data["options"] == list(question.options)
        assert data["correct"] == sorted(question.correct)
        assert data["answer"] is None and data["tolerance"] is None
    elif isinstance(question, Numeric):
        assert data["answer"] == question.answer and data["tolerance"] == question.tolerance
        assert data["options"] is None and data["correct"] is None
    else:
        assert isinstance(question, Ordering)
        assert [data["options"][i] for i in data["correct"]] == list(question.items)


def test_params_and_numeric_answer(capsys):
    code, out, _ = run(capsys, "dynamodb-capacity", "--param", "operation=read",
                       "--param", "consistency=strong", "--param", "size=8",
                       "--param", "rate=10", "--param", "mode=provisioned", "--seed", "1",
                       "--json")
    assert code == 0
    data = json.loads(out)
    assert data["params"] == {"operation": "read", "consistency": "strong", "size": "8",
                              "rate": "10", "mode": "provisioned"}
    assert data["answer"] == 20 and data["tolerance"] == 0  # 8 KB: 2 units x 10 reads


def test_text_shows_the_question_then_the_key(capsys):
    code, out, _ = run(capsys, "subnet-sizing", "--param", "variant=prefix", "--seed", "5")
    assert code == 0
    question = scenarios.generate("subnet-sizing", {"variant": "prefix"}, 5)
    assert out.index(question.stem) < out.index("A. ") < out.index("Key: ") \
        < out.index("Explanation:")
    letter = "ABCD"[next(iter(question.correct))]
    assert f"Key: {letter}\n" in out
    code, out, _ = run(capsys, "subnet-sizing", "--param", "variant=usable", "--seed", "5")
    answer = scenarios.generate("subnet-sizing", {"variant": "usable"}, 5).answer
    assert "Answer: ____ addresses" in out and f"Key: {int(answer)} addresses" in out


def test_same_seed_same_output_and_the_seed_is_shown(capsys):
    first = run(capsys, "nacl", "--seed", "42")
    assert first == run(capsys, "nacl", "--seed", "42")
    code, out, _ = run(capsys, "nacl")
    seed = int(out.splitlines()[0].rsplit(" ", 1)[1])
    assert run(capsys, "nacl", "--seed", str(seed))[1] == out


@pytest.mark.parametrize("args, words", [
    (["no-such-kind"], "unknown scenario kind 'no-such-kind'"),
    (["nacl", "--param", "rules=99"], "rules must be a number or range"),
    (["nacl", "--param", "colour=red"], "unknown parameter 'colour'"),
    (["nacl", "--param", "rules"], "--param takes NAME=VALUE"),
    (["nacl", "--param", "rules=3", "--param", "rules=4"], "given twice"),
    (["nacl", "--seed", "-1"], "--seed takes a whole number"),
    (["nacl", "--seed", "abc"], "--seed takes a whole number"),
    (["dynamodb-capacity", "--param", "operation=write", "--param", "consistency=strong"],
     "writes are standard or transactional"),
])
def test_refusals_are_one_line_exit_2(capsys, args, words):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and words in err and "Traceback" not in err


def test_check_lists_at_least_ten_kinds(capsys):
    assert main(["check", "--scenarios"]) == 0
    out = capsys.readouterr().out
    kinds = [line.split(":")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert {"dynamodb-capacity", "subnet-sizing", "sg-nacl-path", "dr-strategy",
            "s3-storage-class"} <= set(kinds)
    assert len(kinds) == len(scenarios.KINDS) >= 10


@pytest.mark.slow
def test_a_real_process(tmp_path):
    bad = subprocess.run([sys.executable, "-m", "studyaws", "scenario", "nope"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1 and not bad.stdout
    good = subprocess.run([sys.executable, "-m", "studyaws", "scenario", "aurora-quorum",
                           "--seed", "3", "--json"], capture_output=True, text=True,
                          cwd=tmp_path)
    assert good.returncode == 0 and json.loads(good.stdout)["seed"] == 3
