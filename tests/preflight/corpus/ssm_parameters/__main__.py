"""A release pipeline writes the image tag to SSM; the stack reads it with get_parameter, owns a
String parameter of feature flags, and hands an API key stored as a SecureString to the container
through `secrets`."""

import json

import pulumi
import pulumi_aws as aws

service = pulumi.Config().require("service")
tag = aws.ssm.get_parameter(name=f"/releases/{service}/image-tag")
api_key = aws.ssm.get_parameter(name=f"/{service}/search-api-key", with_decryption=False)
flags = aws.ssm.Parameter(
    f"{service}-flags", name=f"/{service}/flags", type="String", value=json.dumps({"newSearch": False})
)
account = aws.get_caller_identity()

vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])
assume = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
execution = aws.iam.Role(f"{service}-execution", assume_role_policy=assume)
logs = aws.cloudwatch.LogGroup(service, retention_in_days=14)
aws.iam.RolePolicy(
    f"{service}-execution",
    role=execution.id,
    policy=pulumi.Output.all(logs.arn, flags.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": [api_key.arn, arns[1]]},
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{arns[0]}:*",
                    },
                ],
            }
        )
    ),
)
image = f"{account.account_id}.dkr.ecr.ap-southeast-2.amazonaws.com/{service}:{tag.value}"
task = aws.ecs.TaskDefinition(
    service,
    family=service,
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution.arn,
    container_definitions=pulumi.Output.all(logs.name, flags.arn).apply(
        lambda args: json.dumps(
            [
                {
                    "name": service,
                    "image": image,
                    "essential": True,
                    "user": "10001",
                    "readonlyRootFilesystem": True,
                    "secrets": [
                        {"name": "SEARCH_API_KEY", "valueFrom": api_key.arn},
                        {"name": "FEATURE_FLAGS", "valueFrom": args[1]},
                    ],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": args[0],
                            "awslogs-region": "ap-southeast-2",
                            "awslogs-stream-prefix": service,
                        },
                    },
                }
            ]
        )
    ),
)
tasks_sg = aws.ec2.SecurityGroup(
    service,
    vpc_id=vpc.id,
    description="outbound only",
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
cluster = aws.ecs.Cluster(service, settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    service,
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=1,
    launch_type="FARGATE",
    network_configuration={"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    deployment_circuit_breaker={"enable": True, "rollback": True},
)

pulumi.export("image", image)
