"""Every generated option re-judged, and every generated configuration checked against AWS.

For each scenario kind, each option of a generated question is judged again from the setup
the question was built on, by rules written here (not by the engine's own option builder):
a fix is applied to the model and the requirement evaluated again; a restore option is
checked against the backup window and the snapshots; a deployment against the requirements
and its cost; a statement against the model. The test fails when the key does not meet the
stem's requirement, or when a distractor does too (a second defensible answer).

The validity checks fail when a generated configuration is one AWS would not accept (a
public address without an internet gateway, a route to a NAT device from its own subnet, a
snapshot taken after the instance was deleted, a rule number outside 1-32766, a packet that
never crosses the subnet boundary, ...), and on the stem wording the issue found (tense,
grammar, a retention period that is not there).

Fast: 50 seeds per kind and parameter set. Slow (`-m slow`, run in CI): 1,000 seeds.
"""

from __future__ import annotations

import ipaddress
import random
import re
from datetime import timedelta

import pytest

from studyaws.core.questions import Choice, Numeric, Ordering
from studyaws.core.scenarios import (
    aurora_quorum,
    backup_retention,
    multi_az_vs_replica,
    nacl,
    subnet_routing,
)
from studyaws.core.scenarios._common import Scenario

FAST_SEEDS = range(50)
SLOW_SEEDS = range(1000)

# The documented parameter values, one at a time, plus the bundled decks' blocks.
CASES: dict[str, list[dict[str, str]]] = {
    "subnet-routing": [
        {},
        {"variant": "outbound"},
        {"variant": "inbound"},
        {"variant": "fix"},
        {"nat": "gateway"},
        {"nat": "instance"},
        {"nat": "none"},
        {"variant": "fix", "nat": "gateway"},
        {"variant": "fix", "nat": "instance"},
        {"variant": "outbound", "nat": "none"},
    ],
    "backup-retention": [
        {},
        {"retention": "0"},
        {"retention": "1"},
        {"retention": "7"},
        {"retention": "35"},
        {"deleted": "yes"},
        {"deleted": "no"},
        {"variant": "restore"},
        {"variant": "statements"},
        {"retention": "0", "deleted": "yes"},
        {"retention": "1-35", "deleted": "yes", "variant": "restore"},
    ],
    "aurora-quorum": [
        {},
        {"lose": "1"},
        {"lose": "2"},
        {"lose": "3"},
        {"lose": "6"},
        {"az-loss": "yes"},
        {"az-loss": "no"},
        {"variant": "status"},
        {"variant": "tolerance"},
        {"lose": "2-3", "az-loss": "yes"},
        {"variant": "tolerance", "lose": "1-2"},
    ],
    "nacl": [
        {},
        {"direction": "inbound"},
        {"direction": "outbound"},
        {"rules": "3"},
        {"rules": "8"},
        {"variant": "decide"},
        {"variant": "order"},
        {"variant": "return-traffic"},
        {"direction": "inbound", "variant": "decide"},
        {"direction": "outbound", "variant": "decide"},
        {"variant": "order", "rules": "4-6"},
    ],
    "multi-az-vs-replica": [
        {},
        {"variant": "pick"},
        {"variant": "statements"},
        {"requirements": "1"},
        {"requirements": "2"},
        {"requirements": "3"},
        {"variant": "pick", "requirements": "2-3"},
    ],
}

MODULES = {
    "subnet-routing": subnet_routing,
    "backup-retention": backup_retention,
    "aurora-quorum": aurora_quorum,
    "nacl": nacl,
    "multi-az-vs-replica": multi_az_vs_replica,
}


def keyed(question: Choice) -> set[str]:
    return {question.options[i] for i in question.correct}


def judge_defensible(question: Choice, defensible: dict[str, bool]) -> list[str]:
    """The key must be exactly the options judged defensible."""
    problems = []
    for text in question.options:
        if text not in defensible:
            problems.append(f"option not judged: {text!r}")
        elif defensible[text] and text not in keyed(question):
            problems.append(f"distractor also meets the requirement: {text!r}")
        elif not defensible[text] and text in keyed(question):
            problems.append(f"key does not meet the requirement: {text!r}")
    return problems


# --- subnet routing -----------------------------------------------------------------------

sr = subnet_routing


