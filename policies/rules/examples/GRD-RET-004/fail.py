import pulumi_aws as aws

# customer_profiles has no legal hold: locked objects cannot be erased on request.
bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles", object_lock_enabled=True,
                       tags={"privacy:dataset": "customer_profiles"})
aws.s3.BucketObjectLockConfiguration(
    "profiles-lock", bucket=bucket.id, object_lock_enabled="Enabled",
    rule={"default_retention": {"mode": "GOVERNANCE", "days": 30}})
