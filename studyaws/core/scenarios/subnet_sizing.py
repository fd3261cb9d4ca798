"""VPC subnet sizing: usable addresses, the smallest subnet for N hosts, how many subnets fit
in a VPC, and which CIDR blocks overlap (and so cannot be peered).

An IPv4 VPC or subnet CIDR block is between /16 (65,536 addresses) and /28 (16). AWS reserves
five addresses in every subnet: the first four (network address, VPC router, DNS server,
future use) and the last (network broadcast). Two VPCs with overlapping IPv4 CIDR blocks
cannot be peered; two CIDR blocks either do not overlap or one contains the other.

Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass

from studyaws.core.questions import Numeric, Question
from studyaws.core.scenarios._common import (
    Scenario,
    build_choice,
    check_enum,
    check_range,
    pick_enum,
    range_of,
)

NAME = "subnet-sizing"
TITLE = "VPC subnet sizing (5 reserved addresses, /16 to /28, overlapping CIDRs)"
PARAMS = {
    "variant": "usable (addresses you can assign in a subnet), prefix (the smallest subnet "
    "for N hosts), fit (how many subnets of a size fit in a VPC), peering (which CIDR "
    "does not overlap) or any; default any",
    "prefix": "the subnet prefix length asked about (usable: the subnet; prefix: the right "
    "answer; fit: the subnets), a number or range within 16-28; default any that fits",
}

VARIANTS = ("usable", "prefix", "fit", "peering")
MIN_PREFIX, MAX_PREFIX = 16, 28
RESERVED = 5
PRIVATE_RANGES = tuple(
    ipaddress.ip_network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")
)
Net = ipaddress.IPv4Network


# --- the model ---------------------------------------------------------------------------


def addresses(prefix: int) -> int:
    return 2 ** (32 - prefix)


def usable(prefix: int) -> int:
    """Addresses you can assign in a subnet of this prefix (AWS reserves five)."""
    if not MIN_PREFIX <= prefix <= MAX_PREFIX:
        raise ValueError(f"a VPC subnet is /{MIN_PREFIX} to /{MAX_PREFIX}, not /{prefix}")
    return addresses(prefix) - RESERVED


def smallest_prefix(hosts: int) -> int | None:
    """The largest prefix length (smallest subnet) with `hosts` usable addresses, or None."""
    fitting = [p for p in range(MIN_PREFIX, MAX_PREFIX + 1) if usable(p) >= hosts]
    return max(fitting) if fitting else None


def subnets_that_fit(vpc_prefix: int, subnet_prefix: int) -> int:
    if subnet_prefix < vpc_prefix:
        return 0
    return 2 ** (subnet_prefix - vpc_prefix)


def overlaps(a: Net, b: Net) -> bool:
    return a.overlaps(b)


def valid_block(net: Net) -> bool:
    """A CIDR block AWS accepts for a VPC or subnet here: /16-/28 and in a private range."""
    return MIN_PREFIX <= net.prefixlen <= MAX_PREFIX and any(
        net.subnet_of(r) for r in PRIVATE_RANGES
    )


def reserved_addresses(net: Net) -> list[str]:
    first = net.network_address
    return [str(first), str(first + 1), str(first + 2), str(first + 3), str(net.broadcast_address)]


# --- parameters ---------------------------------------------------------------------------

# the prefix lengths each variant can ask about
VARIANT_PREFIXES = {
    "usable": (MIN_PREFIX, MAX_PREFIX),
    "prefix": (MIN_PREFIX + 1, MAX_PREFIX - 1),  # room for the /p-1 and /p+1 options
    "fit": (MIN_PREFIX + 1, MAX_PREFIX),  # at least one bit inside the VPC
    "peering": (MIN_PREFIX + 1, MAX_PREFIX - 1),  # room for a containing and a contained block
}


def _prefix_bounds(params: dict[str, str], variant: str) -> tuple[int, int]:
    low, high = range_of(params, "prefix", MIN_PREFIX, MAX_PREFIX)
    vlow, vhigh = VARIANT_PREFIXES[variant]
    return max(low, vlow), min(high, vhigh)


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    variant = check_enum(params, "variant", VARIANTS + ("any",), problems)
    prefix = check_range(params, "prefix", MIN_PREFIX, MAX_PREFIX, problems)
    if prefix is not None and variant in VARIANTS:
        low, high = _prefix_bounds(params, variant)
        if low > high:
            vlow, vhigh = VARIANT_PREFIXES[variant]
            problems.append(("prefix", f"with variant: {variant} the prefix is within "
                             f"{vlow}-{vhigh}"))
    return problems


# --- generation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SizingSetup:
    variant: str
    vpc: Net | None = None
    subnet: Net | None = None
    hosts: int = 0
    prefix: int = 0  # the key for "prefix", the subnets' size for "fit"
    options: tuple[Net, ...] = ()


def _random_block(prefix: int, rng: random.Random, inside: Net | None = None) -> Net:
    """An aligned block of this prefix, in `inside` or in one of the private ranges."""
    if inside is None:
        candidates = [r for r in PRIVATE_RANGES if r.prefixlen <= prefix]
        inside = rng.choice(candidates)
        # start from a /16 that real VPCs use, such as 10.x.0.0/16 or 172.31.0.0/16
        inside = rng.choice(list(inside.subnets(new_prefix=MIN_PREFIX))[:32]) \
            if inside.prefixlen < MIN_PREFIX else inside
    count = 2 ** (prefix - inside.prefixlen)
    index = rng.randrange(count)
    start = int(inside.network_address) + index * addresses(prefix)
    return ipaddress.ip_network(f"{ipaddress.IPv4Address(start)}/{prefix}")


def _pick_prefix(params: dict[str, str], variant: str, rng: random.Random) -> int:
    low, high = _prefix_bounds(params, variant)
    if low > high:  # reported by validate
        low, high = VARIANT_PREFIXES[variant]
    return rng.randint(low, high)


def _usable_question(params: dict[str, str], rng: random.Random) -> Scenario:
    prefix = _pick_prefix(params, "usable", rng)
    subnet = _random_block(prefix, rng)
    stem = (
        f"A subnet in a VPC has the IPv4 CIDR block {subnet}. How many of its IPv4 addresses "
        "can be assigned to network interfaces (instances, load balancer nodes, endpoints)?"
    )
    reserved = reserved_addresses(subnet)
    explanation = (
        f"/{prefix} holds 2^(32-{prefix}) = {addresses(prefix):,} addresses. AWS reserves five "
        f"in every subnet: {reserved[0]} (network address), {reserved[1]} (VPC router), "
        f"{reserved[2]} (DNS server), {reserved[3]} (reserved for future use) and "
        f"{reserved[4]} (the last address: network broadcast, which a VPC does not support "
        f"but keeps). {addresses(prefix):,} - 5 = {usable(prefix):,}.\n\n"
        f"Trap: subtracting only two (network and broadcast, as on premises) gives "
        f"{addresses(prefix) - 2:,}."
    )
    question = Numeric(stem, float(usable(prefix)), 0.0, explanation, "addresses")
    return Scenario("usable", SizingSetup("usable", subnet=subnet, prefix=prefix), question)


def _hosts_for(prefix: int, rng: random.Random) -> int:
    """A host count whose smallest subnet is /prefix; often one that /prefix+1 would hold if
    AWS reserved nothing."""
    low = usable(prefix + 1) + 1  # more than the next smaller subnet holds
    high = usable(prefix)
    if rng.random() < 0.5:
        return rng.randint(low, min(high, addresses(prefix + 1)))  # the reserved-five trap
    return rng.randint(low, high)


def _prefix_question(params: dict[str, str], rng: random.Random) -> Scenario:
    prefix = _pick_prefix(params, "prefix", rng)
    hosts = _hosts_for(prefix, rng)
    vpc = _random_block(MIN_PREFIX, rng)
    others = [prefix + 1, prefix - 1]
    others.append(prefix - 2 if prefix - 2 >= MIN_PREFIX else prefix + 2)
    stem = (
        f"A VPC has the CIDR block {vpc}. A new subnet must hold {hosts:,} instances, each "
        "with one private IPv4 address, and the team wants to leave as much of the VPC free "
        "as possible. What is the smallest subnet that fits?"
    )

    def option(p: int) -> str:
        return f"/{p} ({addresses(p):,} addresses)"

    right = usable(prefix)
    lines = [
        f"A /{prefix} has {addresses(prefix):,} addresses, {right:,} usable after the five AWS "
        f"reserves: enough for {hosts:,}.",
        f"A /{prefix + 1} has {addresses(prefix + 1):,} addresses but only "
        f"{usable(prefix + 1):,} usable: too few"
        + (" (it would be enough if nothing were reserved, which is the trap)."
           if hosts <= addresses(prefix + 1) else "."),
        f"/{prefix - 1} and larger also fit but waste addresses; a smaller subnet (larger "
        "prefix number) never holds more.",
    ]
    question = build_choice(stem, [option(prefix)], [option(p) for p in others],
                            "\n\n".join(lines), rng)
    options = tuple(ipaddress.ip_network(f"{vpc.network_address}/{p}") for p in
                    [prefix, *others])
    setup = SizingSetup("prefix", vpc=vpc, hosts=hosts, prefix=prefix, options=options)
    return Scenario("prefix", setup, question)


def _fit_question(params: dict[str, str], rng: random.Random) -> Scenario:
    prefix = _pick_prefix(params, "fit", rng)
    vpc_prefix = rng.randint(max(MIN_PREFIX, prefix - 8), prefix - 1)
    vpc = _random_block(vpc_prefix, rng)
    count = subnets_that_fit(vpc_prefix, prefix)
    stem = (
        f"A VPC has the single IPv4 CIDR block {vpc}. How many subnets of size /{prefix} can "
        "you create in it, at the most? (Subnets in a VPC may not overlap.)"
    )
    explanation = (
        f"Each /{prefix} takes {addresses(prefix):,} addresses and the VPC has "
        f"{addresses(vpc_prefix):,}, so 2^({prefix}-{vpc_prefix}) = {count:,} subnets fit "
        "side by side. The five reserved addresses are taken inside each subnet, so they do "
        "not change how many subnets fit.\n\n"
        f"Trap: counting the usable addresses ({usable(prefix):,} per subnet) leads to "
        f"{addresses(vpc_prefix) // usable(prefix):,}, but a subnet's CIDR block covers all "
        f"{addresses(prefix):,} of its addresses."
    )
    question = Numeric(stem, float(count), 0.0, explanation, "subnets")
    return Scenario("fit", SizingSetup("fit", vpc=vpc, prefix=prefix), question)


def _peering_question(params: dict[str, str], rng: random.Random) -> Scenario:
    prefix = _pick_prefix(params, "peering", rng)
    vpc = _random_block(prefix, rng)
    containing = vpc.supernet(new_prefix=rng.randint(MIN_PREFIX, prefix - 1))
    contained = _random_block(rng.randint(prefix + 1, MAX_PREFIX), rng, inside=vpc)
    sibling = vpc.supernet(new_prefix=prefix - 1)
    free = next(n for n in sibling.subnets(new_prefix=prefix) if n != vpc)
    if rng.random() < 0.5:
        # a block of another size next to the VPC (its first or last address one past)
        size = rng.randint(max(MIN_PREFIX, prefix - 2), min(MAX_PREFIX, prefix + 2))
        free = _random_block(size, rng, inside=free) if size >= prefix else free
    overlapping = [containing, contained]
    if rng.random() < 0.5:
        overlapping.append(vpc)
    else:
        other = _random_block(rng.randint(prefix + 1, MAX_PREFIX), rng, inside=vpc)
        if other == contained:
            other = vpc
        overlapping.append(other)
    stem = (
        f"VPC A has the IPv4 CIDR block {vpc}. Each of four other VPCs has one IPv4 CIDR "
        "block, listed below. With which of them can VPC A have a VPC peering connection?"
    )

    def option(net: Net) -> str:
        return f"A VPC with {net}"

    def why(net: Net) -> str:
        if net == vpc:
            return f"{net} is the same block"
        if net.subnet_of(vpc):
            return f"{net} lies inside {vpc}"
        if vpc.subnet_of(net):
            return f"{net} contains {vpc}"
        return f"{net} shares no address with {vpc}"

    first, last = vpc.network_address, vpc.broadcast_address
    explanation = (
        f"VPC A spans {first} to {last}. A peering connection between VPCs with matching or "
        "overlapping IPv4 CIDR blocks fails. Two CIDR blocks either share no address or one "
        "contains the other.\n\n"
        + "\n".join(f"- {why(net)}" for net in [free, *overlapping])
    )
    question = build_choice(stem, [option(free)], [option(n) for n in overlapping],
                            explanation, rng)
    setup = SizingSetup("peering", vpc=vpc, options=(free, *overlapping))
    return Scenario("peering", setup, question)


BUILDERS = {
    "usable": _usable_question,
    "prefix": _prefix_question,
    "fit": _fit_question,
    "peering": _peering_question,
}


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    variant = pick_enum(params, "variant", VARIANTS, rng)
    if variant not in VARIANTS:
        variant = rng.choice(VARIANTS)
    if "variant" not in params or params.get("variant") == "any":
        # with a prefix range, keep to the variants that can ask about it
        low, high = range_of(params, "prefix", MIN_PREFIX, MAX_PREFIX)
        fitting = [v for v in VARIANTS if max(low, VARIANT_PREFIXES[v][0])
                   <= min(high, VARIANT_PREFIXES[v][1])]
        if variant not in fitting and fitting:
            variant = rng.choice(fitting)
    return BUILDERS[variant](params, rng)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question
