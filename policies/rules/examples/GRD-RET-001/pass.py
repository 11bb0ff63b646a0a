import pulumi_aws as aws

bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
# The catalog keeps customer_profiles 1095 days.
aws.s3.BucketLifecycleConfiguration("profiles-lifecycle", bucket=bucket.id, rules=[{
    "id": "retention", "status": "Enabled", "filter": {},
    "expiration": {"days": 1095},
}])
