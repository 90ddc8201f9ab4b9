"""The execution role a task starts with, allowed to write its own log group only."""

import json

import pulumi
import pulumi_aws as aws

ECS_TASKS = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def execution_role(name: str, log_group_arn: pulumi.Input[str]) -> aws.iam.Role:
    role = aws.iam.Role(f"{name}-execution", assume_role_policy=json.dumps(ECS_TASKS))
    aws.iam.RolePolicy(
        f"{name}-logs",
        role=role.id,
        policy=pulumi.Output.from_input(log_group_arn).apply(
            lambda arn: json.dumps(
                {
                    "Version": "2012-10-17",
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                            "Resource": f"{arn}:*",
                        }
                    ],
                }
            )
        ),
    )
    return role
