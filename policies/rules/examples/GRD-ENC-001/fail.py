import pulumi_aws as aws

bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
aws.s3.BucketServerSideEncryptionConfiguration(
    "profiles-sse", bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}])
