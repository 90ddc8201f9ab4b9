"""The GitHub workflows (.github/workflows) cannot run here; check them against what the actions
document, and their policy config against the pack."""

import yaml

from preflight.analyzer import load_policy_config, reconcile_config

from .conftest import REPOSITORY

WORKFLOWS = sorted((REPOSITORY / ".github" / "workflows").glob("*.yml"))

# The inputs pulumi/actions documents in its action.yml (v7).
PULUMI_ACTION_INPUTS = {
    "command",
    "stack-name",
    "pulumi-version",
    "pulumi-version-file",
    "work-dir",
    "comment-on-pr",
    "comment-on-pr-number",
    "comment-on-summary",
    "github-token",
    "cloud-url",
    "secrets-provider",
    "parallel",
    "message",
    "config-map",
    "expect-no-changes",
    "diff",
    "replace",
    "target",
    "target-dependents",
    "policyPacks",
    "policyPackConfigs",
    "refresh",
    "upsert",
    "remove",
    "edit-pr-comment",
    "color",
    "exclude-protected",
    "plan",
    "suppress-outputs",
    "suppress-progress",
    "always-include-summary",
}


def pulumi_steps():
    for workflow in WORKFLOWS:
        for job in yaml.safe_load(workflow.read_text())["jobs"].values():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("pulumi/actions@"):
                    yield workflow.name, step


def test_there_is_a_preview_on_pull_requests_and_an_up_on_main():
    commands = {(name, step["with"]["command"]) for name, step in pulumi_steps()}
    assert ("pull-request.yml", "preview") in commands
    assert ("pulumi-up.yml", "up") in commands
    triggers = {w.name: yaml.safe_load(w.read_text())[True] for w in WORKFLOWS}  # YAML reads `on` as True
    assert "pull_request" in triggers["pull-request.yml"]
    assert triggers["main.yml"]["push"]["branches"] == ["main"]


def test_pulumi_action_steps_use_documented_inputs_and_real_paths():
    for name, step in pulumi_steps():
        assert set(step["with"]) <= PULUMI_ACTION_INPUTS, name
        assert (REPOSITORY / step["with"]["policyPacks"] / "PulumiPolicy.yaml").is_file()
        assert (REPOSITORY / step["with"]["policyPackConfigs"]).is_file()


def test_the_offline_job_needs_no_secrets():
    jobs = yaml.safe_load((REPOSITORY / ".github/workflows/pull-request.yml").read_text())["jobs"]
    assert "secrets." not in yaml.safe_dump(jobs["preflight"])
    assert any("make preflight-all" in str(step.get("run")) for step in jobs["preflight"]["steps"])


def test_the_workflow_policy_config_is_valid_for_the_pack(policy_pack):
    config = load_policy_config(REPOSITORY / ".github" / "policy-pack-config.json")
    reconciled = reconcile_config(policy_pack.info, config)
    assert reconciled["cloudwatch-log-retention"]["properties"]["minimumRetentionDays"] == 7
