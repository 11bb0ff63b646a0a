"""A cache bucket whose dataset tag is misspelt, and which the catalog does not list."""

import pulumi_aws as aws

cache = aws.s3.Bucket("cache", bucket="corp-customer-cache",
                      tags={"privacy:dataset": "customer", "team": "accounts"})
aws.s3.BucketPublicAccessBlock("cache-pab", bucket=cache.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
