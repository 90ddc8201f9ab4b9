"""Containers on ECS Fargate behind an ALB: the console walkthrough as one program.

Reads the stack config (all of it, validated, before anything is created),
then builds the network (and, for private tasks without NAT, VPC endpoints),
the load balancer, the cluster and one Fargate service per configured entry,
and exports what a user needs to reach them.
"""

import pulumi

from components.cluster import Cluster, ClusterArgs
from components.config.stack import config_is_secret, load_stack_config
from components.endpoints import VpcEndpoints, VpcEndpointsArgs
from components.load_balancer import LoadBalancer, LoadBalancerArgs
from components.network import Network, NetworkArgs
from components.service import FargateService, FargateServiceArgs

config = load_stack_config()

network = Network("network", NetworkArgs(config=config.network))

endpoints = VpcEndpoints("vpce", VpcEndpointsArgs(
    vpc_id=network.vpc_id,
    subnet_ids=network.private_subnet_ids,
    route_table_ids=network.private_route_table_ids,
    include_secrets=config.endpoints_for_secrets,
    include_exec=config.endpoints_for_exec,
)) if config.network.vpc_endpoints else None

load_balancer = LoadBalancer("alb", LoadBalancerArgs(
    config=config.load_balancer,
    vpc_id=network.vpc_id,
    subnet_ids=network.private_subnet_ids if config.load_balancer.internal else network.public_subnet_ids,
))

cluster = Cluster("cluster", ClusterArgs(config=config.cluster, capacity_providers=config.capacity_providers))

priorities = config.listener_rule_priorities()
secret_services = config_is_secret("services")
services = {}
for name, service in config.services.items():
    private = service.subnets == "private"
    # Private tasks wear the endpoints' client group and start once the endpoints exist.
    uses_endpoints = endpoints is not None and private
    services[name] = FargateService(name, FargateServiceArgs(
        config=service,
        cluster_arn=cluster.arn,
        cluster_name=cluster.name,
        vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids if private else network.public_subnet_ids,
        listener_arn=load_balancer.listener.arn,
        listener_rule_priority=priorities[name],
        load_balancer_security_group_id=load_balancer.security_group_id,
        load_balancer_arn_suffix=load_balancer.arn_suffix,
        secret=secret_services,
        security_group_ids=[endpoints.client_security_group.id] if uses_endpoints else [],
        depends_on=([endpoints] if uses_endpoints else [])
        + ([cluster.capacity_providers] if service.capacity_providers else []),
    ))

pulumi.export("url", load_balancer.url)
pulumi.export("loadBalancerDnsName", load_balancer.dns_name)
pulumi.export("clusterName", cluster.name)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("services", {
    name: {
        "serviceName": service.service_name,
        "logGroupName": service.log_group_name,
        "targetGroupArn": service.target_group_arn,
        "image": service.image,
    }
    for name, service in services.items()
})
