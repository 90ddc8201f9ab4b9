"""preflight/aws/data_sources.py: look-ups answered from the region alone, IAM policy documents."""

import json

from preflight import UNKNOWN


def test_policy_document_invoke_renders_iam_json(nested):
    document = json.loads(nested.one("aws:iam/role:Role").inputs["assumeRolePolicy"])
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
            }
        ],
    }


def test_a_policy_document_with_values_of_mixed_kinds_renders_instead_of_crashing():
    from preflight import aws

    document = aws.policy_document(
        {
            "statements": [
                {
                    "actions": ["s3:GetObject", UNKNOWN],
                    "resources": ["arn:aws:s3:::b/*", UNKNOWN],
                    "principals": [{"type": "AWS", "identifiers": [UNKNOWN, "arn:aws:iam::123456789012:root"]}],
                }
            ]
        }
    )
    assert document["Statement"][0]["Action"][0] == "s3:GetObject"
