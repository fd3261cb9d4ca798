"""A packet's whole path between two instances: security groups, both subnets' network ACLs
and the route tables, for the request and for its response.

Security groups are stateful: an allowed request's response is allowed back whatever the
rules say, so only the client's outbound and the server's inbound rules are checked.
Network ACLs are stateless: the request leaves the client's subnet (outbound ACL) and
enters the server's (inbound ACL); the response, to the client's ephemeral port, leaves the
server's subnet (outbound ACL) and enters the client's (inbound ACL). Rules are evaluated
lowest number first; the first match decides; `*` denies the rest. Inside one VPC the local
route always delivers; between peered VPCs each subnet's route table needs a route to the
other VPC's CIDR block through the peering connection.

Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass, replace
from functools import lru_cache

from studyaws.core.questions import Question
from studyaws.core.scenarios._common import (
    Scenario,
    build_choice,
    check_enum,
    check_range,
    pick_enum,
    pick_from_range,
)

NAME = "sg-nacl-path"
TITLE = "A packet's path: security groups, both network ACLs, route tables"
PARAMS = {
    "variant": "drop (where is the traffic first dropped) or fix (which single change makes "
    "it work); default any",
    "network": "same-vpc (both subnets in one VPC) or peered (two VPCs joined by a peering "
    "connection, so route tables matter); default any",
    "broken": "how many hops drop the traffic for variant drop, a number or range within "
    "1-2; default 1-2 (fix always has exactly one)",
}

VARIANTS = ("drop", "fix")
NETWORKS = ("same-vpc", "peered")
SERVICES = {22: "SSH", 80: "HTTP", 443: "HTTPS", 3306: "MySQL", 5432: "PostgreSQL",
            6379: "Redis", 1433: "SQL Server"}
EPHEMERAL = (1024, 65535)
PCX = "pcx-1"

# hops in the order the traffic meets them
HOPS = ("sg-client-out", "nacl-a-out", "rt-a", "nacl-b-in", "sg-server-in",
        "nacl-b-out", "rt-b", "nacl-a-in")
ROUTE_HOPS = ("rt-a", "rt-b")

Net = ipaddress.IPv4Network


@lru_cache(maxsize=4096)
def _inside(address: str, cidr: str) -> bool:
    return ipaddress.ip_address(address) in ipaddress.ip_network(cidr)


@dataclass(frozen=True)
class SgRule:
    """An allow rule: TCP ports lo-hi (or all traffic) to/from a CIDR."""

    lo: int
    hi: int
    cidr: str
    all_traffic: bool = False

    def matches(self, port: int, address: str) -> bool:
        return _inside(address, self.cidr) and (self.all_traffic or self.lo <= port <= self.hi)

    def text(self) -> str:
        what = "all traffic" if self.all_traffic else _ports("TCP", self.lo, self.hi)
        return f"allow {what}, {self.cidr}"


@dataclass(frozen=True)
class AclRule:
    number: int
    allow: bool
    lo: int
    hi: int
    cidr: str
    all_traffic: bool = False

    def matches(self, port: int, address: str) -> bool:
        return _inside(address, self.cidr) and (self.all_traffic or self.lo <= port <= self.hi)


def _ports(protocol: str, lo: int, hi: int) -> str:
    return f"{protocol} port {lo}" if lo == hi else f"{protocol} ports {lo}-{hi}"


@dataclass(frozen=True)
class PathSetup:
    network: str
    port: int
    client_port: int
    vpc_a: str
    vpc_b: str  # equal to vpc_a for same-vpc
    subnet_a: str
    subnet_b: str
    client_ip: str
    server_ip: str
    sg_client_out: tuple[SgRule, ...]
    sg_client_in: tuple[SgRule, ...]
    sg_server_in: tuple[SgRule, ...]
    sg_server_out: tuple[SgRule, ...]
    nacl_a_out: tuple[AclRule, ...]
    nacl_a_in: tuple[AclRule, ...]
    nacl_b_in: tuple[AclRule, ...]
    nacl_b_out: tuple[AclRule, ...]
    routes_a: tuple[tuple[str, str], ...]  # (destination, target)
    routes_b: tuple[tuple[str, str], ...]


# --- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class HopResult:
    hop: str
    passes: bool
    reason: str


def acl_decides(rules: tuple[AclRule, ...], port: int, address: str) -> AclRule | None:
    """The rule that decides (None: the default * rule, which denies)."""
    for rule in sorted(rules, key=lambda r: r.number):
        if rule.matches(port, address):
            return rule
    return None


def _acl_hop(hop: str, rules: tuple[AclRule, ...], port: int, address: str) -> HopResult:
    rule = acl_decides(rules, port, address)
    if rule is None:
        return HopResult(hop, False, f"no rule matches TCP port {port} and {address}, so the "
                         "default * rule denies it")
    verdict = "allows" if rule.allow else "denies"
    return HopResult(hop, rule.allow, f"rule {rule.number} is the first match and {verdict} it")


def _route(routes: tuple[tuple[str, str], ...], address: str) -> str | None:
    """The target of the longest matching route."""
    matching = [(ipaddress.ip_network(dest), target) for dest, target in routes
                if ipaddress.ip_address(address) in ipaddress.ip_network(dest)]
    if not matching:
        return None
    return max(matching, key=lambda m: m[0].prefixlen)[1]


def _route_hop(hop: str, setup: PathSetup, routes, address: str, peer_vpc: str) -> HopResult:
    target = _route(routes, address)
    if target == "local":
        return HopResult(hop, True, "the local route delivers it inside the VPC")
    if target == PCX:
        return HopResult(hop, True, f"the route to {peer_vpc} sends it through {PCX}")
    return HopResult(hop, False, f"no route covers {address} (only the local route), so it "
                     "cannot reach the peer VPC")


def walk(setup: PathSetup) -> list[HopResult]:
    """Every hop on the path, in order, with whether it lets the traffic through."""
    port, eph = setup.port, setup.client_port
    results: list[HopResult] = []
    ok = any(r.matches(port, setup.server_ip) for r in setup.sg_client_out)
    results.append(HopResult("sg-client-out", ok, "an outbound rule allows it" if ok else
                             f"no outbound rule allows TCP port {port} to {setup.server_ip}"))
    results.append(_acl_hop("nacl-a-out", setup.nacl_a_out, port, setup.server_ip))
    if setup.network == "peered":
        results.append(_route_hop("rt-a", setup, setup.routes_a, setup.server_ip, setup.vpc_b))
    results.append(_acl_hop("nacl-b-in", setup.nacl_b_in, port, setup.client_ip))
    ok = any(r.matches(port, setup.client_ip) for r in setup.sg_server_in)
    results.append(HopResult("sg-server-in", ok, "an inbound rule allows it" if ok else
                             f"no inbound rule allows TCP port {port} from {setup.client_ip}"))
    # the response: security groups are stateful, so only the ACLs and routes are checked
    results.append(_acl_hop("nacl-b-out", setup.nacl_b_out, eph, setup.client_ip))
    if setup.network == "peered":
        results.append(_route_hop("rt-b", setup, setup.routes_b, setup.client_ip, setup.vpc_a))
    results.append(_acl_hop("nacl-a-in", setup.nacl_a_in, eph, setup.server_ip))
    return results


def first_drop(setup: PathSetup) -> str | None:
    for result in walk(setup):
        if not result.passes:
            return result.hop
    return None


def works(setup: PathSetup) -> bool:
    return first_drop(setup) is None


# --- changes (fixes and non-fixes) ---------------------------------------------------------


@dataclass(frozen=True)
class Change:
    key: str
    text: str


def changes(setup: PathSetup) -> list[Change]:
    """Single changes an operator might propose; `apply` makes each one in the model."""
    a, b, port = setup.subnet_a, setup.subnet_b, setup.port
    out = [
        Change("sg-client-out", f"Add an outbound rule to app-1's security group allowing "
               f"TCP port {port} to {b}"),
        Change("nacl-a-out", f"Add outbound rule 10 to subnet-a's network ACL allowing TCP "
               f"port {port} to {b}"),
        Change("nacl-b-in", f"Add inbound rule 10 to subnet-b's network ACL allowing TCP "
               f"port {port} from {a}"),
        Change("sg-server-in", f"Add an inbound rule to db-1's security group allowing TCP "
               f"port {port} from {a}"),
        Change("nacl-b-out", f"Add outbound rule 10 to subnet-b's network ACL allowing TCP "
               f"ports 1024-65535 to {a}"),
        Change("nacl-a-in", f"Add inbound rule 10 to subnet-a's network ACL allowing TCP "
               f"ports 1024-65535 from {b}"),
        # never needed: security groups are stateful
        Change("sg-server-out", f"Add an outbound rule to db-1's security group allowing TCP "
               f"ports 1024-65535 to {a}"),
        Change("sg-client-in", f"Add an inbound rule to app-1's security group allowing TCP "
               f"ports 1024-65535 from {b}"),
    ]
    if setup.network == "peered":
        out += [
            Change("rt-a", f"Add a route to {setup.vpc_b} through {PCX} in subnet-a's route "
                   "table"),
            Change("rt-b", f"Add a route to {setup.vpc_a} through {PCX} in subnet-b's route "
                   "table"),
        ]
    return out


def apply(setup: PathSetup, change: Change) -> PathSetup:
    a, b, port = setup.subnet_a, setup.subnet_b, setup.port
    lo, hi = EPHEMERAL
    if change.key == "sg-client-out":
        return replace(setup, sg_client_out=setup.sg_client_out + (SgRule(port, port, b),))
    if change.key == "nacl-a-out":
        return replace(setup, nacl_a_out=setup.nacl_a_out + (AclRule(10, True, port, port, b),))
    if change.key == "nacl-b-in":
        return replace(setup, nacl_b_in=setup.nacl_b_in + (AclRule(10, True, port, port, a),))
    if change.key == "sg-server-in":
        return replace(setup, sg_server_in=setup.sg_server_in + (SgRule(port, port, a),))
    if change.key == "nacl-b-out":
        return replace(setup, nacl_b_out=setup.nacl_b_out + (AclRule(10, True, lo, hi, a),))
    if change.key == "nacl-a-in":
        return replace(setup, nacl_a_in=setup.nacl_a_in + (AclRule(10, True, lo, hi, b),))
    if change.key == "sg-server-out":
        return replace(setup, sg_server_out=setup.sg_server_out + (SgRule(lo, hi, a),))
    if change.key == "sg-client-in":
        return replace(setup, sg_client_in=setup.sg_client_in + (SgRule(lo, hi, b),))
    if change.key == "rt-a":
        return replace(setup, routes_a=setup.routes_a + ((setup.vpc_b, PCX),))
    if change.key == "rt-b":
        return replace(setup, routes_b=setup.routes_b + ((setup.vpc_a, PCX),))
    raise ValueError(f"unknown change {change.key!r}")


def valid(setup: PathSetup) -> list[str]:
    """What AWS would refuse in this configuration (empty when it is all accepted)."""
    problems = []
    for name in ("nacl_a_out", "nacl_a_in", "nacl_b_in", "nacl_b_out"):
        numbers = [r.number for r in getattr(setup, name)]
        if len(set(numbers)) != len(numbers) or not all(1 <= n <= 32766 for n in numbers):
            problems.append(f"{name}: rule numbers must be unique and within 1-32766")
    vpc_a, vpc_b = ipaddress.ip_network(setup.vpc_a), ipaddress.ip_network(setup.vpc_b)
    if setup.network == "peered" and vpc_a.overlaps(vpc_b):
        problems.append("peered VPCs must not overlap")
    if not ipaddress.ip_network(setup.subnet_a).subnet_of(vpc_a):
        problems.append("subnet-a outside its VPC")
    if not ipaddress.ip_network(setup.subnet_b).subnet_of(vpc_b):
        problems.append("subnet-b outside its VPC")
    if ipaddress.ip_network(setup.subnet_a).overlaps(ipaddress.ip_network(setup.subnet_b)):
        problems.append("subnets overlap")
    for routes, own in ((setup.routes_a, setup.vpc_a), (setup.routes_b, setup.vpc_b)):
        if (own, "local") not in routes:
            problems.append("a route table always has its VPC's local route")
    return problems


# --- generation ---------------------------------------------------------------------------

HOP_TEXT = {
    "sg-client-out": "app-1's security group, outbound (the request)",
    "nacl-a-out": "subnet-a's network ACL, outbound (the request)",
    "rt-a": "subnet-a's route table (the request)",
    "nacl-b-in": "subnet-b's network ACL, inbound (the request)",
    "sg-server-in": "db-1's security group, inbound (the request)",
    "nacl-b-out": "subnet-b's network ACL, outbound (the response)",
    "rt-b": "subnet-b's route table (the response)",
    "nacl-a-in": "subnet-a's network ACL, inbound (the response)",
    "sg-server-out": "db-1's security group, outbound (the response)",
    "sg-client-in": "app-1's security group, inbound (the response)",
}
NOTHING = "Nothing: the connection succeeds"


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    check_enum(params, "variant", VARIANTS + ("any",), problems)
    check_enum(params, "network", NETWORKS + ("any",), problems)
    check_range(params, "broken", 1, 2, problems)
    return problems


def _working(network: str, rng: random.Random) -> PathSetup:
    port = rng.choice(sorted(SERVICES))
    client_port = rng.randint(49152, 60999)  # in the Linux and Windows ephemeral ranges
    second = rng.randint(0, 200)
    vpc_a = f"10.{second}.0.0/16"
    vpc_b = f"10.{second + 1}.0.0/16" if network == "peered" else vpc_a
    a_third, b_third = rng.sample(range(0, 250), 2)
    subnet_a = f"10.{second}.{a_third}.0/24"
    b_second = second + 1 if network == "peered" else second
    subnet_b = f"10.{b_second}.{b_third}.0/24"
    client_ip = str(ipaddress.ip_network(subnet_a).network_address + rng.randint(4, 250))
    server_ip = str(ipaddress.ip_network(subnet_b).network_address + rng.randint(4, 250))
    lo, hi = EPHEMERAL
    if rng.random() < 0.5:
        sg_client_out = (SgRule(0, 65535, "0.0.0.0/0", all_traffic=True),)
    else:
        sg_client_out = (SgRule(port, port, rng.choice((subnet_b, vpc_b))),)
    sg_server_in = (SgRule(port, port, rng.choice((subnet_a, vpc_a))),)
    # the server's outbound rules and the client's inbound rules never matter: often none
    sg_server_out = () if rng.random() < 0.6 else (SgRule(443, 443, "0.0.0.0/0"),)
    sg_client_in = () if rng.random() < 0.6 else (SgRule(22, 22, "10.255.0.0/24"),)
    nacl_a_out = (AclRule(100, True, port, port, rng.choice((subnet_b, vpc_b))),)
    nacl_a_in = (AclRule(100, True, lo, hi, rng.choice((subnet_b, vpc_b))),)
    nacl_b_in = (AclRule(100, True, port, port, rng.choice((subnet_a, vpc_a))),)
    nacl_b_out = (AclRule(100, True, lo, hi, rng.choice((subnet_a, vpc_a))),)
    routes_a = ((vpc_a, "local"),)
    routes_b = ((vpc_b, "local"),) if network == "peered" else routes_a
    if network == "peered":
        routes_a += ((vpc_b, PCX),)
        routes_b += ((vpc_a, PCX),)
    return PathSetup(network, port, client_port, vpc_a, vpc_b, subnet_a, subnet_b, client_ip,
                     server_ip, sg_client_out, sg_client_in, sg_server_in, sg_server_out,
                     nacl_a_out, nacl_a_in, nacl_b_in, nacl_b_out, routes_a, routes_b)


def _other_port(port: int, rng: random.Random) -> int:
    return rng.choice([p for p in SERVICES if p != port])


def _break(setup: PathSetup, hop: str, rng: random.Random) -> PathSetup:
    """Make `hop` drop the traffic in one of the ways people get it wrong."""
    port, a, b = setup.port, setup.subnet_a, setup.subnet_b
    other = _other_port(port, rng)
    style = rng.random() < 0.5
    if hop == "sg-client-out":
        return replace(setup, sg_client_out=(SgRule(other, other, b),))
    if hop == "sg-server-in":
        if style:  # the right port, but from a neighbouring subnet instead of subnet-a
            net = ipaddress.ip_network(a)
            step = net.num_addresses if int(net.network_address) % 2**16 < 250 * 256 else \
                -net.num_addresses
            neighbour = ipaddress.ip_network(f"{net.network_address + step}/{net.prefixlen}")
            if neighbour == ipaddress.ip_network(b):
                neighbour = ipaddress.ip_network(f"{net.network_address - net.num_addresses}"
                                                 f"/{net.prefixlen}")
            return replace(setup, sg_server_in=(SgRule(port, port, str(neighbour)),))
        return replace(setup, sg_server_in=(SgRule(other, other, a),))
    if hop in ("nacl-a-out", "nacl-b-in"):
        field = "nacl_a_out" if hop == "nacl-a-out" else "nacl_b_in"
        cidr = b if hop == "nacl-a-out" else a
        kept = getattr(setup, field)
        if style:  # a deny that comes first
            rules = kept + (AclRule(90, False, port, port, cidr),)
        else:  # the allow rule is for another port
            rules = (AclRule(100, True, other, other, kept[0].cidr),)
        return replace(setup, **{field: rules})
    if hop in ("nacl-b-out", "nacl-a-in"):
        field = "nacl_b_out" if hop == "nacl-b-out" else "nacl_a_in"
        cidr = a if hop == "nacl-b-out" else b
        kept = getattr(setup, field)
        if style:  # the classic: the response rule names the service port, not ephemeral ports
            rules = (AclRule(100, True, port, port, kept[0].cidr),)
        else:  # a deny of the ephemeral range first
            rules = kept + (AclRule(90, False, 1024, 65535, cidr),)
        return replace(setup, **{field: rules})
    if hop == "rt-a":
        return replace(setup, routes_a=tuple(r for r in setup.routes_a if r[1] != PCX))
    if hop == "rt-b":
        return replace(setup, routes_b=tuple(r for r in setup.routes_b if r[1] != PCX))
    raise ValueError(hop)


def _sg_table(title: str, rules: tuple[SgRule, ...], direction: str) -> str:
    word = "Destination" if direction == "outbound" else "Source"
    lines = [f"**{title}** ({direction} rules)", "", f"| Traffic | {word} |", "| --- | --- |"]
    if not rules:
        lines.append("| (no rules) | |")
    for rule in rules:
        what = "All traffic" if rule.all_traffic else _ports("TCP", rule.lo, rule.hi)
        lines.append(f"| {what} | {rule.cidr} |")
    return "\n".join(lines)


def _acl_table(title: str, rules: tuple[AclRule, ...], direction: str) -> str:
    word = "Destination" if direction == "outbound" else "Source"
    lines = [f"**{title}** ({direction} rules)", "",
             f"| Rule | Traffic | {word} | Action |", "| --- | --- | --- | --- |"]
    for rule in sorted(rules, key=lambda r: r.number):
        what = "All traffic" if rule.all_traffic else _ports("TCP", rule.lo, rule.hi)
        lines.append(f"| {rule.number} | {what} | {rule.cidr} | "
                     f"{'Allow' if rule.allow else 'Deny'} |")
    lines.append("| * | All traffic | 0.0.0.0/0 | Deny |")
    return "\n".join(lines)


def _routes_table(title: str, routes) -> str:
    lines = [f"**{title}**", "", "| Destination | Target |", "| --- | --- |"]
    lines += [f"| {dest} | {target} |" for dest, target in routes]
    return "\n".join(lines)


def _setup_text(setup: PathSetup) -> str:
    service = SERVICES[setup.port]
    if setup.network == "peered":
        where = (f"Instance app-1 ({setup.client_ip}) is in subnet-a ({setup.subnet_a}) of "
                 f"VPC A ({setup.vpc_a}). Instance db-1 ({setup.server_ip}) is in subnet-b "
                 f"({setup.subnet_b}) of VPC B ({setup.vpc_b}). The VPCs are joined by the "
                 f"active peering connection {PCX}.")
    else:
        where = (f"In VPC {setup.vpc_a}, instance app-1 ({setup.client_ip}) is in subnet-a "
                 f"({setup.subnet_a}) and instance db-1 ({setup.server_ip}) is in subnet-b "
                 f"({setup.subnet_b}).")
    parts = [
        f"{where} app-1 opens a connection to db-1 on TCP port {setup.port} ({service}), "
        f"from source port {setup.client_port}. Each instance has one security group and each "
        "subnet its own network ACL:",
        _sg_table("app-1's security group", setup.sg_client_out, "outbound"),
        _sg_table("app-1's security group", setup.sg_client_in, "inbound"),
        _sg_table("db-1's security group", setup.sg_server_in, "inbound"),
        _sg_table("db-1's security group", setup.sg_server_out, "outbound"),
        _acl_table("subnet-a's network ACL", setup.nacl_a_out, "outbound"),
        _acl_table("subnet-a's network ACL", setup.nacl_a_in, "inbound"),
        _acl_table("subnet-b's network ACL", setup.nacl_b_in, "inbound"),
        _acl_table("subnet-b's network ACL", setup.nacl_b_out, "outbound"),
    ]
    if setup.network == "peered":
        parts.append(_routes_table("subnet-a's route table", setup.routes_a))
        parts.append(_routes_table("subnet-b's route table", setup.routes_b))
    return "\n\n".join(parts)


def _walkthrough(setup: PathSetup) -> str:
    lines = []
    for result in walk(setup):
        mark = "passes" if result.passes else "DROPS it"
        lines.append(f"- {HOP_TEXT[result.hop]}: {result.reason}; {mark}.")
    lines.append("- The security groups are stateful: the response to an allowed request "
                 "goes back whatever their rules for the other direction say (db-1's "
                 "outbound and app-1's inbound rules are never checked for it).")
    lines.append(f"- Network ACLs are stateless: the response goes to app-1's ephemeral "
                 f"port {setup.client_port}, so subnet-b's outbound and subnet-a's inbound "
                 "rules must allow it (usually TCP 1024-65535).")
    return "The path, hop by hop:\n\n" + "\n".join(lines)


def _drop_question(setup: PathSetup, rng: random.Random) -> Scenario:
    key = first_drop(setup)
    assert key is not None
    hops = [h for h in HOPS if setup.network == "peered" or h not in ROUTE_HOPS]
    stateful = ["sg-server-out", "sg-client-in"]
    pool = [h for h in hops if h != key] + stateful
    rng.shuffle(pool)
    # always offer one stateful trap and the other failing hops first
    failing = [r.hop for r in walk(setup) if not r.passes and r.hop != key]
    wrong = failing + [rng.choice(stateful)]
    wrong += [h for h in pool if h not in wrong]
    wrong = wrong[:3]
    stem = (f"{_setup_text(setup)}\n\nThe connection fails. Where is the traffic first "
            "dropped?")
    question = build_choice(stem, [HOP_TEXT[key]], [HOP_TEXT[h] for h in wrong],
                            _walkthrough(setup), rng)
    return Scenario("drop", setup, question)


def _fix_question(setup: PathSetup, rng: random.Random) -> Scenario:
    offered = changes(setup)
    right = [c for c in offered if works(apply(setup, c))]
    assert len(right) == 1, (right, setup)
    key = right[0]
    stateful = [c for c in offered if c.key in ("sg-server-out", "sg-client-in")]
    others = [c for c in offered if c is not key and c not in stateful]
    wrong = [rng.choice(stateful)] + rng.sample(others, 2)
    stem = (f"{_setup_text(setup)}\n\nThe connection fails. Which single change makes it "
            "work?")
    explanation = (f"{_walkthrough(setup)}\n\nOnly \"{key.text}\" lets the traffic through "
                   "every hop; each other change leaves the failing hop as it is.")
    question = build_choice(stem, [key.text], [c.text for c in wrong], explanation, rng)
    return Scenario("fix", setup, question)


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    variant = pick_enum(params, "variant", VARIANTS, rng)
    network = pick_enum(params, "network", NETWORKS, rng)
    setup = _working(network, rng)
    hops = [h for h in HOPS if network == "peered" or h not in ROUTE_HOPS]
    count = 1 if variant == "fix" else pick_from_range(params, "broken", 1, 2, rng)
    if network == "peered" and rng.random() < 0.4:  # the route tables are the point of it
        first = rng.choice(ROUTE_HOPS)
        broken = [first] + rng.sample([h for h in hops if h != first], count - 1)
    else:
        broken = rng.sample(hops, count)
    for hop in broken:
        setup = _break(setup, hop, rng)
    if variant == "fix":
        return _fix_question(setup, rng)
    return _drop_question(setup, rng)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question
