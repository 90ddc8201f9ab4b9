"""preflight/report.py: the readable report, the `--json` document and the Mermaid graph, as
`python -m preflight` prints them."""

import json

from preflight import errors, report

from .conftest import FARGATE, FIXTURE_PACK, NESTED, REPOSITORY, cli, tree


def test_json_document_follows_the_schema(capsys):
    status, out, err = cli(
        capsys, "--stack", "example", "--project-dir", FARGATE, "--policy-pack", FIXTURE_PACK, "--preview", "--json"
    )
    document = json.loads(out)
    assert status == 1 and err == ""
    assert set(document) == {
        "project",
        "stack",
        "resources",
        "outputs",
        "violations",
        "notApplicable",
        "exemptions",
        "remediations",
        "policies",
        "summary",
    }
    assert (document["project"], document["stack"]) == ("aws-py-fargate", "example")
    urns = {r["urn"] for r in document["resources"]}
    for resource in document["resources"]:
        assert set(resource) == {
            "urn",
            "type",
            "name",
            "custom",
            "parent",
            "inputs",
            "dependencies",
            "propertyDependencies",
        }
        assert resource["parent"] is None or resource["parent"] in urns
        assert set(resource["dependencies"]) <= urns
        assert all(set(deps) <= urns for deps in resource["propertyDependencies"].values())
    service = next(r for r in document["resources"] if r["type"] == "aws:ecs/service:Service")
    assert service["custom"] is True
    assert service["inputs"]["cluster"] == "[unknown]" and service["inputs"]["launchType"] == "FARGATE"
    assert document["outputs"] == {"url": "[unknown]"}
    for violation in document["violations"]:
        assert set(violation) == {"policy", "enforcementLevel", "severity", "urn", "message"}
        assert violation["enforcementLevel"] in ("advisory", "mandatory")
    assert {
        "policy": "fixture-service-groups",
        "enforcementLevel": "mandatory",
        "severity": None,
        "urn": service["urn"],
        "message": "Service security groups are closed to the world.\n"
        "web-secgrp admits 0.0.0.0/0 (parent pulumi:pulumi:Stack)",
    } in document["violations"]
    assert document["summary"] == {
        "preview": True,
        "resources": len(document["resources"]),
        "mandatory": 1,
        "advisory": len(document["violations"]) - 1,
        "notApplicable": 0,
        "exempted": 0,
        "remediated": 0,
        "policyPack": "preflight-fixture@v0.3.0",
        "mandatoryNotRun": [],
        "notExpanded": [],
        "unknownOffline": [],
        "notSimulated": [],
        "simulatedDataSources": [],
        "notes": [],
        "strict": False,
        "exitCode": 1,
    }


def test_report_shows_the_tree_violations_outputs_and_summary(capsys):
    status, out, _ = cli(capsys, "--stack", "bridge", "--project-dir", FARGATE, "--policy-pack", FIXTURE_PACK)
    assert status == 1
    assert "  pulumi:pulumi:Stack  aws-py-fargate-bridge\n" in out
    assert "[mandatory] fixture-awsvpc: Fargate task definitions use awsvpc." in out
    assert "aws:ecs/taskDefinition:TaskDefinition  app-task: networkMode is 'bridge'" in out
    url = next(line for line in out.splitlines() if line.startswith("  url: "))
    assert url.startswith("  url: http://app-lb-") and url.endswith(".us-west-2.elb.amazonaws.com (simulated)")
    # The summary counts what the tree draws.
    assert (
        out.rstrip()
        .splitlines()[-1]
        .startswith(f"FAILED: aws-py-fargate/bridge (simulated update): {len(tree(out))} resources, 1 mandatory")
    )


def test_report_nests_components_and_marks_preview_unknowns(capsys):
    status, out, _ = cli(capsys, "--stack", "dev", "--project-dir", NESTED, "--policy-pack", FIXTURE_PACK, "--preview")
    lines = out.splitlines()
    edge = lines.index("  ├─ acme:network:Edge  edge")
    assert lines[edge + 1] == "  │  ├─ aws:ec2/securityGroup:SecurityGroup  edge-sg  id [unknown until deployed]"
    assert lines[edge + 2] == "  │  └─ acme:network:Rules  edge-rules"
    assert lines[edge + 3].startswith("  │     ├─ aws:ec2/securityGroupRule:SecurityGroupRule  edge-rules-80")
    assert "awsx:ecr:Image  image  (multi-language component: its children are not built offline)" in out
    assert "  groupId: [unknown until deployed]" in lines
    assert status == 0


