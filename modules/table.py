"""DataTable: a DynamoDB store of personal data with the controls its classification needs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
from guardian.modules.controls import store_controls
from guardian.modules.labels import DataLabels
from guardian.modules.policy import deny_outside_endpoint, document


@dataclass
class DataTableArgs:
    table: str  # physical table name (the catalog's storage name)
    labels: DataLabels
    hash_key: str = "pk"  # partition key (a string attribute)
    subject_key: str | None = None  # attribute naming the data subject
    index: str | None = None  # a GSI of this name on subject_key, for finding a subject's items
    ttl_attribute: str | None = None  # Number attribute, epoch seconds: items expire after it
    kms_key_arn: pulumi.Input[str] | None = None  # required when the class needs a CMK
    vpc_endpoint_id: pulumi.Input[str] | None = None  # required for restricted data


class DataTable(pulumi.ComponentResource):
    """Encrypted, point-in-time-recoverable, deletion-protected, expiring DynamoDB table."""

    table_name: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(
        self, name: str, args: DataTableArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        controls = store_controls(name, args.labels.classification, kms_key_arn=args.kms_key_arn,
                                  vpc_endpoint_id=args.vpc_endpoint_id, endpoint="DynamoDB")
        if args.index and not args.subject_key:
            raise ValueError(f"{name}: index {args.index!r} needs a subject_key to index")
        super().__init__("guardian:table:DataTable", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)

        indexed = [args.subject_key] if args.index and args.subject_key else []  # checked above
        keys = sorted({args.hash_key, *indexed})
        sse: aws.dynamodb.TableServerSideEncryptionArgsDict = {"enabled": True}
        if controls.customer_managed_key:
            sse["kms_key_arn"] = args.kms_key_arn
        table = aws.dynamodb.Table(
            name,
            name=args.table,
            billing_mode="PAY_PER_REQUEST",
            hash_key=args.hash_key,
            attributes=[{"name": k, "type": "S"} for k in keys],
            global_secondary_indexes=[
                {"name": args.index, "hash_key": args.subject_key, "projection_type": "ALL"}
            ] if args.index else None,
            server_side_encryption=sse,
            point_in_time_recovery={"enabled": True},
            ttl={"attribute_name": args.ttl_attribute, "enabled": True}
            if args.ttl_attribute else None,
            deletion_protection_enabled=True,
            tags=args.labels.tags(),
            opts=child,
        )
        if controls.vpc_endpoint_only:

            def policy(values: list[Any]) -> str:
                arn, endpoint = values
                deny = deny_outside_endpoint([arn, f"{arn}/*"], endpoint, "dynamodb")
                return json.dumps(document(deny), sort_keys=True)

            aws.dynamodb.ResourcePolicy(
                f"{name}-policy", resource_arn=table.arn,
                policy=pulumi.Output.all(table.arn, args.vpc_endpoint_id).apply(policy),
                opts=child,
            )
        self.table_name = table.name
        self.arn = table.arn
        self.register_outputs({"name": self.table_name, "arn": self.arn})
