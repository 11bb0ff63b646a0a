"""Plain pulumi_aws code: inline bucket arguments, an explicit provider, a data source, a
policy built with Output.all(...).apply(json.dumps), a stack reference and a secret."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
team = config.require("team")

archive = aws.s3.Bucket(
    "archive",
    bucket=f"{team}-archive",
    acl="private",
    server_side_encryption_configuration={
        "rule": {"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}},
    },
    lifecycle_rules=[{"enabled": True, "expirations": [{"days": 90}]}],
    versioning={"enabled": True},
    tags={"privacy:dataset": "orders_payments", "team": team},
)

us = aws.Provider("us", region="us-west-2", default_tags={"tags": {"cost-centre": "42"}})
replica = aws.s3.Bucket("replica", bucket=f"{team}-replica",
                        opts=pulumi.ResourceOptions(provider=us))

zones = aws.get_availability_zones(state="available")
vpc = aws.ec2.Vpc("shop", cidr_block="10.1.0.0/16")
subnets = [
    aws.ec2.Subnet(f"shop-{i}", vpc_id=vpc.id, cidr_block=f"10.1.{i}.0/24",
                   availability_zone=zone)
    for i, zone in enumerate(zones.names[:2])
]

reader = aws.iam.Role("reader", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                   "Action": "sts:AssumeRole"}],
}))
aws.iam.RolePolicy(
    "reader-policy",
    role=reader.id,
    policy=pulumi.Output.all(archive.arn, replica.arn).apply(lambda arns: json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"],
                       "Resource": [f"{arn}/*" for arn in arns]}],
    })),
)

network = pulumi.StackReference("acme/network/prod")
aws.s3.Bucket("shared", bucket=network.get_output("sharedBucketName"))

aws.ssm.Parameter("db-password", type="SecureString",
                  value=config.require_secret("dbPassword"))
pulumi.export("archiveArn", archive.arn)
pulumi.export("zones", zones.names)
