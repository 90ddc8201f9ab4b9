"""awsx builds the network, the ALB and the service (their children are made by awsx's provider
plugin at deployment); the program adds a cluster and a log group of its own."""

import pulumi
import pulumi_aws as aws
import pulumi_awsx as awsx

vpc = awsx.ec2.Vpc(
    "shop",
    cidr_block="10.30.0.0/16",
    number_of_availability_zones=2,
    nat_gateways=awsx.ec2.NatGatewayConfigurationArgs(strategy=awsx.ec2.NatGatewayStrategy.SINGLE),
)
cluster = aws.ecs.Cluster("shop", settings=[{"name": "containerInsights", "value": "enabled"}])
logs = aws.cloudwatch.LogGroup("storefront", retention_in_days=30)
alb = awsx.lb.ApplicationLoadBalancer(
    "storefront",
    subnet_ids=vpc.public_subnet_ids,
    default_target_group=awsx.lb.TargetGroupArgs(port=3000, protocol="HTTP", target_type="ip", vpc_id=vpc.vpc_id),
)
service = awsx.ecs.FargateService(
    "storefront",
    cluster=cluster.arn,
    desired_count=2,
    network_configuration=aws.ecs.ServiceNetworkConfigurationArgs(subnets=vpc.private_subnet_ids),
    task_definition_args=awsx.ecs.FargateServiceTaskDefinitionArgs(
        log_group=awsx.awsx.DefaultLogGroupArgs(existing=awsx.awsx.ExistingLogGroupArgs(name=logs.name)),
        container=awsx.ecs.TaskDefinitionContainerDefinitionArgs(
            name="storefront",
            image="public.ecr.aws/docker/library/node:22-alpine",
            cpu=512,
            memory=1024,
            essential=True,
            user="node",
            port_mappings=[
                awsx.ecs.TaskDefinitionPortMappingArgs(container_port=3000, target_group=alb.default_target_group)
            ],
        ),
    ),
)

pulumi.export("url", pulumi.Output.concat("http://", alb.load_balancer.dns_name))