def aws_accepts_vpc(vpc: sr.Vpc, instance: sr.Instance) -> list[str]:
    """What AWS would refuse in this VPC (written here, apart from the engine)."""
    problems = []
    names = [s.name for s in vpc.subnets]
    if len(set(names)) != len(names) or instance.subnet not in names:
        problems.append("subnets")
    for subnet in vpc.subnets:
        if ipaddress.ip_network(subnet.cidr).subnet_of(ipaddress.ip_network(vpc.cidr)) is False:
            problems.append(f"{subnet.cidr} outside the VPC")
    if not vpc.igw_attached:
        # no public addresses in a VPC without an internet gateway
        if instance.public_ip:
            problems.append("instance public IP without an internet gateway")
        if vpc.nat_gateway is not None:
            problems.append("public NAT gateway without an internet gateway")
        if vpc.nat_instance is not None and vpc.nat_instance.public_ip:
            problems.append("NAT instance Elastic IP without an internet gateway")
    devices = {sr.NAT_GATEWAY: vpc.nat_gateway, sr.NAT_INSTANCE: vpc.nat_instance}
    for subnet in vpc.subnets:
        if subnet.default_route in devices:
            device = devices[subnet.default_route]
            if device is None:
                problems.append(f"{subnet.name} routes to a missing {subnet.default_route}")
            elif device.subnet == subnet.name:
                problems.append(f"{subnet.name} routes to the NAT device inside it (a loop)")
    return problems


def apply_fix_text(text: str, vpc: sr.Vpc, instance: sr.Instance):
    """The change an option proposes, applied to the model (parsed from its wording)."""
    name = re.escape(instance.name)
    if text == "Attach an internet gateway to the VPC":
        return sr.replace(vpc, igw_attached=True), instance
    if re.fullmatch(rf"Associate an Elastic IP address with {name}", text):
        return vpc, sr.replace(instance, public_ip=True)
    if text == "Associate an Elastic IP address with the NAT instance":
        return sr.replace(vpc, nat_instance=sr.replace(vpc.nat_instance, public_ip=True)), instance
    if text == "Turn off source/destination checking on the NAT instance":
        nat_i = sr.replace(vpc.nat_instance, source_dest_check=False)
        return sr.replace(vpc, nat_instance=nat_i), instance
    targets = {
        "the internet gateway": sr.IGW,
        "the NAT gateway": sr.NAT_GATEWAY,
        "the NAT instance": sr.NAT_INSTANCE,
    }
    match = re.fullmatch(r"Point (subnet-\w)'s 0\.0\.0\.0/0 route at (.+)", text)
    if match:
        return vpc.with_route(match[1], targets[match[2]]), instance
    match = re.fullmatch(
        r"Replace the NAT gateway with a new one in (subnet-\w) and point (subnet-\w)'s "
        r"0\.0\.0\.0/0 route at the new one",
        text,
    )
    if match:
        moved = sr.replace(vpc, nat_gateway=sr.NatGateway(match[1]))
        return moved.with_route(match[2], sr.NAT_GATEWAY), instance
    no_effect = (
        rf"Add an outbound rule allowing all traffic to {name}'s security group",
        rf"Turn off source/destination checking on {name}",
        r"Add a gateway VPC endpoint for Amazon S3 to subnet-\w's route table",
        r"Add an inbound rule allowing all traffic to subnet-\w's network ACL",
        r"Associate a second Elastic IP address with the NAT gateway",
    )
    if any(re.fullmatch(pattern, text) for pattern in no_effect):
        return vpc, instance
    raise AssertionError(f"a fix the test does not know: {text!r}")


