"""Network ACL rule evaluation.

Longer than 500 lines on purpose: one scenario engine is one file (docs/architecture.md), its
model, its question variants and their wording together, so that a rule and every sentence
that states it are checked side by side.

A model of a VPC network ACL: numbered rules (1-32766) for inbound and outbound traffic,
evaluated lowest number first; the first rule that matches allows or denies the packet, and
the final `*` rule denies anything no numbered rule matched. Network ACLs are stateless, so a
response is checked against the rules of the other direction; security groups (modelled only
in statements) are stateful and have only allow rules.

Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, replace

from studyaws.core.questions import Ordering, Question
from studyaws.core.scenarios._common import (
    Scenario,
    build_choice,
    check_enum,
    check_range,
    pick_enum,
    pick_from_range,
)

NAME = "nacl"
TITLE = "Network ACL rule evaluation"
PARAMS = {
    "direction": "inbound or outbound: the direction of the packet (or of the request, for "
    "return-traffic); default either",
    "rules": "how many numbered rules, a number or range within 3-8 (e.g. 5 or 4-6); default 3-8",
    "variant": "decide (which rule decides a packet), order (evaluation order) or "
    "return-traffic (stateless responses); default any",
}

DIRECTIONS = ("inbound", "outbound")
VARIANTS = ("decide", "order", "return-traffic")
PROTOCOLS = ("tcp", "udp", "icmp", "all")
ACTIONS = ("allow", "deny")
MIN_RULE, MAX_RULE = 1, 32766
MIN_RULES, MAX_RULES = 3, 8
EPHEMERAL_PORTS = (1024, 65535)
# "Many Linux kernels (including the Amazon Linux kernel) use ports 32768-61000" (Amazon VPC
# User Guide, "Ephemeral ports"); docs/scenarios.md cites it.
LINUX_EPHEMERAL_PORTS = (32768, 61000)
# The subnet whose network ACL every question shows. A network ACL sees only traffic that
# crosses the subnet's boundary, so a packet's other end is never inside this CIDR.
SUBNET_CIDR = "10.0.1.0/24"
DEFAULT_RULE = "*"


# --- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    """One network ACL rule. `ports` is None for every port (and always None for icmp/all)."""

    number: int
    action: str
    protocol: str
    cidr: str
    direction: str = "inbound"
    ports: tuple[int, int] | None = None

    def __post_init__(self) -> None:
        if not MIN_RULE <= self.number <= MAX_RULE:
            raise ValueError(f"rule number must be {MIN_RULE}-{MAX_RULE}, got {self.number}")
        if self.action not in ACTIONS:
            raise ValueError(f"action must be allow or deny, got {self.action!r}")
        if self.protocol not in PROTOCOLS:
            raise ValueError(f"protocol must be one of {PROTOCOLS}, got {self.protocol!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be inbound or outbound, got {self.direction!r}")
        if self.ports is not None:
            if self.protocol not in ("tcp", "udp"):
                raise ValueError("only tcp and udp rules have a port range")
            start, end = self.ports
            if not 0 <= start <= end <= 65535:
                raise ValueError(f"bad port range {self.ports}")
        ipaddress.ip_network(self.cidr)  # raises ValueError for a bad CIDR

    @property
    def network(self) -> ipaddress.IPv4Network | ipaddress.IPv6Network:
        return ipaddress.ip_network(self.cidr)

    def port_text(self) -> str:
        if self.ports is None:
            return "All"
        start, end = self.ports
        return str(start) if start == end else f"{start}-{end}"

    def describe(self) -> str:
        """'allow TCP 443 from 0.0.0.0/0'"""
        preposition = "from" if self.direction == "inbound" else "to"
        what = protocol_label(self.protocol)
        if self.protocol in ("tcp", "udp"):
            if self.ports is None:
                what += " all ports"
            elif self.ports[0] == self.ports[1]:
                what += f" port {self.ports[0]}"
            else:
                what += f" ports {self.ports[0]}-{self.ports[1]}"
        elif self.protocol == "all":
            what = "all traffic"
        return f"{self.action} {what} {preposition} {self.cidr}"


@dataclass(frozen=True)
class Packet:
    """A packet crossing the subnet boundary.

    `address` is the source IP for an inbound packet and the destination IP for an outbound one;
    `port` is the destination port (None for ICMP).
    """

    protocol: str
    address: str
    direction: str
    port: int | None = None

    def __post_init__(self) -> None:
        if self.protocol not in ("tcp", "udp", "icmp"):
            raise ValueError(f"a packet is tcp, udp or icmp, got {self.protocol!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be inbound or outbound, got {self.direction!r}")
        if self.protocol in ("tcp", "udp") and (self.port is None or not 0 <= self.port <= 65535):
            raise ValueError("a tcp or udp packet needs a port 0-65535")
        ipaddress.ip_address(self.address)


@dataclass(frozen=True)
class Decision:
    """The outcome: allowed or not, the deciding rule number (or '*'), and the walk-through."""

    allowed: bool
    rule: int | str
    steps: tuple[str, ...]


def protocol_label(protocol: str) -> str:
    return {"tcp": "TCP", "udp": "UDP", "icmp": "ICMP", "all": "All"}[protocol]


def mismatch(rule: Rule, packet: Packet) -> str | None:
    """Why `rule` does not match `packet`, or None when it matches."""
    if rule.direction != packet.direction:
        return f"it is an {rule.direction} rule and the packet is {packet.direction}"
    if rule.protocol != "all" and rule.protocol != packet.protocol:
        return (
            f"the packet is {protocol_label(packet.protocol)} and the rule is for "
            f"{protocol_label(rule.protocol)}"
        )
    if rule.protocol in ("tcp", "udp") and rule.ports is not None:
        start, end = rule.ports
        assert packet.port is not None
        if not start <= packet.port <= end:
            if start == end:
                return f"port {packet.port} is not {start}"
            return f"port {packet.port} is outside {start}-{end}"
    if ipaddress.ip_address(packet.address) not in rule.network:
        return f"{packet.address} is not in {rule.cidr}"
    return None


def _match_detail(rule: Rule, packet: Packet) -> str:
    parts = []
    if rule.protocol == "all":
        parts.append("it covers all protocols")
    else:
        parts.append(f"the protocol is {protocol_label(rule.protocol)}")
    if rule.protocol in ("tcp", "udp"):
        if rule.ports is None:
            parts.append("it covers all ports")
        else:
            start, end = rule.ports
            if start == end:
                parts.append(f"port {packet.port} is {start}")
            else:
                parts.append(f"port {packet.port} is within {start}-{end}")
    parts.append(f"{packet.address} is in {rule.cidr}")
    return ", ".join(parts)


def evaluate(rules: list[Rule] | tuple[Rule, ...], packet: Packet) -> Decision:
    """Evaluate the rules of the packet's direction, lowest number first; first match wins."""
    ordered = sorted((r for r in rules if r.direction == packet.direction), key=lambda r: r.number)
    numbers = [r.number for r in ordered]
    if len(set(numbers)) != len(numbers):
        raise ValueError(f"duplicate {packet.direction} rule numbers: {numbers}")
    steps: list[str] = []
    for rule in ordered:
        reason = mismatch(rule, packet)
        if reason is None:
            verdict = "allowed" if rule.action == "allow" else "denied"
            steps.append(
                f"Rule {rule.number} ({rule.describe()}) matches: {_match_detail(rule, packet)}. "
                f"First match wins, so the packet is {verdict} by rule {rule.number}"
                + ("; the rules after it are not evaluated." if rule is not ordered[-1] else ".")
            )
            return Decision(rule.action == "allow", rule.number, tuple(steps))
        steps.append(f"Rule {rule.number} ({rule.describe()}) does not match: {reason}.")
    steps.append("No numbered rule matches, so the final * rule denies the packet.")
    return Decision(False, DEFAULT_RULE, tuple(steps))


