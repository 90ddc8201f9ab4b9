"""Alarms a team can page on: each service's CloudWatch alarms, and the SNS topic they notify.

``ServiceAlarms`` (one per service given ``alarms`` args, made by FargateService)
watches, for a service behind the load balancer, its target groups' 5xx rate,
unhealthy targets and p99 latency, and for every service its running tasks
against the desired count (Container Insights). A blue/green service has two
target groups and traffic in either: each alarm reads both. The alarms' names
are fixed (``alarm_names``), so the ECS service can hand them to its
deployment alarms before the alarms, which read the service's name, exist.

``AlarmTopic`` is the SNS topic with an email subscription the alarms notify.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from .iam import policy, statement
from .naming import name_tag, qualified_name
from .validation import check, check_range

_ALB = "AWS/ApplicationELB"
# Short names of the alarms, in the order ECS is handed them.
TARGET_ALARMS = ("target-5xx", "unhealthy-hosts", "p99-latency")
TASKS_ALARM = "tasks-missing"


@dataclass(kw_only=True)
class AlarmsArgs:
    """A service's alarm thresholds and where they go, each default with its reason."""

    # 5 % of requests failing is an outage for someone, and above the noise of a
    # service answering a handful of requests a minute.
    target_5xx_percent: float = 5.0
    # One target failing its health checks is a task the load balancer stopped sending to.
    unhealthy_hosts: int = 1
    # Well above a typical web response, well below the ALB's 60 s idle timeout.
    p99_latency_seconds: float = 2.0
    # Three one-minute periods: a deploy's blip does not page, a bad release is
    # caught within a canary's bake.
    evaluation_periods: int = 3
    # A crashed task is replaced within five minutes; a service that cannot keep
    # its count (image gone, capacity, a bad secret) is not.
    tasks_missing_minutes: int = 5
    # On: Container Insights publishes the running and desired task counts; without it (the
    # cluster's containerInsights off) the tasks alarm would never have data, so leave it out.
    watch_tasks: bool = True
    # None: the alarms notify no one (they still show in the console and roll back).
    alarm_actions: Sequence[pulumi.Input[str]] = ()
    # On: ECS rolls a deployment back when one of the service's alarms fires.
    rollback: bool = True

    def validate(self, owner: str) -> None:
        check(
            f"{owner}.target_5xx_percent",
            self.target_5xx_percent,
            0 < self.target_5xx_percent <= 100,
            "a share of requests",
            "above 0, at most 100",
        )
        check_range(f"{owner}.unhealthy_hosts", self.unhealthy_hosts, 1, 1000, "a number of targets")
        check(
            f"{owner}.p99_latency_seconds",
            self.p99_latency_seconds,
            0 < self.p99_latency_seconds <= 4000,
            "a latency",
            "above 0, at most 4000 seconds (the ALB's longest idle timeout)",
        )
        check_range(f"{owner}.evaluation_periods", self.evaluation_periods, 1, 60, "a number of minutes")
        check_range(f"{owner}.tasks_missing_minutes", self.tasks_missing_minutes, 1, 60, "a number of minutes")

    def names(self, service: str, behind_load_balancer: bool = True) -> list[str]:
        """The names of the alarms these args give ``service`` (see ``alarm_names``)."""
        return alarm_names(service, behind_load_balancer, self.watch_tasks)


def alarm_names(service: str, behind_load_balancer: bool = True, watch_tasks: bool = True) -> list[str]:
    """The names ``ServiceAlarms`` gives a service's alarms: ``<project>-<stack>-<service>-<alarm>``."""
    short = [*(TARGET_ALARMS if behind_load_balancer else ()), *([TASKS_ALARM] if watch_tasks else [])]
    return [qualified_name(service, alarm) for alarm in short]


@dataclass(kw_only=True)
class ServiceAlarmsArgs:
    alarms: AlarmsArgs
    cluster_name: pulumi.Input[str]
    service_name: pulumi.Input[str]
    # None: a service without a load balancer gets the running-tasks alarm alone.
    load_balancer_arn_suffix: Optional[pulumi.Input[str]] = None
    # The service's target group, and a blue/green service's alternate one.
    target_group_arn_suffixes: Sequence[pulumi.Input[str]] = ()


