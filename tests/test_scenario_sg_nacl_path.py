"""The sg-nacl-path engine: the whole path of a connection and its response, hand-worked,
and every generated question re-judged against the model over many seeds."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from studyaws.core import scenarios
from studyaws.core.questions import Choice
from studyaws.core.scenarios import sg_nacl_path as sp
from studyaws.core.scenarios._common import parse_range


def working(network: str, seed: int = 0) -> sp.PathSetup:
    return sp._working(network, random.Random(seed))


@pytest.mark.parametrize("network", sp.NETWORKS)
def test_a_working_configuration_passes_every_hop(network):
    for seed in range(30):
        setup = working(network, seed)
        assert sp.works(setup) and not sp.valid(setup)
        hops = [r.hop for r in sp.walk(setup)]
        assert ("rt-a" in hops) == (network == "peered")


def test_security_groups_are_stateful():
    setup = replace(working("same-vpc"), sg_server_out=(), sg_client_in=())
    assert sp.works(setup)  # no outbound rules on the server, no inbound on the client


def test_network_acls_are_stateless():
    setup = working("same-vpc")
    only_service_port = (sp.AclRule(100, True, setup.port, setup.port, setup.subnet_a),)
    broken = replace(setup, nacl_b_out=only_service_port)
    assert sp.first_drop(broken) == "nacl-b-out"
    fixed = sp.apply(broken, sp.Change("nacl-b-out", ""))
    assert sp.works(fixed)


def test_lowest_numbered_rule_decides():
    setup = working("same-vpc")
    deny = sp.AclRule(90, False, setup.port, setup.port, "0.0.0.0/0")
    assert sp.first_drop(replace(setup, nacl_b_in=setup.nacl_b_in + (deny,))) == "nacl-b-in"
    late = replace(deny, number=200)
    assert sp.works(replace(setup, nacl_b_in=setup.nacl_b_in + (late,)))


def test_peering_needs_a_route_each_way():
    setup = working("peered")
    no_return = replace(setup, routes_b=((setup.vpc_b, "local"),))
    assert sp.first_drop(no_return) == "rt-b"
    no_out = replace(setup, routes_a=((setup.vpc_a, "local"),))
    assert sp.first_drop(no_out) == "rt-a"


def test_bad_parameters():
    assert sp.validate({"broken": "3"})
    assert sp.validate({"network": "transit"})
    assert not sp.validate({"variant": "drop", "network": "peered", "broken": "1-2"})


def check_seed(params: dict[str, str], seed: int) -> None:
    assert not scenarios.validate("sg-nacl-path", params)
    made = sp.scenario(params, random.Random(seed))
    setup, question = made.setup, made.question
    assert isinstance(question, Choice) and len(question.correct) == 1
    assert len(set(question.options)) == len(question.options) == 4
    assert not sp.valid(setup), sp.valid(setup)  # AWS accepts the configuration
    if "network" in params and params["network"] != "any":
        assert setup.network == params["network"]
    failing = [r.hop for r in sp.walk(setup) if not r.passes]
    assert failing, "the stem says the connection fails"
    if made.variant == "fix":
        assert len(failing) == 1
        by_text = {c.text: c for c in sp.changes(setup)}
        for index, text in enumerate(question.options):
            fixes = sp.works(sp.apply(setup, by_text[text]))
            assert fixes == (index in question.correct), (seed, text)
    else:
        if "broken" in params:
            low, high = parse_range(params["broken"], 1, 2)
            assert low <= len(failing) <= high
        by_text = {text: hop for hop, text in sp.HOP_TEXT.items()}
        first = failing[0]
        for index, text in enumerate(question.options):
            assert (by_text[text] == first) == (index in question.correct), (seed, text)
        # a hop of the stateful kind is never where traffic drops
        assert first not in ("sg-server-out", "sg-client-in")


PARAMS = [{}, {"variant": "fix"}, {"variant": "drop"}, {"network": "peered"},
          {"network": "same-vpc", "variant": "fix"}, {"variant": "drop", "broken": "2"},
          {"variant": "drop", "broken": "1", "network": "peered"}]


@pytest.mark.parametrize("params", PARAMS)
def test_fifty_seeds(params):
    for seed in range(50):
        check_seed(params, seed)


@pytest.mark.slow
@pytest.mark.parametrize("params", PARAMS)
def test_thousand_seeds(params):
    for seed in range(1000):
        check_seed(params, seed)


def test_every_hop_breaks_and_the_traps_come_up():
    first_drops, stateful_offered = set(), 0
    for seed in range(200):
        made = sp.scenario({"network": "peered"}, random.Random(seed))
        first_drops.add(sp.first_drop(made.setup))
        stateful_offered += any("db-1's security group, outbound" in o or
                                "to db-1's security group allowing TCP ports 1024" in o or
                                "app-1's security group, inbound" in o or
                                "to app-1's security group allowing TCP ports 1024" in o
                                for o in made.question.options)
    assert first_drops == set(sp.HOPS)
    assert stateful_offered > 150
