"""An internet-facing ALB forwarding to a Fargate service whose tasks admit the ALB only."""

import json

import pulumi
import pulumi_aws as aws

from .network import Network
from .roles import execution_role


def web_service(name: str, network: Network, port: int) -> aws.lb.LoadBalancer:
    alb_sg = aws.ec2.SecurityGroup(
        f"{name}-alb",
        vpc_id=network.vpc.id,
        description="public HTTP",
        ingress=[{"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]}],
        egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
    )
    task_sg = aws.ec2.SecurityGroup(
        f"{name}-tasks",
        vpc_id=network.vpc.id,
        description="from the ALB only",
        ingress=[{"protocol": "tcp", "from_port": port, "to_port": port, "security_groups": [alb_sg.id]}],
        egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
    )
    alb = aws.lb.LoadBalancer(
        name,
        load_balancer_type="application",
        subnets=network.public_subnet_ids,
        security_groups=[alb_sg.id],
        drop_invalid_header_fields=True,
    )
    targets = aws.lb.TargetGroup(
        name,
        port=port,
        protocol="HTTP",
        target_type="ip",
        vpc_id=network.vpc.id,
        health_check={"path": "/healthz"},
    )
    listener = aws.lb.Listener(
        name,
        load_balancer_arn=alb.arn,
        port=80,
        default_actions=[{"type": "forward", "target_group_arn": targets.arn}],
    )
    logs = aws.cloudwatch.LogGroup(name, retention_in_days=30)
    task = aws.ecs.TaskDefinition(
        name,
        family=name,
        cpu="512",
        memory="1024",
        network_mode="awsvpc",
        requires_compatibilities=["FARGATE"],
        execution_role_arn=execution_role(name, logs.arn).arn,
        container_definitions=pulumi.Output.all(logs.name, aws.get_region().region).apply(
            lambda args: _containers(name, port, *args)
        ),
    )
    cluster = aws.ecs.Cluster(name, settings=[{"name": "containerInsights", "value": "enabled"}])
    aws.ecs.Service(
        name,
        cluster=cluster.arn,
        task_definition=task.arn,
        desired_count=2,
        launch_type="FARGATE",
        network_configuration={
            "subnets": network.public_subnet_ids,
            "security_groups": [task_sg.id],
            "assign_public_ip": True,
        },
        load_balancers=[{"target_group_arn": targets.arn, "container_name": "web", "container_port": port}],
        deployment_circuit_breaker={"enable": True, "rollback": True},
        opts=pulumi.ResourceOptions(depends_on=[listener]),
    )
    return alb


def _containers(name: str, port: int, log_group: str, region: str) -> str:
    return json.dumps(
        [
            {
                "name": "web",
                "image": "public.ecr.aws/docker/library/httpd:2.4",
                "essential": True,
                "user": "1000",
                "readonlyRootFilesystem": True,
                "portMappings": [{"containerPort": port, "protocol": "tcp"}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {"awslogs-group": log_group, "awslogs-region": region, "awslogs-stream-prefix": name},
                },
            }
        ]
    )
