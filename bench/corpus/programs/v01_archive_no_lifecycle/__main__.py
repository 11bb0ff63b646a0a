"""Order archive: someone dropped the lifecycle "until the migration is done"."""

import pulumi_aws as aws

archive = aws.s3.BucketV2("archive", bucket="corp-order-archive")
aws.s3.BucketServerSideEncryptionConfigurationV2(
    "archive-sse", bucket=archive.id,
    rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "aws:kms"}}])
aws.s3.BucketPublicAccessBlock("archive-pab", bucket=archive.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
aws.s3.BucketVersioningV2("archive-versioning", bucket=archive.id,
                          versioning_configuration={"status": "Enabled"})
tls = aws.iam.get_policy_document_output(statements=[{
    "sid": "DenyInsecureTransport", "effect": "Deny", "actions": ["s3:*"],
    "principals": [{"type": "*", "identifiers": ["*"]}],
    "resources": [archive.arn, archive.arn.apply(lambda arn: f"{arn}/*")],
    "conditions": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["false"]}],
}])
aws.s3.BucketPolicy("archive-policy", bucket=archive.id, policy=tls.json)
