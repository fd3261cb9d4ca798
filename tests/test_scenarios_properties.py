"""Properties of every scenario kind, over many seeds and parameter combinations.

The option(s) marked correct always equal the engine's own evaluation of the setup the
question was generated from; multi-select stems say "(Choose N.)" for exactly N correct
options; options are distinct; the same seed gives the same question; `validate` accepts
every documented parameter combination and rejects bad values.
"""

from __future__ import annotations

import itertools
import os
import random
import re
import subprocess
import sys

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studyaws.core import scenarios
from studyaws.core.questions import Choice, Numeric, Ordering, question_from_dict, question_to_dict
from studyaws.core.scenarios import (
    aurora_quorum,
    backup_retention,
    multi_az_vs_replica,
    nacl,
    subnet_routing,
)
from studyaws.core.scenarios._common import NUMBER_WORDS

# Documented values per kind and parameter (None: the parameter is left out).
DOCUMENTED: dict[str, dict[str, list[str | None]]] = {
    "nacl": {
        "direction": [None, "inbound", "outbound", "any"],
        "rules": [None, "3", "5", "8", "4-6", "3-8"],
        "variant": [None, "decide", "order", "return-traffic", "any"],
    },
    "aurora-quorum": {
        "lose": [None, "1", "2", "3", "1-4", "2-6", "6"],
        "az-loss": [None, "yes", "no", "any"],
        "variant": [None, "status", "tolerance", "any"],
    },
    "backup-retention": {
        "retention": [None, "0", "1", "7", "35", "1-35", "5-10"],
        "deleted": [None, "yes", "no", "any"],
        "variant": [None, "restore", "statements", "any"],
    },
    "multi-az-vs-replica": {
        "variant": [None, "pick", "statements", "any"],
        "requirements": [None, "1", "2", "3", "1-3"],
    },
    "subnet-routing": {
        "variant": [None, "outbound", "inbound", "fix", "any"],
        "nat": [None, "gateway", "instance", "none", "any"],
    },
    "dynamodb-capacity": {
        "operation": [None, "read", "write", "any"],
        "consistency": [None, "transactional", "any"],
        "mode": [None, "provisioned", "on-demand", "any"],
        "size": [None, "1", "4-8", "400"],
        "rate": [None, "1", "10-100"],
    },
    "subnet-sizing": {
        "variant": [None, "usable", "any"],
        "prefix": [None, "16-28", "20-24"],
    },
    "sg-nacl-path": {
        "variant": [None, "drop", "fix", "any"],
        "network": [None, "same-vpc", "peered", "any"],
        "broken": [None, "1", "2", "1-2"],
    },
    "dr-strategy": {
        "variant": [None, "pick", "setup", "any"],
        "strategy": [None, "backup-restore", "pilot-light", "warm-standby", "active-active",
                     "any"],
    },
    "s3-storage-class": {
        "variant": [None, "class", "charge", "lifecycle", "any"],
    },
}

BAD: dict[str, list[dict[str, str]]] = {
    "nacl": [{"rules": "2"}, {"rules": "9"}, {"rules": "x"}, {"direction": "up"}],
    "aurora-quorum": [{"lose": "0"}, {"lose": "7"}, {"az-loss": "maybe"}, {"variant": "x"}],
    "backup-retention": [{"retention": "36"}, {"retention": "-1"}, {"deleted": "gone"}],
    "multi-az-vs-replica": [{"requirements": "0"}, {"requirements": "4"}, {"variant": "x"}],
    "subnet-routing": [{"nat": "router"}, {"variant": "x"}],
    "dynamodb-capacity": [{"size": "0"}, {"size": "401"}, {"rate": "5001"}, {"mode": "x"},
                          {"operation": "write", "consistency": "eventual"}],
    "subnet-sizing": [{"prefix": "15"}, {"prefix": "29"}, {"variant": "x"},
                      {"variant": "fit", "prefix": "16"}],
    "sg-nacl-path": [{"broken": "0"}, {"broken": "3"}, {"network": "transit"}, {"variant": "x"}],
    "dr-strategy": [{"strategy": "cold"}, {"variant": "x"}],
    "s3-storage-class": [{"variant": "cheapest"}],
}

