"""Mistake 1: the task security group admits 0.0.0.0/0 on the container port (someone debugging
without the ALB). Mistake 2: the database password, read from plain config, written into the
container's environment."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])

alb_sg = aws.ec2.SecurityGroup(
    "alb",
    vpc_id=vpc.id,
    description="public HTTP",
    ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
tasks_sg = aws.ec2.SecurityGroup(
    "tasks",
    vpc_id=vpc.id,
    description="app tasks",
    ingress=[
        {"protocol": "tcp", "from_port": 5000, "to_port": 5000, "security_groups": [alb_sg.id]},
        {"protocol": "tcp", "from_port": 5000, "to_port": 5000, "cidr_blocks": ["0.0.0.0/0"]},
    ],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
alb = aws.lb.LoadBalancer("app", subnets=subnets.ids, security_groups=[alb_sg.id], drop_invalid_header_fields=True)
targets = aws.lb.TargetGroup("app", port=5000, protocol="HTTP", target_type="ip", vpc_id=vpc.id)
listener = aws.lb.Listener(
    "app", load_balancer_arn=alb.arn, port=80, default_actions=[{"type": "forward", "target_group_arn": targets.arn}]
)

logs = aws.cloudwatch.LogGroup("app", retention_in_days=30)
task = aws.ecs.TaskDefinition(
    "app",
    family="app",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    container_definitions=logs.name.apply(
        lambda group: json.dumps(
            [
                {
                    "name": "app",
                    "image": "public.ecr.aws/docker/library/python:3.12-slim",
                    "essential": True,
                    "user": "1000",
                    "readonlyRootFilesystem": True,
                    "portMappings": [{"containerPort": 5000}],
                    "environment": [
                        {"name": "DB_HOST", "value": "app.cluster-abc.us-east-1.rds.amazonaws.com"},
                        {"name": "DB_PASSWORD", "value": config.require("dbPassword")},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": group,
                            "awslogs-region": "us-east-1",
                            "awslogs-stream-prefix": "app",
                        },
                    },
                }
            ]
        )
    ),
)
cluster = aws.ecs.Cluster("app", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "app",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=2,
    launch_type="FARGATE",
    network_configuration={"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    load_balancers=[{"target_group_arn": targets.arn, "container_name": "app", "container_port": 5000}],
    deployment_circuit_breaker={"enable": True, "rollback": True},
    opts=pulumi.ResourceOptions(depends_on=[listener]),
)

pulumi.export("url", alb.dns_name)
