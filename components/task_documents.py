"""The JSON documents of a service's task: its container definitions and its roles' policies.

Plain functions of the args (and of Outputs where a value is another
resource's), so each document can be read, and tested, apart from the
resources that carry it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Optional

import pulumi

from .aws_limits import Arn, ecr_repository_arn, secret_kind, secret_resource_arn
from .iam import policy, statement

if TYPE_CHECKING:
    from .service_args import FargateServiceArgs, SidecarArgs

# What the SSM agent that ECS Exec runs in the container needs, and no more;
# these actions take no resource ARNs.
# https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-exec.html#ecs-exec-required-iam-permissions
ECS_EXEC_ACTIONS = [
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
]

ECR_PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]


def exec_sessions_policy_document() -> str:
    """The task role's grant for ECS Exec sessions."""
    return json.dumps(policy(statement(sid="EcsExecSessions", actions=ECS_EXEC_ACTIONS, resources="*")))


def execution_policy_document(
    log_group_arn: pulumi.Input[str],
    built_repositories: Sequence[pulumi.Input[str]],
    images: Sequence[pulumi.Input[str]],
    secret_arns: Sequence[pulumi.Input[str]],
    kms_key_arn: Optional[pulumi.Input[str]] = None,
) -> pulumi.Output[str]:
    """The execution role's one inline policy: what ECS does on the task's behalf before
    and while it runs, each statement on exactly its resources, always in this order.

    - ``WriteLogs``: the awslogs driver creates a stream per container and puts events
      in it (``log-group:<name>:*``, the grant CDK's AwsLogDriver makes).
    - ``PullImages`` and ``GetEcrAuthorizationToken``, only with an image in ECR (the
      ``built_repositories``, or a private ECR image among ``images``): the layers of
      exactly those repositories, and the registry token, which IAM grants on ``*`` only.
    - ``ReadSsmParameters`` / ``ReadSecretsManagerSecrets``: exactly ``secret_arns``.
    - ``DecryptSecrets``, only with ``kms_key_arn``: that key, through SSM and
      Secrets Manager only (the AWS managed keys need no grant).

    Any of these may be Outputs (an image URI or secret ARN another resource
    makes); the document is then known once they are.
    """

    def document(values: list[Any]) -> str:
        log_group, built, referenced, secrets, kms_key = values
        repositories = [*built, *sorted({arn for image in referenced if (arn := ecr_repository_arn(image))})]
        parameters = sorted({arn for arn in secrets if secret_kind(arn) == "ssm"})
        secret_resources = sorted({secret_resource_arn(arn) for arn in secrets if secret_kind(arn) == "secretsmanager"})
        statements = [
            statement(
                sid="WriteLogs", actions=["logs:CreateLogStream", "logs:PutLogEvents"], resources=f"{log_group}:*"
            )
        ]
        if repositories:
            statements += [
                statement(sid="GetEcrAuthorizationToken", actions="ecr:GetAuthorizationToken", resources="*"),
                statement(sid="PullImages", actions=ECR_PULL_ACTIONS, resources=repositories),
            ]
        if parameters:
            statements.append(statement(sid="ReadSsmParameters", actions="ssm:GetParameters", resources=parameters))
        if secret_resources:
            statements.append(
                statement(
                    sid="ReadSecretsManagerSecrets", actions="secretsmanager:GetSecretValue", resources=secret_resources
                )
            )
        if kms_key is not None:
            statements.append(
                statement(
                    sid="DecryptSecrets",
                    actions="kms:Decrypt",
                    resources=kms_key,
                    condition={"StringEquals": {"kms:ViaService": _secrets_services(secrets)}},
                )
            )
        return json.dumps(policy(*statements))

    return pulumi.Output.all(
        log_group_arn,
        pulumi.Output.all(*built_repositories),
        pulumi.Output.all(*images),
        pulumi.Output.all(*secret_arns),
        kms_key_arn,
    ).apply(document)


def _secrets_services(secrets: Sequence[str]) -> list[str]:
    """The endpoints (``ssm.<region>.amazonaws.com``, ...) through which the secrets are
    read: where KMS sees the execution role's Decrypt calls come from."""
    return sorted({Arn.parse(arn).service_endpoint for arn in secrets})


def container_definitions(
    name: str,
    args: FargateServiceArgs,
    image: pulumi.Input[str],
    log_group_name: pulumi.Input[str],
    region: pulumi.Input[str],
) -> list[dict[str, Any]]:
    """The task's containers as ECS's RegisterTaskDefinition takes them.

    The main container is named after the service (the target group routes to
    it); sidecars follow. All log to the service's log group, one stream per
    container (ECS appends the container name to the prefix).
    """
    logging = {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": log_group_name,
            "awslogs-region": region,
            "awslogs-stream-prefix": name,
        },
    }
    main: dict[str, Any] = {
        "name": name,
        "image": image,
        "essential": True,
        "portMappings": [{"containerPort": args.container_port, "protocol": "tcp"}],
        "environment": _environment(args.environment),
        "readonlyRootFilesystem": args.readonly_root_filesystem,
        "logConfiguration": logging,
    }
    if args.secrets:
        main["secrets"] = [{"name": key, "valueFrom": arn} for key, arn in sorted(args.secrets.items())]
    if args.user is not None:
        main["user"] = args.user
    return [main] + [_sidecar(sidecar_name, sidecar, logging) for sidecar_name, sidecar in args.sidecars.items()]


def _sidecar(name: str, sidecar: SidecarArgs, logging: dict[str, Any]) -> dict[str, Any]:
    definition: dict[str, Any] = {
        "name": name,
        "image": sidecar.image,
        "essential": sidecar.essential,
        "cpu": sidecar.cpu,
        "portMappings": [{"containerPort": p.container_port, "protocol": p.protocol} for p in sidecar.port_mappings],
        "environment": _environment(sidecar.environment),
        "logConfiguration": logging,
    }
    if sidecar.memory is not None:
        definition["memory"] = sidecar.memory
    return definition


def _environment(variables: Mapping[str, pulumi.Input[str]]) -> list[dict[str, Any]]:
    # Sorted, so reordering keys is not a new task definition revision.
    return [{"name": key, "value": value} for key, value in sorted(variables.items())]
