"""DynamoDB, KMS and IAM rules, each broken once; everything else as the baseline has it."""

import sys
from pathlib import Path

import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

net = kit.network("net")
# GRD-ENC-002 on every store using it; its policy lets role key-reader decrypt (GRD-PUR-001)
lazy_key = kit.key("profiles-key", rotation=False, extra=[{
    "Effect": "Allow", "Action": ["kms:Decrypt", "kms:DescribeKey"], "Resource": "*",
    "Principal": {"AWS": "arn:aws:iam::123456789012:role/key-reader"}}])
pay_key = kit.key("payments-key", principal="*")  # GRD-ACC-002 on every store using it

profiles = kit.table("profiles-table", "profiles", kms=lazy_key)
kit.table("profiles-aws-key", "profiles")  # GRD-ENC-004
kit.table("profiles-no-ttl", "profiles", kms=lazy_key, ttl=None)  # GRD-RET-003
kit.table("profiles-global", "profiles", kms=lazy_key, replicas=["us-west-2"])  # GRD-RES-002
# GRD-ENC-003: restricted data under the key another dataset uses
payments = kit.table("payments-table", "payments", kms=lazy_key, ttl="purge_at",
                     vpce=net["endpoints"]["dynamodb"].id)
kit.table("payments-open", "payments", kms=pay_key, ttl="purge_at")  # GRD-NET-001

kit.role("profiles-reader", [(["dynamodb:GetItem", "dynamodb:DeleteItem"],  # GRD-PUR-002
                              [profiles.arn])])
kit.role("reporting", [(["dynamodb:Query"], [profiles.arn])])  # GRD-PUR-001
kit.role("profiles-writer", [(["dynamodb:*"], [profiles.arn])])  # GRD-PUR-002 and GRD-PUR-003
kit.role("payments-service", [(["dynamodb:GetItem", "dynamodb:PutItem"], [payments.arn])])
kit.role("payments-analyst", [(["dynamodb:GetItem"], [payments.arn])],  # GRD-ACC-001
         human=True, mfa=False)
# A managed policy attached by ARN: full access to every table
ops = aws.iam.Role("ops", name="ops", assume_role_policy=kit.doc({
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}))
aws.iam.RolePolicyAttachment("ops-dynamodb", role=ops.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess")
# Only security@ is subscribed: payments' dpo@ gets no alert (GRD-BRE-002)
kit.audit("audit", [], [profiles, payments], ["security@fixture.example"])
