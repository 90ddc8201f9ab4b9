"""fargate_policies/ec2.py: SSH and RDP open to the internet, in every form a security-group rule
takes, on any group of the stack."""

import pytest

from .conftest import MODES, flagged, messages, not_applicable

RULE = "ec2-no-open-admin-ports"


@pytest.mark.parametrize("preview", MODES)
def test_each_form_of_an_open_admin_port_is_flagged_on_the_resource_that_declares_it(judge, preview):
    result = judge("deploy_checks", "violating", preview=preview)
    found = messages(result, RULE)
    assert found == {
        "SecurityGroup:ssh-inline": [
            "Security group 'ssh-inline' (inline ingress) admits SSH (22) from 0.0.0.0/0; admit only the "
            "addresses that administer it, or use ECS Exec / SSM Session Manager instead."
        ],
        "SecurityGroupRule:rdp-rule": [
            "SecurityGroupRule 'rdp-rule' (on 'rdp') admits RDP (3389) from ::/0; admit only the addresses "
            "that administer it, or use ECS Exec / SSM Session Manager instead."
        ],
        "SecurityGroupIngressRule:all-vpc-rule": [
            "SecurityGroupIngressRule 'all-vpc-rule' (on 'everything') admits SSH (22), RDP (3389) from "
            "0.0.0.0/0; admit only the addresses that administer it, or use ECS Exec / SSM Session Manager instead."
        ],
        "SecurityGroupRule:range-rule": [
            "SecurityGroupRule 'range-rule' (on 'ranged') admits SSH (22), RDP (3389) from 0.0.0.0/0; admit "
            "only the addresses that administer it, or use ECS Exec / SSM Session Manager instead."
        ],
    }
    assert {v.enforcement_level for v in result.violations if v.policy == RULE} == {"mandatory"}


@pytest.mark.parametrize("preview", MODES)
def test_ssh_from_an_office_range_egress_to_ssh_and_https_from_anywhere_pass(judge, preview):
    """The compliant variant holds `ssh-office` (22 from a /24), `ssh-egress` (an egress rule on 22
    to 0.0.0.0/0) and `https-world` (443 from 0.0.0.0/0): none is an open admin port."""
    result = judge("deploy_checks", "compliant", preview=preview)
    assert flagged(result, RULE) == set()
    assert RULE not in not_applicable(result)


@pytest.mark.parametrize("preview", MODES)
def test_awsx_default_groups_open_every_protocol_to_the_world_and_are_flagged(judge, preview):
    """awsx's default load balancer and service groups admit protocol -1 from 0.0.0.0/0 and ::/0."""
    result = judge("awsx_shaped", "test", preview=preview)
    assert flagged(result, RULE) == {"SecurityGroup:lb", "SecurityGroup:service-sg"}
