"""Hand-worked cases for the subnet routing engine."""

from __future__ import annotations

import random

from studyaws.core.questions import Choice
from studyaws.core.scenarios import subnet_routing as sr
from studyaws.core.scenarios.subnet_routing import Instance, NatGateway, NatInstance, Subnet, Vpc

PUBLIC = Subnet("subnet-a", "10.0.1.0/24", sr.IGW)


def vpc(private_route=None, igw=True, nat_gateway=None, nat_instance=None) -> Vpc:
    private = Subnet("subnet-b", "10.0.2.0/24", private_route)
    return Vpc(igw, (PUBLIC, private), nat_gateway, nat_instance)


def test_public_subnet_with_public_ip():
    web = Instance("web-1", "subnet-a", True)
    out = sr.can_reach_internet(vpc(), web)
    assert out.reachable and out.reason == sr.VIA_IGW
    inbound = sr.can_be_reached_from_internet(vpc(), web)
    assert inbound.reachable and inbound.reason == sr.REACHABLE_INBOUND


def test_public_subnet_without_public_ip():
    web = Instance("web-1", "subnet-a", False)
    assert sr.can_reach_internet(vpc(), web).reason == sr.NO_PUBLIC_IP
    assert sr.can_be_reached_from_internet(vpc(), web).reason == sr.NO_PUBLIC_IP


def test_detached_internet_gateway():
    web = Instance("web-1", "subnet-a", True)
    result = sr.can_reach_internet(vpc(igw=False), web)
    assert not result.reachable and result.reason == sr.IGW_DETACHED


def test_no_default_route():
    app = Instance("app-1", "subnet-b", True)
    assert sr.can_reach_internet(vpc(None), app).reason == sr.NO_ROUTE
    assert sr.can_be_reached_from_internet(vpc(None), app).reason == sr.NO_ROUTE


def test_nat_gateway_in_public_subnet():
    app = Instance("app-1", "subnet-b", False)
    v = vpc(sr.NAT_GATEWAY, nat_gateway=NatGateway("subnet-a"))
    assert sr.can_reach_internet(v, app).reason == sr.VIA_NAT_GATEWAY
    assert sr.can_be_reached_from_internet(v, app).reason == sr.BEHIND_NAT
    # a public IP does not make an instance behind NAT reachable from the internet
    assert not sr.can_be_reached_from_internet(v, Instance("app-1", "subnet-b", True)).reachable


def test_nat_gateway_in_private_subnet():
    app = Instance("app-1", "subnet-b", False)
    v = vpc(sr.NAT_GATEWAY, nat_gateway=NatGateway("subnet-b"))
    assert sr.can_reach_internet(v, app).reason == sr.NAT_GATEWAY_PRIVATE


def test_nat_gateway_with_detached_internet_gateway():
    app = Instance("app-1", "subnet-b", False)
    v = vpc(sr.NAT_GATEWAY, igw=False, nat_gateway=NatGateway("subnet-a"))
    assert sr.can_reach_internet(v, app).reason == sr.IGW_DETACHED


def test_nat_instance():
    app = Instance("app-1", "subnet-b", False)
    good = NatInstance("subnet-a", public_ip=True, source_dest_check=False)
    assert sr.can_reach_internet(vpc(sr.NAT_INSTANCE, nat_instance=good), app).reachable
    checked = NatInstance("subnet-a", public_ip=True, source_dest_check=True)
    result = sr.can_reach_internet(vpc(sr.NAT_INSTANCE, nat_instance=checked), app)
    assert result.reason == sr.NAT_INSTANCE_CHECK
    no_ip = NatInstance("subnet-a", public_ip=False, source_dest_check=False)
    result = sr.can_reach_internet(vpc(sr.NAT_INSTANCE, nat_instance=no_ip), app)
    assert result.reason == sr.NAT_INSTANCE_NO_IP
    private = NatInstance("subnet-b", public_ip=True, source_dest_check=False)
    result = sr.can_reach_internet(vpc(sr.NAT_INSTANCE, nat_instance=private), app)
    assert result.reason == sr.NAT_INSTANCE_PRIVATE


def test_fixes_are_judged_by_the_engine():
    app = Instance("app-1", "subnet-b", False)
    v = vpc(sr.NAT_GATEWAY, nat_gateway=NatGateway("subnet-b"))
    by_key = {f.key: f for f in sr.candidate_fixes(v, app)}
    assert sr.fix_works(v, app, by_key["move-natgw-subnet-a"], "outbound")
    assert not sr.fix_works(v, app, by_key["eip-instance"], "outbound")
    assert not sr.fix_works(v, app, by_key["sg-outbound"], "outbound")
    assert "attach-igw" not in by_key  # already attached: not proposed


def test_fix_question_correct_options_work():
    for seed in range(40):
        made = sr.scenario({"variant": "fix"}, random.Random(seed))
        question = made.question
        assert isinstance(question, Choice)
        setup = made.setup
        fixes = {f.text: f for f in sr.candidate_fixes(setup.vpc, setup.instance)}
        for i, text in enumerate(question.options):
            works = sr.fix_works(setup.vpc, setup.instance, fixes[text], setup.direction)
            assert works == (i in question.correct)


def test_nat_parameter():
    for seed in range(20):
        made = sr.scenario({"nat": "instance"}, random.Random(seed))
        assert made.setup.vpc.nat_instance is not None and made.setup.vpc.nat_gateway is None
        made = sr.scenario({"nat": "none"}, random.Random(seed))
        assert made.setup.vpc.nat_instance is None and made.setup.vpc.nat_gateway is None


def test_validate():
    assert sr.validate({"variant": "fix", "nat": "gateway"}) == []
    assert [p for p, _ in sr.validate({"nat": "router"})] == ["nat"]
    assert [p for p, _ in sr.validate({"variant": "sideways"})] == ["variant"]
