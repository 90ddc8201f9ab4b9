"""The policy pack: `pulumi preview --policy-pack policies`.

Building the PolicyPack starts the analyzer's gRPC server and never returns, so
nothing may import this file; the rules live in the `fargate_policies` package.
The engine runs this file with the pack directory on sys.path.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

import one_pass
from fargate_policies import PACK_NAME, all_policies

one_pass.share()

PolicyPack(
    name=PACK_NAME,
    # Each rule states its own level; a rule that forgot would be advisory.
    enforcement_level=EnforcementLevel.ADVISORY,
    policies=all_policies(),
    description="Fargate services behind an ALB: the walkthrough's rules, plus rules "
                "that follow a service through its target group, load balancer, security groups and routes.",
)
