"""Build ./app, push it to the stack's own ECR repository with the registry's login, and run the
pushed image by its digest (a redeploy never changes under a tag)."""

import json

import pulumi
import pulumi_aws as aws
import pulumi_docker as docker

repository = aws.ecr.Repository(
    "api", image_tag_mutability="IMMUTABLE", image_scanning_configuration={"scan_on_push": True}, force_delete=True
)
aws.ecr.LifecyclePolicy(
    "api",
    repository=repository.name,
    policy=json.dumps(
        {
            "rules": [
                {
                    "rulePriority": 1,
                    "description": "keep the last 20 images",
                    "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20},
                    "action": {"type": "expire"},
                }
            ]
        }
    ),
)
login = aws.ecr.get_authorization_token_output(registry_id=repository.registry_id)
image = docker.Image(
    "api",
    build=docker.DockerBuildArgs(context="./app", platform="linux/amd64"),
    image_name=repository.repository_url.apply(lambda url: f"{url}:{pulumi.get_stack()}"),
    registry=docker.RegistryArgs(server=login.proxy_endpoint, username=login.user_name, password=login.password),
)

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
execution = aws.iam.Role("api-execution", assume_role_policy=assume)
logs = aws.cloudwatch.LogGroup("api", retention_in_days=14)
aws.iam.RolePolicy(
    "api-execution",
    role=execution.id,
    policy=pulumi.Output.all(repository.arn, logs.arn).apply(
        lambda arns: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                        "Resource": arns[0],
                    },
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{arns[1]}:*",
                    },
                ],
            }
        )
    ),
)
task = aws.ecs.TaskDefinition(
    "api",
    family="api",
    cpu="256",
    memory="512",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution.arn,
    container_definitions=pulumi.Output.all(image.repo_digest, logs.name).apply(
        lambda args: json.dumps(
            [
                {
                    "name": "api",
                    "image": args[0],
                    "essential": True,
                    "readonlyRootFilesystem": True,
                    "portMappings": [{"containerPort": 8000}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": args[1],
                            "awslogs-region": "eu-north-1",
                            "awslogs-stream-prefix": "api",
                        },
                    },
                }
            ]
        )
    ),
)
tasks_sg = aws.ec2.SecurityGroup(
    "api",
    vpc_id=vpc.id,
    description="from the VPC",
    ingress=[{"protocol": "tcp", "from_port": 8000, "to_port": 8000, "cidr_blocks": [vpc.cidr_block]}],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
cluster = aws.ecs.Cluster("api", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "api",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=2,
    launch_type="FARGATE",
    network_configuration={"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    deployment_circuit_breaker={"enable": True, "rollback": True},
)

pulumi.export("image", image.repo_digest)
