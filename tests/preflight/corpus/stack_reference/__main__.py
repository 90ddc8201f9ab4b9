"""The network (VPC, private subnets, the ALB's listener and security group) belongs to another
stack; this program reads its outputs and adds a service and a listener rule for it."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
network = pulumi.StackReference(config.require("networkStack"))
vpc_id = network.require_output("vpcId")
private_subnet_ids = network.require_output("privateSubnetIds")
listener_arn = network.require_output("httpsListenerArn")
alb_security_group_id = network.require_output("albSecurityGroupId")

targets = aws.lb.TargetGroup(
    "orders",
    port=8000,
    protocol="HTTP",
    target_type="ip",
    vpc_id=vpc_id,
    health_check={"path": "/health", "matcher": "200"},
)
aws.lb.ListenerRule(
    "orders",
    listener_arn=listener_arn,
    priority=120,
    conditions=[{"path_pattern": {"values": ["/orders/*"]}}],
    actions=[{"type": "forward", "target_group_arn": targets.arn}],
)
tasks_sg = aws.ec2.SecurityGroup(
    "orders",
    vpc_id=vpc_id,
    description="orders tasks",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
aws.vpc.SecurityGroupIngressRule(
    "orders-from-alb",
    security_group_id=tasks_sg.id,
    referenced_security_group_id=alb_security_group_id,
    ip_protocol="tcp",
    from_port=8000,
    to_port=8000,
)

logs = aws.cloudwatch.LogGroup("orders", retention_in_days=90)
task = aws.ecs.TaskDefinition(
    "orders",
    family="orders",
    cpu="1024",
    memory="2048",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    container_definitions=logs.name.apply(
        lambda group: json.dumps(
            [
                {
                    "name": "orders",
                    "image": "public.ecr.aws/docker/library/node:22-alpine",
                    "essential": True,
                    "user": "node",
                    "readonlyRootFilesystem": True,
                    "portMappings": [{"containerPort": 8000}],
                    "environment": [{"name": "NODE_ENV", "value": "production"}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": group,
                            "awslogs-region": "us-east-1",
                            "awslogs-stream-prefix": "orders",
                        },
                    },
                }
            ]
        )
    ),
)
cluster = aws.ecs.Cluster("orders", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "orders",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=2,
    launch_type="FARGATE",
    network_configuration={"subnets": private_subnet_ids, "security_groups": [tasks_sg.id]},
    load_balancers=[{"target_group_arn": targets.arn, "container_name": "orders", "container_port": 8000}],
    deployment_circuit_breaker={"enable": True, "rollback": True},
)

pulumi.export("targetGroup", targets.arn)