def routing_claim(text: str, vpc: sr.Vpc, instance: sr.Instance, direction: str):
    """(claims it works, whether the stated reason holds in the setup) for a reach option."""
    route = vpc.subnet(instance.subnet).default_route
    reachable = sr.check(vpc, instance, direction).reachable
    nat_gw, nat_i = vpc.nat_gateway, vpc.nat_instance
    holds = {
        sr.VIA_IGW: route == sr.IGW and vpc.igw_attached and instance.public_ip,
        sr.VIA_NAT_GATEWAY: route == sr.NAT_GATEWAY and reachable,
        sr.VIA_NAT_INSTANCE: route == sr.NAT_INSTANCE and reachable,
        sr.REACHABLE_INBOUND: route == sr.IGW and vpc.igw_attached and instance.public_ip,
        sr.NO_ROUTE: route is None,
        sr.IGW_DETACHED: not vpc.igw_attached,
        sr.NO_PUBLIC_IP: not instance.public_ip,
        sr.NAT_GATEWAY_MISSING: route == sr.NAT_GATEWAY and nat_gw is None,
        sr.NAT_GATEWAY_PRIVATE: nat_gw is not None
        and vpc.subnet(nat_gw.subnet).default_route != sr.IGW,
        sr.NAT_INSTANCE_MISSING: route == sr.NAT_INSTANCE and nat_i is None,
        sr.NAT_INSTANCE_CHECK: nat_i is not None and nat_i.source_dest_check,
        sr.NAT_INSTANCE_NO_IP: nat_i is not None and not nat_i.public_ip,
        sr.NAT_INSTANCE_PRIVATE: nat_i is not None
        and vpc.subnet(nat_i.subnet).default_route != sr.IGW,
        sr.BEHIND_NAT: route in (sr.NAT_GATEWAY, sr.NAT_INSTANCE),
    }
    for reason, holds_here in holds.items():
        if sr.reason_text(reason, vpc, instance) == text:
            return text.startswith("Yes"), bool(holds_here)
    if text == sr.INBOUND_VIA_NAT:
        return True, False  # NAT never accepts connections started from the internet
    raise AssertionError(f"an option the test does not know: {text!r}")


def judge_subnet_routing(made: Scenario) -> list[str]:
    setup, question = made.setup, made.question
    vpc, instance, direction = setup.vpc, setup.instance, setup.direction
    problems = [f"invalid configuration: {p}" for p in aws_accepts_vpc(vpc, instance)]
    problems += [f"engine calls it invalid: {p}" for p in sr.config_problems(vpc, instance)]
    if problems:
        return problems
    defensible = {}
    if made.variant == "fix":
        if sr.check(vpc, instance, direction).reachable:
            return ["a fix question for a setup that already works"]
        for text in question.options:
            new_vpc, new_instance = apply_fix_text(text, vpc, instance)
            invalid = aws_accepts_vpc(new_vpc, new_instance)
            if invalid:
                problems.append(f"the change {text!r} gives a configuration AWS refuses: {invalid}")
            defensible[text] = sr.check(new_vpc, new_instance, direction).reachable
    else:
        works = sr.check(vpc, instance, direction).reachable
        for text in question.options:
            claims_yes, reason_holds = routing_claim(text, vpc, instance, direction)
            defensible[text] = claims_yes == works and reason_holds
    return problems + judge_defensible(question, defensible)


# --- backup retention ---------------------------------------------------------------------

br = backup_retention


def backup_ways(backups: br.BackupSetup, requested) -> tuple[bool, set[str]]:
    """(point-in-time restore reaches it, names of the snapshots that hold that data)."""
    pitr = (
        backups.retention_days > 0
        and backups.deleted_at is None
        and backups.now - timedelta(days=backups.retention_days)
        <= requested
        <= backups.now - timedelta(minutes=5)
    )
    snaps = set()
    for snap in backups.snapshots:
        # the final snapshot holds the data as it was at any time after the deletion
        after_deletion = snap.final and backups.deleted_at <= requested <= backups.now
        if snap.taken == requested or after_deletion:
            snaps.add(snap.name)
    return pitr, snaps


def backup_statement_truth(text: str, backups: br.BackupSetup, requested) -> bool:
    pitr, snaps = backup_ways(backups, requested)
    fixed = {
        "Any restore creates a new DB instance with a new endpoint.": True,
        "A restore overwrites the existing DB instance and keeps its endpoint.": False,
        "Manual snapshots are kept until you delete them, even after the DB instance is "
        "deleted.": True,
        "Manual snapshots are deleted when the backup retention period ends.": False,
        "Point-in-time restore can recover the data as it was one minute ago.": False,
        "The automated backups are still available after the deletion.": False,
    }
    if text in fixed:
        return fixed[text]
    when = br.fmt(requested)
    if text == f"A point-in-time restore to {when} is possible.":
        return pitr
    if text.startswith(f"The data as it was at {when} can be restored"):
        return pitr or bool(snaps)
    match = re.fullmatch(r"The (earliest|latest) restorable time is (.+)\.", text)
    if match:
        assert backups.retention_days > 0 and not backups.deleted
        expected = (
            backups.now - timedelta(days=backups.retention_days)
            if match[1] == "earliest"
            else backups.now - timedelta(minutes=5)
        )
        return match[2] == br.fmt(expected)
    match = re.fullmatch(r"Restoring (\S+) gives the data as it was at (.+)\.", text)
    if match:
        snap = next(s for s in backups.snapshots if s.name == match[1])
        return match[2] == br.fmt(snap.taken)
    raise AssertionError(f"a statement the test does not know: {text!r}")


