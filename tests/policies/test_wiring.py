"""The deploy-breaking wiring rules (fargate_policies/ecs.py, alb.py) and the stack-wide advisory
ones (alb-waf, iam-no-wildcard-actions): verdicts through the analyzer on fixtures/deploy_checks,
and, called directly on resources as the SDK hands them, what each says when it cannot judge."""

import json
from typing import Any, cast

import pytest
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE

from policies.fargate_policies import _types as T
from policies.fargate_policies.alb import alb_listener_rule_priority_unique, alb_waf
from policies.fargate_policies.ecs import ecs_load_balancer_container_port, ecs_target_group_attached
from policies.fargate_policies.iam import wildcard_actions

from .conftest import MODES, flagged, messages, not_applicable, resource


class Validation:
    """The part of the SDK's StackValidationArgs a stack rule reads, and what it reported."""

    def __init__(self, *resources):
        self.resources = list(resources)
        self.reasons: list[str] = []
        self.violations: list[tuple] = []

    def get_config(self):
        return {}

    def not_applicable(self, reason):
        self.reasons.append(reason)

    def report(self, message, urn=None):
        self.violations.append((message, urn))


def run(rule, *resources) -> Validation:
    """The stack rule called as the SDK calls it, on these resources."""
    args = Validation(*resources)
    rule(cast(Any, args), args.report)
    return args


@pytest.mark.parametrize("preview", MODES)
def test_wiring_faults_are_named_with_what_the_task_definition_or_listener_lacks(judge, preview):
    result = judge("deploy_checks", "violating", preview=preview)
    assert messages(result, "ecs-load-balancer-container-port") == {
        "Service:wrong-container": [
            "Service 'wrong-container' loadBalancers[0] names container 'app', which its task definition "
            "does not have (it has 'web')."
        ],
        "Service:wrong-port": [
            "Service 'wrong-port' loadBalancers[0] sends port 9090 to container 'web', whose portMappings have 8080."
        ],
    }
    assert messages(result, "ecs-target-group-attached") == {
        "TargetGroup:orphan": [
            "Service 'orphan' registers in target group 'orphan', which no listener or listener rule forwards "
            "to; forward to it from a listener of its load balancer."
        ]
    }
    assert messages(result, "alb-listener-rule-priority-unique") == {
        "ListenerRule:dup-b": [
            "Listener rule 'dup-b' has priority 60, as 'dup-a' on the same listener has; give each rule of a "
            "listener its own priority."
        ]
    }
    assert messages(result, "alb-desync-mitigation") == {
        "LoadBalancer:alb": ["desyncMitigationMode is 'monitor'; set it to 'defensive' (the default) or 'strictest'."]
    }


@pytest.mark.parametrize("preview", MODES)
def test_wildcard_actions_are_found_on_task_and_schedule_roles_only(judge, preview):
    """`unused` grants s3:* too, but no task or schedule uses it."""
    found = messages(judge("deploy_checks", "violating", preview=preview), "iam-no-wildcard-actions")
    assert set(found) == {"Role:task", "Role:scheduler"}
    assert found["Role:scheduler"] == [
        "Role 'scheduler' (role of schedule 'nightly'): role 'scheduler' inline policy allows ecs:*; "
        "name the actions it needs."
    ]
    assert "attachment 'task-assets-everything' policy 'assets-everything' allows *" in found["Role:task"][0]


def test_a_target_group_is_not_judged_where_its_listeners_are_not_in_the_stack():
    group = resource(T.TARGET_GROUP[0], "tg", {"arn": "arn:tg"})
    service = resource(T.ECS_SERVICE[0], "svc", {"loadBalancers": [{"targetGroupArn": "arn:tg"}]})
    args = run(ecs_target_group_attached, group, service)
    assert args.violations == []
    assert args.reasons == [
        "the stack declares no listener or listener rule: the target groups' listeners are elsewhere"
    ]


def test_a_target_group_from_config_or_a_listener_forwarding_to_an_unknown_group_is_not_judged():
    service = resource(T.ECS_SERVICE[0], "svc", {"loadBalancers": [{"targetGroupArn": "arn:from-config"}]})
    listener = resource(T.LISTENER[0], "l", {"defaultActions": [{"type": "forward", "targetGroupArn": "arn:x"}]})
    args = run(ecs_target_group_attached, service, listener)
    assert (args.violations, args.reasons) == ([], ["no service registers in a target group of this stack"])

    group = resource(T.TARGET_GROUP[0], "tg", {"arn": "arn:tg"})
    mine = resource(T.ECS_SERVICE[0], "svc", {"loadBalancers": [{"targetGroupArn": "arn:tg"}]})
    unknown = resource(T.LISTENER[0], "l", {"defaultActions": [{"targetGroupArn": UNKNOWN_STRING_VALUE}]})
    args = run(ecs_target_group_attached, group, mine, unknown)
    assert (args.violations, args.reasons) == ([], ["a listener's target group is unknown"])


