"""VPC subnet routing to the internet: internet gateway, NAT gateway, NAT instance.

Longer than 500 lines on purpose: one scenario engine is one file (docs/architecture.md), its
model, its question variants and their wording together.

A subnet reaches the internet through its route table's 0.0.0.0/0 route:
- to an internet gateway (a public subnet): the gateway must be attached to the VPC, and the
  instance needs a public IPv4 address or an Elastic IP; the internet can then reach it too;
- to a NAT gateway: the (public) NAT gateway has an Elastic IP and must sit in a public subnet,
  one whose route table sends 0.0.0.0/0 to an attached internet gateway;
- to a NAT instance: the same, plus the NAT instance needs a public IPv4 address or Elastic
  IP and its source/destination check turned off.
NAT only lets instances start connections outward; the internet cannot start connections to
an instance behind NAT. Security groups and network ACLs are assumed to allow the traffic.

Pure: randomness only from the `random.Random` passed in.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace

from studyaws.core.questions import Question
from studyaws.core.scenarios._common import Scenario, build_choice, check_enum, pick_enum

NAME = "subnet-routing"
TITLE = "Subnet routing: internet gateway, NAT gateway, NAT instance"
PARAMS = {
    "variant": "outbound (can the instance reach the internet?), inbound (can the internet "
    "reach it?) or fix (which change makes it work?); default any",
    "nat": "gateway, instance, none or any: the kind of NAT device in the VPC; default any",
}

IGW = "igw"
NAT_GATEWAY = "nat-gateway"
NAT_INSTANCE = "nat-instance"
VARIANTS = ("outbound", "inbound", "fix")
NAT_KINDS = ("gateway", "instance", "none")

# reasons
VIA_IGW = "via-igw"
VIA_NAT_GATEWAY = "via-nat-gateway"
VIA_NAT_INSTANCE = "via-nat-instance"
REACHABLE_INBOUND = "reachable-inbound"
NO_ROUTE = "no-route"
IGW_DETACHED = "igw-detached"
NO_PUBLIC_IP = "no-public-ip"
NAT_GATEWAY_MISSING = "nat-gateway-missing"
NAT_GATEWAY_PRIVATE = "nat-gateway-private"
NAT_INSTANCE_MISSING = "nat-instance-missing"
NAT_INSTANCE_CHECK = "nat-instance-source-dest-check"
NAT_INSTANCE_NO_IP = "nat-instance-no-public-ip"
NAT_INSTANCE_PRIVATE = "nat-instance-private"
BEHIND_NAT = "behind-nat"


# --- the model ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Subnet:
    name: str
    cidr: str
    default_route: str | None  # target of 0.0.0.0/0, or None: only the local route


@dataclass(frozen=True)
class NatGateway:
    """A public NAT gateway; it always has an Elastic IP."""

    subnet: str


@dataclass(frozen=True)
class NatInstance:
    subnet: str
    public_ip: bool
    source_dest_check: bool


@dataclass(frozen=True)
class Instance:
    name: str
    subnet: str
    public_ip: bool  # a public IPv4 address or an Elastic IP


@dataclass(frozen=True)
class Vpc:
    igw_attached: bool
    subnets: tuple[Subnet, ...]
    nat_gateway: NatGateway | None = None
    nat_instance: NatInstance | None = None
    cidr: str = "10.0.0.0/16"

    def subnet(self, name: str) -> Subnet:
        for subnet in self.subnets:
            if subnet.name == name:
                return subnet
        raise KeyError(f"no subnet {name!r}")

    def with_route(self, name: str, target: str | None) -> Vpc:
        subnets = tuple(
            replace(s, default_route=target) if s.name == name else s for s in self.subnets
        )
        return replace(self, subnets=subnets)


@dataclass(frozen=True)
class Reachability:
    reachable: bool
    reason: str
    steps: tuple[str, ...]


def _public_subnet_check(vpc: Vpc, subnet_name: str) -> str | None:
    """None when the subnet is public (0.0.0.0/0 -> an attached internet gateway)."""
    if vpc.subnet(subnet_name).default_route != IGW:
        return "private"
    if not vpc.igw_attached:
        return IGW_DETACHED
    return None


def can_reach_internet(vpc: Vpc, instance: Instance) -> Reachability:
    """Can the instance start connections to the internet (outbound)?"""
    subnet = vpc.subnet(instance.subnet)
    route = subnet.default_route
    steps = []
    if route is None:
        steps.append(f"{subnet.name}'s route table has only the local route: no 0.0.0.0/0 route.")
        return Reachability(False, NO_ROUTE, tuple(steps))
    if route == IGW:
        steps.append(f"{subnet.name}'s route table sends 0.0.0.0/0 to the internet gateway.")
        if not vpc.igw_attached:
            steps.append("No internet gateway is attached to the VPC, so the route goes nowhere.")
            return Reachability(False, IGW_DETACHED, tuple(steps))
        steps.append("The internet gateway is attached to the VPC.")
        if not instance.public_ip:
            steps.append(
                f"{instance.name} has no public IPv4 address or Elastic IP; the internet gateway "
                "translates only addresses that have one, so its traffic cannot go out."
            )
            return Reachability(False, NO_PUBLIC_IP, tuple(steps))
        steps.append(f"{instance.name} has a public IPv4 address, so it reaches the internet.")
        return Reachability(True, VIA_IGW, tuple(steps))
    if route == NAT_GATEWAY:
        steps.append(f"{subnet.name}'s route table sends 0.0.0.0/0 to the NAT gateway.")
        nat = vpc.nat_gateway
        if nat is None:
            steps.append("There is no NAT gateway, so the route goes nowhere.")
            return Reachability(False, NAT_GATEWAY_MISSING, tuple(steps))
        problem = _public_subnet_check(vpc, nat.subnet)
        if problem == "private":
            steps.append(
                f"The NAT gateway is in {nat.subnet}, whose route table has no route to the "
                "internet gateway: a NAT gateway must be in a public subnet."
            )
            return Reachability(False, NAT_GATEWAY_PRIVATE, tuple(steps))
        if problem == IGW_DETACHED:
            steps.append(
                f"The NAT gateway is in {nat.subnet}, but no internet gateway is attached to "
                "the VPC."
            )
            return Reachability(False, IGW_DETACHED, tuple(steps))
        steps.append(
            f"The NAT gateway is in {nat.subnet}, a public subnet, and has an Elastic IP; it "
            f"sends {instance.name}'s traffic out through the internet gateway."
        )
        return Reachability(True, VIA_NAT_GATEWAY, tuple(steps))
    steps.append(f"{subnet.name}'s route table sends 0.0.0.0/0 to the NAT instance.")
    nat_i = vpc.nat_instance
    if nat_i is None:
        steps.append("There is no NAT instance, so the route goes nowhere.")
        return Reachability(False, NAT_INSTANCE_MISSING, tuple(steps))
    if nat_i.source_dest_check:
        steps.append(
            "The NAT instance still has source/destination checking on, so it drops traffic "
            "that is not addressed to itself; it must be turned off for NAT."
        )
        return Reachability(False, NAT_INSTANCE_CHECK, tuple(steps))
    steps.append("Source/destination checking is off on the NAT instance.")
    if not nat_i.public_ip:
        steps.append("The NAT instance has no public IPv4 address or Elastic IP.")
        return Reachability(False, NAT_INSTANCE_NO_IP, tuple(steps))
    problem = _public_subnet_check(vpc, nat_i.subnet)
    if problem == "private":
        steps.append(
            f"The NAT instance is in {nat_i.subnet}, whose route table has no route to the "
            "internet gateway."
        )
        return Reachability(False, NAT_INSTANCE_PRIVATE, tuple(steps))
    if problem == IGW_DETACHED:
        steps.append("No internet gateway is attached to the VPC.")
        return Reachability(False, IGW_DETACHED, tuple(steps))
    steps.append(
        f"The NAT instance is in {nat_i.subnet}, a public subnet, and has a public IP; it "
        f"forwards {instance.name}'s traffic to the internet."
    )
    return Reachability(True, VIA_NAT_INSTANCE, tuple(steps))


def can_be_reached_from_internet(vpc: Vpc, instance: Instance) -> Reachability:
    """Can a host on the internet start a connection to the instance (inbound)?"""
    subnet = vpc.subnet(instance.subnet)
    route = subnet.default_route
    if route is None:
        return Reachability(
            False,
            NO_ROUTE,
            (f"{subnet.name}'s route table has only the local route: no 0.0.0.0/0 route.",),
        )
    if route in (NAT_GATEWAY, NAT_INSTANCE):
        device = "NAT gateway" if route == NAT_GATEWAY else "NAT instance"
        return Reachability(
            False,
            BEHIND_NAT,
            (
                f"{subnet.name} reaches the internet only through the {device}. NAT lets "
                "instances start connections outward; it does not accept connections started "
                "from the internet.",
            ),
        )
    steps = [f"{subnet.name}'s route table sends 0.0.0.0/0 to the internet gateway."]
    if not vpc.igw_attached:
        steps.append("No internet gateway is attached to the VPC.")
        return Reachability(False, IGW_DETACHED, tuple(steps))
    if not instance.public_ip:
        steps.append(
            f"{instance.name} has no public IPv4 address or Elastic IP, so there is no address "
            "on the internet to reach it by."
        )
        return Reachability(False, NO_PUBLIC_IP, tuple(steps))
    steps.append(
        f"The internet gateway is attached and {instance.name} has a public IPv4 address, so "
        "hosts on the internet can reach it."
    )
    return Reachability(True, REACHABLE_INBOUND, tuple(steps))


def config_problems(vpc: Vpc, instance: Instance) -> list[str]:
    """Why AWS would not accept this configuration (empty when it would).

    - Without an internet gateway attached to the VPC there are no public addresses: AWS
      refuses to associate an Elastic IP (or to keep one mapped while the gateway is
      detached), an instance gets no public IPv4 address, and a public NAT gateway cannot
      be created.
    - A route's target must exist: 0.0.0.0/0 can point at a NAT gateway or NAT instance only
      when there is one.
    - A subnet does not send 0.0.0.0/0 to a NAT device that sits in it (its traffic would
      loop back to the device); the generator never builds that.
    """
    problems = []
    names = [s.name for s in vpc.subnets]
    if len(set(names)) != len(names):
        problems.append("subnet names are not unique")
    if instance.subnet not in names:
        problems.append(f"{instance.name} is in an unknown subnet")
    if not vpc.igw_attached:
        if instance.public_ip:
            problems.append(f"{instance.name} has a public IPv4 address without an internet gateway")
        if vpc.nat_gateway is not None:
            problems.append("a public NAT gateway without an internet gateway")
        if vpc.nat_instance is not None and vpc.nat_instance.public_ip:
            problems.append("the NAT instance has an Elastic IP without an internet gateway")
    for subnet in vpc.subnets:
        if subnet.default_route == NAT_GATEWAY:
            if vpc.nat_gateway is None:
                problems.append(f"{subnet.name} routes to a NAT gateway that does not exist")
            elif vpc.nat_gateway.subnet == subnet.name:
                problems.append(f"{subnet.name} routes 0.0.0.0/0 to the NAT gateway inside it")
        if subnet.default_route == NAT_INSTANCE:
            if vpc.nat_instance is None:
                problems.append(f"{subnet.name} routes to a NAT instance that does not exist")
            elif vpc.nat_instance.subnet == subnet.name:
                problems.append(f"{subnet.name} routes 0.0.0.0/0 to the NAT instance inside it")
    for device in (vpc.nat_gateway, vpc.nat_instance):
        if device is not None and device.subnet not in names:
            problems.append("a NAT device in an unknown subnet")
    return problems


def check(vpc: Vpc, instance: Instance, direction: str) -> Reachability:
    if direction == "outbound":
        return can_reach_internet(vpc, instance)
    return can_be_reached_from_internet(vpc, instance)


def true_faults(vpc: Vpc, instance: Instance) -> set[str]:
    """Every fault condition that holds anywhere in the setup (on the path or not)."""
    faults = set()
    route = vpc.subnet(instance.subnet).default_route
    if route is None:
        faults.add(NO_ROUTE)
    if not vpc.igw_attached:
        faults.add(IGW_DETACHED)
    if not instance.public_ip:
        faults.add(NO_PUBLIC_IP)
    if route in (NAT_GATEWAY, NAT_INSTANCE):
        faults.add(BEHIND_NAT)
    if vpc.nat_gateway and vpc.subnet(vpc.nat_gateway.subnet).default_route != IGW:
        faults.add(NAT_GATEWAY_PRIVATE)
    if vpc.nat_instance:
        if vpc.nat_instance.source_dest_check:
            faults.add(NAT_INSTANCE_CHECK)
        if not vpc.nat_instance.public_ip:
            faults.add(NAT_INSTANCE_NO_IP)
        if vpc.subnet(vpc.nat_instance.subnet).default_route != IGW:
            faults.add(NAT_INSTANCE_PRIVATE)
    return faults


# --- fixes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    key: str
    text: str
    apply: Callable[[Vpc, Instance], tuple[Vpc, Instance]]


def candidate_fixes(vpc: Vpc, instance: Instance) -> list[Fix]:
    """Changes that could be proposed for this setup (some help, some do not).

    A change that would leave something as it already is (attaching a gateway that is attached)
    is not proposed; the few that never matter here (a security group rule, when security
    groups already allow everything) are proposed as they are.
    """
    subnet = instance.subnet
    route = vpc.subnet(subnet).default_route
    public = [s.name for s in vpc.subnets if s.default_route == IGW]
    fixes = [
        Fix(
            "sg-outbound",
            f"Add an outbound rule allowing all traffic to {instance.name}'s security group",
            lambda v, i: (v, i),
        ),
        Fix(
            "instance-sdc",
            f"Turn off source/destination checking on {instance.name}",
            lambda v, i: (v, i),
        ),
        Fix(
            "s3-endpoint",
            f"Add a gateway VPC endpoint for Amazon S3 to {subnet}'s route table",
            lambda v, i: (v, i),
        ),
        Fix(
            "nacl-inbound",
            f"Add an inbound rule allowing all traffic to {subnet}'s network ACL",
            lambda v, i: (v, i),
        ),
    ]
    if not vpc.igw_attached:
        fixes.append(
            Fix(
                "attach-igw",
                "Attach an internet gateway to the VPC",
                lambda v, i: (replace(v, igw_attached=True), i),
            )
        )
    if not instance.public_ip and vpc.igw_attached:
        fixes.append(
            Fix(
                "eip-instance",
                f"Associate an Elastic IP address with {instance.name}",
                lambda v, i: (v, replace(i, public_ip=True)),
            )
        )
    if route != IGW:
        fixes.append(
            Fix(
                "route-igw",
                f"Point {subnet}'s 0.0.0.0/0 route at the internet gateway",
                lambda v, i: (v.with_route(subnet, IGW), i),
            )
        )
    if vpc.nat_gateway is not None:
        nat_subnet = vpc.nat_gateway.subnet
        fixes.append(
            Fix(
                "natgw-eip",
                "Associate a second Elastic IP address with the NAT gateway",
                lambda v, i: (v, i),
            )
        )
        if route != NAT_GATEWAY and nat_subnet != subnet:
            fixes.append(
                Fix(
                    "route-natgw",
                    f"Point {subnet}'s 0.0.0.0/0 route at the NAT gateway",
                    lambda v, i: (v.with_route(subnet, NAT_GATEWAY), i),
                )
            )
        for target in public:
            if target not in (nat_subnet, subnet):
                # a new NAT gateway has a new ID: the routes to the old one would go nowhere,
                # so the change includes pointing the instance's subnet at the new one
                fixes.append(
                    Fix(
                        f"move-natgw-{target}",
                        f"Replace the NAT gateway with a new one in {target} and point "
                        f"{subnet}'s 0.0.0.0/0 route at the new one",
                        lambda v, i, t=target: (
                            replace(v, nat_gateway=NatGateway(t)).with_route(subnet, NAT_GATEWAY),
                            i,
                        ),
                    )
                )
        if nat_subnet != subnet and vpc.subnet(nat_subnet).default_route != IGW:
            fixes.append(
                Fix(
                    "natgw-subnet-route",
                    f"Point {nat_subnet}'s 0.0.0.0/0 route at the internet gateway",
                    lambda v, i: (v.with_route(nat_subnet, IGW), i),
                )
            )
    if vpc.nat_instance is not None:
        nat_i = vpc.nat_instance
        if route != NAT_INSTANCE and nat_i.subnet != subnet:
            fixes.append(
                Fix(
                    "route-nati",
                    f"Point {subnet}'s 0.0.0.0/0 route at the NAT instance",
                    lambda v, i: (v.with_route(subnet, NAT_INSTANCE), i),
                )
            )
        if nat_i.source_dest_check:
            fixes.append(
                Fix(
                    "nati-sdc",
                    "Turn off source/destination checking on the NAT instance",
                    lambda v, i: (
                        replace(v, nat_instance=replace(nat_i, source_dest_check=False)),
                        i,
                    ),
                )
            )
        if not nat_i.public_ip and vpc.igw_attached:
            fixes.append(
                Fix(
                    "nati-eip",
                    "Associate an Elastic IP address with the NAT instance",
                    lambda v, i: (replace(v, nat_instance=replace(nat_i, public_ip=True)), i),
                )
            )
        if nat_i.subnet != subnet and vpc.subnet(nat_i.subnet).default_route != IGW:
            fixes.append(
                Fix(
                    "nati-subnet-route",
                    f"Point {nat_i.subnet}'s 0.0.0.0/0 route at the internet gateway",
                    lambda v, i: (v.with_route(nat_i.subnet, IGW), i),
                )
            )
    return fixes


def fix_works(vpc: Vpc, instance: Instance, fix: Fix, direction: str) -> bool:
    new_vpc, new_instance = fix.apply(vpc, instance)
    return check(new_vpc, new_instance, direction).reachable


# --- parameters ---------------------------------------------------------------------------


def validate(params: dict[str, str]) -> list[tuple[str | None, str]]:
    problems: list[tuple[str | None, str]] = []
    check_enum(params, "variant", VARIANTS + ("any",), problems)
    check_enum(params, "nat", NAT_KINDS + ("any",), problems)
    return problems


# --- generation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RoutingSetup:
    vpc: Vpc
    instance: Instance
    direction: str  # outbound or inbound


ROUTE_TEXT = {
    IGW: "internet gateway",
    NAT_GATEWAY: "NAT gateway",
    NAT_INSTANCE: "NAT instance",
    None: "none (local route only)",
}
INSTANCE_NAMES = ("app-1", "web-1", "worker-1", "batch-1", "api-1")


def _build(nat_kind: str, rng: random.Random) -> tuple[Vpc, Instance]:
    """A VPC and an instance in a configuration AWS accepts (see `config_problems`)."""
    # a public NAT gateway cannot exist without an attached internet gateway
    igw = nat_kind == "gateway" or rng.random() < 0.85
    public_route = IGW if rng.random() < 0.9 else None
    subnets = [Subnet("subnet-a", "10.0.1.0/24", public_route)]
    private_route: str | None = None
    third_route: str | None = None
    nat_gateway = None
    nat_instance = None
    device_in_b = False
    if nat_kind == "gateway":
        device_in_b = rng.random() >= 0.7
        nat_gateway = NatGateway("subnet-b" if device_in_b else "subnet-a")
        target = NAT_GATEWAY if rng.random() < 0.8 else None
    elif nat_kind == "instance":
        device_in_b = rng.random() >= 0.8
        nat_instance = NatInstance(
            "subnet-b" if device_in_b else "subnet-a",
            igw and rng.random() < 0.75,  # no Elastic IP without an internet gateway
            rng.random() < 0.4,
        )
        target = NAT_INSTANCE if rng.random() < 0.8 else None
    else:
        target = None
        private_route = rng.choice((None, IGW))
    if nat_kind != "none":
        # the subnets behind the NAT device route to it; the device's own subnet never does
        if device_in_b:
            third_route = target
        else:
            private_route = target
    subnets.append(Subnet("subnet-b", "10.0.2.0/24", private_route))
    if device_in_b or rng.random() < 0.4:
        subnets.append(Subnet("subnet-c", "10.0.3.0/24", third_route))
    vpc = Vpc(igw, tuple(subnets), nat_gateway, nat_instance)
    home = rng.choice([s.name for s in subnets] + [subnets[-1].name if device_in_b else "subnet-b"])
    public_ip = igw and rng.random() < (0.65 if vpc.subnet(home).default_route == IGW else 0.3)
    instance = Instance(rng.choice(INSTANCE_NAMES), home, public_ip)
    return vpc, instance


def describe(vpc: Vpc, instance: Instance) -> str:
    attached = (
        "has an internet gateway attached"
        if vpc.igw_attached
        else ("has no internet gateway attached")
    )
    rows = ["| Subnet | CIDR | Route for 0.0.0.0/0 |", "| --- | --- | --- |"]
    for subnet in vpc.subnets:
        rows.append(f"| {subnet.name} | {subnet.cidr} | {ROUTE_TEXT[subnet.default_route]} |")
    lines = [f"A VPC ({vpc.cidr}) {attached}. Its subnets' route tables:", "", *rows, ""]
    devices = []
    if vpc.nat_gateway is not None:
        devices.append(f"A public NAT gateway with an Elastic IP is in {vpc.nat_gateway.subnet}.")
    if vpc.nat_instance is not None:
        nat_i = vpc.nat_instance
        ip = "has an Elastic IP" if nat_i.public_ip else "has no public IPv4 address"
        sdc = "on" if nat_i.source_dest_check else "off"
        devices.append(
            f"A NAT instance runs in {nat_i.subnet}; it {ip} and its source/destination check "
            f"is {sdc}."
        )
    ip = "has a public IPv4 address" if instance.public_ip else "has no public IPv4 address"
    devices.append(f"The EC2 instance {instance.name} runs in {instance.subnet} and {ip}.")
    devices.append("Security groups and network ACLs allow all the traffic involved.")
    lines.append(" ".join(devices))
    return "\n".join(lines)


def reason_text(reason: str, vpc: Vpc, instance: Instance) -> str:
    """The option that names a reachability outcome."""
    subnet = instance.subnet
    nat_gw = vpc.nat_gateway.subnet if vpc.nat_gateway else "a private subnet"
    nat_i = vpc.nat_instance.subnet if vpc.nat_instance else "a private subnet"
    return {
        VIA_IGW: "Yes: through the internet gateway, using its public IPv4 address",
        VIA_NAT_GATEWAY: "Yes: through the NAT gateway",
        VIA_NAT_INSTANCE: "Yes: through the NAT instance",
        REACHABLE_INBOUND: "Yes: at its public IPv4 address, through the internet gateway",
        NO_ROUTE: f"No: {subnet}'s route table has no 0.0.0.0/0 route, only the local route",
        IGW_DETACHED: "No: no internet gateway is attached to the VPC",
        NO_PUBLIC_IP: f"No: {instance.name} has no public IPv4 address or Elastic IP",
        NAT_GATEWAY_MISSING: "No: the route points at a NAT gateway that does not exist",
        NAT_GATEWAY_PRIVATE: f"No: the NAT gateway is in {nat_gw}, which has no route to the "
        "internet gateway",
        NAT_INSTANCE_MISSING: "No: the route points at a NAT instance that does not exist",
        NAT_INSTANCE_CHECK: "No: source/destination checking is on for the NAT instance",
        NAT_INSTANCE_NO_IP: "No: the NAT instance has no public IPv4 address or Elastic IP",
        NAT_INSTANCE_PRIVATE: f"No: the NAT instance is in {nat_i}, which has no route to the "
        "internet gateway",
        BEHIND_NAT: "No: NAT does not accept connections started from the internet",
    }[reason]


INBOUND_VIA_NAT = "Yes: through the NAT gateway's Elastic IP address"


def _answer_options(vpc: Vpc, direction: str) -> list[str]:
    """Reasons relevant to this setup that can be offered as options."""
    if direction == "outbound":
        reasons = [VIA_IGW, NO_ROUTE, IGW_DETACHED, NO_PUBLIC_IP]
        if vpc.nat_gateway is not None:
            reasons += [VIA_NAT_GATEWAY, NAT_GATEWAY_PRIVATE]
        if vpc.nat_instance is not None:
            reasons += [
                VIA_NAT_INSTANCE,
                NAT_INSTANCE_CHECK,
                NAT_INSTANCE_NO_IP,
                NAT_INSTANCE_PRIVATE,
            ]
    else:
        # "NAT does not accept connections started from the internet" is offered only when the
        # instance is behind NAT, where it is the answer: elsewhere it is beside the point
        reasons = [REACHABLE_INBOUND, NO_ROUTE, IGW_DETACHED, NO_PUBLIC_IP]
    return reasons


def _reach_question(vpc: Vpc, instance: Instance, direction: str, rng: random.Random) -> Scenario:
    result = check(vpc, instance, direction)
    right = reason_text(result.reason, vpc, instance)
    faults = true_faults(vpc, instance)
    candidates = []
    for reason in _answer_options(vpc, direction):
        if reason == result.reason:
            continue
        # when it fails, don't offer another condition that also holds: it would be half-true
        if not result.reachable and reason in faults:
            continue
        candidates.append(reason_text(reason, vpc, instance))
    if direction == "inbound" and vpc.nat_gateway is not None:
        candidates.append(INBOUND_VIA_NAT)
    candidates = sorted(set(candidates) - {right})
    wrong = rng.sample(candidates, min(4, len(candidates)))
    if direction == "outbound":
        ask = (
            f"Can {instance.name} start connections to the internet (for example to download "
            "updates)?"
        )
    else:
        ask = f"Can a client on the internet start a connection to {instance.name}?"
    stem = f"{describe(vpc, instance)}\n\n{ask}"
    explanation = "\n".join(f"- {s}" for s in result.steps)
    question = build_choice(stem, [right], wrong, explanation, rng)
    return Scenario(direction, RoutingSetup(vpc, instance, direction), question)


def _fix_question(
    vpc: Vpc, instance: Instance, direction: str, rng: random.Random
) -> Scenario | None:
    if check(vpc, instance, direction).reachable:
        return None
    fixes = candidate_fixes(vpc, instance)
    working = [f for f in fixes if fix_works(vpc, instance, f, direction)]
    failing = [f for f in fixes if not fix_works(vpc, instance, f, direction)]
    if not working or len(failing) < 3:
        return None
    count = 2 if len(working) >= 2 and rng.random() < 0.35 else 1
    right = rng.sample(working, count)
    wrong = rng.sample(failing, min(len(failing), 5 - count))
    goal = (
        f"{instance.name} must be able to start connections to the internet"
        if direction == "outbound"
        else f"Clients on the internet must be able to start connections to {instance.name}"
    )
    one = (
        "Which single change achieves this?"
        if count == 1
        else ("Which changes would each, on its own, achieve this?")
    )
    stem = f"{describe(vpc, instance)}\n\n{goal}, and today that fails. {one}"
    before = check(vpc, instance, direction)
    lines = ["Today:"] + [f"- {s}" for s in before.steps] + ["", "The changes:"]
    for fix in right + wrong:
        new_vpc, new_instance = fix.apply(vpc, instance)
        after = check(new_vpc, new_instance, direction)
        verdict = "works" if after.reachable else "does not help"
        lines.append(f"- {fix.text}: {verdict}. {after.steps[-1]}")
    question = build_choice(
        stem, [f.text for f in right], [f.text for f in wrong], "\n".join(lines), rng
    )
    return Scenario("fix", RoutingSetup(vpc, instance, direction), question)


def scenario(params: dict[str, str], rng: random.Random) -> Scenario:
    """A generated variant together with the VPC and instance it was evaluated on."""
    variant = pick_enum(params, "variant", VARIANTS, rng)
    nat_kind = pick_enum(params, "nat", NAT_KINDS, rng)
    if variant == "fix":
        direction = "outbound" if rng.random() < 0.75 else "inbound"
        for _ in range(200):
            vpc, instance = _build(nat_kind, rng)
            result = _fix_question(vpc, instance, direction, rng)
            if result is not None:
                return result
        # practically never reached: a plain case that always has a fix
        vpc = Vpc(True, (Subnet("subnet-a", "10.0.1.0/24", IGW),))
        instance = Instance(rng.choice(INSTANCE_NAMES), "subnet-a", False)
        result = _fix_question(vpc, instance, "outbound", rng)
        assert result is not None
        return result
    vpc, instance = _build(nat_kind, rng)
    direction = variant if variant in ("outbound", "inbound") else "outbound"
    return _reach_question(vpc, instance, direction, rng)


def generate(params: dict[str, str], rng: random.Random) -> Question:
    return scenario(params, rng).question
