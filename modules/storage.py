"""EncryptedBucket: an S3 store of personal data with the controls its classification needs.

LogBucket: where the stores' access logs go (SSE-S3: S3 server access logging cannot write
to a bucket encrypted under a KMS key).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws
from guardian.modules.controls import (
    ABORT_MULTIPART_DAYS,
    NONCURRENT_VERSION_DAYS,
    SECURITY_LOG_DAYS,
    store_controls,
)
from guardian.modules.labels import DataLabels
from guardian.modules.policy import deny_insecure_transport, deny_outside_endpoint, document

if TYPE_CHECKING:
    from pulumi_aws import s3

    # pulumi_aws's shapes for a bucket's encryption rule and its default, as typed dicts.
    SseRule = s3.BucketServerSideEncryptionConfigurationRuleArgsDict
    SseDefault = (
        s3.BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultArgsDict
    )


@dataclass
class EncryptedBucketArgs:
    bucket: str  # physical bucket name (the catalog's storage name)
    labels: DataLabels
    retention_days: int
    log_bucket: pulumi.Input[str]  # bucket receiving the access logs
    kms_key_arn: pulumi.Input[str] | None = None  # required when the class needs a CMK
    vpc_endpoint_id: pulumi.Input[str] | None = None  # required for restricted data
    legal_hold: bool = False  # Object Lock (governance mode) for the retention period


def private_bucket_controls(
    name: str, parent: pulumi.Resource, bucket: aws.s3.Bucket, sse: SseRule
) -> None:
    """The controls every bucket here has: encryption, versioning, no public access, no ACLs."""
    child = pulumi.ResourceOptions(parent=parent)
    aws.s3.BucketServerSideEncryptionConfiguration(
        f"{name}-encryption", bucket=bucket.id, rules=[sse], opts=child
    )
    aws.s3.BucketVersioning(
        f"{name}-versioning", bucket=bucket.id,
        versioning_configuration={"status": "Enabled"}, opts=child,
    )
    aws.s3.BucketPublicAccessBlock(
        f"{name}-public-access", bucket=bucket.id, block_public_acls=True,
        block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=True, opts=child,
    )
    aws.s3.BucketOwnershipControls(
        f"{name}-ownership", bucket=bucket.id,
        rule={"object_ownership": "BucketOwnerEnforced"}, opts=child,
    )


def retention_lifecycle(
    name: str, parent: pulumi.Resource, bucket: aws.s3.Bucket, days: int
) -> aws.s3.BucketLifecycleConfiguration:
    """Objects expire after `days`; old versions, delete markers and stray uploads follow."""
    return aws.s3.BucketLifecycleConfiguration(
        f"{name}-lifecycle",
        bucket=bucket.id,
        rules=[
            {
                "id": "retention",
                "status": "Enabled",
                "filter": {},
                "expiration": {"days": days},
                "noncurrent_version_expiration": {"noncurrent_days": NONCURRENT_VERSION_DAYS},
                "abort_incomplete_multipart_upload": {
                    "days_after_initiation": ABORT_MULTIPART_DAYS
                },
            },
            {
                "id": "expired-delete-markers",
                "status": "Enabled",
                "filter": {},
                "expiration": {"expired_object_delete_marker": True},
            },
        ],
        opts=pulumi.ResourceOptions(parent=parent),
    )


class EncryptedBucket(pulumi.ComponentResource):
    """A bucket named `args.bucket` whose every control follows from the dataset's class."""

    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: EncryptedBucketArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        controls = store_controls(name, args.labels.classification, kms_key_arn=args.kms_key_arn,
                                  vpc_endpoint_id=args.vpc_endpoint_id, endpoint="S3")
        if args.retention_days < 1:
            raise ValueError(f"{name}: retention_days must be at least 1")
        super().__init__("guardian:storage:EncryptedBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        bucket = aws.s3.Bucket(
            name, bucket=args.bucket, object_lock_enabled=args.legal_hold or None,
            tags=args.labels.tags(), opts=child,
        )
        default: SseDefault = {"sse_algorithm": controls.sse_algorithm}
        if controls.customer_managed_key:
            default["kms_master_key_id"] = args.kms_key_arn
        private_bucket_controls(name, self, bucket, {
            "apply_server_side_encryption_by_default": default,
            "bucket_key_enabled": controls.sse_algorithm == "aws:kms",
        })

        def policy(values: list[Any]) -> str:
            arn, endpoint = values
            arns = [arn, f"{arn}/*"]
            statements = [deny_insecure_transport(arns)]
            if endpoint is not None:
                statements.append(deny_outside_endpoint(arns, endpoint, "s3"))
            return json.dumps(document(*statements), sort_keys=True)

        endpoint = args.vpc_endpoint_id if controls.vpc_endpoint_only else None
        aws.s3.BucketPolicy(
            f"{name}-policy", bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, endpoint).apply(policy), opts=child,
        )
        retention_lifecycle(name, self, bucket, args.retention_days)
        aws.s3.BucketLogging(
            f"{name}-logging", bucket=bucket.id, target_bucket=args.log_bucket,
            target_prefix=f"{args.bucket}/", opts=child,
        )
        if args.legal_hold:
            aws.s3.BucketObjectLockConfiguration(
                f"{name}-object-lock", bucket=bucket.id, object_lock_enabled="Enabled",
                rule={"default_retention": {"mode": "GOVERNANCE", "days": args.retention_days}},
                opts=child,
            )
        self.bucket_name = bucket.bucket
        self.arn = bucket.arn
        self.register_outputs({"bucket": self.bucket_name, "arn": self.arn})


@dataclass
class LogBucketArgs:
    retention_days: int = SECURITY_LOG_DAYS
    tags: dict[str, str] | None = None


class LogBucket(pulumi.ComponentResource):
    """A private, SSE-S3 encrypted bucket that only S3's log delivery may write to."""

    bucket_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: LogBucketArgs | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        args = args or LogBucketArgs()
        super().__init__("guardian:storage:LogBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        bucket = aws.s3.Bucket(name, tags=args.tags or {"guardian:role": "access-logs"},
                               opts=child)
        private_bucket_controls(name, self, bucket, {
            "apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"},
        })
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self)).account_id

        def policy(values: list[Any]) -> str:
            arn, account_id = values
            delivery = {
                "Sid": "S3LogDelivery",
                "Effect": "Allow",
                "Principal": {"Service": "logging.s3.amazonaws.com"},
                "Action": "s3:PutObject",
                "Resource": f"{arn}/*",
                "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
            }
            return json.dumps(
                document(deny_insecure_transport([arn, f"{arn}/*"]), delivery), sort_keys=True
            )

        aws.s3.BucketPolicy(
            f"{name}-policy", bucket=bucket.id,
            policy=pulumi.Output.all(bucket.arn, account).apply(policy), opts=child,
        )
        retention_lifecycle(name, self, bucket, args.retention_days)
        self.bucket_name = bucket.bucket
        self.arn = bucket.arn
        self.register_outputs({"bucket": self.bucket_name, "arn": self.arn})
