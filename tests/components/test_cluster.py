"""Cluster: Container Insights by config; Fargate and Fargate Spot offered once a service asks for them."""

from __future__ import annotations

CLUSTER = "aws:ecs/cluster:Cluster"
CAPACITY_PROVIDERS = "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"


def test_container_insights_follows_config(dev, prod):
    for result, value in ((dev, "disabled"), (prod, "enabled")):
        assert result.one(CLUSTER).inputs["settings"] == [{"name": "containerInsights", "value": value}]


def test_a_service_with_capacity_providers_gets_both_fargate_providers_on_the_cluster(prod, default_vpc):
    for result in (prod, default_vpc):
        association = result.one(CAPACITY_PROVIDERS, "cluster")
        assert association.inputs["clusterName"] == result.one(CLUSTER).outputs["name"]
        assert association.inputs["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
        # No cluster default: services state their own strategy or keep launch type FARGATE.
        assert "defaultCapacityProviderStrategies" not in association.inputs
        assert association.parent == result.one("fargate:ecs:Cluster", "cluster").urn


def test_without_capacity_providers_the_cluster_is_left_as_created(dev, features):
    assert dev.of_type(CAPACITY_PROVIDERS) == [] and features.of_type(CAPACITY_PROVIDERS) == []