SEEDS = st.integers(min_value=0, max_value=2**32 - 1)


def params_for(kind: str) -> st.SearchStrategy[dict[str, str]]:
    fields = {name: st.sampled_from(values) for name, values in DOCUMENTED[kind].items()}
    return st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not None}
    )


def consistent(kind: str, params: dict[str, str]) -> bool:
    return not scenarios.validate(kind, params)


def right_options(question: Choice) -> set[str]:
    return {question.options[i] for i in question.correct}


def check_shape(question) -> None:
    if isinstance(question, Choice):
        assert len(question.options) >= 2
        assert len(set(question.options)) == len(question.options)
        assert question.correct and all(0 <= i < len(question.options) for i in question.correct)
        assert len(question.correct) < len(question.options)
        phrases = re.findall(r"\(Choose (\w+)\.\)", question.stem)
        if question.choose > 1:
            assert phrases == [NUMBER_WORDS[question.choose]]
        else:
            assert phrases == []
    elif isinstance(question, Ordering):
        assert len(question.items) >= 2
        assert len(set(question.items)) == len(question.items)
    else:
        assert isinstance(question, Numeric)
    assert question.explanation.strip()
    assert "[/" not in question.stem  # no Rich/Textual markup
    assert question_from_dict(question_to_dict(question)) == question


def check_same_seed(kind: str, params: dict[str, str], seed: int) -> None:
    first = scenarios.generate(kind, params, seed)
    assert scenarios.generate(kind, params, seed) == first
    module = scenarios.kind_module(kind)
    assert module.scenario(params, random.Random(seed)).question == first


PROPERTY_SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much]
)


# --- nacl ---------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(params=params_for("nacl"), seed=SEEDS)
def test_nacl_properties(params, seed):
    made = nacl.scenario(params, random.Random(seed))
    question = made.question
    check_shape(question)
    check_same_seed("nacl", params, seed)
    low, high = _range(params.get("rules", "3-8"))
    if params.get("variant") in ("decide", "order", "return-traffic"):
        assert made.variant == params["variant"]
    setup = made.setup
    if made.variant == "decide":
        decision = nacl.evaluate(setup.rules, setup.packet)
        assert right_options(question) == {nacl.decision_text(decision)}
        assert low <= len(setup.rules) <= high
        if params.get("direction") in ("inbound", "outbound"):
            assert setup.packet.direction == params["direction"]
    elif made.variant == "order":
        assert isinstance(question, Ordering)
        numbers = [int(item.split(":")[0].split()[1]) for item in question.items[:-1]]
        assert numbers == sorted(r.number for r in setup.rules)
        assert question.items[-1] == "Rule *: deny all traffic"
        assert low <= len(numbers) <= high
    else:
        request_decision = nacl.evaluate(setup.rules, setup.request)
        assert request_decision.allowed
        decision = nacl.evaluate(setup.rules, setup.response)
        response_rules = [r for r in setup.rules if r.direction == setup.response.direction]
        assert low <= len(response_rules) <= high
        if params.get("direction") in ("inbound", "outbound"):
            assert setup.request.direction == params["direction"]
        if setup.statements:
            truths = nacl.statement_truths(setup)
            for i, text in enumerate(question.options):
                assert truths[text] == (i in question.correct), text
            crossing = [
                t
                for t in question.options
                if t.startswith("The response ") and ("leaves" in t or "gets back" in t)
            ]
            for text in crossing:
                assert (text in right_options(question)) == decision.allowed
        else:
            assert right_options(question) == {nacl.response_option(setup, decision)}


def _range(text: str) -> tuple[int, int]:
    parts = text.split("-")
    return int(parts[0]), int(parts[-1])


