"""The platform team owns the cluster; this stack adds one internal service to it. The container
definitions are Output.json_dumps over a structure with outputs inside, the task role's policy a
get_policy_document_output over the bucket's ARN."""

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
cluster = aws.ecs.get_cluster(cluster_name=config.require("clusterName"))
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])

uploads = aws.s3.BucketV2("uploads")
logs = aws.cloudwatch.LogGroup("thumbnails", retention_in_days=14)
tasks_trust = aws.iam.get_policy_document(
    statements=[
        {"actions": ["sts:AssumeRole"], "principals": [{"type": "Service", "identifiers": ["ecs-tasks.amazonaws.com"]}]}
    ]
)
task_role = aws.iam.Role("thumbnails-task", assume_role_policy=tasks_trust.json)
aws.iam.RolePolicy(
    "thumbnails-task",
    role=task_role.id,
    policy=aws.iam.get_policy_document_output(
        statements=[
            {"actions": ["s3:GetObject", "s3:PutObject"], "resources": [uploads.arn.apply(lambda arn: f"{arn}/*")]}
        ]
    ).json,
)
execution = aws.iam.Role("thumbnails-execution", assume_role_policy=tasks_trust.json)
aws.iam.RolePolicy(
    "thumbnails-execution",
    role=execution.id,
    policy=aws.iam.get_policy_document_output(
        statements=[
            {
                "actions": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "resources": [logs.arn.apply(lambda arn: f"{arn}:*")],
            }
        ]
    ).json,
)
task = aws.ecs.TaskDefinition(
    "thumbnails",
    family="thumbnails",
    cpu="1024",
    memory="2048",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    task_role_arn=task_role.arn,
    execution_role_arn=execution.arn,
    ephemeral_storage={"size_in_gib": 30},
    container_definitions=pulumi.Output.json_dumps(
        [
            {
                "name": "thumbnails",
                "image": "public.ecr.aws/docker/library/python:3.12-slim",
                "essential": True,
                "user": "1000",
                "readonlyRootFilesystem": True,
                "environment": [
                    {"name": "UPLOAD_BUCKET", "value": uploads.bucket},
                    {"name": "MAX_WIDTH", "value": "1024"},
                ],
                "mountPoints": [{"sourceVolume": "scratch", "containerPath": "/tmp"}],
                "logConfiguration": {
                    "logDriver": "awslogs",
                    "options": {
                        "awslogs-group": logs.name,
                        "awslogs-region": "us-east-1",
                        "awslogs-stream-prefix": "thumbs",
                    },
                },
            }
        ]
    ),
    volumes=[{"name": "scratch"}],
)
tasks_sg = aws.ec2.SecurityGroup(
    "thumbnails",
    vpc_id=vpc.id,
    description="outbound only",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
aws.ecs.Service(
    "thumbnails",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=1,
    launch_type="FARGATE",
    platform_version="1.4.0",
    network_configuration={"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    deployment_circuit_breaker={"enable": True, "rollback": True},
)

pulumi.export("cluster", cluster.arn)