def backup_validity(backups: br.BackupSetup, requested, stem: str, options) -> list[str]:
    problems = []
    if not 0 <= backups.retention_days <= 35:
        problems.append("retention outside 0-35 days")
    if requested > backups.now:
        problems.append("requested time in the future")
    horizon = backups.deleted_at or backups.now
    if backups.deleted_at is not None and backups.deleted_at > backups.now:
        problems.append("deleted in the future")
    finals = [s for s in backups.snapshots if s.final]
    if len(finals) > 1 or (finals and finals[0].taken != backups.deleted_at):
        problems.append("a final snapshot not taken at the deletion")
    for snap in backups.snapshots:
        if snap.taken > horizon:
            problems.append(f"{snap.name} taken after the instance was deleted (or in the future)")
    if len({s.name for s in backups.snapshots}) != len(backups.snapshots):
        problems.append("snapshot names repeat")
    listed = re.findall(r"^\| (\S+?)(?: \(final snapshot\))? \| (\d{4}-[^|(]+?) \(", stem, re.M)
    times = [when for _, when in listed]
    numbers = [int(n) for name, _ in listed for n in re.findall(r"-manual-(\d+)$", name)]
    if times != sorted(times) or numbers != sorted(numbers):
        problems.append("snapshots not listed in the order they were taken")
    if backups.deleted and re.search(rf"{backups.instance} has\b", stem):
        problems.append("a deleted instance described in the present tense")
    if backups.retention_days == 0 and "retention period" in stem + " ".join(options):
        problems.append("retention 0, yet the stem speaks of a retention period")
    return problems


def judge_backup_retention(made: Scenario) -> list[str]:
    setup, question = made.setup, made.question
    backups, requested = setup.backups, setup.requested
    problems = backup_validity(backups, requested, question.stem, question.options)
    defensible = {}
    if made.variant == "restore":
        pitr, snaps = backup_ways(backups, requested)
        for text in question.options:
            if text == br.PITR_OPTION:
                defensible[text] = pitr
            elif text == br.NOT_POSSIBLE_OPTION:
                defensible[text] = not pitr and not snaps
            elif text == br.IN_PLACE_OPTION:
                defensible[text] = False  # every restore creates a new DB instance
            else:
                match = re.fullmatch(r"Restore the manual snapshot (\S+) \(taken (.+)\)", text)
                assert match, text
                snap = next(s for s in backups.snapshots if s.name == match[1])
                assert match[2] == br.fmt(snap.taken)
                defensible[text] = snap.name in snaps
    else:
        for text in question.options:
            defensible[text] = backup_statement_truth(text, backups, requested)
    return problems + judge_defensible(question, defensible)


# --- Aurora quorum ------------------------------------------------------------------------


def judge_aurora(made: Scenario) -> list[str]:
    setup, question = made.setup, made.question
    lost = setup.lost
    problems = []
    copies = {f"{az}{i}" for az in "ABC" for i in (1, 2)}
    if not lost <= copies or not 1 <= len(lost) <= 6:
        problems.append(f"lost copies {sorted(lost)} are not 1-6 of the six copies")
    text = question.stem + question.explanation
    if re.search(r"\b1 of the 6 copy\b", text) or re.search(r"\b[2-6] copy\b", text):
        problems.append("copy/copies agreement")
    if "none has been repaired yet" not in question.stem:
        problems.append("the stem does not say that none of the lost copies is repaired yet")
    left = 6 - len(lost)
    writes, reads = left >= 4, left >= 3
    if made.variant == "status":
        claims = {
            "It keeps serving both reads and writes": (True, True),
            "It serves reads only; writes stop": (True, False),
            "It serves neither reads nor writes": (False, False),
            "It serves writes only; reads stop": (False, True),
        }
        defensible = {t: claims[t] == (reads, writes) for t in question.options}
        return problems + judge_defensible(question, defensible)
    assert isinstance(question, Numeric)
    quorum = 4 if setup.operation == "write" else 3
    answer = int(question.answer)
    if question.answer != answer or question.tolerance != 0:
        problems.append("the numeric answer is not a whole number with no tolerance")
    # losing `answer` more copies keeps the quorum; losing one more does not
    if not (left - answer >= quorum and left - answer - 1 < quorum and answer >= 0):
        problems.append(f"{answer} more copies is not the tolerance with {left} left")
    return problems


