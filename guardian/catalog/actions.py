"""What the catalog's access actions (read, write, delete) mean in IAM, per service.

The one place these lists live: the PurposeRole module grants exactly them, and the policy layer
uses them to judge whether a role can do more than its catalog entry declares. Pure data.
"""

from __future__ import annotations

from collections.abc import Iterable

ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "s3": {
        "read": ("s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectTagging", "s3:ListBucket"),
        "write": ("s3:PutObject", "s3:PutObjectTagging", "s3:AbortMultipartUpload"),
        "delete": ("s3:DeleteObject", "s3:DeleteObjectVersion"),
    },
    "dynamodb": {
        "read": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query",
                 "dynamodb:DescribeTable", "dynamodb:ConditionCheckItem"),
        "write": ("dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"),
        "delete": ("dynamodb:DeleteItem",),
    },
    # A database with IAM authentication: connecting is all IAM decides; what the database
    # user may read, write or delete is the database's own GRANTs.
    "rds-db": {action: ("rds-db:connect",) for action in ("read", "write", "delete")},
    # The key behind the store: reading decrypts, writing encrypts new data keys.
    "kms": {
        "read": ("kms:Decrypt", "kms:DescribeKey"),
        "write": ("kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"),
        "delete": (),
    },
}

# Every action that touches the data itself (not the store's configuration), with wildcards:
# what a restricted store refuses unless it arrives through the VPC endpoint. Management calls
# (the deployment tool's) stay possible from outside, so a stack cannot lock itself out.
DATA_ACTIONS: dict[str, tuple[str, ...]] = {
    "s3": ("s3:GetObject*", "s3:PutObject*", "s3:DeleteObject*", "s3:ListBucket*",
           "s3:RestoreObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"),
    "dynamodb": ("dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:Scan",
                 "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
                 "dynamodb:BatchWriteItem", "dynamodb:ConditionCheckItem",
                 "dynamodb:PartiQL*", "dynamodb:ExportTableToPointInTime",
                 "dynamodb:GetRecords"),  # a stream's records carry the items
}

# S3 actions on the bucket itself (`arn:aws:s3:::name`); the rest act on objects (`.../*`).
S3_BUCKET_ACTIONS: frozenset[str] = frozenset({"s3:ListBucket"})

# Catalog storage kind -> the IAM service of its store.
SERVICE_OF_KIND: dict[str, str] = {"s3": "s3", "dynamodb": "dynamodb"}


def iam_actions(service: str, declared: Iterable[str]) -> tuple[str, ...]:
    """The IAM actions `declared` catalog actions grant on `service`, sorted, no repeats."""
    table = ACTIONS[service]
    return tuple(sorted({a for action in declared for a in table.get(action, ())}))


def catalog_actions_of(service: str, iam_action: str) -> frozenset[str]:
    """The catalog actions that include `iam_action` (case-insensitive); empty when none does."""
    wanted = iam_action.lower()
    return frozenset(
        action for action, granted in ACTIONS.get(service, {}).items()
        if any(a.lower() == wanted for a in granted)
    )
