"""Customer exports (confidential): names and policies built through Output.apply chains, the
key referenced by its alias."""

import json

import pulumi_aws as aws

key = aws.kms.Key("exports", enable_key_rotation=True)
alias = aws.kms.Alias("exports-alias", name="alias/corp-exports", target_key_id=key.id)
bucket = aws.s3.Bucket("exports", bucket="corp-customer-exports")
aws.s3.BucketServerSideEncryptionConfiguration("exports-sse", bucket=bucket.id, rules=[{
    "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                "kms_master_key_id": alias.name}}])
aws.s3.BucketPublicAccessBlock("exports-pab", bucket=bucket.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
aws.s3.BucketLifecycleConfiguration("exports-lifecycle", bucket=bucket.id, rules=[
    {"id": "exports", "status": "Enabled", "filter": {"prefix": "exports/"},
     "expiration": {"days": 30}},
    {"id": "multipart", "status": "Enabled", "filter": {},
     "abort_incomplete_multipart_upload": {"days_after_initiation": 7}},
])
resources = bucket.arn.apply(lambda arn: [arn, f"{arn}/*"])
document = resources.apply(lambda rs: json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "TLS", "Effect": "Deny", "Principal": {"AWS": "*"}, "Action": "s3:*",
    "Resource": rs, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}))
aws.s3.BucketPolicy("exports-policy", bucket=bucket.id, policy=document)
topic = aws.sns.Topic("exports-alerts")
aws.sns.TopicSubscription("exports-alerts-security", topic=topic.arn, protocol="email",
                          endpoint="security@corp.example")
aws.cloudwatch.EventTarget("exports-alerts", arn=topic.arn, rule=aws.cloudwatch.EventRule(
    "exports-alerts", event_pattern=json.dumps({"source": ["aws.s3"]})).name)
