"""The policy pack: `pulumi preview --policy-pack policies`.

Building the PolicyPack starts the analyzer's gRPC server and never returns, so
nothing may import this file; the rules live in the `fargate_policies` package.
The engine runs this file with the pack directory on sys.path.
"""

import sys

import one_pass
from pulumi_policy import EnforcementLevel, PolicyPack

from fargate_policies import PACK_NAME, all_policies
from fargate_policies._secrets import preserve_secrets

# The SDK hides which properties are secret from its rules; ecs-no-plaintext-secrets needs to know.
if not preserve_secrets():
    print(
        "fargate-alb: this pulumi-policy version deserializes differently; ecs-no-plaintext-secrets "
        "cannot see which values are Pulumi secrets",
        file=sys.stderr,
    )

one_pass.share()

PolicyPack(
    name=PACK_NAME,
    # Each rule states its own level; a rule that forgot would be advisory.
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=all_policies(),
    description="Fargate services behind an ALB: the walkthrough's rules, plus rules "
    "that follow a service through its target group, load balancer, security groups and routes.",
)
