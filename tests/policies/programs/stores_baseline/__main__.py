"""File systems, volumes, search domains and warehouses written carefully: encrypted under a
rotating customer-managed key, in private subnets, HTTPS/SSL enforced, alerts to the contacts."""

import sys
from pathlib import Path

import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

records = {"privacy:dataset": "records"}
net = kit.network("net")
subnets = [s.id for s in net["subnets"]]
key = kit.key("records-key")


def internal(name: str, port: int) -> aws.ec2.SecurityGroup:
    return aws.ec2.SecurityGroup(name, vpc_id=net["vpc"].id, ingress=[{
        "protocol": "tcp", "from_port": port, "to_port": port, "cidr_blocks": ["10.0.0.0/16"]}])


files = aws.efs.FileSystem("records-files", creation_token="records-files", encrypted=True,
                           kms_key_id=key.arn, tags=records)
nfs = internal("files-sg", 2049)
for i, subnet in enumerate(subnets):
    aws.efs.MountTarget(f"records-files-mount-{i}", file_system_id=files.id, subnet_id=subnet,
                        security_groups=[nfs.id])

aws.ebs.Volume("records-volume", availability_zone="eu-west-1a", size=50, encrypted=True,
               kms_key_id=key.arn, tags=records)

aws.opensearch.Domain(
    "records-search", domain_name="records-search", engine_version="OpenSearch_2.13",
    cluster_config={"instance_type": "t3.small.search", "instance_count": 1},
    ebs_options={"ebs_enabled": True, "volume_size": 10},
    encrypt_at_rest={"enabled": True, "kms_key_id": key.arn},
    node_to_node_encryption={"enabled": True},
    domain_endpoint_options={"enforce_https": True,
                             "tls_security_policy": "Policy-Min-TLS-1-2-2019-07"},
    vpc_options={"subnet_ids": subnets[:1], "security_group_ids": [internal("search-sg", 443).id]},
    tags=records,
)

warehouse_subnets = aws.redshift.SubnetGroup("records-warehouse-subnets", subnet_ids=subnets)
params = aws.redshift.ParameterGroup("records-warehouse-params", family="redshift-1.0",
                                     parameters=[{"name": "require_ssl", "value": "true"}])
aws.redshift.Cluster(
    "records-warehouse", cluster_identifier="records-warehouse", node_type="ra3.xlplus",
    number_of_nodes=2, master_username="admin", manage_master_password=True,
    encrypted="true", kms_key_id=key.arn, publicly_accessible=False,
    cluster_subnet_group_name=warehouse_subnets.name, cluster_parameter_group_name=params.name,
    vpc_security_group_ids=[internal("warehouse-sg", 5439).id], skip_final_snapshot=True,
    tags=records,
)

kit.audit("audit", [], [], ["security@fixture.example"])
