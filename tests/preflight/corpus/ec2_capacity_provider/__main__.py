"""EC2 launch type: the latest ECS-optimized AMI, an Auto Scaling group behind a capacity provider,
and a bridge-mode service with dynamic host ports (which EC2 supports and Fargate does not)."""

import base64
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
instance_type = config.get("instanceType") or "t3.micro"

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[aws.ec2.GetSubnetsFilterArgs(name="vpc-id", values=[vpc.id])])
ami = aws.ec2.get_ami(
    most_recent=True,
    owners=["amazon"],
    filters=[aws.ec2.GetAmiFilterArgs(name="name", values=["al2023-ami-ecs-hvm-*-x86_64"])],
)

cluster = aws.ecs.Cluster("hosts", settings=[{"name": "containerInsights", "value": "enabled"}])

instance_role = aws.iam.Role(
    "instance",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment(
    "instance-ecs",
    role=instance_role.name,
    policy_arn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role",
)
profile = aws.iam.InstanceProfile("instance", role=instance_role.name)

hosts_sg = aws.ec2.SecurityGroup(
    "hosts",
    vpc_id=vpc.id,
    description="ECS container instances",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)

user_data = cluster.name.apply(
    lambda name: base64.b64encode(f"#!/bin/bash\necho ECS_CLUSTER={name} >> /etc/ecs/ecs.config\n".encode()).decode()
)
template = aws.ec2.LaunchTemplate(
    "hosts",
    image_id=ami.id,
    instance_type=instance_type,
    iam_instance_profile={"arn": profile.arn},
    vpc_security_group_ids=[hosts_sg.id],
    user_data=user_data,
    metadata_options={"http_tokens": "required"},
)
group = aws.autoscaling.Group(
    "hosts",
    min_size=1,
    max_size=4,
    vpc_zone_identifiers=subnets.ids,
    launch_template={"id": template.id, "version": "$Latest"},
    protect_from_scale_in=True,
    tags=[{"key": "AmazonECSManaged", "value": "true", "propagate_at_launch": True}],
)
provider = aws.ecs.CapacityProvider(
    "hosts",
    auto_scaling_group_provider={
        "auto_scaling_group_arn": group.arn,
        "managed_termination_protection": "ENABLED",
        "managed_scaling": {"status": "ENABLED", "target_capacity": 90},
    },
)
aws.ecs.ClusterCapacityProviders(
    "hosts",
    cluster_name=cluster.name,
    capacity_providers=[provider.name],
    default_capacity_provider_strategies=[{"capacity_provider": provider.name, "weight": 1}],
)

logs = aws.cloudwatch.LogGroup("api", retention_in_days=14)
task = aws.ecs.TaskDefinition(
    "api",
    family="api",
    network_mode="bridge",
    requires_compatibilities=["EC2"],
    container_definitions=logs.name.apply(
        lambda group_name: json.dumps(
            [
                {
                    "name": "api",
                    "image": "public.ecr.aws/nginx/nginx:1.27",
                    "memory": 256,
                    "essential": True,
                    "user": "101",
                    "readonlyRootFilesystem": True,
                    "portMappings": [{"containerPort": 8080, "hostPort": 0}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": group_name,
                            "awslogs-region": "eu-central-1",
                            "awslogs-stream-prefix": "api",
                        },
                    },
                }
            ]
        )
    ),
)
aws.ecs.Service(
    "api",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=2,
    capacity_provider_strategies=[{"capacity_provider": provider.name, "weight": 1}],
    deployment_circuit_breaker={"enable": True, "rollback": True},
    ordered_placement_strategies=[{"type": "spread", "field": "attribute:ecs.availability-zone"}],
)

pulumi.export("ami", ami.id)
pulumi.export("cluster", cluster.name)