# --- network ACL --------------------------------------------------------------------------


def acl_first_match(rules, protocol, address, direction, port):
    """(allowed, deciding rule number or '*'), evaluated here from the rules as given."""
    for rule in sorted((r for r in rules if r.direction == direction), key=lambda r: r.number):
        if rule.protocol != "all" and rule.protocol != protocol:
            continue
        if ipaddress.ip_address(address) not in ipaddress.ip_network(rule.cidr):
            continue
        if rule.ports is not None and not rule.ports[0] <= port <= rule.ports[1]:
            continue
        return rule.action == "allow", rule.number
    return False, "*"


def acl_validity(rules, packets, stem: str) -> list[str]:
    problems = []
    for direction in ("inbound", "outbound"):
        numbers = [r.number for r in rules if r.direction == direction]
        if len(set(numbers)) != len(numbers):
            problems.append(f"{direction} rule numbers repeat")
        if len(numbers) > 20:
            problems.append(f"more than 20 {direction} rules (the default quota)")
    for rule in rules:
        if not 1 <= rule.number <= 32766:
            problems.append(f"rule number {rule.number} outside 1-32766")
        network = ipaddress.ip_network(rule.cidr)
        if str(network) != rule.cidr:
            problems.append(f"{rule.cidr} is not a CIDR block")
        if rule.ports is not None and not 0 <= rule.ports[0] <= rule.ports[1] <= 65535:
            problems.append(f"bad port range {rule.ports}")
        if rule.protocol in ("icmp", "all") and rule.ports is not None:
            problems.append("a port range on an icmp/all rule")
    if packets:
        match = re.search(r"A subnet \((\d+\.\d+\.\d+\.\d+/\d+)\)", stem)
        if not match:
            problems.append("the stem does not give the subnet's CIDR")
        else:
            subnet = ipaddress.ip_network(match[1])
            for packet in packets:
                if ipaddress.ip_address(packet.address) in subnet:
                    problems.append(f"{packet.address} is inside the subnet: no NACL sees it")
    if "60999" in re.sub(r"port 60999|60999\)", "", stem) and "32768-60999" in stem:
        problems.append("32768-60999 given as a range (AWS documents 32768-61000)")
    return problems


def nacl_decision_text(allowed, number) -> str:
    if number == "*":
        return "Denied by the default * rule"
    return f"{'Allowed' if allowed else 'Denied'} by rule {number}"


def nacl_response_text(allowed, number, rdir) -> str:
    if number == "*":
        return f"No: no {rdir} rule matches, so the * rule denies it"
    return (
        f"Yes: {rdir} rule {number} allows it" if allowed else f"No: {rdir} rule {number} denies it"
    )


def nacl_statement_truth(text: str, setup, allowed, number) -> bool:
    rdir = setup.response.direction
    fixed = {
        f"Network ACLs are stateless: the response is checked against the {rdir} rules.": True,
        "Network ACLs are stateful: because the request was allowed, the response is "
        "allowed automatically.": False,
        "Security groups are stateful: if a security group allowed the request, it allows "
        f"the response whatever its {rdir} rules say.": True,
        f"A security group needs an {rdir} rule for the response, just as the network ACL "
        "does.": False,
        "Security groups have only allow rules; network ACLs have allow and deny rules.": True,
        "A security group rule can deny the response to one IP address.": False,
        f"The response is sent to port {setup.client_port}, the client's ephemeral port.": True,
        f"The response is sent to port {setup.service_port}, the port of the request.": False,
        "The response leaves the subnet.": allowed,
        "The response gets back into the subnet.": allowed,
        "The network ACL blocks the response.": not allowed,
        "The * rule decides the response.": number == "*",
    }
    if text in fixed:
        return fixed[text]
    match = re.fullmatch(rf"{rdir.capitalize()} rule (\d+) decides the response\.", text)
    assert match, f"a statement the test does not know: {text!r}"
    return int(match[1]) == number


