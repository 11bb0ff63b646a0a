"""File systems, volumes, search domains and warehouses as teams often first write them:
encryption left at its default, public endpoints, open security groups, untagged scratch."""

import sys
from pathlib import Path

import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

records = {"privacy:dataset": "records"}
net = kit.network("net")
igw = aws.ec2.InternetGateway("net-igw", vpc_id=net["vpc"].id)
public = aws.ec2.RouteTable("net-public", vpc_id=net["vpc"].id,
                            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": igw.id}])
lobby = aws.ec2.Subnet("net-lobby", vpc_id=net["vpc"].id, cidr_block="10.0.9.0/24")
aws.ec2.RouteTableAssociation("net-lobby", subnet_id=lobby.id, route_table_id=public.id)
nfs = aws.ec2.SecurityGroup("files-sg", vpc_id=net["vpc"].id, ingress=[{
    "protocol": "tcp", "from_port": 2049, "to_port": 2049, "cidr_blocks": ["0.0.0.0/0"]}])

# GRD-ENC-005 (encrypted defaults to false); GRD-NET-002 and GRD-NET-003 via its mount target
files = aws.efs.FileSystem("records-files", creation_token="records-files", tags=records)
aws.efs.MountTarget("records-files-mount", file_system_id=files.id, subnet_id=lobby.id,
                    security_groups=[nfs.id])

# GRD-ENC-001: encrypted, but under the AWS managed key aws/ebs
aws.ebs.Volume("records-volume", availability_zone="eu-west-1a", size=50, encrypted=True,
               tags=records)

# GRD-ENC-005, GRD-TLS-002 (HTTPS not enforced), GRD-PUB-004 (no VPC options: public endpoint)
aws.opensearch.Domain(
    "records-search", domain_name="records-search", engine_version="OpenSearch_2.13",
    cluster_config={"instance_type": "t3.small.search", "instance_count": 1},
    ebs_options={"ebs_enabled": True, "volume_size": 10},
    encrypt_at_rest={"enabled": False},
    domain_endpoint_options={"enforce_https": False}, tags=records,
)

# Encrypted (the string "true" in pulumi_aws 7) under a CMK that does not rotate: GRD-ENC-002;
# GRD-PUB-004 (publicly accessible), GRD-NET-003 (no subnet group: the default VPC),
# GRD-TLS-002 (the default parameter group leaves require_ssl off)
warehouse_key = kit.key("records-warehouse-key", rotation=False)
aws.redshift.Cluster(
    "records-warehouse", cluster_identifier="records-warehouse", node_type="ra3.xlplus",
    number_of_nodes=2, master_username="admin", manage_master_password=True,
    encrypted="true", kms_key_id=warehouse_key.arn, publicly_accessible=True,
    skip_final_snapshot=True, tags=records,
)

aws.efs.FileSystem("scratch-files", creation_token="scratch-files",  # GRD-INV-001: no tag
                   encrypted=True)
aws.ebs.Volume("analytics-volume", availability_zone="eu-west-1a", size=10,  # GRD-INV-002
               encrypted=True, tags={"privacy:dataset": "analytics"})

kit.audit("audit", [], [], ["security@fixture.example"])
