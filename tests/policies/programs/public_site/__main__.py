"""A public dataset (a store directory) served from S3: read by anyone, written by no one."""

import sys
from pathlib import Path

import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402


def site(name: str, public_actions: list[str], *, acls_blocked: bool = True) -> aws.s3.Bucket:
    """A website bucket: public access block letting policies through, TLS only, and a
    statement granting anyone `public_actions`."""
    b = kit.bucket(name, "directory", expiration_days=30, pab="none", extra=[
        {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": public_actions,
         "Resource": f"arn:aws:s3:::{name}/*"}])
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=b.id, block_public_acls=acls_blocked,
                                   ignore_public_acls=True, block_public_policy=False,
                                   restrict_public_buckets=False)
    aws.s3.BucketWebsiteConfiguration(f"{name}-website", bucket=b.id,
                                      index_document={"suffix": "index.html"})
    return b


site("directory-site", ["s3:GetObject"])  # passes: public data, read only
site("directory-listing", ["s3:GetObject*", "s3:ListBucket"])  # passes: reads and lists
site("directory-writable", ["s3:GetObject", "s3:PutObject"])  # GRD-PUB-003: anyone may write
site("directory-acls", ["s3:GetObject"], acls_blocked=False)  # GRD-PUB-001: ACLs not blocked
kit.alerts("directory", ["security@fixture.example"])