def _metric(
    query_id: str, namespace: str, metric: str, dimensions: dict[str, Any], stat: str, period: int
) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(
        id=query_id,
        return_data=False,
        metric=aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(
            namespace=namespace, metric_name=metric, dimensions=dimensions, stat=stat, period=period
        ),
    )


def _expression(query_id: str, expression: str, label: str) -> aws.cloudwatch.MetricAlarmMetricQueryArgs:
    return aws.cloudwatch.MetricAlarmMetricQueryArgs(id=query_id, expression=expression, label=label, return_data=True)


class ServiceAlarms(pulumi.ComponentResource):
    # Name -> alarm, in the order of alarm_names().
    alarms: dict[str, aws.cloudwatch.MetricAlarm]

    def __init__(self, name: str, args: ServiceAlarmsArgs, opts: Optional[pulumi.ResourceOptions] = None):
        args.alarms.validate("ServiceAlarmsArgs.alarms")
        super().__init__("fargate:cloudwatch:ServiceAlarms", name, None, opts)
        self._name = name
        self._args = args
        self.alarms = {}
        if args.load_balancer_arn_suffix is not None and args.target_group_arn_suffixes:
            self._target_alarms(args.load_balancer_arn_suffix, list(args.target_group_arn_suffixes))
        if args.alarms.watch_tasks:
            self._tasks_alarm()
        self.register_outputs({"alarmNames": [alarm.name for alarm in self.alarms.values()]})

    def _alarm(self, short: str, description: str, **inputs: Any) -> None:
        """One alarm: missing data (no traffic, no deployment) is not a breach."""
        self.alarms[short] = aws.cloudwatch.MetricAlarm(
            f"{self._name}-{short}",
            name=qualified_name(self._name, short),
            alarm_description=description,
            treat_missing_data="notBreaching",
            alarm_actions=list(self._args.alarms.alarm_actions),
            ok_actions=list(self._args.alarms.alarm_actions),
            tags=name_tag(self._name, short),
            opts=pulumi.ResourceOptions(parent=self),
            **inputs,
        )

    def _target_alarms(self, load_balancer: pulumi.Input[str], target_groups: list[pulumi.Input[str]]) -> None:
        thresholds = self._args.alarms
        periods = thresholds.evaluation_periods
        groups = [{"LoadBalancer": load_balancer, "TargetGroup": group} for group in target_groups]

        def per_group(prefix: str, metric: str, stat: str) -> tuple[list[Any], list[str]]:
            """One query of `metric` per target group (ids `<prefix><n>`), and those ids."""
            ids = [f"{prefix}{i}" for i in range(len(groups))]
            return [_metric(id_, _ALB, metric, group, stat, 60) for id_, group in zip(ids, groups, strict=True)], ids

        def total(ids: list[str]) -> str:
            # FILL: a minute without errors (or unhealthy hosts) reports no datapoint at all: 0.
            return " + ".join(f"FILL({id_}, 0)" for id_ in ids)

        errors, error_ids = per_group("e", "HTTPCode_Target_5XX_Count", "Sum")
        requests, request_ids = per_group("r", "RequestCount", "Sum")
        total_errors, total_requests = total(error_ids), total(request_ids)
        self._alarm(
            "target-5xx",
            f"More than {thresholds.target_5xx_percent:g}% of requests answered 5xx by the tasks",
            metric_queries=[
                *errors,
                *requests,
                _expression(
                    "rate",
                    f"IF(({total_requests}) > 0, 100 * ({total_errors}) / ({total_requests}), 0)",
                    "Target 5xx (% of requests)",
                ),
            ],
            comparison_operator="GreaterThanThreshold",
            threshold=thresholds.target_5xx_percent,
            evaluation_periods=periods,
        )
        unhealthy, unhealthy_ids = per_group("u", "UnHealthyHostCount", "Maximum")
        self._alarm(
            "unhealthy-hosts",
            f"At least {thresholds.unhealthy_hosts} target(s) failing health checks",
            metric_queries=[*unhealthy, _expression("hosts", total(unhealthy_ids), "Unhealthy targets")],
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=thresholds.unhealthy_hosts,
            evaluation_periods=periods,
        )
        latency, latency_ids = per_group("l", "TargetResponseTime", "p99")
        self._alarm(
            "p99-latency",
            f"p99 response time above {thresholds.p99_latency_seconds:g} s",
            metric_queries=[
                *latency,
                _expression("latency", f"MAX([{', '.join(latency_ids)}])", "Target response time p99 (s)"),
            ],
            comparison_operator="GreaterThanThreshold",
            threshold=thresholds.p99_latency_seconds,
            evaluation_periods=periods,
        )

    def _tasks_alarm(self) -> None:
        args = self._args
        dimensions = {"ClusterName": args.cluster_name, "ServiceName": args.service_name}
        minutes = args.alarms.tasks_missing_minutes
        self._alarm(
            TASKS_ALARM,
            f"Fewer tasks running than desired for {minutes} minute(s)",
            metric_queries=[
                _metric("running", "ECS/ContainerInsights", "RunningTaskCount", dimensions, "Minimum", 60),
                _metric("desired", "ECS/ContainerInsights", "DesiredTaskCount", dimensions, "Maximum", 60),
                _expression("missing", "desired - running", "Tasks missing"),
            ],
            comparison_operator="GreaterThanOrEqualToThreshold",
            threshold=1,
            evaluation_periods=minutes,
        )