def judge_nacl(made: Scenario) -> list[str]:
    setup, question = made.setup, made.question
    if made.variant == "decide":
        packet = setup.packet
        problems = acl_validity(setup.rules, [packet], question.stem)
        allowed, number = acl_first_match(
            setup.rules, packet.protocol, packet.address, packet.direction, packet.port
        )
        right = nacl_decision_text(allowed, number)
        defensible = {t: t == right for t in question.options}
        return problems + judge_defensible(question, defensible)
    if made.variant == "order":
        assert isinstance(question, Ordering)
        problems = acl_validity(setup.rules, [], question.stem)
        numbers = [int(item.split(":")[0].split()[1]) for item in question.items[:-1]]
        if numbers != sorted(r.number for r in setup.rules):
            problems.append("the evaluation order is not ascending rule numbers")
        return problems
    request = setup.request
    problems = acl_validity(setup.rules, [request], question.stem)
    if not 1024 <= setup.client_port <= 65535:
        problems.append(f"client port {setup.client_port} is not an ephemeral port")
    request_ok, _ = acl_first_match(
        setup.rules, request.protocol, request.address, request.direction, request.port
    )
    if not request_ok:
        problems.append("the request the stem calls allowed is denied")
    rdir = "outbound" if request.direction == "inbound" else "inbound"
    allowed, number = acl_first_match(
        setup.rules, request.protocol, request.address, rdir, setup.client_port
    )
    if setup.statements:
        defensible = {t: nacl_statement_truth(t, setup, allowed, number) for t in question.options}
    else:
        right = nacl_response_text(allowed, number, rdir)
        defensible = {t: t == right for t in question.options}
    return problems + judge_defensible(question, defensible)


# --- Multi-AZ or read replica -------------------------------------------------------------

mz = multi_az_vs_replica


def judge_multi_az(made: Scenario) -> list[str]:
    setup, question = made.setup, made.question
    problems = []
    if "RDS" not in question.stem:
        problems.append("the stem does not say RDS")
    if made.variant == "pick":
        by_text = {text: d for d, text in mz.DEPLOYMENT_TEXT.items()}
        reqs = setup.requirements
        if len({r.key for r in reqs}) != len(reqs):
            problems.append("a requirement repeats")
        meeting = [d for d in mz.DEPLOYMENTS if all(mz.meets(d, r) for r in reqs)]
        least = min(mz.cost(d) for d in meeting)
        defensible = {}
        for text in question.options:
            deployment = by_text[text]
            # AWS accepts each setup: backup replication works for Multi-AZ DB instance
            # deployments, and a read replica can be made from a Multi-AZ instance
            meets_all = all(mz.meets(deployment, r) for r in reqs)
            defensible[text] = meets_all and mz.cost(deployment) == least
        if sum(mz.cost(d) == least for d in meeting) != 1:
            problems.append("two setups tie for the least costly")
        return problems + judge_defensible(question, defensible)
    truth = {text: mz.has(f, p) for f, p, text in setup.statements}
    return problems + judge_defensible(question, {t: truth[t] for t in question.options})


JUDGES = {
    "subnet-routing": judge_subnet_routing,
    "backup-retention": judge_backup_retention,
    "aurora-quorum": judge_aurora,
    "nacl": judge_nacl,
    "multi-az-vs-replica": judge_multi_az,
}


def defects(kind: str, params: dict[str, str], seeds) -> list[str]:
    found = []
    for seed in seeds:
        made = MODULES[kind].scenario(params, random.Random(seed))
        found += [f"seed {seed} {params}: {p}" for p in JUDGES[kind](made)]
    return found


CASE_IDS = [(kind, params) for kind, cases in CASES.items() for params in cases]


def _id(case) -> str:
    kind, params = case
    return kind + ("-" + "-".join(f"{k}={v}" for k, v in params.items()) if params else "")


