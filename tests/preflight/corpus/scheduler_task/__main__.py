"""EventBridge Scheduler runs a clean-up task in private subnets that reach ECR through VPC
endpoints (no NAT gateway); the scheduler's role runs that task family and passes its role only."""

import json

import pulumi
import pulumi_aws as aws

region = aws.get_region().region
zones = aws.get_availability_zones().names[:2]
vpc = aws.ec2.Vpc("ops", cidr_block="10.60.0.0/16", enable_dns_hostnames=True, enable_dns_support=True)
aws.ec2.FlowLog(
    "ops",
    vpc_id=vpc.id,
    traffic_type="ALL",
    log_destination_type="s3",
    log_destination=aws.s3.BucketV2("ops-flows").arn,
)
routes = aws.ec2.RouteTable("ops-private", vpc_id=vpc.id)
subnet_ids = []
for index, zone in enumerate(zones):
    subnet = aws.ec2.Subnet(
        f"ops-private-{index}", vpc_id=vpc.id, cidr_block=f"10.60.{index}.0/24", availability_zone=zone
    )
    aws.ec2.RouteTableAssociation(f"ops-private-{index}", subnet_id=subnet.id, route_table_id=routes.id)
    subnet_ids.append(subnet.id)
endpoints_sg = aws.ec2.SecurityGroup(
    "ops-endpoints",
    vpc_id=vpc.id,
    description="HTTPS from the VPC",
    ingress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.60.0.0/16"]}],
)
for service in ("ecr.api", "ecr.dkr", "logs"):
    aws.ec2.VpcEndpoint(
        f"ops-{service.replace('.', '-')}",
        vpc_id=vpc.id,
        service_name=f"com.amazonaws.{region}.{service}",
        vpc_endpoint_type="Interface",
        subnet_ids=subnet_ids,
        security_group_ids=[endpoints_sg.id],
        private_dns_enabled=True,
    )
aws.ec2.VpcEndpoint(
    "ops-s3",
    vpc_id=vpc.id,
    service_name=f"com.amazonaws.{region}.s3",
    vpc_endpoint_type="Gateway",
    route_table_ids=[routes.id],
)

tasks_assume = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
execution = aws.iam.Role("cleanup-execution", assume_role_policy=tasks_assume)
logs = aws.cloudwatch.LogGroup("cleanup", retention_in_days=7)
aws.iam.RolePolicy(
    "cleanup-execution",
    role=execution.id,
    policy=logs.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{arn}:*",
                    },
                ],
            }
        )
    ),
)
task = aws.ecs.TaskDefinition(
    "cleanup",
    family="cleanup",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution.arn,
    container_definitions=logs.name.apply(
        lambda group: json.dumps(
            [
                {
                    "name": "cleanup",
                    "image": "public.ecr.aws/docker/library/alpine:3.20",
                    "command": ["/bin/sh", "-c", "echo cleaning"],
                    "essential": True,
                    "user": "nobody",
                    "readonlyRootFilesystem": True,
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": group,
                            "awslogs-region": "ca-central-1",
                            "awslogs-stream-prefix": "cleanup",
                        },
                    },
                }
            ]
        )
    ),
)
cluster = aws.ecs.Cluster("ops", settings=[{"name": "containerInsights", "value": "enabled"}])
tasks_sg = aws.ec2.SecurityGroup(
    "cleanup",
    vpc_id=vpc.id,
    description="outbound HTTPS",
    egress=[{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.60.0.0/16"]}],
)

scheduler_role = aws.iam.Role(
    "cleanup-scheduler",
    assume_role_policy=json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": "scheduler.amazonaws.com"}, "Action": "sts:AssumeRole"}
            ],
        }
    ),
)
aws.iam.RolePolicy(
    "cleanup-scheduler",
    role=scheduler_role.id,
    policy=pulumi.Output.all(task.arn_without_revision, execution.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ecs:RunTask", "Resource": f"{arns[0]}:*"},
                    {"Effect": "Allow", "Action": "iam:PassRole", "Resource": arns[1]},
                ],
            }
        )
    ),
)
aws.scheduler.Schedule(
    "cleanup",
    schedule_expression="rate(6 hours)",
    flexible_time_window={"mode": "FLEXIBLE", "maximum_window_in_minutes": 30},
    target={
        "arn": cluster.arn,
        "role_arn": scheduler_role.arn,
        "ecs_parameters": {
            "task_definition_arn": task.arn_without_revision,
            "launch_type": "FARGATE",
            "network_configuration": {"subnets": subnet_ids, "security_groups": [tasks_sg.id]},
        },
        "retry_policy": {"maximum_retry_attempts": 2},
    },
)
