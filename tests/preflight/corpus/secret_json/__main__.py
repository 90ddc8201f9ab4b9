"""The database's host and port live in a JSON secret next to its password: the host and port are
parsed out inside apply and passed as plain environment variables; the password is never read by
the program, the task fetches it at start through `secrets` (valueFrom with the JSON key)."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
secret = aws.secretsmanager.get_secret(name=config.require("databaseSecret"))
version = aws.secretsmanager.get_secret_version_output(secret_id=secret.arn)
connection = version.secret_string.apply(json.loads)
db_host = connection.apply(lambda settings: settings["host"])
db_port = connection.apply(lambda settings: str(settings.get("port", 5432)))

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])

assume = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
logs = aws.cloudwatch.LogGroup("billing", retention_in_days=30)
execution = aws.iam.Role("billing-execution", assume_role_policy=assume)
aws.iam.RolePolicy(
    "billing-execution",
    role=execution.id,
    policy=logs.arn.apply(
        lambda log_arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": secret.arn},
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{log_arn}:*",
                    },
                ],
            }
        )
    ),
)

task = aws.ecs.TaskDefinition(
    "billing",
    family="billing",
    cpu="512",
    memory="1024",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution.arn,
    container_definitions=pulumi.Output.all(db_host, db_port, logs.name).apply(
        lambda args: json.dumps(
            [
                {
                    "name": "billing",
                    "image": "public.ecr.aws/docker/library/golang:1.23",
                    "essential": True,
                    "user": "1000",
                    "readonlyRootFilesystem": True,
                    "environment": [{"name": "DB_HOST", "value": args[0]}, {"name": "DB_PORT", "value": args[1]}],
                    "secrets": [{"name": "DB_PASSWORD", "valueFrom": f"{secret.arn}:password::"}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": args[2],
                            "awslogs-region": "eu-west-1",
                            "awslogs-stream-prefix": "billing",
                        },
                    },
                }
            ]
        )
    ),
)
tasks_sg = aws.ec2.SecurityGroup(
    "billing",
    vpc_id=vpc.id,
    description="outbound only",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
cluster = aws.ecs.Cluster("billing", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "billing",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=1,
    launch_type="FARGATE",
    network_configuration={"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    deployment_circuit_breaker={"enable": True, "rollback": True},
)
