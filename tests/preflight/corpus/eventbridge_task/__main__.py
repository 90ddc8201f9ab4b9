"""A cron-style EventBridge rule runs a Fargate task every night; the rule's role may run that task
family only and pass its two roles, nothing else."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])


def role_for(name: str, service: str) -> aws.iam.Role:
    return aws.iam.Role(
        name,
        assume_role_policy=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
            }
        ),
    )


execution = role_for("report-execution", "ecs-tasks.amazonaws.com")
task_role = role_for("report-task", "ecs-tasks.amazonaws.com")
reports = aws.s3.BucketV2("reports")
aws.s3.BucketPublicAccessBlock(
    "reports",
    bucket=reports.id,
    block_public_acls=True,
    block_public_policy=True,
    ignore_public_acls=True,
    restrict_public_buckets=True,
)
logs = aws.cloudwatch.LogGroup("report", retention_in_days=60)
aws.iam.RolePolicy(
    "report-execution",
    role=execution.id,
    policy=logs.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{arn}:*"}
                ],
            }
        )
    ),
)
aws.iam.RolePolicy(
    "report-writes",
    role=task_role.id,
    policy=reports.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{arn}/nightly/*"}],
            }
        )
    ),
)
task = aws.ecs.TaskDefinition(
    "report",
    family="nightly-report",
    cpu="1024",
    memory="3072",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution.arn,
    task_role_arn=task_role.arn,
    container_definitions=pulumi.Output.all(logs.name, reports.bucket).apply(
        lambda args: json.dumps(
            [
                {
                    "name": "report",
                    "image": "public.ecr.aws/docker/library/python:3.12-slim",
                    "command": ["python", "-m", "reports.nightly"],
                    "essential": True,
                    "user": "1000",
                    "readonlyRootFilesystem": True,
                    "environment": [{"name": "REPORT_BUCKET", "value": args[1]}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": args[0],
                            "awslogs-region": "eu-west-2",
                            "awslogs-stream-prefix": "report",
                        },
                    },
                }
            ]
        )
    ),
)
cluster = aws.ecs.Cluster("batch", settings=[{"name": "containerInsights", "value": "enabled"}])
tasks_sg = aws.ec2.SecurityGroup(
    "report",
    vpc_id=vpc.id,
    description="outbound only",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)

events_role = role_for("report-events", "events.amazonaws.com")
aws.iam.RolePolicy(
    "report-events",
    role=events_role.id,
    policy=pulumi.Output.all(task.arn_without_revision, execution.arn, task_role.arn, cluster.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": "ecs:RunTask",
                        "Resource": f"{arns[0]}:*",
                        "Condition": {"ArnEquals": {"ecs:cluster": arns[3]}},
                    },
                    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": [arns[1], arns[2]]},
                ],
            }
        )
    ),
)
rule = aws.cloudwatch.EventRule("nightly-report", schedule_expression=config.require("schedule"))
aws.cloudwatch.EventTarget(
    "nightly-report",
    rule=rule.name,
    arn=cluster.arn,
    role_arn=events_role.arn,
    ecs_target={
        "task_definition_arn": task.arn_without_revision,
        "task_count": 1,
        "launch_type": "FARGATE",
        "platform_version": "LATEST",
        "network_configuration": {"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    },
)

pulumi.export("rule", rule.name)
