"""rehearsal/_moto_server.py: where the emulator answers as AWS does in place of moto's own answer."""

from __future__ import annotations

import pytest

pytest.importorskip("moto")
pytest.importorskip("flask")

from botocore.exceptions import ClientError

from rehearsal.emulator import Emulator

TARGET = {
    "ServiceNamespace": "ecs",
    "ResourceId": "service/cluster/web",
    "ScalableDimension": "ecs:service:DesiredCount",
}


@pytest.fixture(scope="module")
def emulator():
    with Emulator("us-east-1") as emulator:
        ecs = emulator.client("ecs")  # a scalable ECS target must name a service that exists
        ecs.create_cluster(clusterName="cluster")
        ecs.register_task_definition(
            family="web", containerDefinitions=[{"name": "web", "image": "nginx", "memory": 512}]
        )
        for service in ("web", "api"):
            ecs.create_service(cluster="cluster", serviceName=service, taskDefinition="web", desiredCount=1)
        yield emulator


@pytest.fixture(scope="module")
def autoscaling(emulator):
    return emulator.client("application-autoscaling")


def _code(call, **arguments) -> str:
    with pytest.raises(ClientError) as error:
        call(**arguments)
    return error.value.response["Error"]["Code"]


def test_deleting_a_scaling_policy_twice_finds_it_gone_as_aws_says(autoscaling):
    autoscaling.register_scalable_target(MinCapacity=1, MaxCapacity=2, **TARGET)
    policy = {"PolicyName": "cpu", **TARGET}
    autoscaling.put_scaling_policy(
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60.0,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"},
        },
        **policy,
    )
    autoscaling.delete_scaling_policy(**policy)
    assert autoscaling.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] == []
    assert _code(autoscaling.delete_scaling_policy, **policy) == "ObjectNotFoundException"


def test_deregistering_a_scalable_target_twice_finds_it_gone_as_aws_says(autoscaling):
    target = {**TARGET, "ResourceId": "service/cluster/api"}
    autoscaling.register_scalable_target(MinCapacity=1, MaxCapacity=2, **target)
    autoscaling.deregister_scalable_target(**target)
    assert _code(autoscaling.deregister_scalable_target, **target) == "ObjectNotFoundException"


def test_other_validation_errors_stay_moto_s(autoscaling):
    assert (
        _code(autoscaling.register_scalable_target, MinCapacity=1, MaxCapacity=2, **{**TARGET, "ResourceId": "bad"})
        == "ValidationException"
    )


@pytest.mark.parametrize("cluster", ["cluster", "arn:aws:ecs:us-east-1:123456789012:cluster/cluster"])
def test_a_service_created_on_a_capacity_provider_strategy_keeps_it_as_aws_does(emulator, cluster):
    ecs = emulator.client("ecs")
    name = f"spot-{len(cluster)}"
    strategy = [{"capacityProvider": "FARGATE_SPOT", "weight": 1, "base": 0}]
    ecs.create_service(
        cluster=cluster, serviceName=name, taskDefinition="web", desiredCount=1, capacityProviderStrategy=strategy
    )
    (service,) = ecs.describe_services(cluster="cluster", services=[name])["services"]
    assert service["capacityProviderStrategy"] == strategy
    assert "launchType" not in service
