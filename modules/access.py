"""PurposeRole: one IAM role per catalog access entry, allowed its declared actions on its
dataset's stores and keys and nothing else, tagged with the purpose (the data use)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws
from guardian.modules.controls import HUMAN_MAX_SESSION_SECONDS, MFA_CONDITION_KEY
from guardian.modules.labels import DataLabels
from guardian.modules.policy import document

from guardian.catalog.actions import ACTIONS, S3_BUCKET_ACTIONS, iam_actions

SERVICE_MAX_SESSION_SECONDS = 3600


@dataclass
class StoreGrant:
    service: str  # "s3" | "dynamodb" | "rds-db" (arn: the database's dbuser ARN prefix)
    arn: pulumi.Input[str]


@dataclass
class PurposeRoleArgs:
    role_name: str  # the catalog's access role: the IAM role's name
    purpose: str  # the data use this access serves
    labels: DataLabels
    actions: Sequence[str]  # catalog actions: read, write, delete
    stores: Sequence[StoreGrant]
    key_arns: Sequence[pulumi.Input[str]] = ()  # customer-managed keys behind the stores
    human: bool = False  # people assume it: MFA and a short session
    # Who may assume it; default: principals of this account that IAM allows to.
    trusted: Sequence[pulumi.Input[str]] = ()


def role_statements(
    actions: Sequence[str], stores: Sequence[tuple[str, str]], key_arns: Sequence[str],
    db_user: str | None = None,
) -> list[dict[str, Any]]:
    """Allow statements naming only these stores and keys, with only the declared actions;
    databases only as `db_user` (IAM database authentication)."""
    statements: list[dict[str, Any]] = []
    for service, arn in stores:
        granted = iam_actions(service, actions)
        if service == "rds-db":
            if db_user is None:
                raise ValueError("a database grant needs the database user it connects as")
            statements.append({"Effect": "Allow", "Action": list(granted),
                               "Resource": [f"{arn}/{db_user}"]})
        elif service == "s3":
            on_bucket = [a for a in granted if a in S3_BUCKET_ACTIONS]
            on_objects = [a for a in granted if a not in S3_BUCKET_ACTIONS]
            if on_bucket:
                statements.append({"Effect": "Allow", "Action": on_bucket, "Resource": [arn]})
            if on_objects:
                statements.append(
                    {"Effect": "Allow", "Action": on_objects, "Resource": [f"{arn}/*"]}
                )
        elif service in ACTIONS:
            resources = [arn, f"{arn}/index/*"]
            statements.append({"Effect": "Allow", "Action": list(granted), "Resource": resources})
        else:
            raise ValueError(f"no IAM actions known for store service {service!r}")
    kms = iam_actions("kms", actions)
    if key_arns and kms:
        statements.append({"Effect": "Allow", "Action": list(kms), "Resource": sorted(key_arns)})
    return statements


class PurposeRole(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    role_name: pulumi.Output[str]

    def __init__(
        self, name: str, args: PurposeRoleArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        unknown = sorted(set(args.actions) - set(ACTIONS["s3"]))
        if unknown or not args.actions:
            raise ValueError(f"{name}: actions must be some of read, write, delete; got "
                             f"{list(args.actions)}")
        super().__init__("guardian:access:PurposeRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        account = aws.get_caller_identity_output(opts=pulumi.InvokeOptions(parent=self)).account_id

        def trust(values: list[Any]) -> str:
            account_id, *trusted = values
            statement: dict[str, Any] = {
                "Effect": "Allow",
                "Principal": {"AWS": sorted(trusted) or f"arn:aws:iam::{account_id}:root"},
                "Action": "sts:AssumeRole",
            }
            if args.human:
                statement["Condition"] = {"Bool": {MFA_CONDITION_KEY: "true"}}
            return json.dumps(document(statement), sort_keys=True)

        role = aws.iam.Role(
            name,
            name=args.role_name,
            assume_role_policy=pulumi.Output.all(account, *args.trusted).apply(trust),
            max_session_duration=HUMAN_MAX_SESSION_SECONDS if args.human
            else SERVICE_MAX_SESSION_SECONDS,
            tags={**args.labels.tags(purpose=args.purpose),
                  "guardian:human": "true" if args.human else "false"},
            opts=child,
        )
        services = [s.service for s in args.stores]
        n = len(services)

        def policy(values: list[Any]) -> str:
            stores = list(zip(services, values[:n], strict=True))
            statements = role_statements(args.actions, stores, values[n:], args.role_name)
            return json.dumps(document(*statements), sort_keys=True)

        aws.iam.RolePolicy(
            f"{name}-policy", role=role.id,
            policy=pulumi.Output.all(*[s.arn for s in args.stores], *args.key_arns).apply(policy),
            opts=child,
        )
        self.arn = role.arn
        self.role_name = role.name
        self.register_outputs({"arn": self.arn, "name": self.role_name})
