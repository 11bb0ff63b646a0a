"""Order archive, the 'classic' way: a plain get_policy_document call and inline settings."""

import pulumi_aws as aws

NAME = "corp-order-archive"
tls = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    sid="TLS", effect="Deny", actions=["s3:*"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(type="*", identifiers=["*"])],
    resources=[f"arn:aws:s3:::{NAME}", f"arn:aws:s3:::{NAME}/*"],
    conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
        test="Bool", variable="aws:SecureTransport", values=["false"])])])
archive = aws.s3.Bucket("orders", bucket=NAME, acl="private",
                        lifecycle_rules=[{"enabled": True, "expiration": {"days": 365}}])
aws.s3.BucketPolicy("orders-tls", bucket=archive.id, policy=tls.json)
aws.s3.BucketPublicAccessBlock("orders-pab", bucket=archive.id, block_public_acls=True,
                               block_public_policy=True, ignore_public_acls=True,
                               restrict_public_buckets=True)
