"""DataNetwork: a VPC whose data tier cannot reach the internet and admits only the app tier."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws
from guardian.modules.controls import SECURITY_LOG_DAYS
from guardian.modules.keys import DataKey, DataKeyArgs
from guardian.modules.policy import document

TIERS: tuple[str, ...] = ("public", "app", "data")


@dataclass
class DataNetworkArgs:
    cidr: str = "10.20.0.0/16"
    az_count: int = 2
    flow_log_days: int = SECURITY_LOG_DAYS
    tags: dict[str, str] = field(default_factory=dict)


def subnet_cidrs(cidr: str, az_count: int) -> dict[str, list[str]]:
    """Per tier, one /20 (in a /16) per AZ, in tier order: public, app, data."""
    network = ipaddress.ip_network(cidr)
    blocks = list(network.subnets(new_prefix=min(network.prefixlen + 4, 28)))
    if len(blocks) < len(TIERS) * az_count:
        raise ValueError(f"{cidr} is too small for {len(TIERS)} tiers x {az_count} AZs")
    return {
        tier: [str(blocks[i * az_count + az]) for az in range(az_count)]
        for i, tier in enumerate(TIERS)
    }


class DataNetwork(pulumi.ComponentResource):
    """Three tiers across AZs; S3/DynamoDB gateway and KMS interface endpoints; flow logs."""

    vpc_id: pulumi.Output[str]
    subnet_ids: dict[str, list[pulumi.Output[str]]]
    s3_endpoint_id: pulumi.Output[str]
    dynamodb_endpoint_id: pulumi.Output[str]
    kms_endpoint_id: pulumi.Output[str]
    app_security_group_id: pulumi.Output[str]
    data_security_group_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: DataNetworkArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        args = args or DataNetworkArgs()
        if args.az_count < 2:
            raise ValueError(f"{name}: az_count must be at least 2 (one AZ is one failure away)")
        super().__init__("guardian:network:DataNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        tags = dict(args.tags)
        region = aws.get_region_output(opts=invoke).region
        zones = aws.get_availability_zones_output(state="available", opts=invoke).names

        vpc = aws.ec2.Vpc(name, cidr_block=args.cidr, enable_dns_hostnames=True,
                          enable_dns_support=True, tags={**tags, "Name": name}, opts=child)
        # The default security group allows all traffic between its members: empty it.
        aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=vpc.id, ingress=[], egress=[],
                                     opts=child)
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags, opts=child)

        cidrs = subnet_cidrs(args.cidr, args.az_count)
        subnets: dict[str, list[aws.ec2.Subnet]] = {
            tier: [
                aws.ec2.Subnet(
                    f"{name}-{tier}-{az}", vpc_id=vpc.id, cidr_block=cidrs[tier][az],
                    availability_zone=zones[az], map_public_ip_on_launch=False,
                    tags={**tags, "Name": f"{name}-{tier}-{az}", "guardian:tier": tier},
                    opts=child,
                )
                for az in range(args.az_count)
            ]
            for tier in TIERS
        }
        eip = aws.ec2.Eip(f"{name}-nat-ip", domain="vpc", tags=tags, opts=child)
        nat = aws.ec2.NatGateway(f"{name}-nat", allocation_id=eip.id,
                                 subnet_id=subnets["public"][0].id, tags=tags, opts=child)
        # Only the public and app tiers have a default route; the data tier has none at all.
        routes: dict[str, list[aws.ec2.RouteTableRouteArgsDict]] = {
            "public": [{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}],
            "app": [{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
            "data": [],
        }
        tables: dict[str, aws.ec2.RouteTable] = {}
        for tier in TIERS:
            tables[tier] = aws.ec2.RouteTable(
                f"{name}-{tier}-rt", vpc_id=vpc.id, routes=routes[tier],
                tags={**tags, "guardian:tier": tier}, opts=child,
            )
            for az, subnet in enumerate(subnets[tier]):
                aws.ec2.RouteTableAssociation(
                    f"{name}-{tier}-rt-{az}", subnet_id=subnet.id,
                    route_table_id=tables[tier].id, opts=child,
                )

        app_sg = aws.ec2.SecurityGroup(f"{name}-app-sg", vpc_id=vpc.id,
                                       description="application tier", tags=tags, opts=child)
        data_sg = aws.ec2.SecurityGroup(f"{name}-data-sg", vpc_id=vpc.id,
                                        description="data tier: reachable from the app tier only",
                                        tags=tags, opts=child)
        endpoint_sg = aws.ec2.SecurityGroup(f"{name}-endpoint-sg", vpc_id=vpc.id,
                                            description="interface endpoints: HTTPS from inside",
                                            tags=tags, opts=child)
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-data-from-app", security_group_id=data_sg.id, ip_protocol="-1",
            referenced_security_group_id=app_sg.id, description="app tier", opts=child,
        )
        for tier, sg in (("app", app_sg), ("data", data_sg)):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-endpoint-from-{tier}", security_group_id=endpoint_sg.id,
                ip_protocol="tcp", from_port=443, to_port=443,
                referenced_security_group_id=sg.id, description=f"{tier} tier", opts=child,
            )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-app-egress", security_group_id=app_sg.id, ip_protocol="-1",
            cidr_ipv4="0.0.0.0/0", description="app tier may call out (through the NAT)",
            opts=child,
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-data-egress", security_group_id=data_sg.id, ip_protocol="-1",
            cidr_ipv4=args.cidr, description="data tier stays inside the VPC", opts=child,
        )

        private_tables = [tables["app"].id, tables["data"].id]
        gateways = {
            service: aws.ec2.VpcEndpoint(
                f"{name}-{service}-endpoint", vpc_id=vpc.id, vpc_endpoint_type="Gateway",
                service_name=pulumi.Output.concat("com.amazonaws.", region, f".{service}"),
                route_table_ids=private_tables, tags=tags, opts=child,
            )
            for service in ("s3", "dynamodb")
        }
        kms_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-kms-endpoint", vpc_id=vpc.id, vpc_endpoint_type="Interface",
            service_name=pulumi.Output.concat("com.amazonaws.", region, ".kms"),
            subnet_ids=[s.id for s in subnets["data"]], security_group_ids=[endpoint_sg.id],
            private_dns_enabled=True, tags=tags, opts=child,
        )
        self._flow_logs(name, vpc, region, args, tags)

        self.vpc_id = vpc.id
        self.subnet_ids = {tier: [s.id for s in subnets[tier]] for tier in TIERS}
        self.s3_endpoint_id = gateways["s3"].id
        self.dynamodb_endpoint_id = gateways["dynamodb"].id
        self.kms_endpoint_id = kms_endpoint.id
        self.app_security_group_id = app_sg.id
        self.data_security_group_id = data_sg.id
        self.register_outputs({
            "vpcId": self.vpc_id,
            "subnetIds": self.subnet_ids,
            "s3EndpointId": self.s3_endpoint_id,
            "dynamodbEndpointId": self.dynamodb_endpoint_id,
            "kmsEndpointId": self.kms_endpoint_id,
        })

    def _flow_logs(self, name: str, vpc: aws.ec2.Vpc, region: pulumi.Output[str],
                   args: DataNetworkArgs, tags: dict[str, str]) -> None:
        """All traffic to a KMS-encrypted log group kept `flow_log_days`."""
        child = pulumi.ResourceOptions(parent=self)
        key = DataKey(f"{name}-logs-key", DataKeyArgs(
            description=f"{name} flow logs", tags=tags,
            service_principals=[pulumi.Output.concat("logs.", region, ".amazonaws.com")],
        ), opts=child)
        group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs", name=f"/guardian/{name}/flow-logs",
            retention_in_days=args.flow_log_days, kms_key_id=key.arn, tags=tags, opts=child,
        )
        role = aws.iam.Role(
            f"{name}-flow-logs-role",
            assume_role_policy=json.dumps(document({
                "Effect": "Allow",
                "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                "Action": "sts:AssumeRole",
            })),
            tags=tags, opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-flow-logs-policy", role=role.id,
            policy=group.arn.apply(lambda arn: json.dumps(document({
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:DescribeLogStreams",
                           "logs:PutLogEvents"],
                "Resource": [arn, f"{arn}:*"],
            }), sort_keys=True)),
            opts=child,
        )
        aws.ec2.FlowLog(
            f"{name}-flow-log", vpc_id=vpc.id, traffic_type="ALL",
            log_destination_type="cloud-watch-logs", log_destination=group.arn,
            iam_role_arn=role.arn, tags=tags, opts=child,
        )
