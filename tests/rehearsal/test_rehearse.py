"""Every committed stack, the update scenarios and the refused input, applied by the Terraform AWS
provider against moto (`make rehearse`). The rehearsals run side by side, REHEARSAL_WORKERS at a
time (4: most of a rehearsal is the provider waiting, see the README), once per session."""

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from preflight import run
from rehearsal import rehearse
from rehearsal.gaps import REPLAN_EXPLAINED

ROOT = Path(__file__).resolve().parents[2]
STACKS = ROOT / "tests" / "rehearsal" / "stacks"
BROKEN = ROOT / "tests" / "rehearsal" / "fixtures" / "long_target_group_name"
COMMITTED = ["dev", "prod", "endpoints", "default-vpc", "platform"]
# (project, stack, update to): the longest first, so the short ones fill the gaps at the end.
JOBS = {
    "edge": (ROOT, "dev", str(STACKS / "Pulumi.dev-edge.yaml")),
    "platform-add-worker": (ROOT, "platform", str(STACKS / "Pulumi.platform-add-worker.yaml")),
    "nat-single": (ROOT, "dev", str(STACKS / "Pulumi.dev-nat-single.yaml")),
    "nat-back": (ROOT, str(STACKS / "Pulumi.dev-nat-single.yaml"), "dev"),
    "two-services": (ROOT, "dev", str(STACKS / "Pulumi.dev-two-services.yaml")),
    "new-image": (ROOT, "dev", str(STACKS / "Pulumi.dev-new-image.yaml")),
    "prod": (ROOT, "prod", None),
    "endpoints": (ROOT, "endpoints", None),
    "default-vpc": (ROOT, "default-vpc", None),
    "dev": (ROOT, "dev", None),
    "platform": (ROOT, "platform", None),
    "long-target-group-name": (BROKEN, "test", None),
}
pytestmark = pytest.mark.rehearsal


def _reads(item) -> tuple[str, ...]:
    """The rehearsals a test reads: its `stack`, or those its `rehearses` marker names."""
    callspec = getattr(item, "callspec", None)
    if callspec is not None and "stack" in callspec.params:
        return (callspec.params["stack"],)
    marker = item.get_closest_marker("rehearses")
    return marker.args if marker is not None else tuple(JOBS)


@pytest.fixture(scope="session")
def outcomes(request):
    """The rehearsals the selected tests read (all of them in `make rehearse`; `-k platform` runs
    the platform stack's two), run once, REHEARSAL_WORKERS at a time."""
    workers = int(os.environ.get("REHEARSAL_WORKERS", "4"))
    wanted = {name for item in request.session.items for name in _reads(item)}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {
            name: pool.submit(rehearse, project, stack, update_to=update)
            for name, (project, stack, update) in JOBS.items()
            if name in wanted
        }
        done = {name: future.result() for name, future in futures.items()}
    request.config.rehearsal_outcomes = done  # the conftest's summary: where the time went
    return done


@pytest.mark.parametrize("stack", COMMITTED)
def test_committed_stack_applies_replans_clean_and_destroys_without_leftovers(outcomes, stack):
    outcome = outcomes[stack]
    aws = [r for r in run(ROOT, stack, policy_pack=None).resources if r.custom and r.type.startswith("aws:")]
    assert outcome.failures == []
    assert outcome.applied == len(aws) - 0 == outcome.expected
    assert outcome.replan["changes"] == []
    assert outcome.destroyed == outcome.applied
    assert outcome.leftover == []
    assert outcome.exit_code == 0


def actions(outcome):
    """The update's actions, less updates whose every attribute is an emulator gap re-applied
    (moto forgets a rule's description, so each apply sets it again)."""
    found = set()
    for action in outcome.update["actions"]:
        tf_type = action["address"].split(".")[0]
        gaps_only = action["attributes"] and all(
            (tf_type, path.split("[")[0].split(".")[0]) in REPLAN_EXPLAINED for path in action["attributes"]
        )
        if not (action["action"] == "update" and gaps_only):
            found.add((action["action"], action["address"]))
    return found


