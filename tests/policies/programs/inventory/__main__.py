"""Stores the catalog cannot account for."""

import sys
from pathlib import Path

import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

aws.s3.Bucket("scratch", bucket="team-scratch")  # GRD-INV-001: no privacy:dataset tag
aws.ebs.Volume("exports", availability_zone="eu-west-1a", size=10,
               tags={"privacy:dataset": ""})  # GRD-INV-001: an empty tag names nothing
aws.dynamodb.Table("sessions", name="sessions", hash_key="id",  # GRD-INV-002
                   attributes=[{"name": "id", "type": "S"}], tags={"privacy:dataset": "sessions"})
aws.s3.Bucket("logs", tags={"guardian:role": "access-logs"})  # operational: info only
# GRD-INV-004: fully protected, but not in the newsletter dataset's storage list
archive = kit.bucket("newsletter-archive", "newsletter", expiration_days=365)
# No tag, but the catalog lists it by its physical name: every rule runs (GRD-RET-001 here).
by_name = kit.bucket("newsletter-by-name", None, expiration_days=None)
# No tag and no physical name: the catalog lists its Pulumi name. A bare bucket fails the rules.
aws.s3.Bucket("newsletter-auto")
# GRD-INV-005: tagged newsletter, listed under profiles
conflict = kit.bucket("profiles-tagged-newsletter", "newsletter", expiration_days=365)
# GRD-INV-002 with "did you mean newsletter?"
typo = kit.bucket("newsletter-typo", "newsleter", expiration_days=365)
kit.audit("audit", [archive, by_name, conflict], [], ["security@fixture.example"])
