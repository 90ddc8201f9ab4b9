"""Ported from an EC2 cluster: networkMode stays bridge (Fargate accepts awsvpc only) and the task
keeps 256 CPU units with 4 GB (Fargate offers 0.5 to 2 GB at 256); AWS rejects both at registration."""

import json

import pulumi_aws as aws

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
logs = aws.cloudwatch.LogGroup("legacy", retention_in_days=30)
task = aws.ecs.TaskDefinition(
    "legacy",
    family="legacy",
    cpu="256",
    memory="4096",
    network_mode="bridge",
    requires_compatibilities=["FARGATE"],
    container_definitions=logs.name.apply(
        lambda group: json.dumps(
            [
                {
                    "name": "legacy",
                    "image": "public.ecr.aws/docker/library/tomcat:10-jre21",
                    "essential": True,
                    "user": "1000",
                    "readonlyRootFilesystem": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 0}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": group,
                            "awslogs-region": "us-east-1",
                            "awslogs-stream-prefix": "legacy",
                        },
                    },
                }
            ]
        )
    ),
)
tasks_sg = aws.ec2.SecurityGroup(
    "legacy",
    vpc_id=vpc.id,
    description="outbound only",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
cluster = aws.ecs.Cluster("legacy", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "legacy",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=1,
    launch_type="FARGATE",
    network_configuration={"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    deployment_circuit_breaker={"enable": True, "rollback": True},
)
