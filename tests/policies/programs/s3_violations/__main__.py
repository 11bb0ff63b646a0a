"""One bucket per S3 rule, each breaking that rule alone (the confidential profiles dataset)."""

import sys
from pathlib import Path

import pulumi
import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

key = kit.key("profiles-key")
us = aws.Provider("us", region="us-east-1")


def grant(bucket: str, principal: object) -> dict:
    return {"Effect": "Allow", "Principal": principal, "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{bucket}/*"}


logged = [
    kit.bucket("profiles-sse-s3", "profiles"),  # GRD-ENC-001
    kit.bucket("profiles-partial-pab", "profiles", kms=key, pab="partial"),  # GRD-PUB-001
    kit.bucket("profiles-public-acl", "profiles", kms=key, acl="public-read"),  # GRD-PUB-002
    kit.bucket("profiles-open-policy", "profiles", kms=key,  # GRD-PUB-003
               extra=[grant("profiles-open-policy", "*")]),
    kit.bucket("profiles-http", "profiles", kms=key, tls=False),  # GRD-TLS-001
    kit.bucket("profiles-forever", "profiles", kms=key, expiration_days=None),  # GRD-RET-001
    kit.bucket("profiles-old-versions", "profiles", kms=key, noncurrent_days=None),  # RET-002
    kit.bucket("profiles-locked", "profiles", kms=key, object_lock=True),  # GRD-RET-004
    kit.bucket("profiles-shared", "profiles", kms=key,  # GRD-SHR-001
               extra=[grant("profiles-shared", {"AWS": "arn:aws:iam::999999999999:root"}),
                      grant("profiles-shared", {"AWS": "arn:aws:iam::210987654321:root"})]),
]
abroad = kit.bucket("profiles-abroad", "profiles", kms=key,  # GRD-RES-001
                    opts=pulumi.ResourceOptions(provider=us))
logged += [abroad, kit.bucket("profiles-replica-us", "profiles", kms=key,  # GRD-RES-002
                              replicate_to=abroad)]
kit.bucket("profiles-unlogged", "profiles", kms=key)  # GRD-BRE-001
kit.audit("audit", logged, [], ["security@fixture.example"])
# profiles-abroad breaks residency alone: alerts are routed in its region too (GRD-BRE-003)
kit.alerts("us", ["security@fixture.example"], guardduty=False, opts=pulumi.ResourceOptions(
    provider=us))
