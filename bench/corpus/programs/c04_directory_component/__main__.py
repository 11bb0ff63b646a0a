"""A team's StaticSite component, used for the store directory (public data)."""

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass
class StaticSiteArgs:
    bucket_name: str
    expire_days: int


class StaticSite(pulumi.ComponentResource):
    def __init__(self, name: str, args: StaticSiteArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("corp:web:StaticSite", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.bucket = aws.s3.Bucket(f"{name}-bucket", bucket=args.bucket_name, opts=child)
        aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=self.bucket.id,
                                       block_public_acls=True, ignore_public_acls=True,
                                       block_public_policy=False, restrict_public_buckets=False,
                                       opts=child)
        aws.s3.BucketPolicy(f"{name}-policy", bucket=self.bucket.id, opts=child,
                            policy=self.bucket.arn.apply(lambda arn: json.dumps({
                                "Version": "2012-10-17", "Statement": [
                                    {"Effect": "Allow", "Principal": {"AWS": "*"},
                                     "Action": ["s3:GetObject", "s3:GetObjectVersion"],
                                     "Resource": f"{arn}/*"},
                                    {"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                                     "Resource": [arn, f"{arn}/*"], "Condition": {
                                         "Bool": {"aws:SecureTransport": "false"}}}]})))
        aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=self.bucket.id,
                                            opts=child, rules=[{
                                                "id": "expire", "status": "Enabled",
                                                "expiration": {"days": args.expire_days}}])
        self.register_outputs({"bucket": self.bucket.id})


directory = StaticSite("directory", StaticSiteArgs("corp-store-directory", expire_days=7))
pulumi.export("bucket", directory.bucket.id)
