"""DataKey: a customer-managed KMS key with yearly rotation, an alias and a narrow key policy."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
from guardian.modules.policy import document

KEY_DELETION_WINDOW_DAYS = 30


@dataclass
class DataKeyArgs:
    description: str
    tags: Mapping[str, str] = field(default_factory=dict)
    # AWS services that encrypt with the key on our behalf (CloudTrail, CloudWatch Logs, ...).
    service_principals: Sequence[pulumi.Input[str]] = ()


def key_policy(account: str, services: Sequence[str]) -> dict[str, Any]:
    """The account administers the key through IAM; named services may use it for this account."""
    statements: list[dict[str, Any]] = [{
        "Sid": "AccountAdministersThroughIam",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "kms:*",
        "Resource": "*",
    }]
    if services:
        statements.append({
            "Sid": "ServicesEncryptForThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": sorted(services)},
            "Action": ["kms:Decrypt", "kms:DescribeKey", "kms:Encrypt", "kms:GenerateDataKey*",
                       "kms:ReEncrypt*"],
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account}},
        })
    return document(*statements)


class DataKey(pulumi.ComponentResource):
    """A customer-managed key: rotation on, 30-day deletion window, alias `alias/<name>`."""

    arn: pulumi.Output[str]
    key_id: pulumi.Output[str]

    def __init__(
        self, name: str, args: DataKeyArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("guardian:keys:DataKey", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self)).account_id
        policy = pulumi.Output.all(account, *args.service_principals).apply(
            lambda v: json.dumps(key_policy(v[0], list(v[1:])), sort_keys=True)
        )
        key = aws.kms.Key(
            name,
            description=args.description,
            enable_key_rotation=True,
            deletion_window_in_days=KEY_DELETION_WINDOW_DAYS,
            policy=policy,
            tags=dict(args.tags),
            opts=child,
        )
        aws.kms.Alias(f"{name}-alias", name=f"alias/{name}", target_key_id=key.key_id, opts=child)
        self.arn = key.arn
        self.key_id = key.key_id
        self.register_outputs({"arn": self.arn, "keyId": self.key_id})
