import pulumi_aws as aws

bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
aws.s3.BucketPublicAccessBlock("profiles-pab", bucket=bucket.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
