"""fargate_policies/network.py: why each network verdict is reached, in the three ingress forms,
with subnets of the stack and subnets found by a data-source look-up; VPC flow logs; and the
rules' readers of ingress and the ALB's addresses."""

import ipaddress

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.fargate_policies import _types as T
from policies.fargate_policies._props import UNKNOWN
from policies.fargate_policies._stack import Refs, Stack, contains_all
from policies.fargate_policies.network import _admits, _balancer_ranges

from .conftest import MODES, flagged, messages, not_applicable, resource

VPC_RULE = "vpc-flow-logs"


@pytest.mark.parametrize("preview", MODES)
def test_ingress_is_judged_in_all_three_forms(judge, preview):
    found = messages(judge("violating", "test", preview=preview), "fargate-ingress-from-load-balancer")
    # inline `ingress` from the ALB's group, but on 8080; a SecurityGroupRule from a CIDR that does not
    # hold the ALB's subnets; a vpc.SecurityGroupIngressRule from another group.
    assert found["Service:inline"] == [
        "Service 'inline' receives traffic from load balancer 'alb' on container port 80, but no ingress rule of "
        "its security groups ('tasks-inline') admits the load balancer on TCP 80: none names the load balancer's "
        "security groups ('alb'). Add an ingress rule whose source is the load balancer's security group."
    ]
    assert found["Service:rule"] == [
        "Service 'rule' receives traffic from load balancer 'alb' on container port 80, but no ingress rule of "
        "its security groups ('tasks-rule') admits the load balancer on TCP 80: none names the load balancer's "
        "security groups ('alb'), and the address ranges they admit on it (192.168.0.0/16 ('tasks-rule-office')) "
        "do not contain the load balancer's addresses (its subnets 10.0.0.0/24, 10.0.1.0/24). "
        "Add an ingress rule whose source is the load balancer's security group."
    ]
    assert "('tasks-vpc-rule')" in found["Service:vpc-rule"][0]
    assert set(found) == {"Service:inline", "Service:rule", "Service:vpc-rule"}


@pytest.mark.parametrize("preview", MODES)
def test_ingress_from_the_alb_group_passes_with_alb_module_tokens(judge, preview):
    """existing_vpc: aws:alb/... resources, a SecurityGroupRule from the ALB's group on 8000."""
    result = judge("existing_vpc", "all", preview=preview)
    assert result.of_type("aws:alb/loadBalancer:LoadBalancer")
    assert flagged(result, "fargate-ingress-from-load-balancer") == set()
    assert "fargate-ingress-from-load-balancer" not in not_applicable(result)


@pytest.mark.parametrize("preview", MODES)
def test_subnet_count_and_zones(judge, preview):
    found = messages(judge("violating", "test", preview=preview), "fargate-min-two-subnets")
    assert found["Service:inline"] == [
        "Fargate service 'inline' uses 1 subnet(s); use at least 2, in different availability zones."
    ]
    assert found["LoadBalancer:alb"] == [
        "Load balancer 'alb' uses subnets 'public-0', 'public-1', all in us-east-1a; "
        "spread them over at least 2 availability zones."
    ]


@pytest.mark.parametrize("preview", MODES)
def test_looked_up_subnets_are_counted_but_their_zones_are_not_guessed(judge, preview):
    assert flagged(judge("existing_vpc", "all", preview=preview), "fargate-min-two-subnets") == set()
    assert flagged(judge("existing_vpc", "one", preview=preview), "fargate-min-two-subnets") == {
        "Service:web",
        "LoadBalancer:alb",
    }


@pytest.mark.parametrize("preview", MODES)
def test_image_pull_path_explains_what_is_missing(judge, preview):
    found = messages(judge("violating", "test", preview=preview), "fargate-image-pull-path")
    assert (
        "subnet 'isolated' has no route to the internet (0.0.0.0/0) and its VPC has no ecr.api, "
        "ecr.dkr, s3 endpoint(s)" in found["Service:inline"][0]
    )
    assert (
        "subnet 'public-0' routes to an internet gateway but the service does not assign a public IP"
        in found["Service:rule"][0]
    )


@pytest.mark.parametrize("preview", MODES)
def test_image_pull_path_is_not_applicable_to_subnets_outside_the_stack(judge, preview):
    result = judge("existing_vpc", "all", preview=preview)
    assert flagged(result, "fargate-image-pull-path") == set()
    assert (
        not_applicable(result)["fargate-image-pull-path"]
        == "could not judge service 'web' (its subnets' route tables are not in the stack)"
    )


