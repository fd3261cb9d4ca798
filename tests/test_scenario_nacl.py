"""Hand-worked cases for the network ACL engine."""

from __future__ import annotations

import random

import pytest

from studyaws.core import scenarios
from studyaws.core.questions import Choice, Ordering
from studyaws.core.scenarios import nacl
from studyaws.core.scenarios.nacl import Packet, Rule, evaluate


def tcp_in(address: str, port: int) -> Packet:
    return Packet("tcp", address, "inbound", port)


# --- evaluation -----------------------------------------------------------------------------


def test_lowest_number_wins_with_overlapping_rules():
    rules = [
        Rule(100, "allow", "tcp", "0.0.0.0/0", "inbound", (443, 443)),
        Rule(90, "deny", "tcp", "203.0.113.0/24", "inbound", (443, 443)),
    ]
    denied = evaluate(rules, tcp_in("203.0.113.5", 443))
    assert (denied.allowed, denied.rule) == (False, 90)
    allowed = evaluate(rules, tcp_in("198.51.100.1", 443))
    assert (allowed.allowed, allowed.rule) == (True, 100)


def test_rule_order_in_the_list_does_not_matter():
    rules = [
        Rule(200, "allow", "all", "0.0.0.0/0", "inbound"),
        Rule(110, "deny", "tcp", "0.0.0.0/0", "inbound", (22, 22)),
    ]
    assert evaluate(rules, tcp_in("192.0.2.9", 22)).rule == 110
    assert evaluate(list(reversed(rules)), tcp_in("192.0.2.9", 22)).rule == 110


@pytest.mark.parametrize(
    ("port", "allowed", "rule"),
    [
        (1024, True, 100),  # == range start
        (65535, True, 100),  # == range end
        (1023, False, "*"),  # one below the start
        (2000, True, 100),
    ],
)
def test_port_range_boundaries(port, allowed, rule):
    rules = [Rule(100, "allow", "tcp", "0.0.0.0/0", "inbound", (1024, 65535))]
    decision = evaluate(rules, tcp_in("198.51.100.7", port))
    assert (decision.allowed, decision.rule) == (allowed, rule)


def test_single_port_range_one_outside():
    rules = [Rule(100, "allow", "tcp", "0.0.0.0/0", "inbound", (80, 443))]
    assert evaluate(rules, tcp_in("192.0.2.1", 443)).allowed
    assert evaluate(rules, tcp_in("192.0.2.1", 80)).allowed
    outside = evaluate(rules, tcp_in("192.0.2.1", 444))
    assert outside.rule == "*"
    assert "port 444 is outside 80-443" in outside.steps[0]


def test_slash_32_and_slash_0():
    rules = [
        Rule(100, "allow", "tcp", "203.0.113.10/32", "inbound", (22, 22)),
        Rule(200, "deny", "all", "0.0.0.0/0", "inbound"),
    ]
    assert evaluate(rules, tcp_in("203.0.113.10", 22)).rule == 100
    other = evaluate(rules, tcp_in("203.0.113.11", 22))
    assert (other.allowed, other.rule) == (False, 200)
    assert "203.0.113.11 is not in 203.0.113.10/32" in other.steps[0]


def test_rule_numbers_1_and_32766():
    rules = [
        Rule(32766, "allow", "all", "0.0.0.0/0", "inbound"),
        Rule(1, "deny", "tcp", "0.0.0.0/0", "inbound", (22, 22)),
    ]
    assert evaluate(rules, tcp_in("192.0.2.1", 22)).rule == 1
    web = evaluate(rules, tcp_in("192.0.2.1", 80))
    assert (web.allowed, web.rule) == (True, 32766)
    with pytest.raises(ValueError):
        Rule(0, "allow", "all", "0.0.0.0/0")
    with pytest.raises(ValueError):
        Rule(32767, "allow", "all", "0.0.0.0/0")


def test_directions_are_separate():
    rules = [
        Rule(100, "allow", "all", "0.0.0.0/0", "outbound"),
        Rule(100, "deny", "tcp", "0.0.0.0/0", "inbound", (443, 443)),
    ]
    assert evaluate(rules, tcp_in("192.0.2.1", 443)).rule == 100
    assert not evaluate(rules, tcp_in("192.0.2.1", 443)).allowed
    out = evaluate(rules, Packet("tcp", "192.0.2.1", "outbound", 443))
    assert out.allowed
    # an inbound packet with only outbound rules falls to the default
    only_out = [Rule(100, "allow", "all", "0.0.0.0/0", "outbound")]
    assert evaluate(only_out, tcp_in("192.0.2.1", 80)).rule == "*"


def test_default_rule_denies_when_nothing_matches():
    decision = evaluate([], Packet("icmp", "192.0.2.1", "inbound"))
    assert (decision.allowed, decision.rule) == (False, "*")
    assert nacl.decision_text(decision) == "Denied by the default * rule"


