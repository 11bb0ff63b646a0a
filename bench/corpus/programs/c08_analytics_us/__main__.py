"""US analytics: config-driven region, a loop over event streams, older inline bucket args."""

import pulumi
import pulumi_aws as aws

region = aws.config.region
streams = ["events"]  # more streams get their own bucket as they are added to the catalog

for stream in streams:
    aws.s3.Bucket(
        f"analytics-{stream}",
        bucket=f"corp-analytics-{stream}",
        server_side_encryption_configuration={"rule": {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}},
        lifecycle_rules=[{"enabled": True, "expiration": {"days": 90},
                          "noncurrent_version_expiration": {"days": 1}}],
        versioning={"enabled": True},
        policy=f"""{{"Version": "2012-10-17", "Statement": [{{"Effect": "Deny",
            "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::corp-analytics-{stream}",
            "arn:aws:s3:::corp-analytics-{stream}/*"],
            "Condition": {{"Bool": {{"aws:SecureTransport": "false"}}}}}}]}}""",
    )
    aws.s3.BucketPublicAccessBlock(f"analytics-{stream}-pab", bucket=f"corp-analytics-{stream}",
                                   block_public_acls=True, block_public_policy=True,
                                   ignore_public_acls=True, restrict_public_buckets=True)

aws.dynamodb.Table("sessions", name="corp-sessions", hash_key="session_id",
                   billing_mode="PAY_PER_REQUEST",
                   attributes=[{"name": "session_id", "type": "S"}],
                   ttl={"attribute_name": "expires", "enabled": True})
pulumi.export("region", region)