def test_mermaid_graph_draws_components_and_what_uses_what(capsys):
    status, out, _ = cli(
        capsys, "--stack", "dev", "--project-dir", NESTED, "--policy-pack", FIXTURE_PACK, "--graph", "mermaid"
    )
    lines = out.splitlines()
    assert lines[0] == "flowchart LR" and status == 0
    ids = {line.split("[")[0].split()[-1]: line for line in lines if '["' in line}
    node = {label.split('"')[1]: key for key, label in ids.items()}
    assert ids[node["acme:network:Edge: edge"]].strip().startswith("subgraph ")
    assert f"  {node['ec2.Vpc: vpc']} --> {node['ec2.SecurityGroup: edge-sg']}" in lines
    assert f"  {node['ec2.SecurityGroup: edge-sg']} --> {node['ec2.SecurityGroupRule: edge-rules-80']}" in lines


def test_the_readme_shows_the_dev_stack_as_drawn_in_another_process(committed_stack):
    """The SDK registers resources from a thread pool, in an order that varies from run to run; the
    diagram must not: the README's was drawn by an earlier process, this one by the suite's run."""
    readme = (REPOSITORY / "README.md").read_text()
    drawn = readme.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert drawn == report.mermaid(committed_stack("dev", preview=False)) + "\n", (
        "README's diagram is stale: python -m preflight --stack dev --graph mermaid"
    )


def test_make_preview_shows_the_url_first_and_marks_it_simulated(committed_stack):
    """What `make preview` prints: the same report `python -m preflight --stack dev` renders."""
    result = committed_stack("dev", preview=False)
    lines = report.text(result).splitlines()
    url = lines[lines.index("Outputs:") + 1]
    assert url.startswith("  url: http://alb-") and url.endswith(".us-east-1.elb.amazonaws.com (simulated)")
    # Every resource the run recorded is counted, and drawn in the tree.
    drawn = tree(report.text(result))
    assert len(drawn) == len(result.resources)
    assert all(any(f" {r.type}  {r.name} " in line + " " for line in drawn) for r in result.resources)
    assert lines[-1].startswith(f"ok: fargate/dev (simulated update): {len(result.resources)} resources, 0 mandatory")
    assert result.exit_code == 0


def test_the_error_block_follows_causes_not_hidden_contexts_and_drops_object_addresses(tmp_path):
    """json raises its JSONDecodeError `from None` over a StopIteration: not a link of the chain. The
    SDK's wrapper keeps its first line, without the Output's address, which changes every run."""
    helpers = tmp_path / "helpers.py"
    helpers.write_text("import json\n\n\ndef parse(raw):\n    return json.loads(raw)\n")
    namespace: dict = {}
    exec(compile(helpers.read_text(), str(helpers), "exec"), namespace)
    try:
        try:
            namespace["parse"]("not json")
        except ValueError as inner:
            raise ValueError(
                "While processing input: 'k', type <class 'str'>, value <pulumi.output.Output object at 0x7f3a>\n"
                "ValueError has risen: Expecting value: line 1 column 1 (char 0)"
            ) from inner
    except ValueError as outer:
        cause = errors.trace(outer, str(tmp_path), ())
    assert (cause.type, cause.chain) == (
        "JSONDecodeError",
        [("ValueError", "While processing input: 'k', type <class 'str'>")],
    )
    assert cause.location == errors.Location("helpers.py", 5, "parse", "return json.loads(raw)")
    assert "Traceback (most recent call last)" in cause.traceback and "StopIteration" not in cause.traceback
    failure = errors.ProgramError(f"the program raised {cause.type}: {cause.message} (at {cause.location})", cause)
    assert report.error_text(failure).splitlines() == [
        "preflight: error: the program raised JSONDecodeError: Expecting value: line 1 column 1 (char 0) "
        "(at helpers.py:5)",
        "  helpers.py:5 in parse: return json.loads(raw)",
        "  wrapped by (outermost first):",
        "    ValueError: While processing input: 'k', type <class 'str'>",
        "  (--debug shows the full traceback)",
    ]


def test_a_frame_outside_the_program_or_in_its_installed_packages_is_not_its_location(tmp_path):
    venv_module = tmp_path / "venv" / "lib" / "site-packages" / "lib.py"
    venv_module.parent.mkdir(parents=True)
    venv_module.write_text("def fail():\n    raise KeyError('k')\n")
    namespace: dict = {}
    exec(compile(venv_module.read_text(), str(venv_module), "exec"), namespace)
    try:
        namespace["fail"]()
    except KeyError as error:
        cause = errors.trace(error, str(tmp_path), ())
    assert (cause.type, cause.message, cause.location) == ("KeyError", "'k'", None)