def test_protocols():
    rules = [
        Rule(100, "allow", "icmp", "0.0.0.0/0", "inbound"),
        Rule(110, "deny", "udp", "0.0.0.0/0", "inbound", (53, 53)),
        Rule(120, "allow", "all", "10.0.0.0/16", "inbound"),
    ]
    assert evaluate(rules, Packet("icmp", "192.0.2.1", "inbound")).rule == 100
    assert evaluate(rules, Packet("udp", "192.0.2.1", "inbound", 53)).rule == 110
    assert evaluate(rules, Packet("tcp", "10.0.7.7", "inbound", 53)).rule == 120
    assert evaluate(rules, Packet("tcp", "192.0.2.1", "inbound", 53)).rule == "*"


def test_duplicate_numbers_in_one_direction_are_rejected():
    rules = [
        Rule(100, "allow", "all", "0.0.0.0/0", "inbound"),
        Rule(100, "deny", "all", "0.0.0.0/0", "inbound"),
    ]
    with pytest.raises(ValueError):
        evaluate(rules, tcp_in("192.0.2.1", 80))


def test_explanation_walks_through_the_rules():
    rules = [
        Rule(100, "allow", "tcp", "0.0.0.0/0", "inbound", (80, 443)),
        Rule(110, "allow", "tcp", "0.0.0.0/0", "inbound", (22, 22)),
        Rule(120, "deny", "all", "0.0.0.0/0", "inbound"),
    ]
    decision = evaluate(rules, tcp_in("192.0.2.1", 22))
    assert decision.rule == 110
    assert "Rule 100" in decision.steps[0] and "port 22 is outside 80-443" in decision.steps[0]
    assert "Rule 110" in decision.steps[1] and "First match wins" in decision.steps[1]
    assert len(decision.steps) == 2


def test_decision_texts():
    assert nacl.decision_text(nacl.Decision(True, 110, ())) == "Allowed by rule 110"
    assert nacl.decision_text(nacl.Decision(False, 120, ())) == "Denied by rule 120"


def test_response_packet_uses_the_ephemeral_port_and_the_other_direction():
    request = tcp_in("203.0.113.7", 443)
    response = nacl.response_packet(request, 49152)
    assert response == Packet("tcp", "203.0.113.7", "outbound", 49152)
    outbound_request = Packet("udp", "198.51.100.2", "outbound", 53)
    assert nacl.response_packet(outbound_request, 1024).direction == "inbound"


def test_stateless_return_traffic_needs_an_ephemeral_rule():
    rules = [
        Rule(100, "allow", "tcp", "0.0.0.0/0", "inbound", (443, 443)),
        Rule(100, "allow", "tcp", "0.0.0.0/0", "outbound", (443, 443)),
    ]
    request = tcp_in("203.0.113.7", 443)
    assert evaluate(rules, request).allowed
    response = nacl.response_packet(request, 50000)
    assert evaluate(rules, response).rule == "*"
    rules.append(Rule(110, "allow", "tcp", "0.0.0.0/0", "outbound", (1024, 65535)))
    assert evaluate(rules, response).rule == 110


def test_rule_table_is_markdown_with_the_default_rule_last():
    rules = [Rule(100, "allow", "tcp", "0.0.0.0/0", "inbound", (443, 443))]
    table = nacl.rule_table(rules, "inbound").splitlines()
    assert table[0].startswith("| Rule # |")
    assert table[2] == "| 100 | TCP | 443 | 0.0.0.0/0 | ALLOW |"
    assert table[-1] == "| * | All | All | 0.0.0.0/0 | DENY |"


# --- generation -----------------------------------------------------------------------------


def test_decide_variant_marks_the_engines_decision():
    for seed in range(50):
        made = nacl.scenario({"variant": "decide"}, random.Random(seed))
        question = made.question
        assert isinstance(question, Choice)
        expected = nacl.decision_text(evaluate(made.setup.rules, made.setup.packet))
        assert [question.options[i] for i in question.correct] == [expected]
        assert "| Rule # |" in question.stem


def test_order_variant_lists_rules_by_number_then_default():
    made = nacl.scenario({"variant": "order", "rules": "8"}, random.Random(3))
    question = made.question
    assert isinstance(question, Ordering)
    numbers = [int(item.split(":")[0].split()[1]) for item in question.items[:-1]]
    assert numbers == sorted(numbers) and len(numbers) == 8
    assert question.items[-1] == "Rule *: deny all traffic"


def test_return_traffic_request_is_allowed_and_response_judged_by_engine():
    for seed in range(50):
        made = nacl.scenario({"variant": "return-traffic"}, random.Random(seed))
        setup = made.setup
        assert evaluate(setup.rules, setup.request).allowed
        assert setup.response.port == setup.client_port


def test_validate_messages():
    assert nacl.validate({"rules": "4-6", "direction": "inbound", "variant": "decide"}) == []
    assert nacl.validate({"rules": "9"}) == [
        ("rules", "rules must be a number or range within 3-8 (got '9')")
    ]
    assert [p for p, _ in nacl.validate({"rules": "6-4"})] == ["rules"]
    assert [p for p, _ in nacl.validate({"direction": "sideways"})] == ["direction"]
    assert [p for p, _ in nacl.validate({"variant": "guess"})] == ["variant"]
    assert scenarios.validate("nacl", {"color": "red"})[0][0] == "color"
