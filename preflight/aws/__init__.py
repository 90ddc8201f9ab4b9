"""An offline stand-in for the AWS provider: the values only AWS could know, shaped like AWS's.

    names.py         the account, the region's zones, the default VPC; auto-names and the
                     schema defaults the provider's Check adds (known in a preview too)
    resources.py     per resource type, the id and outputs AWS computes on creation
    data_sources.py  the look-ups answered from the region alone, IAM policy documents
    components.py    outputs of the multi-language (awsx) components not expanded offline

The names below are the ones used from outside this package (rehearsal/, the tests).
"""

from .components import remote_component
from .data_sources import INVOKES, policy_document
from .names import (
    ACCOUNT,
    AUTONAMED,
    CHECK_DEFAULTS,
    DEFAULT_REGION,
    DEFAULT_VPC_CIDR,
    alb_zone_id,
    check,
    default_subnets,
    default_vpc_id,
    digest,
    digits,
    zone_id,
    zones,
)
from .resources import Created, create

__all__ = [
    "ACCOUNT",
    "AUTONAMED",
    "CHECK_DEFAULTS",
    "Created",
    "DEFAULT_REGION",
    "DEFAULT_VPC_CIDR",
    "INVOKES",
    "alb_zone_id",
    "check",
    "create",
    "default_subnets",
    "default_vpc_id",
    "digest",
    "digits",
    "policy_document",
    "remote_component",
    "zone_id",
    "zones",
]