def response_packet(request: Packet, client_port: int) -> Packet:
    """The response to `request`: the other direction, back to the client's ephemeral port."""
    other = "outbound" if request.direction == "inbound" else "inbound"
    return Packet(request.protocol, request.address, other, client_port)


def decision_text(decision: Decision) -> str:
    """The option naming a decision: 'Allowed by rule 110', 'Denied by the default * rule'."""
    if decision.rule == DEFAULT_RULE:
        return "Denied by the default * rule"
    return f"{'Allowed' if decision.allowed else 'Denied'} by rule {decision.rule}"


def rule_table(rules: list[Rule] | tuple[Rule, ...], direction: str) -> str:
    """A Markdown table of the rules of one direction, in the order given, then the * rule."""
    peer = "Source" if direction == "inbound" else "Destination"
    lines = [
        f"| Rule # | Protocol | Port range | {peer} | Allow/Deny |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in rules:
        if rule.direction != direction:
            continue
        lines.append(
            f"| {rule.number} | {protocol_label(rule.protocol)} | {rule.port_text()} | "
            f"{rule.cidr} | {rule.action.upper()} |"
        )
    lines.append("| * | All | All | 0.0.0.0/0 | DENY |")
    return "\n".join(lines)


def packet_text(packet: Packet) -> str:
    proto = protocol_label(packet.protocol)
    if packet.direction == "inbound":
        if packet.protocol == "icmp":
            return (
                f"An inbound ICMP packet (ping) from {packet.address} to an instance in the subnet"
            )
        return (
            f"An inbound {proto} packet from {packet.address} to port {packet.port} of an "
            "instance in the subnet"
        )
    if packet.protocol == "icmp":
        return f"An outbound ICMP packet (ping) from an instance in the subnet to {packet.address}"
    return (
        f"An outbound {proto} packet from an instance in the subnet to {packet.address}, "
        f"destination port {packet.port}"
    )


# --- parameters ---------------------------------------------------------------------------


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    check_enum(params, "direction", DIRECTIONS + ("any",), problems)
    check_range(params, "rules", MIN_RULES, MAX_RULES, problems)
    check_enum(params, "variant", VARIANTS + ("any",), problems)
    return problems


# --- generation helpers -------------------------------------------------------------------

SERVICES: tuple[tuple[str, int | None, str], ...] = (
    ("tcp", 22, "SSH"),
    ("tcp", 80, "HTTP"),
    ("tcp", 443, "HTTPS"),
    ("tcp", 3389, "RDP"),
    ("tcp", 3306, "MySQL"),
    ("tcp", 5432, "PostgreSQL"),
    ("udp", 53, "DNS"),
    ("udp", 123, "NTP"),
    ("icmp", None, "ping"),
)
COMMON_PORTS = (22, 25, 53, 80, 123, 443, 1433, 3306, 3389, 5432, 8080)
PUBLIC_PREFIXES = ("203.0.113", "198.51.100", "192.0.2")
CLIENT_PORTS = (1024, 1025, 32768, 40000, 49152, 51515, 60999, 61000, 65535)


def _random_address(rng: random.Random) -> str:
    """The far end of a packet: a public address, or a private one outside the subnet."""
    if rng.random() < 0.7:
        return f"{rng.choice(PUBLIC_PREFIXES)}.{rng.randint(2, 253)}"
    second, third = rng.randint(0, 3), rng.randint(0, 255)
    if ipaddress.ip_address(f"10.{second}.{third}.1") in ipaddress.ip_network(SUBNET_CIDR):
        third += 1
    return f"10.{second}.{third}.{rng.randint(2, 253)}"


def outside_subnet(address: str) -> bool:
    """Whether the packet's other end is outside the subnet (so the network ACL sees it)."""
    return ipaddress.ip_address(address) not in ipaddress.ip_network(SUBNET_CIDR)


def _containing_cidr(address: str, rng: random.Random) -> str:
    prefix = rng.choice((0, 0, 32, 32, 24, 16))
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def _excluding_cidr(address: str, rng: random.Random) -> str:
    ip = ipaddress.ip_address(address)
    kind = rng.choice(("neighbour", "other-net", "half"))
    if kind == "neighbour":
        neighbour = ip + 1 if int(str(ip).rsplit(".", 1)[1]) < 254 else ip - 1
        return f"{neighbour}/32"
    if kind == "half":
        net24 = ipaddress.ip_network(f"{address}/24", strict=False)
        halves = list(net24.subnets(new_prefix=25))
        return str(halves[1] if ip in halves[0] else halves[0])
    candidates = [f"{p}.0/24" for p in PUBLIC_PREFIXES] + ["10.0.0.0/16", "172.16.0.0/12"]
    candidates = [c for c in candidates if ip not in ipaddress.ip_network(c)]
    return rng.choice(candidates)


def _containing_ports(port: int, rng: random.Random) -> tuple[int, int]:
    kind = rng.choice(("exact", "start", "end", "around"))
    if kind == "exact":
        return (port, port)
    if kind == "start":
        return (port, min(65535, port + rng.choice((1, 9, 100, 1000))))
    if kind == "end":
        return (max(0, port - rng.choice((1, 9, 100, 1000))), port)
    low = 1024 if port >= 1024 else 0
    high = 65535 if port >= 1024 else 1023
    return (low, high)


def _excluding_ports(port: int, rng: random.Random) -> tuple[int, int]:
    kinds = []
    if port < 65535:
        kinds.append("above")
    if port > 0:
        kinds.append("below")
    kinds.append("other")
    kind = rng.choice(kinds)
    if kind == "above":
        return (port + 1, min(65535, port + rng.choice((1, 99, 1000, 65535))))
    if kind == "below":
        return (max(0, port - rng.choice((1, 100, 1000, 65535))), port - 1)
    other = rng.choice([p for p in COMMON_PORTS if p != port])
    return (other, other)


def _matching_rule(number: int, packet: Packet, action: str, rng: random.Random) -> Rule:
    cidr = _containing_cidr(packet.address, rng)
    if rng.random() < 0.25:
        return Rule(number, action, "all", cidr, packet.direction)
    if packet.protocol == "icmp":
        return Rule(number, action, "icmp", cidr, packet.direction)
    assert packet.port is not None
    return Rule(
        number, action, packet.protocol, cidr, packet.direction, _containing_ports(packet.port, rng)
    )


def _missing_rule(number: int, packet: Packet, action: str, rng: random.Random) -> Rule:
    kinds = ["cidr", "protocol"]
    if packet.protocol in ("tcp", "udp"):
        kinds += ["port", "port"]
    kind = rng.choice(kinds)
    if kind == "port":
        assert packet.port is not None
        return Rule(
            number,
            action,
            packet.protocol,
            _containing_cidr(packet.address, rng),
            packet.direction,
            _excluding_ports(packet.port, rng),
        )
    if kind == "protocol":
        other = rng.choice([p for p in ("tcp", "udp", "icmp") if p != packet.protocol])
        ports = None
        if other in ("tcp", "udp"):
            ports = (packet.port, packet.port) if packet.port is not None else (0, 65535)
        return Rule(
            number, action, other, _containing_cidr(packet.address, rng), packet.direction, ports
        )
    cidr = _excluding_cidr(packet.address, rng)
    if rng.random() < 0.3:
        return Rule(number, action, "all", cidr, packet.direction)
    if packet.protocol == "icmp":
        return Rule(number, action, "icmp", cidr, packet.direction)
    assert packet.port is not None
    return Rule(
        number, action, packet.protocol, cidr, packet.direction, _containing_ports(packet.port, rng)
    )


def rule_numbers(count: int, rng: random.Random) -> list[int]:
    """Distinct rule numbers, ascending: steps of 10 or 100, or a mix reaching 1 and 32766."""
    style = rng.choice(("tens", "hundreds", "mixed", "mixed"))
    if style == "tens":
        start = rng.choice((10, 100, 200))
        numbers = [start + 10 * i for i in range(count)]
    elif style == "hundreds":
        numbers = [100 * (i + 1) for i in range(count)]
    else:
        pool = [2, 5, 10, 50, 90, 99, 100, 101, 110, 120, 150, 200, 250, 500, 900, 1000, 1200]
        pool += [5000, 10000, 20000, 32000, 32765]
        numbers = rng.sample(pool, count)
    numbers = sorted(set(numbers))
    if rng.random() < 0.5:
        numbers[0] = 1
    if rng.random() < 0.5 and numbers[-1] != 1:
        numbers[-1] = MAX_RULE
    return sorted(set(numbers))


def _pick_packet(direction: str, rng: random.Random) -> tuple[Packet, str]:
    protocol, port, label = rng.choice(SERVICES)
    if rng.random() < 0.15:
        protocol, port, label = "tcp", rng.choice(CLIENT_PORTS), "a response"
    return Packet(protocol, _random_address(rng), direction, port), label


def _decide_rules(packet: Packet, count: int, rng: random.Random) -> list[Rule]:
    numbers = rule_numbers(count, rng)
    count = len(numbers)
    hits = min(count, rng.choice((0, 1, 1, 2, 2, 3)))
    kinds = ["hit"] * hits + ["miss"] * (count - hits)
    rng.shuffle(kinds)
    rules = []
    for number, kind in zip(numbers, kinds, strict=True):
        action = rng.choice(ACTIONS)
        if kind == "hit":
            rules.append(_matching_rule(number, packet, action, rng))
        else:
            rules.append(_missing_rule(number, packet, action, rng))
    return rules


def _displayed(rules: list[Rule], rng: random.Random) -> tuple[list[Rule], bool]:
    """The rules in the order shown: by number, or (sometimes) in the order they were added."""
    if rng.random() < 0.6:
        return sorted(rules, key=lambda r: r.number), True
    shown = list(rules)
    while len(shown) > 1 and shown == sorted(shown, key=lambda r: r.number):
        rng.shuffle(shown)
    return shown, False


EVALUATION_RULE = (
    "Network ACL rules are evaluated in order of rule number, lowest first, whatever order "
    "they are listed or were added in. The first rule that matches the packet allows or denies "
    "it and no later rule is looked at; the final * rule denies whatever no numbered rule matched."
)


# --- variants -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DecideSetup:
    rules: tuple[Rule, ...]
    packet: Packet


@dataclass(frozen=True)
class OrderSetup:
    rules: tuple[Rule, ...]
    direction: str


@dataclass(frozen=True)
class ReturnTrafficSetup:
    """A request allowed in its direction, and the question of its response."""

    request: Packet
    service: str
    client_port: int
    rules: tuple[Rule, ...]
    statements: bool

    @property
    def service_port(self) -> int:
        assert self.request.port is not None
        return self.request.port

    @property
    def response(self) -> Packet:
        return response_packet(self.request, self.client_port)


def _decide(direction: str, count: int, rng: random.Random) -> Scenario:
    packet, _label = _pick_packet(direction, rng)
    rules = _decide_rules(packet, count, rng)
    decision = evaluate(rules, packet)
    shown, by_number = _displayed(rules, rng)
    note = "" if by_number else " (listed in the order they were added)"
    stem = (
        f"A subnet ({SUBNET_CIDR}) has a network ACL with these {direction} rules{note}:\n\n"
        f"{rule_table(shown, direction)}\n\n"
        f"{packet_text(packet)}.\n\n"
        "Is the packet allowed, and which rule decides it?"
    )
    right = decision_text(decision)
    candidates = []
    for rule in sorted(rules, key=lambda r: r.number):
        if rule.number == decision.rule:
            continue
        text = decision_text(Decision(rule.action == "allow", rule.number, ()))
        matched = mismatch(rule, packet) is None
        candidates.append((0 if matched else 1, rng.random(), rule.number, text))
    if decision.rule != DEFAULT_RULE:
        candidates.append((0, rng.random(), MAX_RULE + 1, decision_text(Decision(False, "*", ()))))
    candidates.sort()
    chosen = candidates[:4]
    ordered = sorted(
        [(decision.rule if decision.rule != DEFAULT_RULE else MAX_RULE + 1, right, True)]
        + [(number, text, False) for _, _, number, text in chosen]
    )
    explanation = EVALUATION_RULE + "\n\n" + "\n".join(f"- {s}" for s in decision.steps)
    question = build_choice(
        stem,
        [text for _, text, ok in ordered if ok],
        [text for _, text, ok in ordered if not ok],
        explanation,
        rng,
        shuffle=False,
    )
    return Scenario("decide", DecideSetup(tuple(rules), packet), question)


def _order(direction: str, count: int, rng: random.Random) -> Scenario:
    buckets = [(1, 9), (10, 99), (100, 999), (1000, 9999), (10000, 32766)]
    numbers: set[int] = set()
    if rng.random() < 0.5:
        numbers.add(1)
    if rng.random() < 0.5:
        numbers.add(MAX_RULE)
    while len(numbers) < count:
        low, high = rng.choice(buckets)
        if rng.random() < 0.6:
            numbers.add(rng.randrange(max(low, 10), high + 1, 10) if high >= 10 else low)
        else:
            numbers.add(rng.randint(low, high))
    packet, _ = _pick_packet(direction, rng)
    rules = []
    for number in sorted(numbers):
        action = rng.choice(ACTIONS)
        if rng.random() < 0.5:
            rules.append(_matching_rule(number, packet, action, rng))
        else:
            rules.append(_missing_rule(number, packet, action, rng))
    shown = list(rules)
    while shown == rules:
        rng.shuffle(shown)
    ordered = sorted(rules, key=lambda r: r.number)
    items = tuple(f"Rule {r.number}: {r.describe()}" for r in ordered) + (
        "Rule *: deny all traffic",
    )
    created = "\n".join(f"{i}. Rule {r.number}: {r.describe()}" for i, r in enumerate(shown, 1))
    stem = (
        f"A network ACL's {direction} rules were added in this order:\n\n{created}\n\n"
        "Put the rules, and the default * rule, in the order the network ACL evaluates them "
        f"for an {direction} packet."
    )
    order_text = ", ".join(str(r.number) for r in ordered)
    explanation = (
        f"{EVALUATION_RULE}\n\nRule numbers are compared as numbers, not as text: "
        f"{order_text}, then *. Leaving gaps between numbers (100, 110, 120, ...) lets you "
        "insert a rule later."
    )
    return Scenario(
        "order", OrderSetup(tuple(ordered), direction), Ordering(stem, items, explanation)
    )


def _return_rules(
    setup_request: Packet, port: int, client_port: int, count: int, rng: random.Random
) -> tuple[list[Rule], list[Rule]]:
    """Rules allowing the request in its direction, and a mix for the response's direction."""
    request_dir = setup_request.direction
    response_dir = "outbound" if request_dir == "inbound" else "inbound"
    proto = setup_request.protocol
    address = setup_request.address
    request_numbers = rule_numbers(rng.randint(1, 3), rng)
    request_rules = []
    allow_at = rng.randrange(len(request_numbers))
    for i, number in enumerate(request_numbers):
        if i == allow_at:
            cidr = rng.choice(("0.0.0.0/0", _containing_cidr(address, rng)))
            request_rules.append(Rule(number, "allow", proto, cidr, request_dir, (port, port)))
        elif i < allow_at:
            request_rules.append(_missing_rule(number, setup_request, rng.choice(ACTIONS), rng))
        else:
            request_rules.append(
                Rule(
                    number,
                    rng.choice(ACTIONS),
                    rng.choice(PROTOCOLS[:2]),
                    _containing_cidr(address, rng),
                    request_dir,
                    _excluding_ports(port, rng) if rng.random() < 0.5 else (port, port),
                )
            )
    response = Packet(proto, address, response_dir, client_port)
    low = rng.choice((1024, 1024, 32768, 49152))
    shapes = [
        lambda n: Rule(n, "allow", proto, "0.0.0.0/0", response_dir, (low, 65535)),
        lambda n: Rule(n, "allow", proto, "0.0.0.0/0", response_dir, (port, port)),
        lambda n: Rule(
            n, "allow", proto, _containing_cidr(address, rng), response_dir, LINUX_EPHEMERAL_PORTS
        ),
        lambda n: Rule(n, "deny", proto, f"{address}/32", response_dir, EPHEMERAL_PORTS),
        lambda n: Rule(
            n,
            rng.choice(ACTIONS),
            "udp" if proto == "tcp" else "tcp",
            "0.0.0.0/0",
            response_dir,
            EPHEMERAL_PORTS,
        ),
        lambda n: Rule(n, "deny", "all", _excluding_cidr(address, rng), response_dir),
        lambda n: Rule(n, "allow", "all", "0.0.0.0/0", response_dir),
        lambda n: _missing_rule(n, response, rng.choice(ACTIONS), rng),
        lambda n: _matching_rule(n, response, rng.choice(ACTIONS), rng),
    ]
    numbers = rule_numbers(count, rng)
    picks = rng.sample(shapes, min(len(numbers), len(shapes)))
    drafts = [shape(MIN_RULE) for shape in picks]
    if rng.random() < 0.15:  # sometimes nothing matches and the * rule decides
        drafts = [
            d if mismatch(d, response) else _missing_rule(MIN_RULE, response, d.action, rng)
            for d in drafts
        ]
    if rng.random() < 0.75:
        # the traps (rules that look right but miss the response) come first
        drafts.sort(key=lambda d: mismatch(d, response) is None)
    response_rules = [replace(d, number=n) for d, n in zip(drafts, numbers, strict=False)]
    return request_rules, response_rules


def _return_statements(
    setup: ReturnTrafficSetup, decision: Decision
) -> tuple[list[tuple[str, bool]], list[tuple[str, bool]], list[tuple[str, bool]]]:
    """Candidate statements with their truth, computed from the engine.

    Returns (general facts, the response crosses or not, which rule decides).
    """
    rdir = setup.response.direction
    crossing = "leaves" if rdir == "outbound" else "gets back into"
    general = [
        (f"Network ACLs are stateless: the response is checked against the {rdir} rules.", True),
        (
            "Network ACLs are stateful: because the request was allowed, the response is "
            "allowed automatically.",
            False,
        ),
        (
            "Security groups are stateful: if a security group allowed the request, it allows "
            f"the response whatever its {rdir} rules say.",
            True,
        ),
        (
            f"A security group needs an {rdir} rule for the response, just as the network ACL "
            "does.",
            False,
        ),
        ("Security groups have only allow rules; network ACLs have allow and deny rules.", True),
        ("A security group rule can deny the response to one IP address.", False),
        (f"The response is sent to port {setup.client_port}, the client's ephemeral port.", True),
        (f"The response is sent to port {setup.service_port}, the port of the request.", False),
    ]
    fate = [
        (f"The response {crossing} the subnet.", decision.allowed),
        ("The network ACL blocks the response.", not decision.allowed),
    ]
    deciders = [
        (
            f"{rdir.capitalize()} rule {rule.number} decides the response.",
            decision.rule == rule.number,
        )
        for rule in _sorted(setup.rules)
        if rule.direction == rdir
    ]
    deciders.append(("The * rule decides the response.", decision.rule == DEFAULT_RULE))
    return general, fate, deciders


_SERVICE_PORTS = {
    "SSH": 22,
    "HTTP": 80,
    "HTTPS": 443,
    "RDP": 3389,
    "MySQL": 3306,
    "PostgreSQL": 5432,
    "DNS": 53,
}


def statement_truths(setup: ReturnTrafficSetup) -> dict[str, bool]:
    """Every candidate statement for a return-traffic setup and whether it is true."""
    general, fate, deciders = _return_statements(setup, evaluate(setup.rules, setup.response))
    return dict(general + fate + deciders)


def response_option(setup: ReturnTrafficSetup, decision: Decision) -> str:
    """The option text for the response's fate, e.g. 'Yes: outbound rule 100 allows it'."""
    rdir = setup.response.direction
    if decision.rule == DEFAULT_RULE:
        return f"No: no {rdir} rule matches, so the * rule denies it"
    if decision.allowed:
        return f"Yes: {rdir} rule {decision.rule} allows it"
    return f"No: {rdir} rule {decision.rule} denies it"


def _article(service: str) -> str:
    return "an" if service in ("HTTP", "HTTPS", "SSH", "RDP") else "a"


def _return_traffic(direction: str, count: int, statements: bool, rng: random.Random) -> Scenario:
    service = rng.choice(
        ("HTTPS", "HTTPS", "HTTP", "SSH", "MySQL", "PostgreSQL", "RDP")
        + (("DNS",) if direction == "outbound" else ())
    )
    port = _SERVICE_PORTS[service]
    proto = "udp" if service == "DNS" else "tcp"
    address = (
        _random_address(rng)
        if direction == "inbound"
        else (f"{rng.choice(PUBLIC_PREFIXES)}.{rng.randint(2, 253)}")
    )
    client_port = rng.choice(CLIENT_PORTS)
    request = Packet(proto, address, direction, port)
    request_rules, response_rules = _return_rules(request, port, client_port, count, rng)
    setup = ReturnTrafficSetup(
        request, service, client_port, tuple(request_rules + response_rules), statements
    )
    req_decision = evaluate(setup.rules, request)
    assert req_decision.allowed, "the request must be allowed"
    response = setup.response
    decision = evaluate(setup.rules, response)
    rdir = response.direction
    proto_label = protocol_label(proto)
    if direction == "inbound":
        story = (
            f"A client at {address} opens {_article(service)} {service} connection ({proto_label} {port}) from its "
            f"ephemeral port {client_port} to a server in the subnet."
        )
        ask = "Will the response leave the subnet?"
    else:
        story = (
            f"An instance in the subnet sends {_article(service)} {service} request ({proto_label} {port}) from its "
            f"ephemeral port {client_port} to {address}."
        )
        ask = "Will the response get back into the subnet?"
    tables = (
        f"Inbound rules:\n\n{rule_table(_sorted(setup.rules), 'inbound')}\n\n"
        f"Outbound rules:\n\n{rule_table(_sorted(setup.rules), 'outbound')}"
    )
    stem = (
        f"A subnet ({SUBNET_CIDR}) has a network ACL with these rules:\n\n{tables}\n\n{story} "
        f"The request is allowed "
        f"by {direction} rule {req_decision.rule}, and the instance's security group allows it."
    )
    explanation_lines = [
        f"The response is a {proto_label} packet {'to' if rdir == 'outbound' else 'from'} "
        f"{address} with destination port {client_port} (the client's ephemeral port, not "
        f"{port}). Network ACLs are stateless, so it is evaluated against the {rdir} rules "
        "on its own; a security group, being stateful, would let it through automatically.",
        "",
    ] + [f"- {s}" for s in decision.steps]
    explanation = "\n".join(explanation_lines)
    if statements:
        static, fate, deciders = _return_statements(setup, decision)
        chosen = [rng.choice(fate), rng.choice(deciders)]
        need_true = rng.choice((2, 3))
        total = 5 if need_true == 2 else rng.choice((5, 6))
        have_true = sum(1 for _, ok in chosen if ok)
        if have_true > need_true:
            need_true = have_true
        trues = [s for s in static if s[1]]
        falses = [s for s in static if not s[1]]
        chosen += rng.sample(trues, need_true - have_true)
        have_false = sum(1 for _, ok in chosen if not ok)
        chosen += rng.sample(falses, max(0, total - need_true - have_false))
        stem += "\n\nWhich statements about the response are true?"
        question = build_choice(
            stem,
            [t for t, ok in chosen if ok],
            [t for t, ok in chosen if not ok],
            explanation,
            rng,
        )
    else:
        right = response_option(setup, decision)
        wrong = {
            "Yes: network ACLs are stateful, so the response to an allowed request is allowed",
        }
        for rule in _sorted(setup.rules):
            if rule.direction != rdir or rule.number == decision.rule:
                continue
            wrong.add(response_option(setup, Decision(rule.action == "allow", rule.number, ())))
        if decision.rule != DEFAULT_RULE:
            wrong.add(response_option(setup, Decision(False, DEFAULT_RULE, ())))
        wrong.discard(right)
        distractors = rng.sample(sorted(wrong), min(4, len(wrong)))
        question = build_choice(stem + f"\n\n{ask}", [right], distractors, explanation, rng)
    return Scenario("return-traffic", setup, question)


def _sorted(rules: tuple[Rule, ...] | list[Rule]) -> list[Rule]:
    return sorted(rules, key=lambda r: (r.direction, r.number))


# --- entry points -------------------------------------------------------------------------


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    """A generated variant together with the setup it was evaluated on."""
    variant = pick_enum(params, "variant", VARIANTS, rng)
    direction = pick_enum(params, "direction", DIRECTIONS, rng)
    count = pick_from_range(params, "rules", MIN_RULES, MAX_RULES, rng)
    if variant == "decide":
        return _decide(direction, count, rng)
    if variant == "order":
        return _order(direction, count, rng)
    return _return_traffic(direction, count, rng.random() < 0.5, rng)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question


__all__ = [
    "NAME",
    "TITLE",
    "PARAMS",
    "Rule",
    "Packet",
    "Decision",
    "evaluate",
    "mismatch",
    "response_packet",
    "decision_text",
    "response_option",
    "statement_truths",
    "rule_table",
    "validate",
    "generate",
    "scenario",
]