@pytest.mark.parametrize("preview", MODES)
def test_only_task_security_groups_must_stay_closed_to_the_internet(judge, preview):
    """The ALB's group admits 0.0.0.0/0 in every fixture and is never flagged."""
    found = messages(judge("violating", "test", preview=preview), "ecs-no-public-task-ingress")
    assert found == {
        # Two open rules, one finding for their group.
        "SecurityGroup:tasks-rule": [
            "Security group 'tasks-rule' of service(s) 'rule' admits the internet (0.0.0.0/0) through "
            "'tasks-rule-open', 'tasks-rule-open-ssh'; admit the load balancer's security group instead."
        ],
        "SecurityGroup:tasks-vpc-rule": [
            "Security group 'tasks-vpc-rule' of service(s) 'vpc-rule' admits the internet (::/0) through "
            "'tasks-vpc-rule-open-v6'; admit the load balancer's security group instead."
        ],
    }


# -- reachability: the ways real programs admit their load balancer ------------------------------

INGRESS, BY_GROUP, PUBLIC = (
    "fargate-ingress-from-load-balancer",
    "fargate-ingress-by-security-group",
    "ecs-no-public-task-ingress",
)
ADD_GROUP_RULE = "Add an ingress rule whose source is the load balancer's security group."


@pytest.mark.parametrize("preview", MODES)
def test_a_group_shared_by_the_alb_and_its_tasks_open_to_the_world_works_and_is_public_once(judge, preview):
    """The ALB reaches the tasks through 0.0.0.0/0 (so does everyone): not a broken service, one public group."""
    result = judge("ingress_styles", "judged", preview=preview)
    assert "Service:shared" not in flagged(result, INGRESS)
    assert "Service:shared" not in flagged(result, BY_GROUP)
    assert messages(result, PUBLIC) == {
        "SecurityGroup:shared": [
            "Security group 'shared' of service(s) 'shared' admits the internet (0.0.0.0/0, ::/0) through its inline "
            "ingress; admit the load balancer's security group instead."
        ]
    }


@pytest.mark.parametrize("preview", MODES)
def test_ranges_that_hold_the_alb_admit_it_and_are_advised_against(judge, preview):
    """The VPC's CIDR, a prefix list of the stack listing the ALB's subnets (inline entry and entry resource),
    and an IPv6 range holding a dualstack ALB's subnets, for IPv6 targets."""
    result = judge("ingress_styles", "judged", preview=preview)
    advice = "every other host in them reaches the tasks too. Admit the load balancer's security group"
    assert messages(result, BY_GROUP) == {
        "Service:vpc-cidr": [
            "Service 'vpc-cidr' admits load balancer 'public' on TCP 80 only through address ranges "
            f"(10.0.0.0/16 ('tasks-vpc-cidr')): {advice} ('alb') instead."
        ],
        "Service:prefix-list": [
            "Service 'prefix-list' admits load balancer 'public' on TCP 80 only through address ranges (prefix "
            "list 'alb-subnets' (10.0.0.0/24, 10.0.1.0/24) in 'tasks-prefix-list-from-alb-subnets'): "
            f"{advice} ('alb') instead."
        ],
        "Service:ipv6": [
            "Service 'ipv6' admits load balancer 'dualstack' on TCP 80 only through address ranges "
            f"(2600:1f18:aaaa:bb00::/56 ('tasks-ipv6-from-alb-subnets')): {advice} ('dualstack') instead."
        ],
    }
    assert flagged(result, BY_GROUP).isdisjoint(flagged(result, INGRESS))


@pytest.mark.parametrize("preview", MODES)
def test_ranges_that_miss_the_alb_fail_and_say_which_addresses_they_miss(judge, preview):
    result = judge("ingress_styles", "judged", preview=preview)
    assert messages(result, INGRESS) == {
        "Service:foreign-cidr": [
            "Service 'foreign-cidr' receives traffic from load balancer 'public' on container port 80, but no "
            "ingress rule of its security groups ('tasks-foreign-cidr') admits the load balancer on TCP 80: none "
            "names the load balancer's security groups ('alb'), and the address ranges they admit on it "
            "(10.0.128.0/20 ('tasks-foreign-cidr')) do not contain the load balancer's addresses (its subnets "
            f"10.0.0.0/24, 10.0.1.0/24). {ADD_GROUP_RULE}"
        ],
        # The prefix list lists one of the ALB's two subnets: its nodes in the other are dropped.
        "Service:short-prefix-list": [
            "Service 'short-prefix-list' receives traffic from load balancer 'public' on container port 80, but "
            "no ingress rule of its security groups ('tasks-short-prefix-list') admits the load balancer on TCP "
            "80: none names the load balancer's security groups ('alb'), and the address ranges they admit on it "
            "(prefix list 'short' (10.0.0.0/24) in 'tasks-short-prefix-list') do not contain the load balancer's "
            f"addresses (its subnets 10.0.0.0/24, 10.0.1.0/24). {ADD_GROUP_RULE}"
        ],
    }
    assert INGRESS not in not_applicable(result)


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize(
    "stack, reason",
    [
        (
            "aws-managed",
            "could not judge service 'aws-managed' behind 'public' (prefix list 'pl-3b927c52' is "
            "AWS-managed or looked up, not defined in the stack, so its entries cannot be read)",
        ),
        (
            "looked-up",
            "could not judge service 'looked-up' behind 'public' (the IPv4 addresses of load balancer "
            "'public' are unknown: neither its subnets' nor its VPC's CIDR blocks are in the stack)",
        ),
    ],
)
def test_what_cannot_be_read_is_not_judged_and_says_why(judge, stack, reason, preview):
    result = judge("ingress_styles", stack, preview=preview)
    for policy in (INGRESS, BY_GROUP):
        assert flagged(result, policy) == set()
        assert not_applicable(result)[policy] == reason