@dataclass(kw_only=True)
class AlarmTopicArgs:
    # Subscribed to the topic; the address must confirm the subscription AWS mails it.
    email: str


class AlarmTopic(pulumi.ComponentResource):
    """An SNS topic the alarms notify, encrypted with a key of its own, and an email subscription.

    Not the AWS managed key ``alias/aws/sns``: its key policy does not let
    CloudWatch encrypt, so alarms could not publish to the topic. The key ($1 a
    month) lets CloudWatch alarms of this account use it, and no one else but
    the account's administrators."""

    topic_arn: pulumi.Output[str]

    def __init__(self, name: str, args: AlarmTopicArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("fargate:sns:AlarmTopic", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self))
        partition = aws.get_partition_output(opts=pulumi.InvokeOutputOptions(parent=self)).partition
        key = aws.kms.Key(
            f"{name}",
            description=f"SNS topic {qualified_name(name)}: alarm notifications",
            enable_key_rotation=True,
            deletion_window_in_days=7,
            policy=pulumi.Output.json_dumps(
                policy(
                    # The key's default policy: the account's IAM policies decide who administers it.
                    {
                        "Sid": "AccountAdministers",
                        "Effect": "Allow",
                        "Principal": {
                            "AWS": pulumi.Output.concat("arn:", partition, ":iam::", identity.account_id, ":root")
                        },
                        "Action": "kms:*",
                        "Resource": "*",
                    },
                    statement(
                        sid="CloudWatchAlarmsPublish",
                        principal_service="cloudwatch.amazonaws.com",
                        actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                        resources="*",
                        condition={"StringEquals": {"aws:SourceAccount": identity.account_id}},
                    ),
                )
            ),
            tags=name_tag(name),
            opts=child,
        )
        topic = aws.sns.Topic(
            f"{name}",
            name=qualified_name(name),
            kms_master_key_id=key.arn,
            tags=name_tag(name),
            opts=child,
        )
        aws.sns.TopicSubscription(f"{name}-email", topic=topic.arn, protocol="email", endpoint=args.email, opts=child)
        self.topic_arn = topic.arn
        self.register_outputs({"topicArn": self.topic_arn})


__all__ = [
    "TARGET_ALARMS",
    "TASKS_ALARM",
    "AlarmTopic",
    "AlarmTopicArgs",
    "AlarmsArgs",
    "ServiceAlarms",
    "ServiceAlarmsArgs",
    "alarm_names",
]
