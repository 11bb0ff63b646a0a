"""Customer documents (confidential): a CMK, a private TLS-only bucket, data events, alerts."""

import json

import pulumi
import pulumi_aws as aws

identity = aws.get_caller_identity()
key = aws.kms.Key("docs-key", description="customer documents", enable_key_rotation=True,
                  deletion_window_in_days=30)
aws.kms.Alias("docs-key-alias", name="alias/customer-docs", target_key_id=key.key_id)


def private_bucket(name: str, bucket_name: str, retention_days: int) -> aws.s3.Bucket:
    bucket = aws.s3.Bucket(name, bucket=bucket_name, force_destroy=False)
    aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=bucket.id, rules=[{
        "apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms",
                                                    "kms_master_key_id": key.arn},
        "bucket_key_enabled": True}])
    aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=bucket.id, block_public_acls=True,
                                   block_public_policy=True, ignore_public_acls=True,
                                   restrict_public_buckets=True)
    aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id,
                            versioning_configuration={"status": "Enabled"})
    aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle", bucket=bucket.id, rules=[{
        "id": "retention", "status": "Enabled", "filter": {"prefix": ""},
        "expiration": {"days": retention_days},
        }])
    aws.s3.BucketPolicy(f"{name}-policy", bucket=bucket.id, policy=bucket.arn.apply(
        lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [{
            "Effect": "Deny", "Principal": "*", "Action": "s3:*",
            "Resource": [arn, f"{arn}/*"],
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]})))
    return bucket


docs = private_bucket("docs", "corp-customer-docs", 365)
trail_logs = aws.s3.Bucket("trail-logs", bucket=f"corp-trail-{identity.account_id}",
                           tags={"guardian:role": "audit-trail"})
aws.cloudtrail.Trail("data-events", s3_bucket_name=trail_logs.id, is_multi_region_trail=True,
                     advanced_event_selectors=[{
                         "name": "customer documents",
                         "field_selectors": [
                             {"field": "eventCategory", "equals": ["Data"]},
                             {"field": "resources.type", "equals": ["AWS::S3::Object"]},
                             {"field": "resources.ARN",
                              "starts_withs": [docs.arn.apply(lambda a: f"{a}/")]}]}])
topic = aws.sns.Topic("security-alerts", kms_master_key_id="alias/aws/sns")
aws.sns.TopicSubscription("security-mail", topic=topic.arn, protocol="email",
                          endpoint="security@corp.example")
rule = aws.cloudwatch.EventRule("docs-changes", event_pattern=json.dumps({
    "source": ["aws.s3"], "detail-type": ["AWS API Call via CloudTrail"]}))
aws.cloudwatch.EventTarget("docs-changes-to-sns", rule=rule.name, arn=topic.arn)
pulumi.export("bucket", docs.id)