@pytest.mark.parametrize("case", CASE_IDS, ids=_id)
def test_one_defensible_answer_and_valid_configurations(case):
    kind, params = case
    found = defects(kind, params, FAST_SEEDS)
    assert not found, "\n".join(found[:10])


@pytest.mark.slow
@pytest.mark.parametrize("case", CASE_IDS, ids=_id)
def test_one_defensible_answer_and_valid_configurations_1000_seeds(case):
    kind, params = case
    found = defects(kind, params, SLOW_SEEDS)
    assert not found, f"{len(found)} defects:\n" + "\n".join(found[:10])


# --- the judges catch what they are meant to catch ----------------------------------------


def test_the_routing_judge_catches_a_second_defensible_answer_and_a_bad_key():
    vpc = sr.Vpc(
        True,
        (sr.Subnet("subnet-a", "10.0.1.0/24", sr.IGW), sr.Subnet("subnet-b", "10.0.2.0/24", None)),
    )
    instance = sr.Instance("app-1", "subnet-b", False)
    right = sr.reason_text(sr.NO_ROUTE, vpc, instance)
    also_true = sr.reason_text(sr.NO_PUBLIC_IP, vpc, instance)
    question = Choice(
        "stem",
        (right, also_true, "Yes: through the internet gateway, using its public IPv4 address"),
        frozenset({0}),
        "why",
    )
    made = Scenario("outbound", sr.RoutingSetup(vpc, instance, "outbound"), question)
    assert any("distractor also meets" in p for p in judge_subnet_routing(made))
    wrong_key = Choice("stem", question.options, frozenset({2}), "why")
    made = Scenario("outbound", sr.RoutingSetup(vpc, instance, "outbound"), wrong_key)
    assert any("key does not meet" in p for p in judge_subnet_routing(made))


def test_the_routing_judge_catches_configurations_aws_refuses():
    no_igw = sr.Vpc(False, (sr.Subnet("subnet-a", "10.0.1.0/24", sr.IGW),))
    with_ip = sr.Instance("app-1", "subnet-a", True)
    assert aws_accepts_vpc(no_igw, with_ip)
    assert sr.config_problems(no_igw, with_ip)
    loop = sr.Vpc(
        True,
        (
            sr.Subnet("subnet-a", "10.0.1.0/24", sr.IGW),
            sr.Subnet("subnet-b", "10.0.2.0/24", sr.NAT_GATEWAY),
        ),
        nat_gateway=sr.NatGateway("subnet-b"),
    )
    assert aws_accepts_vpc(loop, sr.Instance("app-1", "subnet-b", False))
    assert sr.config_problems(loop, sr.Instance("app-1", "subnet-b", False))


def test_replacing_the_nat_gateway_includes_the_new_route():
    vpc = sr.Vpc(
        True,
        (
            sr.Subnet("subnet-a", "10.0.1.0/24", sr.IGW),
            sr.Subnet("subnet-b", "10.0.2.0/24", None),
            sr.Subnet("subnet-c", "10.0.3.0/24", sr.NAT_GATEWAY),
        ),
        nat_gateway=sr.NatGateway("subnet-b"),
    )
    instance = sr.Instance("app-1", "subnet-c", False)
    texts = [f.text for f in sr.candidate_fixes(vpc, instance)]
    move = [t for t in texts if t.startswith("Replace the NAT gateway")]
    assert move == [
        "Replace the NAT gateway with a new one in subnet-a and point subnet-c's 0.0.0.0/0 "
        "route at the new one"
    ]
    assert not any(t.startswith("Re-create the NAT gateway") for t in texts)


def test_the_backup_judge_keys_the_final_snapshot_after_a_deletion():
    # seed 57 with deleted: yes was keyed "not possible" before the fix
    for seed in (15, 57):
        for params in ({}, {"deleted": "yes"}):
            made = br.scenario(params, random.Random(seed))
            assert judge_backup_retention(made) == []
    now = br.datetime(2025, 5, 1, 12, 0)
    deleted = now - timedelta(hours=5)
    final = br.Snapshot("db-final", deleted, final=True)
    backups = br.BackupSetup(now, 7, (final,), deleted, "db")
    later = deleted + timedelta(hours=1)
    assert [o.snapshot for o in br.restore_options(backups, later)] == [final]
    assert br.restore_options(backups, deleted - timedelta(hours=1)) == ()


