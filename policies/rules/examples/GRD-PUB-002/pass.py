import pulumi_aws as aws

bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
aws.s3.BucketOwnershipControls("profiles-ownership", bucket=bucket.id,
                               rule={"object_ownership": "BucketOwnerEnforced"})
