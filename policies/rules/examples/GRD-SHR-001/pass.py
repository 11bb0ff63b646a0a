import json

import pulumi_aws as aws

key = aws.kms.Key("profiles-key", enable_key_rotation=True)  # in our account, 123456789012
bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
aws.s3.BucketServerSideEncryptionConfiguration(
    "profiles-sse", bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {
        "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
# 210987654321 is Postbox Mail Inc.'s, a recipient of customer_profiles in the catalog.
aws.s3.BucketPolicy("profiles-policy", bucket=bucket.id, policy=bucket.arn.apply(
    lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::210987654321:root"},
        "Action": "s3:GetObject", "Resource": f"{arn}/*"}]})))
