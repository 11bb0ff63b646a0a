"""The same roles with the fence left open, the way reviews find them: a Deny that misses the
objects or fences only plain HTTP, a grant beyond the declared actions, an AWS managed policy
that reads every bucket, one Guardian's data set does not know, a condition it cannot decide,
a boundary that still lets reads through, a trust and an access point for a stranger."""

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

BUCKET = "arn:aws:s3:::profiles-bucket"
OBJECTS = f"{BUCKET}/*"
TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/profiles-table"
STRANGER = "999999999999"
bucket, table = kit.profile_stores()

# GRD-PUR-002 (write) and GRD-SHR-001 (a stranger's account may assume it).
kit.plain_role("profiles-reader", {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
                                   "Resource": OBJECTS}, trust=STRANGER)
# GRD-PUR-002 (delete): nothing fences the deletion.
kit.plain_role("profiles-writer",
               {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                "Resource": OBJECTS})
# GRD-PUR-001: its Deny names the bucket, not the objects it reads.
kit.plain_role("analytics", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS},
               {"Effect": "Deny", "Action": "s3:*", "Resource": BUCKET})
# GRD-PUR-001: the table's policy denies only plain HTTP; over TLS the role reads.
ops = kit.plain_role("ops", {"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": TABLE})
aws.dynamodb.ResourcePolicy("profiles-table-policy", resource_arn=table.arn,
                            policy=table.arn.apply(lambda arn: kit.doc(
                                {"Effect": "Deny", "Principal": "*", "Action": "dynamodb:*",
                                 "Resource": arn,
                                 "Condition": {"Bool": {"aws:SecureTransport": "false"}}})))
# GRD-PUR-001: AWS's AmazonS3ReadOnlyAccess reads every bucket.
kit.plain_role("auditor", managed=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"])
# GRD-PUR-001, unknown: a managed policy the pinned data set does not hold.
kit.plain_role("mystery", managed=["arn:aws:iam::aws:policy/GuardianNoSuchManagedPolicy"])
# GRD-PUR-001, unknown: a condition key Guardian does not know.
kit.plain_role("tagger", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS,
                          "Condition": {"StringEquals": {"aws:GuardianMadeUpKey": "yes"}}})
# GRD-PUR-001: its boundary allows reading objects, and its policy grants it.
boundary = aws.iam.Policy("reads-only", policy=kit.doc(
    {"Effect": "Allow", "Action": ["s3:GetObject", "logs:*"], "Resource": "*"}))
kit.plain_role("contractor", {"Effect": "Allow", "Action": "s3:GetObject", "Resource": OBJECTS},
               permissions_boundary=boundary.arn)
# GRD-SHR-001: an access point for a stranger's account.
aws.s3.AccessPoint("profiles-partner", bucket=bucket.id, name="profiles-partner",
                   policy=kit.doc({"Effect": "Allow",
                                   "Principal": {"AWS": f"arn:aws:iam::{STRANGER}:root"},
                                   "Action": "s3:GetObject",
                                   "Resource": "arn:aws:s3:eu-west-1:123456789012:accesspoint/"
                                               "profiles-partner/object/*"}))
pulumi.export("ops", ops.arn)
