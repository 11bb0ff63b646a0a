"""Roles that look broad but cannot reach what they are not declared for, as AWS evaluates
them: explicit Denies (also NotAction, NotResource, on the principal's ARN), permissions
boundaries, a service control policy, managed policies that grant no data, List actions that
read, a trust and an access point for the declared recipient only."""

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

BUCKET = "arn:aws:s3:::profiles-bucket"
OBJECTS = f"{BUCKET}/*"
TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/profiles-table"
RECIPIENT = "210987654321"
bucket, table = kit.profile_stores()

# Declared read: listing an upload's parts is a read (AWS's List level), not a write; the
# declared recipient's account may assume the role.
kit.plain_role("profiles-reader", {"Effect": "Allow", "Action": [
    "s3:GetObject", "s3:ListBucket", "s3:ListMultipartUploadParts"],
    "Resource": [BUCKET, OBJECTS]}, trust=RECIPIENT)
# Declared read and write: delete is allowed, then denied by everything but reads and writes.
kit.plain_role("profiles-writer",
               {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": OBJECTS},
               {"Effect": "Deny", "NotAction": ["s3:GetObject", "s3:PutObject"],
                "Resource": "*"})
# Not declared, and fenced off: its own Deny covers the bucket and its objects.
kit.plain_role("analytics", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS},
               {"Effect": "Deny", "Action": "s3:*", "Resource": [BUCKET, OBJECTS]})
# Not declared: a Deny on everything but another bucket's objects (NotResource) fences it.
kit.plain_role("archiver", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS},
               {"Effect": "Deny", "Action": "s3:*",
                "NotResource": "arn:aws:s3:::archive-bucket/*"})
# Not declared: the table's resource policy denies this role by its ARN.
ops = kit.plain_role("ops", {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE})
aws.dynamodb.ResourcePolicy("profiles-table-policy", resource_arn=table.arn,
                            policy=pulumi.Output.all(table.arn, ops.arn).apply(lambda a: kit.doc(
                                {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*",
                                 "Resource": a[0],
                                 "Condition": {"ArnEquals": {"aws:PrincipalArn": a[1]}}})))
# Not declared: managed policies that grant no S3 or DynamoDB data.
kit.plain_role("log-reader", managed=["arn:aws:iam::aws:policy/CloudWatchLogsReadOnlyAccess"])
# Not declared: s3:* everywhere, but its permissions boundary allows only CloudWatch Logs.
boundary = aws.iam.Policy("logs-only", policy=kit.doc(
    {"Effect": "Allow", "Action": "logs:*", "Resource": "*"}))
kit.plain_role("contractor", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
               permissions_boundary=boundary.arn)
# Not declared: the organization's SCP denies deletions to this role everywhere.
kit.plain_role("cleanup", {"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": OBJECTS})
scp = aws.organizations.Policy("no-cleanup", content=kit.doc(
    {"Effect": "Deny", "Action": "s3:DeleteObject*", "Resource": "*",
     "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/cleanup"}}}))
aws.organizations.PolicyAttachment("no-cleanup-root", policy_id=scp.id, target_id="r-a1b2")
# An access point for the declared recipient's account.
aws.s3.AccessPoint("profiles-partner", bucket=bucket.id, name="profiles-partner",
                   policy=kit.doc({"Effect": "Allow",
                                   "Principal": {"AWS": f"arn:aws:iam::{RECIPIENT}:root"},
                                   "Action": "s3:GetObject",
                                   "Resource": "arn:aws:s3:eu-west-1:123456789012:accesspoint/"
                                               "profiles-partner/object/*"}))
