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


def _workflow(name: str) -> dict:
    return yaml.safe_load((REPOSITORY / ".github" / "workflows" / name).read_text())


def _runs(job: dict) -> list[str]:
    return [str(step["run"]) for step in job.get("steps", []) if "run" in step]


def test_one_ci_definition_runs_what_ci_run_runs():
    ci = _workflow("ci.yml")
    assert sorted(w.name for w in WORKFLOWS) == ["ci.yml", "pulumi-up.yml"]
    assert "pull_request" in ci[True]  # YAML reads `on` as True
    assert ci[True]["push"]["branches"] == ["main"]
    jobs = ci["jobs"]
    assert _runs(jobs["lint"])[0] == "make lint"
    assert _runs(jobs["rehearse"])[-1] == "make rehearse"
    pythons = jobs["test"]["strategy"]["matrix"]["python"]
    assert pythons == ["3.11", "3.12", "3.13"]
    assert _runs(jobs["test"]) == ["make test PYTHON=python${{ matrix.python }}"]
    ci_run = (REPOSITORY / ".ci" / "run").read_text()
    for python in pythons:
        assert f"python{python}" in ci_run, python


def test_there_is_a_preview_on_pull_requests_and_an_up_on_main_after_the_checks():
    commands = {(name, step["with"]["command"]) for name, step in pulumi_steps()}
    assert commands == {("ci.yml", "preview"), ("pulumi-up.yml", "up")}
    jobs = _workflow("ci.yml")["jobs"]
    assert jobs["preview"]["if"].startswith("github.event_name == 'pull_request'")
    assert jobs["up-dev"]["if"] == "github.event_name == 'push' && github.ref == 'refs/heads/main'"
    for job in ("preview", "up-dev"):
        assert set(jobs[job]["needs"]) == {"lint", "test", "rehearse"}, job
    assert jobs["up-prod"]["needs"] == "up-dev"
    assert {jobs[job]["uses"] for job in ("up-dev", "up-prod")} == {"./.github/workflows/pulumi-up.yml"}


def test_pulumi_action_steps_use_documented_inputs_and_real_paths():
    for name, step in pulumi_steps():
        assert set(step["with"]) <= PULUMI_ACTION_INPUTS, name
        assert (REPOSITORY / step["with"]["policyPacks"] / "PulumiPolicy.yaml").is_file()
        assert (REPOSITORY / step["with"]["policyPackConfigs"]).is_file()


def test_the_offline_jobs_need_no_secrets():
    jobs = _workflow("ci.yml")["jobs"]
    for job in ("lint", "test", "rehearse"):
        assert "secrets." not in yaml.safe_dump(jobs[job]), job


def test_every_python_but_the_test_matrix_is_the_one_pinned_file():
    pinned = (REPOSITORY / ".github" / "python-version").read_text().strip()
    assert pinned == "3.11"
    for workflow in WORKFLOWS:
        for name, job in yaml.safe_load(workflow.read_text())["jobs"].items():
            for step in job.get("steps", []):
                if str(step.get("uses", "")).startswith("actions/setup-python@"):
                    expected = (
                        {"python-version": "${{ matrix.python }}"}
                        if (workflow.name, name) == ("ci.yml", "test")
                        else {"python-version-file": ".github/python-version"}
                    )
                    assert step["with"] == expected, (workflow.name, name)


def test_the_workflow_policy_config_is_valid_for_the_pack(policy_pack):
    config = load_policy_config(REPOSITORY / ".github" / "policy-pack-config.json")
    reconciled = reconcile_config(policy_pack.info, config)
    assert reconciled["cloudwatch-log-retention"]["properties"]["minimumRetentionDays"] == 7
