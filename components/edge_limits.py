"""AWS's rules for what sits in front of the services: the names ACM and Route 53 take, WAF's
managed rule groups and rate limits, the target group's ranges.

Plain Python, no Pulumi: the config models (``components/config``) and the components read
them from here, as they read ``aws_limits`` (see docs/ARCHITECTURE.md).
"""

from __future__ import annotations

import re

# A host name as ACM and Route 53 take it: lowercase labels of letters, digits and '-' (not at
# either end), at least two labels, a '*' only as the whole first label.
_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
DNS_NAME = re.compile(rf"^(?:\*\.)?(?:{_LABEL}\.)+{_LABEL}$")
DNS_NAME_RULE = (
    "a DNS name such as app.example.com or *.example.com: lowercase letters, digits and '-' in labels of "
    "1-63 characters, at least two labels, '*' only as the whole first label, at most 253 characters"
)
MAX_DNS_NAME = 253
# ACM puts the first name in the certificate's subject (CN), which holds 64 characters.
MAX_FIRST_DNS_NAME = 64
# ACM's hard limit on names per certificate (the default quota, adjustable, is 10).
MAX_CERTIFICATE_NAMES = 100
# Route 53 documents at most 32 characters; its ids are uppercase letters and digits (Z...).
HOSTED_ZONE_ID = re.compile(r"^[0-9A-Z]{1,32}$")


def is_dns_name(name: str) -> bool:
    return len(name) <= MAX_DNS_NAME and bool(DNS_NAME.match(name))


def validation_domain(name: str) -> str:
    """The name whose DNS record proves ``name`` to ACM: ``*.example.com`` and ``example.com``
    share one record."""
    return name.removeprefix("*.")


# AWS managed rule groups a web ACL of this project takes, with the web ACL capacity units
# (WCUs) each uses; a web ACL's price covers 1,500 WCUs.
MANAGED_RULE_GROUPS: dict[str, int] = {
    "AWSManagedRulesCommonRuleSet": 700,
    "AWSManagedRulesAdminProtectionRuleSet": 100,
    "AWSManagedRulesKnownBadInputsRuleSet": 200,
    "AWSManagedRulesSQLiRuleSet": 200,
    "AWSManagedRulesLinuxRuleSet": 200,
    "AWSManagedRulesUnixRuleSet": 100,
    "AWSManagedRulesWindowsRuleSet": 200,
    "AWSManagedRulesPHPRuleSet": 100,
    "AWSManagedRulesWordPressRuleSet": 100,
    "AWSManagedRulesAmazonIpReputationList": 25,
    "AWSManagedRulesAnonymousIpList": 50,
    "AWSManagedRulesBotControlRuleSet": 50,
}
# Known, but AWS refuses them without a configuration of the application's login (LoginPath,
# the registration page): a web ACL of your own, attached with webAclArn, takes them.
NEEDS_LOGIN_CONFIG = ("AWSManagedRulesATPRuleSet", "AWSManagedRulesACFPRuleSet")
# AWS's baseline groups (what most applications need) and its IP reputation list: 925 WCUs.
DEFAULT_MANAGED_RULES = (
    "AWSManagedRulesCommonRuleSet",
    "AWSManagedRulesKnownBadInputsRuleSet",
    "AWSManagedRulesAmazonIpReputationList",
)
# A rate-based rule's limit, requests per client IP in its 5-minute window (AWS's range).
RATE_LIMIT_RANGE = (10, 2_000_000_000)

# Target group ranges (ELBv2's).
DEREGISTRATION_DELAY_RANGE = (0, 3600)
SLOW_START_RANGE = (30, 900)  # or 0: off
STICKINESS_DURATION_RANGE = (1, 604_800)
