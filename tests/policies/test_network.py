"""Network rules: why each verdict is reached, in the three ingress forms, with subnets of the
stack and subnets found by a data-source look-up."""

import pytest

from .conftest import MODES, flagged, messages, not_applicable


@pytest.mark.parametrize("preview", MODES)
def test_ingress_is_judged_in_all_three_forms(judge, preview):
    found = messages(judge("violating", "test", preview=preview), "fargate-ingress-from-load-balancer")
    # inline `ingress` from the ALB's group, but on 8080; a SecurityGroupRule from a CIDR that does not
    # hold the ALB's subnets; a vpc.SecurityGroupIngressRule from another group.
    assert found["Service:inline"] == [
        "Service 'inline' receives traffic from load balancer 'alb' on container port 80, but no ingress rule of "
        "its security groups ('tasks-inline') admits the load balancer on TCP 80: none names the load balancer's "
        "security groups ('alb'). Add an ingress rule whose source is the load balancer's security group."]
    assert found["Service:rule"] == [
        "Service 'rule' receives traffic from load balancer 'alb' on container port 80, but no ingress rule of "
        "its security groups ('tasks-rule') admits the load balancer on TCP 80: none names the load balancer's "
        "security groups ('alb'), and the address ranges they admit on it (192.168.0.0/16 ('tasks-rule-office')) "
        "do not contain the load balancer's addresses (its subnets 10.0.0.0/24, 10.0.1.0/24). "
        "Add an ingress rule whose source is the load balancer's security group."]
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
        "Fargate service 'inline' uses 1 subnet(s); use at least 2, in different availability zones."]
    assert found["LoadBalancer:alb"] == [
        "Load balancer 'alb' uses subnets 'public-0', 'public-1', all in us-east-1a; "
        "spread them over at least 2 availability zones."]


@pytest.mark.parametrize("preview", MODES)
def test_looked_up_subnets_are_counted_but_their_zones_are_not_guessed(judge, preview):
    assert flagged(judge("existing_vpc", "all", preview=preview), "fargate-min-two-subnets") == set()
    assert flagged(judge("existing_vpc", "one", preview=preview), "fargate-min-two-subnets") == {
        "Service:web", "LoadBalancer:alb"}


@pytest.mark.parametrize("preview", MODES)
def test_image_pull_path_explains_what_is_missing(judge, preview):
    found = messages(judge("violating", "test", preview=preview), "fargate-image-pull-path")
    assert "subnet 'isolated' has no route to the internet (0.0.0.0/0) and its VPC has no ecr.api, " \
           "ecr.dkr, s3 endpoint(s)" in found["Service:inline"][0]
    assert "subnet 'public-0' routes to an internet gateway but the service does not assign a public IP" \
           in found["Service:rule"][0]


@pytest.mark.parametrize("preview", MODES)
def test_image_pull_path_is_not_applicable_to_subnets_outside_the_stack(judge, preview):
    result = judge("existing_vpc", "all", preview=preview)
    assert flagged(result, "fargate-image-pull-path") == set()
    assert not_applicable(result)["fargate-image-pull-path"] == \
        "could not judge service 'web' (its subnets' route tables are not in the stack)"


@pytest.mark.parametrize("preview", MODES)
def test_only_task_security_groups_must_stay_closed_to_the_internet(judge, preview):
    """The ALB's group admits 0.0.0.0/0 in every fixture and is never flagged."""
    found = messages(judge("violating", "test", preview=preview), "ecs-no-public-task-ingress")
    assert found == {
        # Two open rules, one finding for their group.
        "SecurityGroup:tasks-rule": [
            "Security group 'tasks-rule' of service(s) 'rule' admits the internet (0.0.0.0/0) through "
            "'tasks-rule-open', 'tasks-rule-open-ssh'; admit the load balancer's security group instead."],
        "SecurityGroup:tasks-vpc-rule": [
            "Security group 'tasks-vpc-rule' of service(s) 'vpc-rule' admits the internet (::/0) through "
            "'tasks-vpc-rule-open-v6'; admit the load balancer's security group instead."],
    }
