import json

import pulumi_aws as aws

bucket = aws.s3.Bucket("profiles", bucket="acme-customer-profiles",
                       tags={"privacy:dataset": "customer_profiles"})
# The Deny names the bucket's ARN only, not its objects (arn/*): objects are still read and
# written over plain HTTP.
aws.s3.BucketPolicy("profiles-tls", bucket=bucket.id, policy=bucket.arn.apply(
    lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": arn,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
