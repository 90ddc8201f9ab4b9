"""The pack as the engine sees it, and its documentation."""

import re

from policies.fargate_policies import all_rules, reference

from .conftest import PACK

PARAMETERIZED = {
    "fargate-min-two-subnets": {"minSubnets", "minAvailabilityZones"},
    "ecs-no-plaintext-secrets": {"secretWords", "propertyWords", "allowedNames"},
    "alb-tls-policy": {"allowedPolicies"},
    "ecs-latest-platform-version": {"latestLinuxVersion", "latestWindowsVersion"},
    "cloudwatch-log-retention": {"minimumRetentionDays"},
    "iam-no-managed-policy-on-task-roles": {"allowedManagedPolicies"},
}
# The analyzer protocol's severity numbers.
SEVERITY = {"low": 1, "medium": 2, "high": 3, "critical": 4}
STACK_RULES = {
    "fargate-min-two-subnets",
    "fargate-ingress-from-load-balancer",
    "fargate-ingress-by-security-group",
    "fargate-image-pull-path",
    "fargate-target-group-ip",
    "ecs-no-public-task-ingress",
    "iam-no-admin-task-role",
    "iam-no-managed-policy-on-task-roles",
    "vpc-flow-logs",
    "ecs-load-balancer-container-port",
    "ecs-target-group-attached",
    "ecs-deployment-rollback",
    "alb-listener-rule-priority-unique",
    "alb-waf",
    "ec2-no-open-admin-ports",
    "ecr-image-scanning",
    "iam-no-wildcard-actions",
    "scheduler-role-least-privilege",
    # Matches a wholly secret definition's values with other resources' secret inputs.
    "ecs-no-plaintext-secrets",
}


def test_the_running_pack_serves_every_rule_with_its_level_and_schema(analyzer):
    served = analyzer.policies()
    assert sorted(served) == sorted(rule.name for rule in all_rules())
    for rule in all_rules():
        info = served[rule.name]
        assert info.enforcementLevel == {"advisory": 0, "mandatory": 1}[rule.level.value]
        assert info.description == rule.docs["summary"]
        # Every rule takes `exemptions` (fargate_policies/_exemptions.py).
        assert set(info.configSchema.properties.keys()) == PARAMETERIZED.get(rule.name, set()) | {"exemptions"}
        assert info.severity == SEVERITY[_severity(rule)], rule.name
        assert list(info.tags) == [rule.area, *(f"mirrors:{ident}" for ident in rule.mirrors)]
        assert info.displayName == rule.display_name
        assert info.remediation_steps == (rule.remediation_steps or "")


def test_cross_resource_rules_are_stack_rules():
    assert {rule.name for rule in all_rules() if rule.types is None} == STACK_RULES


def test_every_rule_says_what_it_prevents_and_what_it_mirrors():
    for rule in all_rules():
        assert rule.docs.get("prevents") and rule.docs.get("mirrors"), rule.name


def test_pack_readme_table_lists_every_rule_with_its_default_level():
    readme = (PACK / "README.md").read_text()
    rows = dict(re.findall(r"^\| `([a-z0-9-]+)` \| (mandatory|advisory) \|", readme, re.MULTILINE))
    assert rows == {rule.name: rule.level.value for rule in all_rules()}


def test_pack_readme_rule_table_is_the_one_generated_from_the_rules():
    readme = (PACK / "README.md").read_text()
    generated = readme.split("<!-- generated: python -m policies.fargate_policies.reference -->\n", 1)[1]
    assert generated.split("<!-- /generated -->", 1)[0] == reference.table() + "\n", (
        "policies/README.md's rule table is stale: python -m policies.fargate_policies.reference"
    )


def test_the_generated_table_states_each_rule_s_scope_and_config_defaults():
    rows = {line.split(" | ", 1)[0].strip("| `"): line for line in reference.table().splitlines()[2:]}
    assert "| *(stack)* Every Fargate service, every scheduled Fargate task" in rows["fargate-min-two-subnets"]
    assert "`minSubnets` (`2`): Fewest subnets" in rows["fargate-min-two-subnets"]
    assert "`allowedManagedPolicies` (none): " in rows["iam-no-managed-policy-on-task-roles"]
    assert rows["alb-https-redirect"].endswith("| — |") and "*(stack)*" not in rows["alb-https-redirect"]


def test_the_rule_table_lives_only_in_the_pack_readme():
    # The project's README and docs link it; a paraphrase elsewhere would drift from the rules.
    for page in [PACK.parent / "README.md", *sorted((PACK.parent / "docs").glob("*.md"))]:
        rows = re.findall(r"^\| `([a-z0-9-]+)` \| (?:mandatory|advisory) \|", page.read_text(), re.MULTILINE)
        assert not rows, f"{page.name} repeats the pack's rule table"


def test_pack_readme_gives_each_rule_its_severity():
    readme = (PACK / "README.md").read_text()
    rows = dict(
        re.findall(
            r"^\| `([a-z0-9-]+)` \| (?:mandatory|advisory) \| (low|medium|high|critical) \|", readme, re.MULTILINE
        )
    )
    assert rows == {rule.name: _severity(rule) for rule in all_rules()}


def test_violations_carry_their_rule_s_severity_through_the_analyzer(judge):
    result = judge("violating", "test", preview=False)
    severity = {rule.name: _severity(rule) for rule in all_rules()}
    assert result.violations
    for violation in result.violations:
        assert violation.severity == severity[violation.policy], violation.policy


def _severity(rule) -> str:
    assert rule.severity is not None, f"{rule.name} has no severity"
    return rule.severity.value
