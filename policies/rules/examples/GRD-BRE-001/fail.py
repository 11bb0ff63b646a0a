import pulumi_aws as aws

bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
logs = aws.s3.Bucket("trail-logs", tags={"guardian:role": "audit-logs"})
# Management events only: nobody could tell whose objects were read.
aws.cloudtrail.Trail("audit", s3_bucket_name=logs.id, is_multi_region_trail=True)
