"""RDS the way teams often write it: in the default VPC, unencrypted, public, TLS optional;
and one written carefully, in a VPC whose flow logs were forgotten."""

import pulumi_aws as aws

records = {"privacy:dataset": "records"}

# GRD-ENC-005, GRD-TLS-002, GRD-PUB-004, GRD-NET-003 (default VPC)
aws.rds.Instance(
    "records-quick", engine="mysql", engine_version="8.0", instance_class="db.t4g.micro",
    allocated_storage=20, publicly_accessible=True, username="admin",
    manage_master_user_password=True, skip_final_snapshot=True, tags=records,
)

vpc = aws.ec2.Vpc("app", cidr_block="10.1.0.0/16")  # GRD-NET-004: no flow log
igw = aws.ec2.InternetGateway("app-igw", vpc_id=vpc.id)
public = aws.ec2.RouteTable("app-public", vpc_id=vpc.id,
                            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}])
subnets = [aws.ec2.Subnet(f"app-{i}", vpc_id=vpc.id, cidr_block=f"10.1.{i}.0/24")
           for i in range(2)]
for i, s in enumerate(subnets):
    aws.ec2.RouteTableAssociation(f"app-{i}", subnet_id=s.id, route_table_id=public.id)
group = aws.rds.SubnetGroup("records-subnets", subnet_ids=[s.id for s in subnets])
sg = aws.ec2.SecurityGroup("records-sg", vpc_id=vpc.id)
aws.vpc.SecurityGroupIngressRule("records-anywhere", security_group_id=sg.id,  # GRD-NET-002
                                 ip_protocol="tcp", from_port=5432, to_port=5432,
                                 cidr_ipv4="0.0.0.0/0")
key = aws.kms.Key("records-key", enable_key_rotation=True)
# GRD-NET-002 and GRD-NET-003 (public subnets); TLS forced by PostgreSQL 16's default group
aws.rds.Instance(
    "records-careful", engine="postgres", engine_version="16.3", instance_class="db.t4g.micro",
    allocated_storage=20, storage_encrypted=True, kms_key_id=key.arn,
    db_subnet_group_name=group.name, vpc_security_group_ids=[sg.id], username="app",
    manage_master_user_password=True, skip_final_snapshot=True, tags=records,
)
