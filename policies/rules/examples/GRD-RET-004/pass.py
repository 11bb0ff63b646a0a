import pulumi_aws as aws

# employee_records is under a legal hold (retention.legal_hold in the catalog).
bucket = aws.s3.Bucket("employees", bucket="acme-employee-records", object_lock_enabled=True,
                       tags={"privacy:dataset": "employee_records"})
aws.s3.BucketObjectLockConfiguration(
    "employees-lock", bucket=bucket.id, object_lock_enabled="Enabled",
    rule={"default_retention": {"mode": "GOVERNANCE", "days": 30}})
