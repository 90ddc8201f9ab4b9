"""pulumi-aws type tokens the rules judge.

`aws.lb.*` and `aws.alb.*` are the same resources under two modules; programs (and
awsx) use both, so every load-balancing rule matches both tokens.
"""

ECS_CLUSTER = ("aws:ecs/cluster:Cluster",)
ECS_CLUSTER_CAPACITY_PROVIDERS = ("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders",)
ECS_SERVICE = ("aws:ecs/service:Service",)
ECS_TASK_DEFINITION = ("aws:ecs/taskDefinition:TaskDefinition",)

LOAD_BALANCER = ("aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer")
LISTENER = ("aws:lb/listener:Listener", "aws:alb/listener:Listener")
LISTENER_RULE = ("aws:lb/listenerRule:ListenerRule", "aws:alb/listenerRule:ListenerRule")
TARGET_GROUP = ("aws:lb/targetGroup:TargetGroup", "aws:alb/targetGroup:TargetGroup")

VPC = ("aws:ec2/vpc:Vpc",)
VPC_IPV4_CIDR_ASSOCIATION = ("aws:ec2/vpcIpv4CidrBlockAssociation:VpcIpv4CidrBlockAssociation",)
SUBNET = ("aws:ec2/subnet:Subnet",)
SECURITY_GROUP = ("aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
SECURITY_GROUP_RULE = ("aws:ec2/securityGroupRule:SecurityGroupRule",)
SECURITY_GROUP_INGRESS_RULE = ("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",)
MANAGED_PREFIX_LIST = ("aws:ec2/managedPrefixList:ManagedPrefixList",)
MANAGED_PREFIX_LIST_ENTRY = ("aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry",)
ROUTE_TABLE = ("aws:ec2/routeTable:RouteTable", "aws:ec2/defaultRouteTable:DefaultRouteTable")
ROUTE = ("aws:ec2/route:Route",)
ROUTE_TABLE_ASSOCIATION = ("aws:ec2/routeTableAssociation:RouteTableAssociation",)
MAIN_ROUTE_TABLE_ASSOCIATION = ("aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation",)
DEFAULT_ROUTE_TABLE = ("aws:ec2/defaultRouteTable:DefaultRouteTable",)
INTERNET_GATEWAY = ("aws:ec2/internetGateway:InternetGateway",)
NAT_GATEWAY = ("aws:ec2/natGateway:NatGateway",)
VPC_ENDPOINT = ("aws:ec2/vpcEndpoint:VpcEndpoint",)
VPC_ENDPOINT_ROUTE_TABLE_ASSOCIATION = ("aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation",)

IAM_ROLE = ("aws:iam/role:Role",)
IAM_ROLE_POLICY = ("aws:iam/rolePolicy:RolePolicy",)
IAM_POLICY = ("aws:iam/policy:Policy",)
IAM_ROLE_POLICY_ATTACHMENT = ("aws:iam/rolePolicyAttachment:RolePolicyAttachment",)
IAM_POLICY_ATTACHMENT = ("aws:iam/policyAttachment:PolicyAttachment",)
IAM_ROLE_POLICY_ATTACHMENTS_EXCLUSIVE = ("aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive",)

SCALABLE_TARGET = ("aws:appautoscaling/target:Target",)
SCALING_POLICY = ("aws:appautoscaling/policy:Policy",)

LOG_GROUP = ("aws:cloudwatch/logGroup:LogGroup",)

# ECS Express Mode (pulumi-aws 7): a Fargate service behind an ALB that ECS builds itself.
ECS_EXPRESS_SERVICE = ("aws:ecs/expressGatewayService:ExpressGatewayService",)

ECR_REPOSITORY = ("aws:ecr/repository:Repository",)
ECR_REGISTRY_SCANNING = ("aws:ecr/registryScanningConfiguration:RegistryScanningConfiguration",)

WAF_ACL_ASSOCIATION = ("aws:wafv2/webAclAssociation:WebAclAssociation",)

SCHEDULER_SCHEDULE = ("aws:scheduler/schedule:Schedule",)

SQS_QUEUE = ("aws:sqs/queue:Queue",)