# --- aurora -------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(params=params_for("aurora-quorum"), seed=SEEDS)
def test_aurora_properties(params, seed):
    made = aurora_quorum.scenario(params, random.Random(seed))
    question = made.question
    check_shape(question)
    check_same_seed("aurora-quorum", params, seed)
    lost = made.setup.lost
    if consistent("aurora-quorum", params):
        if "lose" in params:
            low, high = _range(params["lose"])
            assert low <= len(lost) <= high
        if params.get("az-loss") == "yes":
            assert aurora_quorum.lost_azs(lost)
        if params.get("az-loss") == "no":
            assert not aurora_quorum.lost_azs(lost)
    if made.variant == "status":
        assert isinstance(question, Choice)
        assert right_options(question) == {aurora_quorum.STATUS_OPTIONS[aurora_quorum.status(lost)]}
    else:
        assert isinstance(question, Numeric)
        operation = made.setup.operation
        works = aurora_quorum.can_write if operation == "write" else aurora_quorum.can_read
        assert works(lost)
        assert question.answer == aurora_quorum.more_losses_tolerated(lost, operation)
        # losing that many more still works, one more does not
        more = int(question.answer)
        remaining = [c for c in aurora_quorum.COPIES if c not in lost]
        assert works(set(lost) | set(remaining[:more]))
        assert not works(set(lost) | set(remaining[: more + 1]))


# --- backup retention ---------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(params=params_for("backup-retention"), seed=SEEDS)
def test_backup_properties(params, seed):
    made = backup_retention.scenario(params, random.Random(seed))
    question = made.question
    check_shape(question)
    check_same_seed("backup-retention", params, seed)
    backups, requested = made.setup.backups, made.setup.requested
    if "retention" in params:
        low, high = _range(params["retention"])
        assert low <= backups.retention_days <= high
    if params.get("deleted") in ("yes", "no"):
        assert backups.deleted == (params["deleted"] == "yes")
    assert requested <= backups.now
    found = backup_retention.restore_options(backups, requested)
    assert isinstance(question, Choice)
    if made.variant == "restore":
        expected = {backup_retention.option_text(o) for o in found} or {
            backup_retention.NOT_POSSIBLE_OPTION
        }
        assert right_options(question) == expected
    else:
        truths = dict(backup_retention.statement_truths(made.setup))
        for i, text in enumerate(question.options):
            assert truths[text] == (i in question.correct), text
        pitr = f"A point-in-time restore to {backup_retention.fmt(requested)} is possible."
        if pitr in question.options:
            window = backup_retention.restore_window(backups)
            possible = window is not None and window[0] <= requested <= window[1]
            assert (pitr in right_options(question)) == possible


# --- multi-az vs read replica -------------------------------------------------------------


@PROPERTY_SETTINGS
@given(params=params_for("multi-az-vs-replica"), seed=SEEDS)
def test_multi_az_properties(params, seed):
    made = multi_az_vs_replica.scenario(params, random.Random(seed))
    question = made.question
    check_shape(question)
    check_same_seed("multi-az-vs-replica", params, seed)
    assert isinstance(question, Choice)
    if made.variant == "pick":
        requirements = made.setup.requirements
        if "requirements" in params:
            low, high = _range(params["requirements"])
            assert low <= len(requirements) <= high
        best = multi_az_vs_replica.simplest(requirements)
        assert len(best) == 1
        assert right_options(question) == {multi_az_vs_replica.DEPLOYMENT_TEXT[best[0]]}
        for deployment in multi_az_vs_replica.DEPLOYMENTS:
            text = multi_az_vs_replica.DEPLOYMENT_TEXT[deployment]
            if text not in right_options(question) and text in question.options:
                meets_all = all(multi_az_vs_replica.meets(deployment, r) for r in requirements)
                cheaper = multi_az_vs_replica.cost(best[0])
                assert not meets_all or multi_az_vs_replica.cost(deployment) > cheaper
    else:
        by_text = {text: (f, p) for f, p, text in made.setup.statements}
        for i, text in enumerate(question.options):
            feature, prop = by_text[text]
            assert multi_az_vs_replica.has(feature, prop) == (i in question.correct)


