"""Passes every rule: the catalog's four datasets deployed with all their controls."""

import sys
from pathlib import Path

import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

net = kit.network("net")
shared = kit.key("confidential-key")
pay_key = kit.key("payments-key")
profiles = kit.bucket("profiles-bucket", "profiles", kms=shared)
profiles_table = kit.table("profiles-table", "profiles", kms=shared)
payments = kit.bucket("payments-bucket", "payments", kms=pay_key, expiration_days=365,
                      vpce=net["endpoints"]["s3"].id)
payments_table = kit.table("payments-table", "payments", kms=pay_key, ttl="purge_at",
                           vpce=net["endpoints"]["dynamodb"].id)
newsletter = kit.bucket("newsletter-bucket", "newsletter", expiration_days=365)


def objects(b: aws.s3.Bucket):
    return b.arn.apply(lambda arn: f"{arn}/*")


kit.role("profiles-reader", [(["s3:GetObject"], [objects(profiles)]),
                             (["dynamodb:GetItem", "dynamodb:Query"], [profiles_table.arn])])
kit.role("profiles-writer", [(["s3:GetObject", "s3:PutObject"], [objects(profiles)]),
                             (["dynamodb:GetItem", "dynamodb:PutItem"], [profiles_table.arn])])
kit.role("payments-service", [(["s3:GetObject", "s3:PutObject"], [objects(payments)]),
                              (["dynamodb:GetItem", "dynamodb:PutItem"], [payments_table.arn])])
kit.role("payments-analyst", [(["s3:GetObject"], [objects(payments)])], human=True)

db_key = kit.key("records-key")
subnets = aws.rds.SubnetGroup("records-subnets", subnet_ids=[s.id for s in net["subnets"]])
sg = aws.ec2.SecurityGroup("records-sg", vpc_id=net["vpc"].id, ingress=[{
    "protocol": "tcp", "from_port": 5432, "to_port": 5432, "cidr_blocks": ["10.0.0.0/16"]}])
params = aws.rds.ParameterGroup("records-params", family="postgres14",
                                parameters=[{"name": "rds.force_ssl", "value": "1"}])
aws.rds.Instance(
    "records-db", engine="postgres", engine_version="14.10", instance_class="db.t4g.micro",
    allocated_storage=20, storage_encrypted=True, kms_key_id=db_key.arn,
    db_subnet_group_name=subnets.name, vpc_security_group_ids=[sg.id],
    parameter_group_name=params.name, publicly_accessible=False, username="app",
    manage_master_user_password=True, skip_final_snapshot=True,
    tags={"privacy:dataset": "records"},
)
kit.audit("audit", [profiles, payments, newsletter], [profiles_table, payments_table],
          ["security@fixture.example", "dpo@fixture.example"])