def test_priorities_clash_only_on_one_listener_and_unset_or_unknown_ones_are_not_judged():
    def rule(name, listener, value, **dependencies):
        return resource(T.LISTENER_RULE[0], name, {"listenerArn": listener, "priority": value}, **dependencies)

    listener = resource(T.LISTENER[0], "l", {"arn": "arn:l"})
    args = run(
        alb_listener_rule_priority_unique,
        listener,
        rule("a", "arn:l", 10),
        rule("other-listener", "arn:existing", 10),
        rule("unset", "arn:l", None),
        # A priority computed from another resource's output.
        rule("unknown", "arn:l", UNKNOWN_STRING_VALUE, priority=[listener]),
    )
    assert (args.violations, args.reasons) == ([], [])
    args = run(alb_listener_rule_priority_unique, listener, rule("a", "arn:l", 10), rule("b", "arn:l", 10.0))
    assert [urn.rsplit("::", 1)[-1] for _, urn in args.violations] == ["b"]


def test_waf_is_asked_of_internet_facing_albs_and_an_unplaced_association_is_not_guessed():
    public = resource(T.LOAD_BALANCER[0], "public", {"arn": "arn:public"})
    internal = resource(T.LOAD_BALANCER[0], "internal", {"arn": "arn:internal", "internal": True})
    network = resource(T.LOAD_BALANCER[0], "nlb", {"arn": "arn:nlb", "loadBalancerType": "network"})
    args = run(alb_waf, public, internal, network)
    assert [urn.rsplit("::", 1)[-1] for _, urn in args.violations] == ["public"]

    unplaced = resource(T.WAF_ACL_ASSOCIATION[0], "waf", {"resourceArn": UNKNOWN_STRING_VALUE})
    args = run(alb_waf, public, unplaced)
    assert args.violations == []
    assert args.reasons == [
        "could not tell which resource web ACL association(s) 'waf' protect (resourceArn unknown, no dependency)"
    ]


@pytest.mark.parametrize(
    "statement, expected",
    [
        ({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, ["s3:*"]),
        ({"Effect": "Allow", "Action": ["*"], "Resource": "arn:aws:s3:::b/*"}, ["*"]),
        # Every action on every resource is an administrator: iam-no-admin-task-role's finding.
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, []),
        ({"Effect": "Allow", "Action": ["s3:GetObject", "s3:Get*"], "Resource": "*"}, []),
        ({"Effect": "Deny", "Action": "s3:*", "Resource": "*"}, []),
    ],
)
def test_wildcard_actions_are_star_and_service_star_in_allow_statements(statement, expected):
    assert wildcard_actions({"Version": "2012-10-17", "Statement": [statement]}) == expected


@pytest.mark.parametrize("preview", MODES)
@pytest.mark.parametrize("stack", ["made", "attached"])
def test_the_programs_own_web_acl_config_satisfies_alb_waf(judge, stack, preview):
    """fixtures/waf_stacks runs the repository's program with fargate:loadBalancer.waf (a web ACL
    made by the stack) or webAclArn (one made elsewhere): its association names the ALB."""
    result = judge("waf_stacks", stack, preview=preview)
    (association,) = result.of_type("aws:wafv2/webAclAssociation:WebAclAssociation")
    balancer = result.one("aws:lb/loadBalancer:LoadBalancer")
    assert balancer.urn in association.property_dependencies["resourceArn"]
    if not preview:
        assert association.inputs["resourceArn"] == balancer.outputs["arn"]
    assert flagged(result, "alb-waf") == set()
    assert "alb-waf" not in not_applicable(result)


def test_load_balancer_entries_are_read_whatever_shape_the_definitions_take():
    """A port mapping list that is not a list, a port given as a string, an entry with no container name."""
    definitions = json.dumps(
        [
            {"name": "web", "portMappings": {"containerPort": 80}},
            {"name": "api", "portMappings": [{"containerPort": "81"}]},
        ]
    )
    task = resource(T.ECS_TASK_DEFINITION[0], "td", {"arn": "arn:td", "containerDefinitions": definitions})
    entries = [
        {"containerName": "web", "containerPort": 80},
        {"containerName": "api", "containerPort": 81},
        {"targetGroupArn": "arn:tg", "containerPort": 81},
    ]
    service = resource(T.ECS_SERVICE[0], "svc", {"taskDefinition": "arn:td", "loadBalancers": entries})
    args = run(ecs_load_balancer_container_port, task, service)
    assert [message for message, _ in args.violations] == [
        "Service 'svc' loadBalancers[0] sends port 80 to container 'web', whose portMappings have no containerPort.",
        "Service 'svc' loadBalancers[2] names no containerName (a target group entry must name the container to "
        "register).",
    ]
