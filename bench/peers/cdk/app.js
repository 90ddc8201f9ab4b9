// The benchmark's stack (bench/preflight_bench.py) as a CDK v2 app, so the two tools are timed
// on the same architecture: a new VPC over 2 AZs with no NAT gateway, one internet-facing ALB (one per 50 services)
// whose HTTP listener answers 404 by default, and N Fargate services, each with its own task
// definition (nginx, 256 CPU / 512 MiB, port 80), log group kept 30 days, target group routed
// on `/sN/*`, task security group open only to the ALB's, deployment circuit breaker with
// rollback, 2 tasks, and CPU target-tracking autoscaling between 2 and 6 tasks at 60 %.
//
//   cdk synth --no-validation -c services=40 -c nag=1
//
// `-c services=N` sets N (default 1); `-c nag=1` adds cdk-nag's AwsSolutionsChecks as a policy
// validation plugin, which judges every template when the app synthesizes, as preflight's
// policy pack judges every resource. Plain JavaScript, so no compile step is timed.
'use strict';

const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecs = require('aws-cdk-lib/aws-ecs');
const elbv2 = require('aws-cdk-lib/aws-elasticloadbalancingv2');
const logs = require('aws-cdk-lib/aws-logs');

const app = new cdk.App();
// CloudFormation takes at most 500 resources per stack, and synth refuses a larger template;
// 40 services make 542. The limit is lifted so one stack holds them all, as preflight's one
// Pulumi stack does: synth and cdk-nag still do all their work, but such a template would be
// refused by CloudFormation (a real CDK app would split the services over several stacks,
// which costs CDK more time, not less).
app.node.setContext('@aws-cdk/core:stackResourceLimit', 0);
const services = Number(app.node.tryGetContext('services') ?? 1);
if (!Number.isInteger(services) || services < 1) {
  throw new Error(`context 'services' is ${app.node.tryGetContext('services')}: expected a whole number >= 1`);
}

// Region given, account left out: synth needs no credentials and does no lookups.
const stack = new cdk.Stack(app, 'Fargate', { env: { region: 'us-east-1' } });

const vpc = new ec2.Vpc(stack, 'Network', {
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [
    { name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 },
    { name: 'private', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 },
  ],
});
const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });

// One ALB takes 50 services, as preflight's program does (each service adds a rule to the
// ALB's security group, whose default quota is 60 per direction); past 50, every 50 services get
// an ALB of their own, as bench/fleet.py gives preflight's. Up to 50, the ids are the ones of a
// single ALB.
const PER_LOAD_BALANCER = 50;
const listeners = [];
for (let group = 0; group * PER_LOAD_BALANCER < services; group += 1) {
  const suffix = group === 0 ? '' : `${group}`;
  const albSecurityGroup = new ec2.SecurityGroup(stack, `AlbSecurityGroup${suffix}`, {
    vpc, allowAllOutbound: false, description: 'Application Load Balancer: HTTP from anywhere',
  });
  albSecurityGroup.addIngressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(80));
  const alb = new elbv2.ApplicationLoadBalancer(stack, `Alb${suffix}`, {
    vpc, internetFacing: true, securityGroup: albSecurityGroup,
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  });
  listeners.push(alb.addListener('Http', {
    port: 80, open: false,
    defaultAction: elbv2.ListenerAction.fixedResponse(404, { contentType: 'text/plain', messageBody: 'not found' }),
  }));
}

for (let index = 0; index < services; index += 1) {
  const name = `svc${index}`;
  const taskDefinition = new ecs.FargateTaskDefinition(stack, `${name}Task`, { cpu: 256, memoryLimitMiB: 512 });
  const logGroup = new logs.LogGroup(stack, `${name}Logs`, {
    retention: logs.RetentionDays.ONE_MONTH, removalPolicy: cdk.RemovalPolicy.DESTROY,
  });
  taskDefinition.addContainer(name, {
    image: ecs.ContainerImage.fromRegistry('public.ecr.aws/nginx/nginx:stable'),
    portMappings: [{ containerPort: 80 }],
    logging: ecs.LogDrivers.awsLogs({ logGroup, streamPrefix: name }),
  });
  const taskSecurityGroup = new ec2.SecurityGroup(stack, `${name}SecurityGroup`, {
    vpc, allowAllOutbound: true, description: `${name} tasks: the container port from the ALB only`,
  });
  // No rule is added here: `listener.addTargets` below opens the task group to the ALB's group
  // on the container port (an ingress rule) and the ALB's group to the tasks (an egress rule).
  const service = new ecs.FargateService(stack, `${name}Service`, {
    cluster, taskDefinition, desiredCount: 2,
    securityGroups: [taskSecurityGroup],
    // No NAT gateway: tasks pull the image through the internet gateway, as in preflight's stack.
    vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC }, assignPublicIp: true,
    circuitBreaker: { enable: true, rollback: true },
    minHealthyPercent: 100, maxHealthyPercent: 200,
  });
  listeners[Math.floor(index / PER_LOAD_BALANCER)].addTargets(name, {
    priority: (index % PER_LOAD_BALANCER) + 1,
    conditions: [elbv2.ListenerCondition.pathPatterns([`/s${index}/*`])],
    port: 80, protocol: elbv2.ApplicationProtocol.HTTP,
    targets: [service],
    healthCheck: { path: '/', healthyHttpCodes: '200-399' },
  });
  service.autoScaleTaskCount({ minCapacity: 2, maxCapacity: 6 })
    .scaleOnCpuUtilization(`${name}Cpu`, { targetUtilizationPercent: 60 });
}

if (app.node.tryGetContext('nag')) {
  const { AwsSolutionsChecks } = require('cdk-nag');
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  // What preflight's pack reports as advisory on its stack (and the flow log), acknowledged, so
  // that both tools judge the same architecture and synth finishes (it exits 1 on a finding).
  // Acknowledged rules still run on every resource; only what is not acknowledged fails synth.
  for (const [id, reason] of [
    ['AwsSolutions-EC23', 'the ALB serves the internet on port 80 (preflight: alb-https-redirect, advisory)'],
    ['AwsSolutions-ELB2', 'no access-log bucket in the benchmark (preflight: alb-access-logs, advisory)'],
    // preflight's program logs the VPC's rejected traffic (4 resources this app does not make).
    ['AwsSolutions-VPC7', 'no flow log in this app'],
    ['AwsSolutions-ECS4', 'Container Insights off, as in preflight\'s stack'],
  ]) {
    cdk.Validations.of(stack).acknowledge({ id, reason });
  }
}
