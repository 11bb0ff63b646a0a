"""The edges of the rules' comparisons, one store each (profiles keeps data 90 days; its
tables expire on `expires_at`)."""

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

key = kit.key("edge-key")
# GRD-RET-001: exactly the declared retention passes, one day over fails
kit.bucket("edge-expire-90", "profiles", kms=key, expiration_days=90)
kit.bucket("edge-expire-91", "profiles", kms=key, expiration_days=91)
# GRD-RET-002: old versions kept exactly the retention pass, one day over fail
kit.bucket("edge-versions-90", "profiles", kms=key, noncurrent_days=90)
kit.bucket("edge-versions-91", "profiles", kms=key, noncurrent_days=91)
# GRD-PUB-001: each public access block flag off alone
FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls",
         "restrict_public_buckets")
for flag in FLAGS:
    name = f"edge-pab-{flag.replace('_', '-')}"
    b = kit.bucket(name, "profiles", kms=key, pab="none")
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=b.id,
                                   **{f: f != flag for f in FLAGS})
# GRD-PUB-003: a policy whose Statement is a single object, not a list
kit.bucket("edge-single-statement", "profiles", kms=key, tls=False, extra=[])
aws.s3.BucketPolicy("edge-single-statement-open", bucket="edge-single-statement",
                    policy=kit.json.dumps({"Version": "2012-10-17", "Statement": {
                        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                        "Resource": "arn:aws:s3:::edge-single-statement/*"}}))
# GRD-RET-003: TTL on the declared attribute passes, on another one fails
kit.table("edge-ttl-declared", "profiles", kms=key, ttl="expires_at")
kit.table("edge-ttl-other", "profiles", kms=key, ttl="expiry")
# GRD-PUB-002: no canned ACL, but a grant to AllUsers in an explicit ACL
granted = kit.bucket("edge-acl-grant", "profiles", kms=key)
aws.s3.BucketAcl("edge-acl-grant-acl", bucket=granted.id, access_control_policy={
    "owner": {"id": "0" * 64},
    "grants": [{"permission": "READ", "grantee": {
        "type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]})
# GRD-ENC-002: rotation left unset is no rotation
unset = aws.kms.Key("edge-key-rotation-unset")
kit.bucket("edge-rotation-unset", "profiles", kms=unset)
# GRD-NET-001: restricted data with a bucket policy (TLS) that does not confine it to the
# VPC endpoint, beside one that does
vpce = aws.ec2.VpcEndpoint("edge-vpce", vpc_id="vpc-0edge", service_name="com.amazonaws.eu-west-1.s3")
pay_key = kit.key("edge-payments-key")
kit.bucket("edge-restricted-tls-only", "payments", kms=pay_key)
kit.bucket("edge-restricted-endpoint", "payments", kms=pay_key, vpce=vpce.id)
# GRD-TLS-001: a plain-HTTP Deny must cover every action on the bucket and every object.
# Naming only the bucket's ARN, only its objects, one prefix, or only reads fails; the bucket
# and its objects (Principal {"AWS": "*"}) pass.
for name, resources, action in (("edge-tls-bucket-arn", ("",), "s3:*"),
                                ("edge-tls-objects", ("/*",), "s3:*"),
                                ("edge-tls-prefix", ("", "/private/*"), "s3:*"),
                                ("edge-tls-reads-only", ("", "/*"), "s3:GetObject"),
                                ("edge-tls-both", ("", "/*"), "s3:*")):
    kit.bucket(name, "profiles", kms=key, tls=False, extra=[{
        "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": action,
        "Resource": [f"arn:aws:s3:::{name}{r}" for r in resources],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}])
# GRD-SHR-001: a key policy that lets another account decrypt (or grant itself that) shares the
# data under it, unless that account is a declared recipient's (profiles: Mailer Ltd,
# 210987654321).
# Encrypting alone (a log writer in another account, say) discloses nothing.
for name, account, actions in (
        ("edge-key-stranger", "999999999999", ["kms:Decrypt", "kms:DescribeKey"]),
        ("edge-key-stranger-grant", "999999999999", ["kms:CreateGrant"]),
        ("edge-key-recipient", "210987654321", ["kms:Decrypt", "kms:DescribeKey"]),
        ("edge-key-encrypt-only", "999999999999", ["kms:Encrypt", "kms:GenerateDataKey*"])):
    shared = kit.key(f"{name}-key", extra=[{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": actions, "Resource": "*"}])
    kit.bucket(name, "profiles", kms=shared)
# GRD-RES-002 and GRD-SHR-001: a table exported to S3 is a copy where the bucket is. To our
# bucket in the EU passes; to our bucket in the US fails residency; to a bucket another account
# owns fails sharing (and residency: where that bucket is cannot be known offline).
export_eu = kit.bucket("edge-export-bucket-eu", "profiles", kms=key)
export_us = kit.bucket("edge-export-bucket-us", "profiles", kms=key, opts=pulumi.ResourceOptions(
    provider=aws.Provider("edge-us", region="us-east-1")))
for name, bucket, owner in (("edge-export-eu", export_eu.bucket, None),
                            ("edge-export-us", export_us.bucket, None),
                            ("edge-export-stranger", "partner-exports", "999999999999")):
    exported = kit.table(name, "profiles", kms=key)
    aws.dynamodb.TableExport(f"{name}-export", table_arn=exported.arn, s3_bucket=bucket,
                             s3_bucket_owner=owner)
