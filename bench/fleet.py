"""The benchmark's stack past what one load balancer takes: a program for the benchmark only.

The program (`__main__.py`) takes at most 50 services per stack, because each adds a rule to the
one ALB's security group (AWS's default quota: 60 per direction). To show how the preflight grows
past that (issue 12's 200-service point), this program reads the same stack file and builds the
same architecture with the same components and the same config mapping, but gives every 50
services a load balancer of their own: one network, one cluster, ceil(N / 50) ALBs. The CDK
peer (`bench/peers/cdk/app.js`) splits its services the same way.

`bench/peers_bench.py` links it as the `__main__.py` of a temporary project for sizes over 50.
"""

import pulumi

import components.mapping as mapping
from components import Cluster, FargateService, LoadBalancer, Network
from components.config.reading import stack_config_values
from components.config.stack import MAX_SERVICES, parse_stack_config

values = stack_config_values()
names = list(values["services"])
groups = [names[start : start + MAX_SERVICES] for start in range(0, len(names), MAX_SERVICES)]
# Each group is a stack config the program would take: validated as the program validates it.
configs = [
    parse_stack_config(
        {**values, "services": {name: values["services"][name] for name in group}},
        region=pulumi.Config("aws").get("region"),
    )
    for group in groups
]

network = Network("network", mapping.network_args(configs[0].network))
cluster = Cluster("cluster", mapping.cluster_args(configs[0]))
for index, config in enumerate(configs):
    load_balancer = LoadBalancer(f"alb{index}", mapping.load_balancer_args(config, network))
    for name, service in config.services.items():
        FargateService(
            name,
            mapping.service_args(
                service,
                cluster_arn=cluster.arn,
                cluster_name=cluster.name,
                network=network,
                load_balancer=load_balancer,
            ),
        )
    pulumi.export(f"url{index}", load_balancer.url)
