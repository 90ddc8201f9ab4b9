"""Everything found, nothing built but the service: the default VPC and its subnets, the account and
region for ARNs, and the AWS-managed execution policy attached by its looked-up ARN."""

import json

import pulumi
import pulumi_aws as aws

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(
    filters=[{"name": "vpc-id", "values": [vpc.id]}, {"name": "default-for-az", "values": ["true"]}]
)
account = aws.get_caller_identity()
region = aws.get_region()
execution_policy = aws.iam.get_policy(name="AmazonECSTaskExecutionRolePolicy")

execution = aws.iam.Role(
    "status-execution",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicyAttachment("status-execution", role=execution.name, policy_arn=execution_policy.arn)

log_group_name = "/ecs/status"
logs = aws.cloudwatch.LogGroup("status", name=log_group_name, retention_in_days=30)
image = f"{account.account_id}.dkr.ecr.{region.region}.amazonaws.com/status:1.4.2"
task = aws.ecs.TaskDefinition(
    "status",
    family="status",
    cpu="256",
    memory="1024",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution.arn,
    container_definitions=json.dumps(
        [
            {
                "name": "status",
                "image": image,
                "essential": True,
                "user": "65534",
                "readonlyRootFilesystem": True,
                "portMappings": [{"containerPort": 9000}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": log_group_name,
                        "awslogs-region": region.region,
                        "awslogs-stream-prefix": "status",
                    },
                },
            }
        ]
    ),
    opts=pulumi.ResourceOptions(depends_on=[logs]),
)
service_sg = aws.ec2.SecurityGroup(
    "status",
    vpc_id=vpc.id,
    description="from inside the VPC",
    ingress=[{"protocol": "tcp", "from_port": 9000, "to_port": 9000, "cidr_blocks": [vpc.cidr_block]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
cluster = aws.ecs.Cluster("status", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "status",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=2,
    launch_type="FARGATE",
    network_configuration={"subnets": subnets.ids, "security_groups": [service_sg.id], "assign_public_ip": True},
    deployment_circuit_breaker={"enable": True, "rollback": True},
)

pulumi.export("executionPolicy", execution_policy.arn)
pulumi.export("account", account.account_id)
