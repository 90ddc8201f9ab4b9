"""The policy pack: `pulumi preview --policy-pack policies`.

Building the PolicyPack starts the analyzer's gRPC server and never returns, so
nothing may import this file; the rules live in the `fargate_policies` package.
The engine runs this file with the pack directory on sys.path. It replaces nothing of
pulumi-policy but its deserializer, for the secret marking below (`fargate_policies/_secrets.py`).
"""

import sys

from pulumi_policy import EnforcementLevel, PolicyPack

from fargate_policies import PACK_NAME, all_policies
from fargate_policies._secrets import TESTED_RELEASES, installed_release, preserve_secrets

# The SDK hides which properties are secret from its rules (pulumi/pulumi-policy#241);
# ecs-no-plaintext-secrets needs to know.
if not preserve_secrets():
    print(
        f"fargate-alb: pulumi-policy {installed_release()} is not a release the secret marking was tested "
        f"against ({', '.join(TESTED_RELEASES)}); ecs-no-plaintext-secrets cannot see which values are Pulumi secrets",
        file=sys.stderr,
    )

PolicyPack(
    name=PACK_NAME,
    # Each rule states its own level; a rule that forgot would be advisory.
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=all_policies(),
    description="Fargate services behind an ALB: the walkthrough's rules, plus rules "
    "that follow a service through its target group, load balancer, security groups and routes.",
)
