"""The base of every config model: camelCase keys, no unknown keys, frozen.

Keys are the camelCase names users write in ``Pulumi.<stack>.yaml``; unknown
keys are refused (with the closest known key suggested, see ``errors``);
models are frozen once parsed.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from .errors import NAMESPACE, describe_error, errors_at, format_errors, key_path, MISSING

__all__ = ["ConfigModel", "NAMESPACE", "MISSING", "describe_error", "errors_at", "format_errors", "key_path",
           "LOG_RETENTION_DAYS", "REGIONAL_ARN"]

# The values CloudWatch Logs' PutRetentionPolicy accepts (service logs and flow logs).
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545,
                      731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)

# The start of an ARN in any partition (aws, aws-cn, aws-us-gov) and region;
# ``REGIONAL_ARN.format(service="acm")``.
REGIONAL_ARN = r"arn:aws(?:-[a-z]+)*:{service}:[a-z]{{2}}(?:-[a-z]+)+-\d:\d{{12}}:"


class ConfigModel(BaseModel):
    """Base of every config model: camelCase keys, no unknown keys, frozen."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
    )

