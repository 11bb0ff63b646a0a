"""An AWS Config aggregator -> ResourceGraph: the organisation's configuration items, read by
the live reader as if they were the services' own answers.

`SelectAggregateResourceConfig` (SQL over the aggregator, paginated, at most 100 rows a page)
lists what exists in which account and region, with its tags and when Config captured it;
`BatchGetAggregateResourceConfig` (at most 100 identifiers a call; those it leaves unprocessed
are asked again) gives each item's `configuration` and `supplementaryConfiguration`, both JSON
in strings. Items whose status says the resource was deleted are not resources; one whose
status is ResourceNotRecorded exists, but nothing of its configuration or tags is known.

There is no second mapper from AWS to the graph: `ConfigClient` answers the calls the live
reader (`guardian.graph.live`) makes (ListBuckets, GetBucketEncryption, DescribeTable,
DescribeKey, ListRoles, ...) for one account and region in the services' own response shapes,
taken from the items, with the error codes AWS gives for an absent setting
(ServerSideEncryptionConfigurationNotFoundError, NoSuchBucketPolicy, ...) where the item says
it is unset, and the reader runs on them per account, as the organisation fan-out runs it on
assumed-role clients.

Config is the authority for a resource type in an account and region only where the
aggregator holds that region's configuration recorder (`AWS::Config::ConfigurationRecorder`,
the account's own, not a service-linked one) and it is recording that type. Everything else
(the types and settings Config does not record, such as a KMS key's policy or a table's TTL;
every type of a region whose recorder does not record it; what an item does not say: a
ResourceNotRecorded item, a setting Config writes even when unset but the item lacks, a key
the items name but Config holds no item of) is read directly through `--assume-role`, or else
is a `NotRecordedByAWSConfig` gap, which GRD-INV-006 reports as unknown: never a silent pass.
The source's note says which was which, and how old the oldest configuration item is: Config's
record, not a live read.
"""

from __future__ import annotations

import argparse
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote_plus

from guardian.aws import MALFORMED, NOT_RECORDED, Clients, failure_code, role_arn
from guardian.errors import UserError
from guardian.graph.live import STORE_CONTROLS, call_name
from guardian.graph.model import ReadGap, ResourceGraph, Source
from guardian.graph.options import DEFAULT_PARALLEL
from guardian.graph.organization import (
    SESSION_NAME,
    AccountRead,
    fan_out,
    read_in,
    unread_account,
)
from guardian.graph.organization import read_account as read_directly  # one account, no Config

S3_BUCKET, TABLE, KEY, ALIAS = ("AWS::S3::Bucket", "AWS::DynamoDB::Table", "AWS::KMS::Key",
                                "AWS::KMS::Alias")
ROLE, POLICY = "AWS::IAM::Role", "AWS::IAM::Policy"
RECORDER = "AWS::Config::ConfigurationRecorder"
READ_TYPES = (S3_BUCKET, TABLE, KEY, ALIAS, ROLE, POLICY)
GLOBAL_TYPES = (ROLE, POLICY)  # IAM: one item per account, in region "global"
# The regions Config ran in before February 2022, the only ones whose recorder can record
# IAM's global types (AWS Config API Reference, ExclusionByResourceTypes): a fixed list.
IAM_REGIONS = frozenset((
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "af-south-1", "ap-east-1",
    "ap-south-1", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1",
    "ap-southeast-2", "ap-southeast-3", "ca-central-1", "eu-central-1", "eu-west-1",
    "eu-west-2", "eu-west-3", "eu-south-1", "eu-north-1", "me-south-1", "sa-east-1",
    "us-gov-east-1", "us-gov-west-1", "cn-north-1", "cn-northwest-1"))
DELETED = ("ResourceDeleted", "ResourceDeletedNotRecorded")
UNRECORDED = "ResourceNotRecorded"  # the resource exists; its configuration was not recorded
PAGE = 100  # SelectAggregateResourceConfig's Limit and BatchGet's identifiers, at most
MAX_EXPRESSION = 4096  # characters of a Select expression
UNPROCESSED_ROUNDS = 4  # BatchGet calls for identifiers it keeps leaving unprocessed
SELECT = "config:SelectAggregateResourceConfig"
BATCH = "config:BatchGetAggregateResourceConfig"
FIELDS = ("accountId", "awsRegion", "resourceType", "resourceId", "resourceName", "arn",
          "configurationItemStatus", "configurationItemCaptureTime", "tags")
# Config's Java-style names for the S3 ACL -> the S3 API's
PERMISSIONS = {"FullControl": "FULL_CONTROL", "Read": "READ", "Write": "WRITE",
               "ReadAcp": "READ_ACP", "WriteAcp": "WRITE_ACP"}
GROUPS = {"AllUsers": "http://acs.amazonaws.com/groups/global/AllUsers",
          "AuthenticatedUsers": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
          "LogDelivery": "http://acs.amazonaws.com/groups/s3/LogDelivery"}

Progress = Callable[[str], None]


@dataclass
class Item:
    """One configuration item: what the Select row said, and what BatchGet added (`failed`
    names why it could not: the reads that need it are gaps with that code)."""

    account: str
    region: str
    type: str
    id: str
    name: str
    arn: str | None
    captured: str | None
    tags: dict[str, str] | None  # None: not recorded
    configuration: str | None = None
    supplementary: Mapping[str, Any] = field(default_factory=dict)
    failed: str | None = "NotFetched"

    def config(self) -> Any:
        """The configuration, parsed; ValueError (MalformedResponse) when it is not JSON."""
        self._fetched()
        return json.loads(self.configuration or "")

    def extra(self, key: str) -> Any:
        """A supplementary configuration value, parsed; None when the item has none."""
        self._fetched()
        value = self.supplementary.get(key)
        return None if value is None else json.loads(value) if isinstance(value, str) else value

    def _fetched(self) -> None:
        if self.failed:
            raise _Error(self.failed, f"the configuration item of {self.type} {self.name}")


