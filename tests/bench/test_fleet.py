"""bench/fleet.py: the benchmark's stack past 50 services, one load balancer per 50 services."""

from pathlib import Path

from bench.preflight_bench import stack_file
from preflight import run

from ..conftest import REPOSITORY


def test_every_fifty_services_get_a_load_balancer_of_their_own(tmp_path: Path):
    for name in ("Pulumi.yaml", "components"):
        (tmp_path / name).symlink_to(REPOSITORY / name)
    (tmp_path / "__main__.py").symlink_to(REPOSITORY / "bench" / "fleet.py")
    (tmp_path / "Pulumi.s51.yaml").write_text(stack_file(51))
    result = run(tmp_path, "s51", preview=False, policy_pack=None)

    balancers = result.of_type("aws:lb/loadBalancer:LoadBalancer")
    listeners = {r.outputs["loadBalancerArn"]: r for r in result.of_type("aws:lb/listener:Listener")}
    assert len(balancers) == 2 and len(listeners) == 2
    assert len(result.of_type("aws:ecs/service:Service")) == 51
    assert len(result.of_type("aws:ec2/vpc:Vpc")) == 1 and len(result.of_type("aws:ecs/cluster:Cluster")) == 1
    # The 51st service routes on the second load balancer's listener, the first on the first's.
    rules = {
        r.inputs["conditions"][0]["pathPattern"]["values"][0]: r
        for r in result.of_type("aws:lb/listenerRule:ListenerRule")
    }
    first, second = sorted(balancers, key=lambda r: r.name)
    assert rules["/s0/*"].outputs["listenerArn"] == listeners[first.outputs["arn"]].outputs["arn"]
    assert rules["/s50/*"].outputs["listenerArn"] == listeners[second.outputs["arn"]].outputs["arn"]
    assert set(result.outputs) == {"url0", "url1"}
