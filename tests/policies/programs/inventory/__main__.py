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
kit.audit("audit", [archive], [], ["security@fixture.example"])
