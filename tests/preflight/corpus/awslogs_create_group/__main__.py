"""The log group is left to the awslogs driver (awslogs-create-group), so ECS creates it on the
first start, without retention: it keeps every line forever. The execution role may create it."""

import json

import pulumi_aws as aws

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
execution = aws.iam.Role(
    "sync-execution",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "sync-execution",
    role=execution.id,
    policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": "arn:aws:logs:us-east-1:*:log-group:/ecs/sync:*",
                }
            ],
        }
    ),
)
task = aws.ecs.TaskDefinition(
    "sync",
    family="sync",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution.arn,
    container_definitions=json.dumps(
        [
            {
                "name": "sync",
                "image": "public.ecr.aws/aws-cli/aws-cli:2.22.0",
                "command": ["s3", "sync", "s3://source-bucket", "s3://target-bucket"],
                "essential": True,
                "user": "1000",
                "readonlyRootFilesystem": True,
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": "/ecs/sync",
                        "awslogs-region": "us-east-1",
                        "awslogs-stream-prefix": "sync",
                        "awslogs-create-group": "true",
                    },
                },
            }
        ]
    ),
)
tasks_sg = aws.ec2.SecurityGroup(
    "sync",
    vpc_id=vpc.id,
    description="outbound only",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
cluster = aws.ecs.Cluster("sync", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "sync",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=1,
    launch_type="FARGATE",
    network_configuration={"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    deployment_circuit_breaker={"enable": True, "rollback": True},
)
