import pulumi_aws as aws

bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
aws.s3.BucketVersioning("profiles-versioning", bucket=bucket.id,
                        versioning_configuration={"status": "Enabled"})
aws.s3.BucketLifecycleConfiguration("profiles-lifecycle", bucket=bucket.id, rules=[{
    "id": "retention", "status": "Enabled", "filter": {},
    "expiration": {"days": 1095},  # old versions stay forever
}])
