"""Alarms: each service's thresholds (``fargate:services.<name>.alarms``) and where they go (``fargate:alarms``).

Every service behind the load balancer gets three alarms on its target group
(5xx rate, unhealthy targets, p99 latency) and one on its running tasks; with
``fargate:alarms`` they notify an SNS topic (a new one with an email
subscription, or one made elsewhere). The defaults are a starting point for a
small HTTP service; each one's reason is next to it.
"""

from __future__ import annotations

import re
from typing import Optional

from pydantic import Field, field_validator, model_validator

from ..aws_limits import REGIONAL_ARN
from .base import ConfigModel, errors_at, usable

# What SES and SNS accept in practice: one @, a dot in the domain, no spaces.
EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$")
# A standard topic: CloudWatch cannot notify FIFO topics.
SNS_TOPIC_ARN = re.compile("^" + REGIONAL_ARN.format(service="sns") + r"[A-Za-z0-9_-]{1,256}$")


class ServiceAlarmsConfig(ConfigModel):
    # On: an alarm costs $0.10 a month per metric, and a release that errors is
    # rolled back only if something notices.
    enabled: bool = Field(
        True,
        description="the service's alarms (about $0.60 a month, $1.00 with a second target group); off leaves nothing for `deployment.rollbackOnAlarms`",
    )
    # 5 % of requests failing is an outage for someone, and above the noise of
    # a service answering a handful of requests a minute.
    target_5xx_percent: float = Field(
        5.0,
        gt=0,
        le=100,
        alias="target5xxPercent",
        description="alarm when more than this share of requests gets a 5xx from the tasks (HTTPCode_Target_5XX_Count / RequestCount)",
    )
    # A single target failing its health checks for the evaluation periods is a
    # task the load balancer stopped sending to.
    unhealthy_hosts: int = Field(
        1, ge=1, description="alarm when at least this many targets fail their health checks (UnHealthyHostCount)"
    )
    # 2 s at p99: well above a typical web response, well below the ALB's 60 s idle timeout.
    p99_latency_seconds: float = Field(
        2.0, gt=0, le=4000, description="alarm when the slowest 1 % of responses take longer (TargetResponseTime p99)"
    )
    # Three one-minute periods: a deploy's brief blip does not page, a bad
    # release is caught within its canary bake.
    evaluation_periods: int = Field(
        3, ge=1, le=60, description="consecutive one-minute periods a target group alarm's metric must breach"
    )
    # Five minutes: a task that crashes is replaced within that, a service that
    # cannot keep its count (image gone, capacity, a bad secret) is not.
    tasks_missing_minutes: int = Field(
        5,
        ge=1,
        le=60,
        description="alarm when fewer tasks run than desired for this many minutes (Container Insights RunningTaskCount, DesiredTaskCount)",
    )


class AlarmsConfig(ConfigModel):
    email: Optional[str] = Field(
        None,
        description="an address subscribed to a new SNS topic (encrypted with the AWS managed key `alias/aws/sns`) that every alarm notifies; the address must confirm the subscription",
        json_schema_extra={"yamlDefault": "none; exactly one of `email` and `snsTopicArn`"},
    )
    sns_topic_arn: Optional[str] = Field(
        None,
        description="an existing standard SNS topic every alarm notifies instead (its policy must let CloudWatch publish)",
        json_schema_extra={
            "yamlType": "SNS topic ARN",
            "yamlDefault": "none; exactly one of `email` and `snsTopicArn`",
        },
    )

    @field_validator("email")
    @classmethod
    def _email(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not EMAIL.match(value):
            raise ValueError("an email address such as ops@example.com")
        return value

    @field_validator("sns_topic_arn")
    @classmethod
    def _topic(cls, value: Optional[str]) -> Optional[str]:
        if value is not None and not SNS_TOPIC_ARN.match(value):
            raise ValueError("a standard SNS topic ARN such as arn:aws:sns:us-east-1:123456789012:alarms (not FIFO)")
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> AlarmsConfig:
        if not usable("email", "sns_topic_arn"):
            return self
        if self.email is not None and self.sns_topic_arn is not None:
            errors_at(
                "alarms",
                [(("snsTopicArn",), self.sns_topic_arn, "not together with email: one topic receives the alarms")],
            )
        if self.email is None and self.sns_topic_arn is None:
            errors_at("alarms", [((), {}, "email or snsTopicArn (where the alarms go)")])
        return self