def test_the_backup_judge_catches_tense_and_order():
    now = br.datetime(2025, 5, 1, 12, 0)
    snaps = (
        br.Snapshot("db-manual-2", now - timedelta(days=3)),
        br.Snapshot("db-manual-1", now - timedelta(days=1)),
    )
    backups = br.BackupSetup(now, 0, snaps, now - timedelta(hours=2), "db")
    stem = br._describe(backups)
    bad_stem = stem.replace("db had", "db has") + " retention period"
    problems = backup_validity(backups, now, bad_stem, ())
    assert any("present tense" in p for p in problems)
    assert any("order" in p for p in problems)
    assert any("retention period" in p for p in problems)


def test_the_nacl_judge_needs_the_subnet_cidr_and_outside_addresses():
    packet = nacl.Packet("tcp", "10.0.1.7", "inbound", 443)
    rules = (nacl.Rule(100, "allow", "tcp", "0.0.0.0/0", "inbound", (443, 443)),)
    assert acl_validity(rules, [packet], "A subnet's network ACL")
    assert acl_validity(rules, [packet], "A subnet (10.0.1.0/24) has a network ACL")
    outside = nacl.Packet("tcp", "10.0.2.7", "inbound", 443)
    assert acl_validity(rules, [outside], "A subnet (10.0.1.0/24) has a network ACL") == []


def test_linux_ephemeral_range_is_the_one_aws_documents():
    assert nacl.LINUX_EPHEMERAL_PORTS == (32768, 61000)


def test_the_multi_az_judge_catches_a_costlier_key():
    reqs = (mz.REQUIREMENT_BY_KEY["cross-region"],)
    texts = tuple(mz.DEPLOYMENT_TEXT[d] for d in mz.DEPLOYMENTS[:4])
    replica = texts.index(mz.DEPLOYMENT_TEXT[frozenset({mz.READ_REPLICA})])
    question = Choice("An Amazon RDS stem", texts, frozenset({replica}), "why")
    made = Scenario("pick", mz.PickSetup(reqs), question)
    problems = judge_multi_az(made)
    assert any("key does not meet" in p for p in problems)
    assert any("distractor also meets" in p for p in problems)


def test_the_seeds_named_in_the_issue_are_fixed():
    # subnet-routing seed 2 {}: the NAT gateway sat in the instance's own subnet
    made = sr.scenario({}, random.Random(2))
    route = made.setup.vpc.subnet(made.setup.instance.subnet).default_route
    nat = made.setup.vpc.nat_gateway or made.setup.vpc.nat_instance
    assert not (
        nat
        and route in (sr.NAT_GATEWAY, sr.NAT_INSTANCE)
        and nat.subnet == made.setup.instance.subnet
    )
    # seed 13 {"variant": "fix"}: a public address without an internet gateway
    made = sr.scenario({"variant": "fix"}, random.Random(13))
    assert aws_accepts_vpc(made.setup.vpc, made.setup.instance) == []
    # seeds 13 and 21 of fix, nat: gateway: re-creating the NAT gateway keyed on its own
    for seed in (13, 21):
        made = sr.scenario({"variant": "fix", "nat": "gateway"}, random.Random(seed))
        assert not any(o.startswith("Re-create the NAT gateway") for o in made.question.options)
        assert judge_subnet_routing(made) == []
    # the deck's inbound block, seed 0: "NAT does not accept ..." offered off the point
    behind = "No: NAT does not accept connections started from the internet"
    for seed in range(50):
        made = sr.scenario({"variant": "inbound"}, random.Random(seed))
        vpc, instance = made.setup.vpc, made.setup.instance
        if vpc.subnet(instance.subnet).default_route not in (sr.NAT_GATEWAY, sr.NAT_INSTANCE):
            assert behind not in made.question.options


def test_aurora_grammar_for_one_lost_copy():
    made = aurora_quorum.scenario({"lose": "1", "variant": "status"}, random.Random(0))
    assert "1 of the 6 copies is lost, so 5 remain." in made.question.explanation
    made = aurora_quorum.scenario({"lose": "1", "variant": "tolerance"}, random.Random(0))
    assert "(none has been repaired yet)" in made.question.stem
