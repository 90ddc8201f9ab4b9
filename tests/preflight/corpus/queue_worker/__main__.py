"""A queue worker: private subnets with a NAT gateway, a task role that may consume one queue, container
definitions assembled with Output.all from the queue URL, the log group and the region."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
zones = aws.get_availability_zones().names[:2]

vpc = aws.ec2.Vpc("jobs", cidr_block="10.8.0.0/16", enable_dns_hostnames=True)
gateway = aws.ec2.InternetGateway("jobs", vpc_id=vpc.id)
public = aws.ec2.Subnet("jobs-public", vpc_id=vpc.id, cidr_block="10.8.0.0/24", availability_zone=zones[0])
public_routes = aws.ec2.RouteTable(
    "jobs-public", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}]
)
aws.ec2.RouteTableAssociation("jobs-public", subnet_id=public.id, route_table_id=public_routes.id)
nat = aws.ec2.NatGateway("jobs", subnet_id=public.id, allocation_id=aws.ec2.Eip("jobs-nat", domain="vpc").id)
private_routes = aws.ec2.RouteTable(
    "jobs-private", vpc_id=vpc.id, routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}]
)
private_ids = []
for index, zone in enumerate(zones):
    subnet = aws.ec2.Subnet(
        f"jobs-private-{index}", vpc_id=vpc.id, cidr_block=f"10.8.{10 + index}.0/24", availability_zone=zone
    )
    aws.ec2.RouteTableAssociation(f"jobs-private-{index}", subnet_id=subnet.id, route_table_id=private_routes.id)
    private_ids.append(subnet.id)
flow_logs = aws.s3.Bucket("jobs-flow-logs")
aws.ec2.FlowLog("jobs", vpc_id=vpc.id, traffic_type="REJECT", log_destination_type="s3", log_destination=flow_logs.arn)

dead_letters = aws.sqs.Queue("jobs-dlq", message_retention_seconds=1209600)
queue = aws.sqs.Queue(
    "jobs",
    visibility_timeout_seconds=120,
    redrive_policy=dead_letters.arn.apply(lambda arn: json.dumps({"deadLetterTargetArn": arn, "maxReceiveCount": 5})),
)

assume = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
logs = aws.cloudwatch.LogGroup("worker", retention_in_days=7)
execution = aws.iam.Role("worker-execution", assume_role_policy=assume)
aws.iam.RolePolicy(
    "worker-execution",
    role=execution.id,
    policy=logs.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{arn}:*"}
                ],
            }
        )
    ),
)
task_role = aws.iam.Role("worker-task", assume_role_policy=assume)
aws.iam.RolePolicy(
    "worker-consume",
    role=task_role.id,
    policy=queue.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility"],
                        "Resource": arn,
                    }
                ],
            }
        )
    ),
)


def containers(queue_url: str, log_group: str, region: str) -> str:
    return json.dumps(
        [
            {
                "name": "worker",
                "image": config.require("image"),
                "command": ["python", "-m", "worker"],
                "essential": True,
                "user": "1000:1000",
                "readonlyRootFilesystem": True,
                "environment": [
                    {"name": "QUEUE_URL", "value": queue_url},
                    {"name": "BATCH_SIZE", "value": "10"},
                    {"name": "POLL_TIMEOUT_SECONDS", "value": "20"},
                ],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": log_group,
                        "awslogs-region": region,
                        "awslogs-stream-prefix": "worker",
                    },
                },
            }
        ]
    )


task = aws.ecs.TaskDefinition(
    "worker",
    family="queue-worker",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "ARM64"},
    execution_role_arn=execution.arn,
    task_role_arn=task_role.arn,
    container_definitions=pulumi.Output.all(queue.url, logs.name, aws.get_region_output().region).apply(
        lambda args: containers(*args)
    ),
)
worker_sg = aws.ec2.SecurityGroup(
    "worker",
    vpc_id=vpc.id,
    description="outbound only",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
cluster = aws.ecs.Cluster("jobs", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "worker",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=1,
    launch_type="FARGATE",
    network_configuration={"subnets": private_ids, "security_groups": [worker_sg.id]},
    deployment_circuit_breaker={"enable": True, "rollback": True},
)

pulumi.export("queue_url", queue.url)
