import json

import pulumi_aws as aws

key = aws.kms.Key("profiles-key", enable_key_rotation=True, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                   "Action": "kms:*", "Resource": "*"}],
}))
bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
aws.s3.BucketServerSideEncryptionConfiguration(
    "profiles-sse", bucket=bucket.id,
    rules=[{"apply_server_side_encryption_by_default": {
        "sse_algorithm": "aws:kms", "kms_master_key_id": key.arn}}])
