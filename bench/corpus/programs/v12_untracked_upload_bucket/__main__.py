"""An upload bucket nobody told the catalog about (and that carries no dataset tag)."""

import pulumi
import pulumi_aws as aws

uploads = aws.s3.Bucket("uploads", bucket=f"corp-tmp-uploads-{pulumi.get_stack()}")
aws.s3.BucketPublicAccessBlock("uploads-pab", bucket=uploads.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
