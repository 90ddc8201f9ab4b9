"""HTTPS on a looked-up certificate and zone, HTTP redirected, and Grafana's settings in its
environment: its anonymous-access switches carry role names and booleans, not secrets; the admin
password comes from Secrets Manager through `secrets`."""

import json

import pulumi
import pulumi_aws as aws

domain = pulumi.Config().require("domain")
zone = aws.route53.get_zone(name=domain)
certificate = aws.acm.get_certificate(domain=f"*.{domain}", statuses=["ISSUED"], most_recent=True)
admin_password = aws.secretsmanager.get_secret(name="grafana/admin-password")
vpc = aws.ec2.get_vpc(default=True)
subnets = aws.ec2.get_subnets(filters=[{"name": "vpc-id", "values": [vpc.id]}])

alb_sg = aws.ec2.SecurityGroup(
    "dashboard-alb",
    vpc_id=vpc.id,
    description="HTTP and HTTPS from anywhere",
    ingress=[
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]},
        {"protocol": "tcp", "from_port": 80, "to_port": 80, "cidr_blocks": ["0.0.0.0/0"]},
    ],
    egress=[{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}],
)
tasks_sg = aws.ec2.SecurityGroup("dashboard-tasks", vpc_id=vpc.id, description="Grafana tasks")
aws.vpc.SecurityGroupIngressRule(
    "dashboard-from-alb",
    security_group_id=tasks_sg.id,
    referenced_security_group_id=alb_sg.id,
    ip_protocol="tcp",
    from_port=3000,
    to_port=3000,
)
aws.vpc.SecurityGroupEgressRule("dashboard-out", security_group_id=tasks_sg.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0")

access_logs = aws.s3.BucketV2("dashboard-access-logs")
alb = aws.lb.LoadBalancer(
    "dashboard",
    subnets=subnets.ids,
    security_groups=[alb_sg.id],
    drop_invalid_header_fields=True,
    enable_deletion_protection=True,
    access_logs={"bucket": access_logs.bucket, "enabled": True},
)
acl = aws.wafv2.WebAcl(
    "dashboard",
    scope="REGIONAL",
    default_action={"allow": {}},
    visibility_config={
        "cloudwatch_metrics_enabled": True,
        "metric_name": "dashboard",
        "sampled_requests_enabled": True,
    },
    rules=[
        {
            "name": "common",
            "priority": 0,
            "override_action": {"none": {}},
            "statement": {
                "managed_rule_group_statement": {"vendor_name": "AWS", "name": "AWSManagedRulesCommonRuleSet"}
            },
            "visibility_config": {
                "cloudwatch_metrics_enabled": True,
                "metric_name": "common",
                "sampled_requests_enabled": True,
            },
        }
    ],
)
aws.wafv2.WebAclAssociation("dashboard", resource_arn=alb.arn, web_acl_arn=acl.arn)
targets = aws.lb.TargetGroup(
    "dashboard", port=3000, protocol="HTTP", target_type="ip", vpc_id=vpc.id, health_check={"path": "/api/health"}
)
https = aws.lb.Listener(
    "https",
    load_balancer_arn=alb.arn,
    port=443,
    protocol="HTTPS",
    certificate_arn=certificate.arn,
    ssl_policy="ELBSecurityPolicy-TLS13-1-2-2021-06",
    default_actions=[{"type": "forward", "target_group_arn": targets.arn}],
)
aws.lb.Listener(
    "http",
    load_balancer_arn=alb.arn,
    port=80,
    default_actions=[{"type": "redirect", "redirect": {"protocol": "HTTPS", "port": "443", "status_code": "HTTP_301"}}],
)
aws.route53.Record(
    "dashboard",
    zone_id=zone.zone_id,
    name=f"dashboard.{domain}",
    type="A",
    aliases=[{"name": alb.dns_name, "zone_id": alb.zone_id, "evaluate_target_health": True}],
)

assume = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
)
execution = aws.iam.Role("dashboard-execution", assume_role_policy=assume)
logs = aws.cloudwatch.LogGroup("dashboard", retention_in_days=30)
aws.iam.RolePolicy(
    "dashboard-execution",
    role=execution.id,
    policy=logs.arn.apply(
        lambda arn: json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": admin_password.arn},
                    {
                        "Effect": "Allow",
                        "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                        "Resource": f"{arn}:*",
                    },
                ],
            }
        )
    ),
)
task = aws.ecs.TaskDefinition(
    "dashboard",
    family="dashboard",
    cpu="512",
    memory="1024",
    network_mode="awsvpc",
    requires_compatibilities=["FARGATE"],
    execution_role_arn=execution.arn,
    container_definitions=logs.name.apply(
        lambda group: json.dumps(
            [
                {
                    "name": "grafana",
                    "image": "grafana/grafana-oss:11.3.0",
                    "essential": True,
                    "user": "472",
                    "portMappings": [{"containerPort": 3000}],
                    "environment": [
                        {"name": "GF_SERVER_ROOT_URL", "value": f"https://dashboard.{domain}"},
                        {"name": "GF_AUTH_ANONYMOUS_ENABLED", "value": "true"},
                        {"name": "GF_AUTH_ANONYMOUS_ORG_ROLE", "value": "Viewer"},
                        {"name": "GF_AUTH_BASIC_ENABLED", "value": "false"},
                        {"name": "ACCESS_TOKEN_EXPIRE_MINUTES", "value": "60"},
                        {"name": "GF_SECURITY_ADMIN_USER", "value": "admin"},
                    ],
                    "secrets": [{"name": "GF_SECURITY_ADMIN_PASSWORD", "valueFrom": admin_password.arn}],
                    "logConfiguration": {
                        "logDriver": "awslogs",
                        "options": {
                            "awslogs-group": group,
                            "awslogs-region": "eu-west-1",
                            "awslogs-stream-prefix": "grafana",
                        },
                    },
                }
            ]
        )
    ),
)
cluster = aws.ecs.Cluster("dashboard", settings=[{"name": "containerInsights", "value": "enabled"}])
aws.ecs.Service(
    "dashboard",
    cluster=cluster.arn,
    task_definition=task.arn,
    desired_count=2,
    launch_type="FARGATE",
    network_configuration={"subnets": subnets.ids, "security_groups": [tasks_sg.id], "assign_public_ip": True},
    load_balancers=[{"target_group_arn": targets.arn, "container_name": "grafana", "container_port": 3000}],
    deployment_circuit_breaker={"enable": True, "rollback": True},
    opts=pulumi.ResourceOptions(depends_on=[https]),
)

pulumi.export("url", f"https://dashboard.{domain}")
