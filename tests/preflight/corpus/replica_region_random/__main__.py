"""random.RandomPassword makes the credential, Secrets Manager keeps it, a second aws.Provider
writes a copy in the disaster-recovery region; the task reads it through `secrets`, never `environment`."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_random as random

config = pulumi.Config()
dr = aws.Provider("dr", region=config.require("drRegion"))

password = random.RandomPassword("db", length=32, special=True, override_special="!#%^*-_=+")
suffix = random.RandomId("suffix", byte_length=3)
credentials = pulumi.Output.all(password.result, suffix.hex).apply(
    lambda args: json.dumps({"username": f"app_{args[1]}", "password": args[0]})
)

primary = aws.secretsmanager.Secret("db", recovery_window_in_days=7)
aws.secretsmanager.SecretVersion("db", secret_id=primary.id, secret_string=credentials)
replica = aws.secretsmanager.Secret("db-dr", recovery_window_in_days=7, opts=pulumi.ResourceOptions(provider=dr))
aws.secretsmanager.SecretVersion(
    "db-dr", secret_id=replica.id, secret_string=credentials, opts=pulumi.ResourceOptions(provider=dr)
)

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
execution = aws.iam.Role("app-execution", assume_role_policy=assume)
logs = aws.cloudwatch.LogGroup("app", retention_in_days=30)
aws.iam.RolePolicy(
    "app-execution",
    role=execution.id,
    policy=pulumi.Output.all(primary.arn, logs.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arns[0]},
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{arns[1]}:*",
                    },
                ],
            }
        )
    ),
)
task = aws.ecs.TaskDefinition(
    "app",
    family="app",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution.arn,
    container_definitions=pulumi.Output.all(primary.arn, logs.name).apply(
        lambda args: json.dumps(
            [
                {
                    "name": "app",
                    "image": "public.ecr.aws/docker/library/ruby:3.3-slim",
                    "essential": True,
                    "user": "1000",
                    "readonlyRootFilesystem": True,
                    "secrets": [
                        {"name": "DB_USERNAME", "valueFrom": f"{args[0]}:username::"},
                        {"name": "DB_PASSWORD", "valueFrom": f"{args[0]}:password::"},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": args[1],
                            "awslogs-region": "us-east-1",
                            "awslogs-stream-prefix": "app",
                        },
                    },
                }
            ]
        )
    ),
)
tasks_sg = aws.ec2.SecurityGroup(
    "app",
    vpc_id=vpc.id,
    description="outbound only",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
cluster = aws.ecs.Cluster("app", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "app",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=1,
    launch_type="FARGATE",
    network_configuration={"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    deployment_circuit_breaker={"enable": True, "rollback": True},
)

pulumi.export("replicaArn", replica.arn)
