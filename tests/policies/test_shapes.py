"""Realistic program shapes beyond the main fixtures: what awsx 3.x creates with its defaults
(fixtures/awsx_shaped) and hand-written variations (fixtures/shapes), judged as AWS would,
with the same verdict in an `up` and in a preview of a new stack."""

import pytest

from .conftest import MODES, flagged, messages


@pytest.mark.parametrize("preview", MODES)
def test_windows_tasks_are_sized_by_the_windows_table_and_not_asked_for_linux_only_settings(judge, preview):
    """Windows containers support neither `user` nor `readonlyRootFilesystem`."""
    result = judge("shapes", "test", preview=preview)
    assert messages(result, "fargate-task-size") == {
        "TaskDefinition:windows-small": [
            "cpu '512' is not available to Windows tasks on Fargate; use one of 1024, 2048, 4096."
        ]
    }
    assert flagged(result, "ecs-readonly-root-filesystem") == set()
    assert flagged(result, "ecs-nonroot-user") == set()


@pytest.mark.parametrize("preview", MODES)
def test_a_service_behind_two_load_balancers_is_judged_once_per_load_balancer_and_port(judge, preview):
    """In a preview the target group ARNs of a service's `loadBalancers` entries are unknown and
    the whole list depends on both groups: 'two-ports' (80 from the public ALB, 8080 from the
    internal one, each admitted) must not be judged on the other ALB's port, and 'two-albs'
    (8080 admitted from the public ALB only) is reported once."""
    result = judge("shapes", "test", preview=preview)
    found = messages(result, "fargate-ingress-from-load-balancer")
    assert "Service:two-ports" not in found
    assert found["Service:two-albs"] == [
        "Service 'two-albs' receives traffic from load balancer 'internal' on container port 8080, but no ingress "
        "rule of its security groups ('tasks-two-albs') admits the load balancer on TCP 8080: none names the load "
        "balancer's security groups ('internal-alb'). Add an ingress rule whose source is the load balancer's "
        "security group."
    ]
    assert messages(result, "fargate-target-group-ip") == {
        "TargetGroup:two-albs-internal": [
            "Target group 'two-albs-internal' used by awsvpc service 'two-albs' has targetType 'instance'; "
            "set targetType: ip."
        ]
    }


@pytest.mark.parametrize("preview", MODES)
def test_ingress_from_the_load_balancer_in_shapes_beyond_tcp_from_one_group(judge, preview):
    """Protocol -1 from the ALB's group behind a listener rule of an HTTPS listener, and a group the
    tasks share with their ALB that admits itself, pass; an AWS-managed prefix list (CloudFront's) cannot
    be read, so 'prefix-list' is not judged (test_network shows the reason it gives when alone)."""
    found = messages(judge("shapes", "test", preview=preview), "fargate-ingress-from-load-balancer")
    assert "Service:https-rule" not in found
    assert "Service:shared" not in found
    assert "Service:ipv6" not in found
    assert "Service:prefix-list" not in found
    assert set(found) == {"Service:two-albs"} | ({"Service:mixed-inline"} if not preview else set())


@pytest.mark.parametrize("preview", MODES)
def test_inline_entries_whose_sources_a_preview_cannot_tell_apart_are_not_taken_for_the_albs(judge, preview):
    """'mixed-inline' admits 80 from a bastion and 8080 from the ALB; the service listens on 80.
    An update names the violation; a preview cannot tell which entry names the ALB's group and
    must not pass it (test_helpers shows the doubt it reaches instead)."""
    found = flagged(judge("shapes", "test", preview=preview), "fargate-ingress-from-load-balancer")
    assert ("Service:mixed-inline" in found) is not preview


@pytest.mark.parametrize("preview", MODES)
def test_awsx_default_security_groups_are_flagged_on_the_tasks_not_on_the_load_balancer(judge, preview):
    """awsx 3.x gives the ALB and the Fargate service each a group admitting every protocol from
    0.0.0.0/0 and ::/0: open tasks (one finding for the group), which the ALB reaches through 0.0.0.0/0,
    so their targets do become healthy. The VPC (a NAT gateway per zone, subnets in two zones) and the
    default target group (ip) pass."""
    result = judge("awsx_shaped", "test", preview=preview)
    assert messages(result, "ecs-no-public-task-ingress") == {
        "SecurityGroup:service-sg": [
            "Security group 'service-sg' of service(s) 'service' admits the internet (0.0.0.0/0, ::/0) through "
            "its inline ingress; admit the load balancer's security group instead."
        ]
    }
    # The internet is ecs-no-public-task-ingress's finding, not fargate-ingress-by-security-group's.
    for policy in (
        "fargate-ingress-from-load-balancer",
        "fargate-ingress-by-security-group",
        "fargate-min-two-subnets",
        "fargate-image-pull-path",
        "fargate-target-group-ip",
        "fargate-task-size",
        "iam-no-admin-task-role",
        "cloudwatch-log-retention",
    ):
        assert flagged(result, policy) == set(), policy


@pytest.mark.parametrize("preview", MODES)
def test_admin_roles_scaling_of_other_namespaces_and_log_retention(judge, preview):
    """A managed policy whose one statement is a dict with list values, a document rendered by
    get_policy_document and AdministratorAccess in managedPolicyArns are admin; a service wildcard
    and a Deny are not. A DynamoDB target is not judged; retention 0 and unset keep logs forever."""
    result = judge("shapes", "test", preview=preview)
    assert flagged(result, "iam-no-admin-task-role") == {
        "Role:admin-document",
        "Role:admin-rendered",
        "Role:admin-managed",
    }
    assert messages(result, "autoscaling-bounds") == {"Target:zero": ["maxCapacity is 0; it must be at least 1."]}
    assert flagged(result, "cloudwatch-log-retention") == {"LogGroup:forever-zero", "LogGroup:forever-unset"}
    assert flagged(result, "fargate-min-two-subnets") == set()