# -- vpc-flow-logs -------------------------------------------------------------------------------


@pytest.mark.parametrize("preview", MODES)
def test_a_vpc_without_a_vpc_wide_flow_log_is_flagged(judge, preview):
    result = judge("least_privilege_violating", "test", preview=preview)
    hint = "add an aws.ec2.FlowLog with its vpcId (trafficType REJECT is the cheapest useful one)."
    assert messages(result, VPC_RULE) == {
        "Vpc:unlogged": [f"VPC 'unlogged' has no flow log; {hint}"],
        # A flow log on one of its subnets only does not count.
        "Vpc:subnet-only": [f"VPC 'subnet-only' has no flow log; {hint}"],
    }
    assert {(v.enforcement_level, v.severity) for v in result.violations if v.policy == VPC_RULE} == {
        ("advisory", "low")
    }


@pytest.mark.parametrize("preview", MODES)
def test_logged_vpcs_pass_and_are_judged(judge, preview):
    result = judge("least_privilege_compliant", "test", preview=preview)
    assert [(v.policy, v.urn) for v in result.violations if v.policy == VPC_RULE] == []
    assert VPC_RULE not in not_applicable(result)


@pytest.mark.parametrize("preview", MODES)
def test_the_vpc_awsx_builds_has_no_flow_log(judge, preview):
    """awsx's Vpc gets no flow log."""
    assert flagged(judge("awsx_shaped", "test", preview=preview), VPC_RULE) == {"Vpc:vpc"}


# -- the readers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("second_entry_ports, expected", [((8080, 8080), UNKNOWN), ((0, 1024), True)])
def test_inline_entries_sharing_unknown_sources_admit_the_alb_only_if_each_of_them_would(second_entry_ports, expected):
    """A preview: two inline entries name groups by unknown ids, and the `ingress` input depends on
    the bastion's and the ALB's group. Which entry names the ALB's is unknowable, so TCP 80 from the
    ALB is certain only if both entries cover 80."""
    bastion = resource(T.SECURITY_GROUP[0], "bastion", {"id": UNKNOWN_STRING_VALUE})
    alb = resource(T.SECURITY_GROUP[0], "alb", {"id": UNKNOWN_STRING_VALUE})
    low, high = second_entry_ports
    tasks = resource(
        T.SECURITY_GROUP[0],
        "tasks",
        {
            "id": UNKNOWN_STRING_VALUE,
            "ingress": [
                {"protocol": "tcp", "fromPort": 80, "toPort": 80, "securityGroups": [UNKNOWN_STRING_VALUE]},
                {"protocol": "tcp", "fromPort": low, "toPort": high, "securityGroups": [UNKNOWN_STRING_VALUE]},
            ],
        },
        ingress=[bastion, alb],
    )
    stack = Stack([bastion, alb, tasks])
    assert _admits(stack, Refs((tasks,)), Refs((alb,)), 80) is expected


def test_the_alb_addresses_fall_back_to_its_vpc_cidrs_when_its_subnets_cidrs_are_unknown():
    """Subnets whose cidrBlock is computed from an output (unknown in a preview): the VPC's primary and
    associated CIDR blocks stand for the ALB's addresses."""
    vpc = resource(T.VPC[0], "vpc", {"id": "vpc-1", "cidrBlock": "10.0.0.0/16"})
    extra = resource(T.VPC_IPV4_CIDR_ASSOCIATION[0], "extra", {"vpcId": "vpc-1", "cidrBlock": "100.64.0.0/16"})
    subnets = [
        resource(
            T.SUBNET[0],
            f"public-{i}",
            {"id": f"subnet-{i}", "vpcId": "vpc-1", "cidrBlock": UNKNOWN_STRING_VALUE},
            cidrBlock=[vpc],
        )
        for i in range(2)
    ]
    alb = resource(T.LOAD_BALANCER[0], "alb", {"subnets": ["subnet-0", "subnet-1"]})
    target_group = resource(T.TARGET_GROUP[0], "web", {"vpcId": "vpc-1"})
    stack = Stack([vpc, extra, *subnets, alb, target_group])
    ranges, described = _balancer_ranges(stack, alb, target_group, 4)
    assert ranges == [ipaddress.ip_network("10.0.0.0/16"), ipaddress.ip_network("100.64.0.0/16")]
    assert described == "its VPC 'vpc' 10.0.0.0/16, 100.64.0.0/16"
    assert not contains_all([ipaddress.ip_network("10.0.0.0/16")], ranges)