class _Error(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _absent(code: str, what: str) -> _Error:
    return _Error(code, f"{what}: not configured (per its AWS Config item)")


def _setting(item: Item, key: str, absent: str = NOT_RECORDED) -> Any:
    """A supplementary configuration value, parsed. When the item has none: `absent`, AWS's
    "not found" code, only for a setting Config leaves out when it is unset; a setting it
    writes even then (BucketPolicy as {"policyText": null}, versioning "Off", ...) or never
    documents is NotRecordedByAWSConfig: unknown, or read directly."""
    value = item.extra(key)
    if value is None:
        if absent == NOT_RECORDED:
            raise _Error(NOT_RECORDED, f"{key} of {item.name}: not in its AWS Config item")
        raise _absent(absent, f"{key} of {item.name}")
    return value


def _field(mapping: Mapping[str, Any], name: str) -> Any:
    """`name` in any casing: Config writes some names as bean properties (ssedescription,
    kmsmasterKeyArn: its schema's) and others as the SDK's fields (sSEDescription,
    kMSMasterKeyArn)."""
    return next((v for k, v in mapping.items() if k.lower() == name.lower()), None)


# --- reading the aggregator --------------------------------------------------------------------

@dataclass
class Holdings:
    """What the aggregator holds: items by account, the recorders, what its reads failed."""

    items: dict[str, list[Item]] = field(default_factory=dict)
    recorders: dict[tuple[str, str], Item] = field(default_factory=dict)
    gaps: list[ReadGap] = field(default_factory=list)
    calls: int = 0

    @property
    def accounts(self) -> list[str]:
        return sorted({*self.items, *(a for a, _ in self.recorders)})

    def regions(self, account: str) -> list[str]:
        return sorted({i.region for i in self.items.get(account, ()) if i.region != "global"}
                      | {r for a, r in self.recorders if a == account})

    def captured(self) -> tuple[str, str] | None:
        times = sorted(t for items in self.items.values() for i in items
                       if (t := _instant(i.captured)))
        return (times[0].isoformat(), times[-1].isoformat()) if times else None


def _instant(value: Any) -> datetime | None:
    """A capture time in UTC, None when it is not one. Select gives ISO text, BatchGet epoch
    seconds, which botocore makes a datetime in the local time zone: both are brought to UTC
    (so the note reads the same on every machine) and compared as instants, not as text."""
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        except ValueError:
            return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


def _quoted(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def expression(accounts: Sequence[str], regions: Sequence[str]) -> str:
    """The advanced query: every item of the types read, and the recorders, in the accounts
    and regions named when that fits in an expression (at most 4,096 characters; the rows are
    filtered here as well)."""
    where = f"resourceType IN ({_quoted((*READ_TYPES, RECORDER))})"
    if regions:
        where += f" AND awsRegion IN ({_quoted(('global', *regions))})"
    narrower = f"{where} AND accountId IN ({_quoted(accounts)})"
    select = f"SELECT {', '.join(FIELDS)} WHERE "
    return select + (narrower if accounts and len(select + narrower) <= MAX_EXPRESSION
                     else where)


def read_holdings(config: Any, aggregator: str, accounts: Sequence[str] = (),
                  regions: Sequence[str] = ()) -> Holdings:
    """Select every item, then BatchGet their configurations. UserError when the aggregator
    cannot be queried at all (no such aggregator, denied, failing past the retries)."""
    held = Holdings()
    rows: list[Item] = []
    token: str | None = None
    while True:
        kwargs: dict[str, Any] = {"ConfigurationAggregatorName": aggregator, "Limit": PAGE,
                                  "Expression": expression(accounts, regions)}
        if token:
            kwargs["NextToken"] = token
        try:
            page = config.select_aggregate_resource_config(**kwargs)
        except Exception as exc:
            code = failure_code(exc)
            if code is None:
                raise
            hint = (f": there is no aggregator {aggregator!r} in {config.meta.region_name} "
                    "(looked up in the first --region, else the profile's region or "
                    "AWS_DEFAULT_REGION)" if code == "NoSuchConfigurationAggregatorException"
                    else "; the audit needs config:SelectAggregateResourceConfig and "
                    "config:BatchGetAggregateResourceConfig on it" if "Denied" in code else "")
            raise UserError(f"--source aws-config: {SELECT} on aggregator {aggregator!r} "
                            f"failed with {code}{hint}") from None
        held.calls += 1
        for raw in page.get("Results") or ():
            row = _row(raw)
            if row is None:
                held.gaps.append(ReadGap(SELECT, MALFORMED, "a configuration item of the "
                                         f"aggregator {aggregator} (its account unknown)",
                                         listing=True, controls=STORE_CONTROLS))
            elif row.failed != "Deleted" and (not accounts or row.account in accounts) and (
                    not regions or row.region == "global" or row.region in regions):
                rows.append(row)
        token = page.get("NextToken")
        if not token:
            break
    _fetch(config, aggregator, rows, held)
    for item in rows:
        if item.failed == "Deleted":
            continue
        if item.type == RECORDER:
            if not _service_linked(item):
                held.recorders[(item.account, item.region)] = item
        else:
            held.items.setdefault(item.account, []).append(item)
    return held


def _service_linked(recorder: Item) -> bool:
    """A service-linked recorder (ServicePrincipal) records for its AWS service, which may keep
    its items from the aggregator: only the account's own recorder says what Config holds."""
    try:
        return bool(recorder.config().get("ServicePrincipal"))
    except (_Error, ValueError, AttributeError):
        return False


def _row(raw: Any) -> Item | None:
    """A Select result (a JSON string) as an Item; None when it is not one."""
    try:
        row = json.loads(raw)
        tags = {str(t["key"]): str(t.get("value") or "") for t in row.get("tags") or ()}
        item = Item(str(row["accountId"]), str(row["awsRegion"]), str(row["resourceType"]),
                    str(row["resourceId"]), str(row.get("resourceName") or row["resourceId"]),
                    row.get("arn"), row.get("configurationItemCaptureTime"), tags)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    _status(item, row.get("configurationItemStatus"))
    return item


def _status(item: Item, status: Any) -> bool:
    """Whether the item's status leaves nothing to read: a deleted resource (no resource at
    all), or one whose configuration and tags Config did not record."""
    if status in DELETED:
        item.failed = "Deleted"
    elif status == UNRECORDED:
        item.failed, item.tags = NOT_RECORDED, None
    return status in (*DELETED, UNRECORDED)


def _fetch(config: Any, aggregator: str, rows: list[Item], held: Holdings) -> None:
    """The configurations of `rows`, 100 identifiers a call, asking again for those left
    unprocessed; an item whose batch failed keeps the failure's code."""
    wanted = {(i.account, i.region, i.type, i.id): i for i in rows if i.failed == "NotFetched"}
    pending = list(wanted)
    for attempt in range(UNPROCESSED_ROUNDS):
        left: list[tuple[str, str, str, str]] = []
        for start in range(0, len(pending), PAGE):
            batch = pending[start:start + PAGE]
            try:
                answer = config.batch_get_aggregate_resource_config(
                    ConfigurationAggregatorName=aggregator, ResourceIdentifiers=[
                        {"SourceAccountId": a, "SourceRegion": r, "ResourceType": t,
                         "ResourceId": i, "ResourceName": wanted[(a, r, t, i)].name}
                        for a, r, t, i in batch])
            except Exception as exc:
                code = failure_code(exc)
                if code is None:
                    raise
                for key in batch:
                    wanted[key].failed = code
                continue
            held.calls += 1
            for got in answer.get("BaseConfigurationItems") or ():
                _fill(wanted, got)
            for u in answer.get("UnprocessedResourceIdentifiers") or ():
                key = (u.get("SourceAccountId"), u.get("SourceRegion"), u.get("ResourceType"),
                       u.get("ResourceId"))
                if key in wanted:
                    wanted[key].failed = "UnprocessedResourceIdentifiers"
                    left.append(key)  # type: ignore[arg-type]
        pending = left
        if not pending:
            break
        time.sleep(min(0.2 * 2 ** attempt, 2))  # BatchGet left them for lack of capacity


def _fill(wanted: Mapping[tuple[str, str, str, str], Item], got: Any) -> None:
    key = (got.get("accountId"), got.get("awsRegion"), got.get("resourceType"),
           got.get("resourceId"))
    item = wanted.get(key)  # type: ignore[call-overload]
    if item is None or _status(item, got.get("configurationItemStatus")):
        return
    supplementary = got.get("supplementaryConfiguration") or {}
    if not isinstance(got.get("configuration"), str) or not isinstance(supplementary, Mapping):
        item.failed = MALFORMED
        return
    item.configuration, item.supplementary, item.failed = got["configuration"], supplementary, None
    item.captured = got.get("configurationItemCaptureTime") or item.captured


# --- answering the live reader's calls -------------------------------------------------------

def records(recorder: Item | None, rtype: str) -> bool:
    """Whether a region's configuration recorder records `rtype` (and is recording)."""
    if recorder is None:
        return False
    try:
        cfg = recorder.config()
        if cfg.get("Recording") is not True:  # stopped, or not saying
            return False
        group = cfg.get("RecordingGroup") or {}
        strategy = (group.get("RecordingStrategy") or {}).get("UseOnly")
        if strategy == "EXCLUSION_BY_RESOURCE_TYPES":
            excluded = (group.get("ExclusionByResourceTypes") or {}).get("ResourceTypes") or ()
            return rtype not in excluded
        if group.get("AllSupported") or strategy == "ALL_SUPPORTED_RESOURCE_TYPES":
            return rtype not in GLOBAL_TYPES or bool(group.get("IncludeGlobalResourceTypes"))
        return rtype in (group.get("ResourceTypes") or ())
    except (_Error, ValueError, TypeError, AttributeError):
        return False


@dataclass
class Account:
    """One account's items, and how its calls Config cannot answer are made (`direct`, None
    without --assume-role)."""

    id: str
    items: list[Item]
    recorders: Mapping[str, Item]  # by region
    direct: Callable[[], Clients] | None = None
    used: set[str] = field(default_factory=set)  # Config types answered from
    elsewhere: set[str] = field(default_factory=set)  # calls read directly or not at all

    def records(self, rtype: str, region: str) -> bool:
        if rtype in GLOBAL_TYPES:
            return any(records(r, rtype) for where, r in self.recorders.items()
                       if where in IAM_REGIONS)
        return records(self.recorders.get(region), rtype)

    def of(self, rtype: str, region: str | None = None) -> list[Item]:
        return [i for i in self.items if i.type == rtype and region in (None, i.region)]

    def one(self, rtype: str, region: str | None, code: str, *names: Any) -> Item:
        for i in self.of(rtype, region):
            if {i.id, i.name, i.arn} & set(names):
                return i
        raise _Error(code, f"no {rtype} {names[0]!r} in the aggregator")


Answer = Callable[[Account, str, dict[str, Any]], Any]


def _tagset(item: Item, key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    if item.tags is None:
        raise _Error(NOT_RECORDED, f"the tags of {item.name}: not recorded by AWS Config")
    return [{key: k, value: v} for k, v in item.tags.items()]


def _bucket(acct: Account, kw: dict[str, Any]) -> Item:
    return acct.one(S3_BUCKET, None, "NoSuchBucket", kw["Bucket"])


def _sse(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    cfg = _setting(_bucket(acct, kw), "ServerSideEncryptionConfiguration",
                   "ServerSideEncryptionConfigurationNotFoundError")
    rules = []
    for rule in cfg["rules"]:
        default = _field(rule, "applyServerSideEncryptionByDefault") or {}
        algorithm, key = _field(default, "sseAlgorithm"), _field(default, "kmsMasterKeyID")
        if not algorithm:
            raise KeyError("sseAlgorithm")
        rules.append({"ApplyServerSideEncryptionByDefault": {
            "SSEAlgorithm": algorithm, **({"KMSMasterKeyID": key} if key else {})},
            "BucketKeyEnabled": bool(_field(rule, "bucketKeyEnabled"))})
    if not rules:
        raise _absent("ServerSideEncryptionConfigurationNotFoundError", kw["Bucket"])
    return {"ServerSideEncryptionConfiguration": {"Rules": rules}}


def _versioning(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    status = _setting(_bucket(acct, kw), "BucketVersioningConfiguration")["status"]
    if status not in ("Off", "Enabled", "Suspended"):  # Off: never enabled
        raise ValueError(f"versioning status {status!r}")
    return {"Status": status} if status != "Off" else {}


def _pab(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    cfg = _setting(_bucket(acct, kw), "PublicAccessBlockConfiguration",
                   "NoSuchPublicAccessBlockConfiguration")
    return {"PublicAccessBlockConfiguration": {
        api: bool(cfg[api[0].lower() + api[1:]]) for api in
        ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")}}


def _filter(rule: Mapping[str, Any]) -> dict[str, Any]:
    """A lifecycle rule's filter: Config's predicate -> the S3 API's Filter."""
    predicate = (rule.get("filter") or {}).get("predicate")
    if predicate is None:
        return {"Prefix": rule.get("prefix") or ""}

    def one(p: Mapping[str, Any]) -> dict[str, Any]:
        kind = p["type"]
        if kind == "LifecyclePrefixPredicate":
            return {"Prefix": p.get("prefix") or ""}
        if kind == "LifecycleTagPredicate":
            return {"Tag": {"Key": p["tag"]["key"], "Value": p["tag"]["value"]}}
        if kind == "LifecycleObjectSizeGreaterThanPredicate":
            return {"ObjectSizeGreaterThan": p["objectSizeGreaterThan"]}
        if kind == "LifecycleObjectSizeLessThanPredicate":
            return {"ObjectSizeLessThan": p["objectSizeLessThan"]}
        raise ValueError(f"lifecycle predicate {kind!r}")

    if predicate["type"] != "LifecycleAndOperator":
        return one(predicate)
    merged: dict[str, Any] = {}
    for operand in predicate["operands"]:
        part = one(operand)
        if "Tag" in part:
            merged.setdefault("Tags", []).append(part["Tag"])
        else:
            merged.update(part)
    return {"And": merged}


def _lifecycle(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    cfg = _setting(_bucket(acct, kw), "BucketLifecycleConfiguration",
                   "NoSuchLifecycleConfiguration")
    rules = []
    for r in cfg["rules"]:
        rule: dict[str, Any] = {"ID": r.get("id"), "Status": r["status"], "Filter": _filter(r)}
        expiration = {k: v for k, v in (
            ("Days", r.get("expirationInDays")), ("Date", r.get("expirationDate")),
            ("ExpiredObjectDeleteMarker", r.get("expiredObjectDeleteMarker") or None))
            if v is not None and v != -1}  # -1: Config's "not set"
        if expiration:
            rule["Expiration"] = expiration
        nce = r.get("noncurrentVersionExpiration") or {}
        days = nce.get("noncurrentDays", r.get("noncurrentVersionExpirationInDays"))
        if days is not None and days != -1:
            rule["NoncurrentVersionExpiration"] = {"NoncurrentDays": days, **(
                {"NewerNoncurrentVersions": nce["newerNoncurrentVersions"]}
                if nce.get("newerNoncurrentVersions") else {})}
        if r.get("transitions"):
            rule["Transitions"] = [{k: v for k, v in (
                ("Days", t.get("days")), ("Date", t.get("date")),
                ("StorageClass", t["storageClass"])) if v is not None and v != -1}
                for t in r["transitions"]]
        if r.get("noncurrentVersionTransitions"):
            rule["NoncurrentVersionTransitions"] = [
                {"NoncurrentDays": t["days"], "StorageClass": t["storageClass"]}
                for t in r["noncurrentVersionTransitions"]]
        abort = r.get("abortIncompleteMultipartUpload")
        if abort:
            rule["AbortIncompleteMultipartUpload"] = {
                "DaysAfterInitiation": abort["daysAfterInitiation"]}
        rules.append({k: v for k, v in rule.items() if v is not None})
    if not rules:
        raise _absent("NoSuchLifecycleConfiguration", kw["Bucket"])
    return {"Rules": rules}


def _policy(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    text = _setting(_bucket(acct, kw), "BucketPolicy").get("policyText")
    if not text:
        raise _absent("NoSuchBucketPolicy", f"the policy of bucket {kw['Bucket']}")
    if not isinstance(text, str):
        raise TypeError("policyText is not a string")
    return {"Policy": text}


def _grantee(g: Any) -> dict[str, Any]:
    if isinstance(g, str):
        return {"Type": "Group", "URI": GROUPS[g]}
    if "id" in g:
        return {"Type": "CanonicalUser", "ID": g["id"],
                **({"DisplayName": g["displayName"]} if g.get("displayName") else {})}
    return {"Type": "AmazonCustomerByEmail", "EmailAddress": g["identifier"]}


def _acl(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    acl = _setting(_bucket(acct, kw), "AccessControlList")
    owner = acl.get("owner") or {}
    return {"Owner": {"ID": owner["id"], **({"DisplayName": owner["displayName"]}
                                             if owner.get("displayName") else {})},
            "Grants": [{"Grantee": _grantee(g["grantee"]), "Permission": PERMISSIONS[
                g["permission"]]} for g in (acl.get("grantList") or acl.get("grantSet") or ())]}


def _logging(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    cfg = _setting(_bucket(acct, kw), "BucketLoggingConfiguration")
    target = cfg.get("destinationBucketName")
    return {"LoggingEnabled": {"TargetBucket": target, "TargetPrefix": cfg.get("logFilePrefix")
                               or ""}} if target else {}


def _lock(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    cfg = _setting(_bucket(acct, kw), "ObjectLockConfiguration",
                   "ObjectLockConfigurationNotFoundError")
    out: dict[str, Any] = {"ObjectLockEnabled": cfg["objectLockEnabled"]}
    retention = (cfg.get("rule") or {}).get("defaultRetention")
    if retention:
        out["Rule"] = {"DefaultRetention": {k.capitalize(): v for k, v in retention.items()
                                            if v is not None}}
    return {"ObjectLockConfiguration": out}


def _replication(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    cfg = _setting(_bucket(acct, kw), "BucketReplicationConfiguration",
                   "ReplicationConfigurationNotFoundError")
    rules = cfg["rules"]
    return {"ReplicationConfiguration": {"Role": cfg.get("roleARN"), "Rules": [
        {"ID": ident, "Status": r["status"], "Prefix": r.get("prefix") or "",
         "Destination": {"Bucket": r["destinationConfig"]["bucketARN"]}}
        for ident, r in (rules.items() if isinstance(rules, Mapping) else
                         ((r.get("id"), r) for r in rules))]}}


def _bucket_tags(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    tags = _tagset(_bucket(acct, kw))
    if not tags:
        raise _absent("NoSuchTagSet", f"the tags of bucket {kw['Bucket']}")
    return {"TagSet": tags}


def _location(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    region = _bucket(acct, kw).region
    return {"LocationConstraint": None if region == "us-east-1" else region}


def _table(acct: Account, region: str, kw: dict[str, Any]) -> Item:
    name = kw.get("TableName") or kw.get("ResourceArn")
    return acct.one(TABLE, region, "ResourceNotFoundException", name)


def _describe_table(acct: Account, region: str, kw: dict[str, Any]) -> Any:
    c = _table(acct, region, kw).config()
    sse = _field(c, "ssedescription") or {}

    def keys(schema: Any) -> list[dict[str, str]]:
        return [{"AttributeName": k["attributeName"], "KeyType": k["keyType"]} for k in schema]

    return {"Table": {
        "TableName": c["tableName"], "TableArn": c["tableArn"], "KeySchema": keys(c["keySchema"]),
        "AttributeDefinitions": [{"AttributeName": a["attributeName"],
                                  "AttributeType": a["attributeType"]}
                                 for a in c.get("attributeDefinitions") or ()],
        "BillingModeSummary": {"BillingMode": (c.get("billingModeSummary") or {}).get(
            "billingMode") or "PROVISIONED"},
        "GlobalSecondaryIndexes": [
            {"IndexName": i["indexName"], "KeySchema": keys(i["keySchema"]),
             "Projection": {"ProjectionType": (i.get("projection") or {}).get("projectionType")}}
            for i in c.get("globalSecondaryIndexes") or ()],
        **({"SSEDescription": {"Status": _field(sse, "status"), "SSEType": _field(sse, "ssetype"),
                               "KMSMasterKeyArn": _field(sse, "kmsmasterKeyArn")}} if sse else {}),
        "StreamSpecification": {"StreamEnabled": bool((c.get("streamSpecification") or {}).get(
            "streamEnabled"))},
        "Replicas": [{"RegionName": r["regionName"]} for r in c.get("replicas") or ()],
    }}


def _backups(acct: Account, region: str, kw: dict[str, Any]) -> Any:
    cfg = _setting(_table(acct, region, kw), "ContinuousBackupsDescription")
    pitr = cfg.get("pointInTimeRecoveryDescription") or {}
    return {"ContinuousBackupsDescription": {
        "ContinuousBackupsStatus": cfg["continuousBackupsStatus"],
        "PointInTimeRecoveryDescription": {
            "PointInTimeRecoveryStatus": pitr.get("pointInTimeRecoveryStatus", "DISABLED")}}}


def _key(acct: Account, region: str, kw: dict[str, Any]) -> Item:
    return acct.one(KEY, region, NOT_RECORDED, kw["KeyId"])


def _list_keys(acct: Account, region: str, _kw: dict[str, Any]) -> Any:
    """The region's keys Config holds, and those of the account and region its buckets and
    tables name that it holds no item of (an AWS managed key, or one created since): their
    reads are NotRecordedByAWSConfig, so a store under one is unknown, never taken for
    another account's customer key."""
    keys = {i.id: i.arn for i in acct.of(KEY, region)}
    named = re.compile(rf"arn:aws[\w-]*:kms:{re.escape(region)}:{acct.id}:key/([\w-]+)")
    for item in (*acct.of(S3_BUCKET, region), *acct.of(TABLE, region)):
        for found in named.finditer(f"{item.configuration} {json.dumps(item.supplementary)}"):
            keys.setdefault(found[1], found[0])
    return {"Keys": [{"KeyId": k, "KeyArn": arn} for k, arn in keys.items()]}


def _describe_key(acct: Account, region: str, kw: dict[str, Any]) -> Any:
    c = _key(acct, region, kw).config()
    return {"KeyMetadata": {"KeyId": c["keyId"], "Arn": c["arn"], "KeyManager": c["keyManager"],
                            "KeyState": c.get("keyState"), "Enabled": c.get("enabled"),
                            "Description": c.get("description") or "",
                            "KeyUsage": c.get("keyUsage")}}


def _rotation(acct: Account, region: str, kw: dict[str, Any]) -> Any:
    status = _setting(_key(acct, region, kw), "KeyRotationStatus")
    if not isinstance(status, bool):
        raise TypeError("KeyRotationStatus is not a boolean")
    return {"KeyRotationEnabled": status}


def _document(text: Any) -> Any:
    """An IAM policy document as Config holds it (URL-encoded JSON, a space as '+' as Java's
    URLEncoder writes it; a '+' itself is %2B) -> as boto3 gives it."""
    if not isinstance(text, str):
        raise TypeError("a policy document is not a string")
    return json.loads(unquote_plus(text))


def _role(acct: Account, kw: dict[str, Any]) -> Any:
    return acct.one(ROLE, "global", "NoSuchEntity", kw["RoleName"]).config()


def _list_roles(acct: Account, _region: str, _kw: dict[str, Any]) -> Any:
    roles = []
    for item in acct.of(ROLE, "global"):
        c = item.config()
        roles.append({"RoleName": c["roleName"], "Arn": c["arn"], "Path": c.get("path", "/"),
                      "AssumeRolePolicyDocument": _document(c["assumeRolePolicyDocument"])})
    return {"Roles": roles}


def _role_policy(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    for p in _role(acct, kw).get("rolePolicyList") or ():
        if p["policyName"] == kw["PolicyName"]:
            return {"RoleName": kw["RoleName"], "PolicyName": p["policyName"],
                    "PolicyDocument": _document(p["policyDocument"])}
    raise _Error("NoSuchEntity", f"inline policy {kw['PolicyName']}")


def _list_policies(acct: Account, _region: str, _kw: dict[str, Any]) -> Any:
    out = []
    for item in acct.of(POLICY, "global"):
        try:
            c = item.config()
            version, path = str(c["defaultVersionId"]), str(c.get("path") or "/")
        except (_Error, ValueError, TypeError, KeyError, AttributeError):
            version, path = "unreadable", "/"  # its document's read says why, for it alone
        out.append({"PolicyName": item.name, "Arn": item.arn or item.id,
                    "DefaultVersionId": version, "Path": path})
    return {"Policies": out}


def _policy_version(acct: Account, _region: str, kw: dict[str, Any]) -> Any:
    c = acct.one(POLICY, "global", "NoSuchEntity", kw["PolicyArn"]).config()
    for v in c.get("policyVersionList") or ():
        if v.get("isDefaultVersion") or v.get("versionId") == c.get("defaultVersionId"):
            return {"PolicyVersion": {"Document": _document(v["document"]),
                                      "VersionId": v.get("versionId"), "IsDefaultVersion": True}}
    raise KeyError("the default version")


# (service, method) -> (the Config type it needs recorded, the answer)
ANSWERS: dict[tuple[str, str], tuple[str, Answer]] = {
    ("s3", "list_buckets"): (S3_BUCKET, lambda a, r, kw: {"Buckets": [
        {"Name": i.name} for i in a.of(S3_BUCKET)]}),
    ("s3", "get_bucket_location"): (S3_BUCKET, _location),
    ("s3", "get_bucket_tagging"): (S3_BUCKET, _bucket_tags),
    ("s3", "get_object_lock_configuration"): (S3_BUCKET, _lock),
    ("s3", "get_bucket_encryption"): (S3_BUCKET, _sse),
    ("s3", "get_bucket_versioning"): (S3_BUCKET, _versioning),
    ("s3", "get_public_access_block"): (S3_BUCKET, _pab),
    ("s3", "get_bucket_lifecycle_configuration"): (S3_BUCKET, _lifecycle),
    ("s3", "get_bucket_policy"): (S3_BUCKET, _policy),
    ("s3", "get_bucket_acl"): (S3_BUCKET, _acl),
    ("s3", "get_bucket_logging"): (S3_BUCKET, _logging),
    ("s3", "get_bucket_replication"): (S3_BUCKET, _replication),
    ("dynamodb", "list_tables"): (TABLE, lambda a, r, kw: {"TableNames": [
        i.name for i in a.of(TABLE, r)]}),
    ("dynamodb", "describe_table"): (TABLE, _describe_table),
    ("dynamodb", "describe_continuous_backups"): (TABLE, _backups),
    ("dynamodb", "list_tags_of_resource"): (TABLE, lambda a, r, kw: {"Tags": _tagset(
        _table(a, r, kw))}),
    ("kms", "list_keys"): (KEY, _list_keys),
    ("kms", "describe_key"): (KEY, _describe_key),
    ("kms", "get_key_rotation_status"): (KEY, _rotation),
    ("kms", "list_resource_tags"): (KEY, lambda a, r, kw: {"Tags": _tagset(
        _key(a, r, kw), "TagKey", "TagValue")}),
    ("kms", "list_aliases"): (ALIAS, lambda a, r, kw: {"Aliases": [
        {"AliasName": c["AliasName"], "AliasArn": i.arn, "TargetKeyId": c["TargetKeyId"]}
        for i in a.of(ALIAS, r) if (c := i.config())]}),
    ("iam", "list_roles"): (ROLE, _list_roles),
    ("iam", "list_role_tags"): (ROLE, lambda a, r, kw: {"Tags": [
        {"Key": t["key"], "Value": t["value"]} for t in _role(a, kw).get("tags") or ()]}),
    ("iam", "list_role_policies"): (ROLE, lambda a, r, kw: {"PolicyNames": [
        p["policyName"] for p in _role(a, kw).get("rolePolicyList") or ()]}),
    ("iam", "get_role_policy"): (ROLE, _role_policy),
    ("iam", "list_attached_role_policies"): (ROLE, lambda a, r, kw: {"AttachedPolicies": [
        {"PolicyName": p.get("policyName"), "PolicyArn": p["policyArn"]}
        for p in _role(a, kw).get("attachedManagedPolicies") or ()]}),
    ("iam", "list_policies"): (POLICY, _list_policies),
    ("iam", "get_policy_version"): (POLICY, _policy_version),
}
# A whole listing comes from Config only where every region read records its type.
ACCOUNT_WIDE = {("s3", "list_buckets")}


class ConfigClient:
    """A boto3 client's stand-in for one service, account and region: the calls ANSWERS holds
    are answered from the account's configuration items where Config records their type;
    the others go to the account's direct clients, or fail as NotRecordedByAWSConfig."""

    def __init__(self, service: str, region: str, account: Account, meta: Any,
                 regions: Sequence[str]) -> None:
        self.service, self.region, self.account, self.regions = service, region, account, regions
        self.meta = SimpleNamespace(method_to_api_mapping=meta.method_to_api_mapping,
                                    service_model=meta.service_model, region_name=region)

    def _answered(self, method: str) -> tuple[str, Answer] | None:
        entry = ANSWERS.get((self.service, method))
        if entry is None:
            return None
        where = self.regions if (self.service, method) in ACCOUNT_WIDE else [self.region]
        return entry if all(self.account.records(entry[0], r) for r in where) else None

    def can_paginate(self, method: str) -> bool:
        """Answers are whole; a direct call pages when its client does (an account whose
        role cannot be assumed fails in the call, not here)."""
        if self._answered(method) is not None:
            return False
        try:
            direct = self._direct()
        except Exception:
            return False
        return direct is not None and bool(direct.can_paginate(method))

    def get_paginator(self, method: str) -> Any:
        return self._direct_or_fail(method).get_paginator(method)

    def _direct(self) -> Any:
        return None if self.account.direct is None else self.account.direct()(
            self.service, self.region)

    def _direct_or_fail(self, method: str) -> Any:
        self.account.elsewhere.add(call_name(self, method))
        direct = self._direct()
        if direct is None:
            raise _client_error(NOT_RECORDED, f"{self.service} {method}: not in the AWS Config "
                                "aggregator (pass --assume-role to read it directly)", method)
        return direct

    def __getattr__(self, method: str) -> Callable[..., Any]:
        if method.startswith("_"):
            raise AttributeError(method)
        entry = self._answered(method)
        if entry is None:
            return lambda **kw: getattr(self._direct_or_fail(method), method)(**kw)
        rtype, answer = entry

        def call(**kw: Any) -> Any:
            self.account.used.add(rtype)
            try:
                return answer(self.account, self.region, kw)
            except _Error as exc:
                if exc.code == NOT_RECORDED and self.account.direct is not None:
                    return getattr(self._direct_or_fail(method), method)(**kw)
                raise _client_error(exc.code, str(exc), method) from None
            except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
                raise _client_error(MALFORMED, f"a configuration item lacks {exc}",
                                    method) from None
        return call


def _client_error(code: str, message: str, method: str) -> Exception:
    from botocore.exceptions import ClientError

    error = ClientError({"Error": {"Code": code, "Message": message},
                         "ResponseMetadata": {"HTTPStatusCode": 400}}, method)
    error.not_an_outage = True  # type: ignore[attr-defined]  # one value lacking: the reader
    return error  # goes on with the service


class _Caller:
    """`sts:GetCallerIdentity` for the account the items are of."""

    def __init__(self, account: str, meta: Any) -> None:
        self.meta, self.account = meta, account

    def get_caller_identity(self) -> dict[str, str]:
        return {"Account": self.account}


# --- the audit -----------------------------------------------------------------------------

@dataclass
class Direct:
    """The account's assumed-role clients, assumed once, on the first call that needs them
    (a failure to assume is every such call's failure). An account is read by one thread."""

    clients: Clients
    arn: str
    external_id: str | None
    home: str
    _got: Clients | Exception | None = None

    def __call__(self) -> Clients:
        if self._got is None:
            try:
                self._got = self.clients.assume(self.arn, self.external_id, SESSION_NAME,
                                                self.home)
            except Exception as exc:
                if failure_code(exc) is None:
                    raise
                self._got = exc
        if isinstance(self._got, Exception):
            raise self._got
        return self._got


def read_account(clients: Clients, held: Holdings, account: str, regions: Sequence[str],
                 home: str, role: str | None, external_id: str | None, *,
                 allow_partial: bool = False) -> tuple[AccountRead, Account]:
    """One account from the aggregator's items (and its direct reads)."""
    acct = Account(account, held.items.get(account, []),
                   {r: i for (a, r), i in held.recorders.items() if a == account},
                   Direct(clients, role_arn(home, account, role), external_id, home)
                   if role else None)
    if not acct.items and not acct.recorders:  # Config knows nothing of it, regions included
        if role is None:
            return unread_account(account, list(regions) or [home], SELECT, "NotInAggregator",
                                  "the AWS Config aggregator holds nothing of it"), acct
        acct.elsewhere.add(f"all of account {account}, the aggregator holding nothing of it "
                           "(in its enabled regions, or those named)")
        return read_directly(clients, account, role, external_id, home, regions,
                             allow_partial=allow_partial), acct
    regions = list(regions) or held.regions(account) or [home]
    failed = [r.failed for r in acct.recorders.values() if r.failed]
    if failed and len(failed) == len(acct.recorders) and acct.direct is None:
        return unread_account(account, regions, BATCH, failed[0], "the items of its "
                              "configuration recorders, which say what Config records there, "
                              "could not be read"), acct

    def factory(service: str, region: str | None) -> Any:
        meta = clients(service, home).meta
        if service == "sts":
            return _Caller(account, meta)
        return ConfigClient(service, region or home, acct, meta, regions)

    return read_in(account, factory, regions, allow_partial=allow_partial), acct


def read_aggregator(clients: Clients, aggregator: str, home: str, *,
                    accounts: Sequence[str] = (), regions: Sequence[str] = (),
                    role: str | None = None, external_id: str | None = None,
                    parallel: int = DEFAULT_PARALLEL, allow_partial: bool = False,
                    not_active: Sequence[str] = (), progress: Progress | None = None
                    ) -> ResourceGraph:
    """Every account the aggregator holds (or `accounts`), each read from its items."""
    held = read_holdings(clients("config", home), aggregator, accounts, regions)
    ids = sorted(set(accounts) or set(held.accounts))
    if not ids:
        raise UserError(f"--source aws-config: the aggregator {aggregator!r} holds no "
                        "configuration item of the types Guardian reads")
    seen: dict[str, Account] = {}

    def one(account: str) -> AccountRead:
        done, seen[account] = read_account(clients, held, account, regions, home, role,
                                           external_id, allow_partial=allow_partial)
        return done

    source = Source("live", f"aws-config://{aggregator}/{','.join(regions) or 'recorded-regions'}",
                    accounts=tuple(ids), inactive=tuple(not_active))
    graph = fan_out(source, one, parallel=parallel, progress=progress, gaps=held.gaps)
    note = _note(aggregator, held, seen.values(), role, named_regions=bool(regions))
    return ResourceGraph(graph.resources, replace(source, note=note), graph.gaps)


def _daily(recorder: Item) -> bool:
    """Whether the recorder records a type read once a day, not as it changes."""
    try:
        mode = recorder.config().get("RecordingMode") or {}
        return mode.get("RecordingFrequency") == "DAILY" or any(
            o.get("RecordingFrequency") == "DAILY" and set(o.get("ResourceTypes") or ())
            & set(READ_TYPES) for o in mode.get("RecordingModeOverrides") or ())
    except (_Error, ValueError, AttributeError, TypeError):
        return False


def _note(aggregator: str, held: Holdings, accounts: Iterable[Account],
          role: str | None, *, named_regions: bool) -> str:
    accounts = list(accounts)
    used = sorted({t for a in accounts for t in a.used})
    other = sorted({c for a in accounts for c in a.elsewhere})
    when = held.captured()
    note = (f"AWS CONFIG: aggregator {aggregator}, {held.calls} Config call(s)"
            + (f"; configuration items captured {when[0]} (oldest) to {when[1]}: Config's "
               "record, not a live read" if when else "")
            + ("" if named_regions else "; regions: those where the aggregator holds the "
               "account's items or recorder, no other (--region names them)")
            + f"; from Config: {', '.join(used) or 'nothing'}")
    daily = [f"{a} {r}" for (a, r), recorder in sorted(held.recorders.items())
             if _daily(recorder)]
    if daily:
        note += f"; recorded daily, up to a day behind, in {', '.join(daily)}"
    if other:
        note += ("; read directly through role " + role if role else
                 "; not in Config, unknown (--assume-role NAME reads them directly)")
        note += f": {', '.join(other)}"
    return note


def read_aggregator_from_args(args: argparse.Namespace) -> ResourceGraph:
    """`guardian check --live --source aws-config --aggregator NAME`."""
    from guardian.graph.organization import read_fleet

    if not args.aggregator:
        raise UserError("--source aws-config needs --aggregator NAME: the AWS Config "
                        "configuration aggregator to read")
    return read_fleet(args, lambda f, accounts, not_active: read_aggregator(
        f.clients, args.aggregator, f.home, accounts=accounts, regions=f.regions, role=f.role,
        external_id=f.external_id, parallel=f.parallel, allow_partial=f.allow_partial,
        not_active=not_active, progress=f.progress))