@pytest.mark.rehearses("two-services")
def test_a_second_service_only_creates_its_own_resources_and_alb_rules(outcomes):
    outcome = outcomes["two-services"]
    assert outcome.exit_code == 0, outcome.document()
    # The stack's dashboard gains the new service's row; nothing else of the stack changes.
    assert ("update", "aws_cloudwatch_dashboard.dashboard") in actions(outcome)
    made = actions(outcome) - {("update", "aws_cloudwatch_dashboard.dashboard")}
    assert made and {action for action, _ in made} == {"create"}
    for _, address in made:
        assert "api" in address, address


@pytest.mark.rehearses("platform-add-worker")
def test_a_worker_added_to_platform_creates_only_its_own_resources_and_the_backend_rule_admitting_it(outcomes):
    outcome = outcomes["platform-add-worker"]
    assert outcome.exit_code == 0, outcome.document()
    # The stack's dashboard gains the new service's widgets; nothing else of the stack changes.
    made = actions(outcome) - {("update", "aws_cloudwatch_dashboard.dashboard")}
    assert made and {action for action, _ in made} == {"create"}
    for _, address in made:
        assert "resizer" in address, address
    assert ("create", "aws_vpc_security_group_ingress_rule.api-from-resizer") in made
    assert ("create", "aws_sqs_queue.resizer") in made and ("create", "aws_ecs_service.resizer") in made


@pytest.mark.rehearses("new-image")
def test_a_new_image_replaces_the_task_definition_and_updates_the_service_only(outcomes):
    outcome = outcomes["new-image"]
    assert outcome.exit_code == 0, outcome.document()
    assert actions(outcome) == {("replace", "aws_ecs_task_definition.web"), ("update", "aws_ecs_service.web")}


@pytest.mark.rehearses("edge")
def test_a_domain_and_waf_create_the_certificate_its_records_the_https_listener_and_the_web_acl(outcomes):
    outcome = outcomes["edge"]
    assert outcome.exit_code == 0, outcome.document()
    made = actions(outcome)
    assert {address for action, address in made if action == "create"} == {
        "aws_acm_certificate.alb",
        "aws_acm_certificate_validation.alb",
        # One validation record for app.example.com, one shared by example.com and *.example.com.
        "aws_route53_record.alb-validation-app_example_com",
        "aws_route53_record.alb-validation-example_com",
        "aws_route53_record.alb-a-app_example_com",
        "aws_route53_record.alb-a-example_com",
        "aws_route53_record.alb-a-wildcard_example_com",
        "aws_lb_listener.alb-https",
        "aws_vpc_security_group_ingress_rule.alb-https-0",
        "aws_vpc_security_group_ingress_rule.alb-https-1",
        "aws_wafv2_web_acl.alb",
        "aws_wafv2_web_acl_association.alb",
    }
    # The service's rule moves to the HTTPS listener (a new rule); HTTP now redirects, the target
    # group takes the new delay, slow start and stickiness in place.
    assert {address for action, address in made if action == "replace"} == {"aws_lb_listener_rule.web"}
    updated = {address for action, address in made if action == "update"}
    assert (
        {"aws_lb_listener.alb-http", "aws_lb_target_group.web"}
        <= updated
        <= {
            "aws_lb_listener.alb-http",
            "aws_lb_target_group.web",
            "aws_ecs_service.web",
        }
    )


@pytest.mark.rehearses("nat-single", "nat-back")
def test_a_single_nat_gateway_with_private_tasks_and_back(outcomes):
    for name in ("nat-single", "nat-back"):
        outcome = outcomes[name]
        assert outcome.exit_code == 0, outcome.document()
        assert ("update", "aws_ecs_service.web") in actions(outcome)
        assert not any(action == "replace" for action, _ in actions(outcome))


@pytest.mark.rehearses("long-target-group-name")
def test_an_input_only_the_provider_refuses_fails_naming_the_resource_and_the_providers_message(outcomes):
    """The mocks accept a 36-character target group name; provider 5.100 refuses it (ELBv2 allows 32)."""
    outcome = outcomes["long-target-group-name"]
    assert outcome.exit_code == 1
    assert [failure.address for failure in outcome.failures] == ["aws_lb_target_group.web"]
    message = outcome.failures[0].message
    assert "32" in message and "name" in message, message
    assert outcome.leftover == []
