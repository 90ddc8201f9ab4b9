"""Containers on ECS Fargate behind an ALB: the console walkthrough as one program.

Reads the stack config (all of it, validated, before anything is created),
maps it to component args (components/mapping.py), then builds the
network (and, for private tasks without NAT, VPC endpoints), the load
balancer, the cluster and one Fargate service per configured entry, and
exports what a user needs to reach them.
"""

import pulumi

import components.mapping as mapping
from components import Cluster, FargateService, LoadBalancer, Network, VpcEndpoints
from components.alarms import AlarmTopic, AlarmTopicArgs
from components.config.stack import config_is_secret, load_stack_config
from components.dashboard import StackDashboard
from components.service_connect import ServiceConnectNamespace

config = load_stack_config()

network = Network("network", mapping.network_args(config.network))
endpoints_args = mapping.endpoints_args(config, network)
endpoints = VpcEndpoints("vpce", endpoints_args) if endpoints_args else None
load_balancer = LoadBalancer("alb", mapping.load_balancer_args(config, network))
cluster = Cluster("cluster", mapping.cluster_args(config))

# Where every alarm goes: a topic of the stack's own (email), one made elsewhere, or none.
alarm_topic = (
    AlarmTopic("alarms", AlarmTopicArgs(email=config.alarms.email)) if config.alarms and config.alarms.email else None
)
alarm_actions = mapping.alarm_actions(config, alarm_topic)

# Backends are reached by name through Service Connect, in one namespace of the stack's
# own, made only when a service is a backend.
kinds = {name: service.kind for name, service in config.services.items()}
namespace = ServiceConnectNamespace("services") if "backend" in kinds.values() else None

secret_services = config_is_secret("services")
# Services with an explicit rule priority claim it on the listener first; the others take
# their derived one (moved up if taken) in the stack file's order.
claim_order = sorted(config.services, key=lambda name: config.services[name].routing.priority is None)
created = {
    name: FargateService(
        name,
        mapping.service_args(
            config.services[name],
            cluster_arn=cluster.arn,
            cluster_name=cluster.name,
            network=network,
            load_balancer=load_balancer,
            endpoints=endpoints,
            secret=secret_services,
            # Services on capacity providers start once the cluster offers them.
            depends_on=[cluster.capacity_providers]
            if config.services[name].capacity_providers and cluster.capacity_providers
            else [],
            alarm_actions=alarm_actions,
            container_insights=config.cluster.container_insights,
            namespace_arn=namespace.arn if namespace else None,
        ),
    )
    for name in claim_order
}
services = {name: created[name] for name in config.services}
# A backend admits exactly the stack's services that can call it: all but the jobs.
for name in (name for name, kind in kinds.items() if kind == "backend"):
    services[name].admit(
        {
            caller: services[caller].security_group_id
            for caller, kind in kinds.items()
            if caller != name and kind != "job"
        }
    )
dashboard = StackDashboard("dashboard", mapping.dashboard_args(cluster, load_balancer, services))

pulumi.export("url", load_balancer.url)
pulumi.export("loadBalancerDnsName", load_balancer.dns_name)
pulumi.export("clusterName", cluster.name)
pulumi.export("vpcId", network.vpc_id)
pulumi.export("dashboardUrl", dashboard.url)
pulumi.export(
    "services",
    {
        name: {
            "serviceName": service.service_name,
            "logGroupName": service.log_group_name,
            "targetGroupArn": service.target_group_arn,
            "image": service.image,
            "kind": kinds[name],
            # How the stack's other services call it (Service Connect); None if it publishes nothing.
            "address": f"http://{name}:{config.services[name].container_port}"
            if namespace and kinds[name] in ("web", "backend")
            else None,
            # Where a worker's messages go; None for the other kinds.
            "queueUrl": service.queue.url if service.queue else None,
        }
        for name, service in services.items()
    },
)