# --- subnet routing -----------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(params=params_for("subnet-routing"), seed=SEEDS)
def test_subnet_routing_properties(params, seed):
    made = subnet_routing.scenario(params, random.Random(seed))
    question = made.question
    check_shape(question)
    check_same_seed("subnet-routing", params, seed)
    setup = made.setup
    nat = params.get("nat")
    if nat == "gateway":
        assert setup.vpc.nat_gateway is not None and setup.vpc.nat_instance is None
    elif nat == "instance":
        assert setup.vpc.nat_instance is not None and setup.vpc.nat_gateway is None
    elif nat == "none":
        assert setup.vpc.nat_instance is None and setup.vpc.nat_gateway is None
    assert isinstance(question, Choice)
    result = subnet_routing.check(setup.vpc, setup.instance, setup.direction)
    if made.variant == "fix":
        assert not result.reachable
        fixes = {f.text: f for f in subnet_routing.candidate_fixes(setup.vpc, setup.instance)}
        for i, text in enumerate(question.options):
            works = subnet_routing.fix_works(
                setup.vpc, setup.instance, fixes[text], setup.direction
            )
            assert works == (i in question.correct), text
    else:
        assert made.variant == setup.direction
        expected = subnet_routing.reason_text(result.reason, setup.vpc, setup.instance)
        assert right_options(question) == {expected}
        assert question.options[min(question.correct)].startswith(
            "Yes" if result.reachable else "No"
        )


# --- all kinds ----------------------------------------------------------------------------


def test_validate_accepts_every_documented_combination():
    for kind, documented in DOCUMENTED.items():
        names = list(documented)
        for values in itertools.product(*(documented[n] for n in names)):
            params = {n: v for n, v in zip(names, values, strict=True) if v is not None}
            problems = scenarios.validate(kind, params)
            if kind == "aurora-quorum":
                lose = params.get("lose")
                az = params.get("az-loss")
                impossible = (az == "no" and lose in ("6",)) or (az == "yes" and lose == "1")
                if impossible:
                    assert [p for p, _ in problems] == ["lose"]
                    continue
            assert problems == [], (kind, params, problems)


def test_validate_rejects_bad_values():
    for kind, cases in BAD.items():
        for params in cases:
            problems = scenarios.validate(kind, params)
            assert problems, (kind, params)
            assert all(p in params for p, _ in problems)
            assert all(message for _, message in problems)


def test_unknown_parameter_and_kind():
    assert scenarios.validate("nacl", {"colour": "blue"})[0][0] == "colour"
    assert scenarios.validate("no-such-kind", {})[0][0] is None


def test_every_module_declares_its_interface():
    for kind, module in scenarios.KINDS.items():
        assert kind == module.NAME
        assert module.TITLE
        assert set(module.PARAMS) == set(DOCUMENTED[kind])
        assert all(module.PARAMS.values())


@settings(max_examples=60, deadline=None)
@given(seed=SEEDS)
def test_every_kind_with_no_parameters(seed):
    for kind in scenarios.KINDS:
        question = scenarios.generate(kind, {}, seed)
        check_shape(question)


_DIGEST = """
import hashlib, json
from studyaws.core import scenarios
from studyaws.core.questions import question_to_dict
digest = hashlib.sha256()
for kind in sorted(scenarios.KINDS):
    for seed in range(40):
        question = scenarios.generate(kind, {}, seed)
        digest.update(json.dumps(question_to_dict(question), sort_keys=True).encode())
print(digest.hexdigest())
"""


def test_same_seed_same_question_across_processes():
    """No dependence on string hashing or other per-process state."""
    outputs = set()
    for hash_seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=hash_seed)
        run = subprocess.run(
            [sys.executable, "-c", _DIGEST], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(run.stdout.strip())
    assert len(outputs) == 1
