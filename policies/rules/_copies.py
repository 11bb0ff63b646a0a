"""Every copy of a store's data: where it lives, whose account holds it, how long it is kept,
with whom it is shared.

A copy is anything that holds the store's data apart from the store itself: S3 replication
destinations, DynamoDB replicas (inline `replicas`, `TableReplica`, v2017 `GlobalTable`) and
exports to S3, RDS
read replicas, Aurora replica and global-database clusters, automated backups (the store's own
and those replicated to another region), manual snapshots and snapshot copies (RDS, Aurora,
Redshift, EBS), Redshift snapshot copies to another region, and AWS Backup recovery points and
their copy actions. Residency, sharing, retention and public-access rules all read this one list.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from guardian.policies.rules._index import (
    STORE_KINDS_S3,
    Index,
    Store,
    known_str,
    region_of,
)
from guardian.policies.rules._policy import glob_match, has_unknown

from guardian.graph.model import UNKNOWN, Resource

FOREVER = math.inf  # kept until someone deletes it
DDB_TABLE = "aws:dynamodb/table:Table"
DDB_TABLE_REPLICA = "aws:dynamodb/tableReplica:TableReplica"
DDB_GLOBAL_TABLE = "aws:dynamodb/globalTable:GlobalTable"
DDB_TABLE_EXPORT = "aws:dynamodb/tableExport:TableExport"
RDS_INSTANCE = "aws:rds/instance:Instance"
RDS_CLUSTER = "aws:rds/cluster:Cluster"
RDS_GLOBAL_CLUSTER = "aws:rds/globalCluster:GlobalCluster"
RDS_BACKUP_REPLICATION = (
    "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication")
RDS_SNAPSHOT = "aws:rds/snapshot:Snapshot"
RDS_SNAPSHOT_COPY = "aws:rds/snapshotCopy:SnapshotCopy"
RDS_CLUSTER_SNAPSHOT = "aws:rds/clusterSnapshot:ClusterSnapshot"
RDS_CLUSTER_SNAPSHOT_COPY = "aws:rds/clusterSnapshotCopy:ClusterSnapshotCopy"
REDSHIFT_CLUSTER = "aws:redshift/cluster:Cluster"
REDSHIFT_SNAPSHOT = "aws:redshift/clusterSnapshot:ClusterSnapshot"
REDSHIFT_SNAPSHOT_COPY = "aws:redshift/snapshotCopy:SnapshotCopy"
REDSHIFT_COPY_GRANT = "aws:redshift/snapshotCopyGrant:SnapshotCopyGrant"
EBS_VOLUME = "aws:ebs/volume:Volume"
EBS_SNAPSHOT = "aws:ebs/snapshot:Snapshot"
EBS_VOLUME_PERMISSION = "aws:ec2/snapshotCreateVolumePermission:SnapshotCreateVolumePermission"
BACKUP_PLAN = "aws:backup/plan:Plan"
BACKUP_SELECTION = "aws:backup/selection:Selection"
BACKUP_VAULT = "aws:backup/vault:Vault"

# What AWS keeps when a setting is left out (the API's defaults, as the provider documents
# them): automated backups of RDS instances and Aurora clusters 1 day, Redshift automated
# snapshots 1 day, replicated RDS automated backups 7 days, Redshift cross-region copies 7 days.
_DEFAULT_DAYS = {RDS_INSTANCE: 1, RDS_CLUSTER: 1, REDSHIFT_CLUSTER: 1, RDS_BACKUP_REPLICATION: 7,
                 REDSHIFT_SNAPSHOT_COPY: 7}


@dataclass(frozen=True)
class Copy:
    """One copy of a store's data."""

    store: Store
    what: str  # what it is, for people: "read replica 'db-eu2'", "automated backups", ...
    via: Resource  # the resource that makes the copy
    region: str | None  # None: unknown
    account: str | None = None  # the account holding it when stated (None: the store's own)
    account_unknown: bool = False
    keep_days: float | None = None  # None: lives as long as the store (replicas); FOREVER
    keep_unknown: bool = False
    shared_with: tuple[str, ...] = ()  # accounts the copy is shared with; "all" is public
    shared_unknown: bool = False
    certain: bool = True  # False: cannot tell whether this copy covers the store
    related: tuple[Resource, ...] = ()


def arn_region_account(arn: Any) -> tuple[str | None, str | None]:
    """(region, account) named by an ARN; (None, None) when it is not one."""
    if not isinstance(arn, str) or has_unknown(arn):
        return None, None
    parts = arn.split(":")
    if len(parts) < 6 or parts[0] != "arn":
        return None, None
    return (parts[3] or None), (parts[4] if parts[4].isdigit() else None)


def _days(value: Any, default: float | None) -> tuple[float | None, bool]:
    """(days, unknown) of a retention setting; -1 means kept until deleted."""
    if value is None:
        return default, False
    if has_unknown(value) or isinstance(value, bool) or not isinstance(value, int | float):
        return None, True
    return (FOREVER if value < 0 else float(value)), False


def _accounts(value: Any) -> tuple[tuple[str, ...], bool]:
    if value is None:
        return (), False
    if has_unknown(value) or not isinstance(value, list | tuple):
        return (), True
    return tuple(str(v) for v in value), False


class Copies:
    """Copies of every bound store, gathered once per index."""

    def __init__(self, ix: Index) -> None:
        self.ix = ix
        g = ix.graph
        # source resource URN -> resources that point at it through `prop`
        self._pointing: dict[tuple[str, str], list[Resource]] = {}
        for types, prop, targets in (
            ((DDB_TABLE_REPLICA,), "globalTableArn", (DDB_TABLE,)),
            ((DDB_TABLE_EXPORT,), "tableArn", (DDB_TABLE,)),
            ((RDS_INSTANCE,), "replicateSourceDb", (RDS_INSTANCE,)),
            ((RDS_CLUSTER,), "replicationSourceIdentifier", (RDS_CLUSTER,)),
            ((RDS_CLUSTER,), "globalClusterIdentifier", (RDS_GLOBAL_CLUSTER,)),
            ((RDS_GLOBAL_CLUSTER,), "sourceDbClusterIdentifier", (RDS_CLUSTER,)),
            ((RDS_BACKUP_REPLICATION,), "sourceDbInstanceArn", (RDS_INSTANCE,)),
            ((RDS_SNAPSHOT,), "dbInstanceIdentifier", (RDS_INSTANCE,)),
            ((RDS_SNAPSHOT_COPY,), "sourceDbSnapshotIdentifier", (RDS_SNAPSHOT,)),
            ((RDS_CLUSTER_SNAPSHOT,), "dbClusterIdentifier", (RDS_CLUSTER,)),
            ((RDS_CLUSTER_SNAPSHOT_COPY,), "sourceDbClusterSnapshotIdentifier",
             (RDS_CLUSTER_SNAPSHOT,)),
            ((REDSHIFT_SNAPSHOT,), "clusterIdentifier", (REDSHIFT_CLUSTER,)),
            ((REDSHIFT_SNAPSHOT_COPY,), "clusterIdentifier", (REDSHIFT_CLUSTER,)),
            ((EBS_SNAPSHOT,), "volumeId", (EBS_VOLUME,)),
            ((EBS_VOLUME_PERMISSION,), "snapshotId", (EBS_SNAPSHOT,)),
            ((BACKUP_SELECTION,), "planId", (BACKUP_PLAN,)),
        ):
            for r in g.of_type(*types):
                for target in ix.refs(r, prop, targets):
                    self._pointing.setdefault((target.urn, prop), []).append(r)
        self.by_store: dict[str, list[Copy]] = {}
        for s in ix.bound:
            self.by_store[s.resource.urn] = list(self._collect(s))

    def of(self, store: Store) -> list[Copy]:
        return self.by_store.get(store.resource.urn, [])

    def pointing(self, target: Resource, prop: str, *types: str) -> list[Resource]:
        """Resources (of `types`, if given) whose `prop` points at target."""
        found = self._pointing.get((target.urn, prop), [])
        return [r for r in found if r.type in types] if types else found

    # --- per store kind ------------------------------------------------------------------

    def _collect(self, s: Store) -> Iterator[Copy]:
        collect = {"s3": self._s3, "dynamodb": self._dynamodb, "rds": self._rds,
                   "rds-cluster": self._aurora, "redshift": self._redshift,
                   "ebs": self._ebs}.get(s.kind)
        if collect is not None:
            yield from collect(s)
        yield from self._backup_plans(s)

    def _s3(self, s: Store) -> Iterator[Copy]:
        ix = self.ix
        for dest, holder in replication_destinations(s):
            if dest == UNKNOWN:  # where, and whose, cannot be told offline
                yield Copy(s, "replication (its rules or destination unknown)", holder,
                           None, account_unknown=True)
                continue
            bucket = dest.get("bucket")
            targets = ix.lookup(bucket, STORE_KINDS_S3) or [
                r for r in ix.refs(holder, "rules" if holder is not s.resource
                                   else "replicationConfiguration", STORE_KINDS_S3)
                if r.urn != s.resource.urn]
            target = ix.store_by_urn.get(targets[0].urn) if targets else None
            account = dest.get("account") or dest.get("accountId")
            yield Copy(
                s, f"replication destination {bucket!r}" if target is None else
                f"replication destination {target.resource.name!r}", holder,
                target.region if target is not None else None,
                account=str(account) if isinstance(account, str | int) and not has_unknown(
                    account) else None,
                account_unknown=has_unknown(account),
                related=(target.resource,) if target is not None else ())

    def _dynamodb(self, s: Store) -> Iterator[Copy]:
        replicas = s.get("replicas")
        if has_unknown(replicas) and not isinstance(replicas, list):
            yield Copy(s, "replicas (unknown)", s.resource, None)
        for replica in replicas if isinstance(replicas, list) else []:
            region = replica.get("regionName") if isinstance(replica, dict) else None
            yield Copy(s, "replica", s.resource, known_str(region))
        for r in self.pointing(s.resource, "globalTableArn"):
            yield Copy(s, f"table replica {r.name!r}", r, region_of(r))
        for r in self.pointing(s.resource, "tableArn"):
            # An export is the table's items as files in a bucket, perhaps another account's;
            # kept as long as that bucket keeps them (its own rules judge that).
            targets = self.ix.refs(r, "s3Bucket", STORE_KINDS_S3)
            target = self.ix.store_by_urn.get(targets[0].urn) if targets else None
            owner = r.get("s3BucketOwner")
            bucket = r.get("s3Bucket") if target is None else target.resource.name
            yield Copy(s, f"export {r.name!r} to bucket {bucket!r}", r,
                       target.region if target is not None else None,
                       account=owner if known_str(owner) else None,
                       account_unknown=has_unknown(owner),
                       related=(target.resource,) if target is not None else ())
        if s.name:
            for gt in self.ix.lookup(s.name, (DDB_GLOBAL_TABLE,)):
                replicas = gt.get("replicas")
                if has_unknown(replicas) and not isinstance(replicas, list):
                    yield Copy(s, f"global table {gt.name!r} replicas (unknown)", gt, None)
                for replica in replicas if isinstance(replicas, list) else []:
                    region = replica.get("regionName") if isinstance(replica, dict) else None
                    yield Copy(s, f"global table {gt.name!r} replica", gt, known_str(region))

    def _automated(self, s: Store, prop: str, what: str) -> Iterator[Copy]:
        days, unknown = _days(s.get(prop), _DEFAULT_DAYS[s.resource.type])
        yield Copy(s, what, s.resource, s.region, keep_days=days, keep_unknown=unknown)

    def _snapshots(self, s: Store, snapshot: str, prop: str, copy_prop: str = "",
                   retention_prop: str | None = None) -> Iterator[Copy]:
        """Manual snapshots of the store (kept until deleted unless `retention_prop` says
        otherwise), who they are shared with, and their copies."""
        for snap in self.pointing(s.resource, prop, snapshot):
            days, unknown = _days(snap.get(retention_prop) if retention_prop else None, FOREVER)
            shared, shared_unknown = _accounts(snap.get("sharedAccounts"))
            for p in self.pointing(snap, "snapshotId"):  # EBS create-volume permissions
                account = p.get("accountId")
                shared += (str(account),) if known_str(account) else ()
                shared_unknown |= has_unknown(account)
            yield Copy(s, f"snapshot {snap.name!r}", snap, region_of(snap) or s.region,
                       keep_days=days, keep_unknown=unknown, shared_with=shared,
                       shared_unknown=shared_unknown)
            for cp in self.pointing(snap, copy_prop):
                shared, shared_unknown = _accounts(cp.get("sharedAccounts"))
                region = cp.get("destinationRegion")
                yield Copy(s, f"snapshot copy {cp.name!r}", cp,
                           known_str(region) if region is not None else region_of(cp),
                           keep_days=FOREVER, shared_with=shared,
                           shared_unknown=shared_unknown, related=(snap,))

    def _rds(self, s: Store) -> Iterator[Copy]:
        for r in self.pointing(s.resource, "replicateSourceDb"):
            yield Copy(s, f"read replica {r.name!r}", r, region_of(r))
        yield from self._automated(s, "backupRetentionPeriod", "automated backups")
        for r in self.pointing(s.resource, "sourceDbInstanceArn"):
            days, unknown = _days(r.get("retentionPeriod"), _DEFAULT_DAYS[r.type])
            yield Copy(s, f"automated backups replicated by {r.name!r}", r, region_of(r),
                       keep_days=days, keep_unknown=unknown)
        yield from self._snapshots(s, RDS_SNAPSHOT, "dbInstanceIdentifier",
                                   "sourceDbSnapshotIdentifier")

    def _aurora(self, s: Store) -> Iterator[Copy]:
        for r in self.pointing(s.resource, "replicationSourceIdentifier"):
            yield Copy(s, f"replica cluster {r.name!r}", r, region_of(r))
        # A global database: every other member cluster holds the data.
        globals_ = self.ix.refs(s.resource, "globalClusterIdentifier", (RDS_GLOBAL_CLUSTER,))
        globals_ += self.pointing(s.resource, "sourceDbClusterIdentifier")
        seen = {s.resource.urn}
        for gc in globals_:
            for member in self.pointing(gc, "globalClusterIdentifier"):
                if member.urn not in seen:
                    seen.add(member.urn)
                    yield Copy(s, f"global database cluster {member.name!r}", member,
                               region_of(member), related=(gc,))
        yield from self._automated(s, "backupRetentionPeriod", "automated backups")
        yield from self._snapshots(s, RDS_CLUSTER_SNAPSHOT, "dbClusterIdentifier",
                                   "sourceDbClusterSnapshotIdentifier")

    def _redshift(self, s: Store) -> Iterator[Copy]:
        yield from self._automated(s, "automatedSnapshotRetentionPeriod", "automated snapshots")
        manual = s.get("manualSnapshotRetentionPeriod")
        if manual is not None:  # applies to manual snapshots someone takes later
            days, unknown = _days(manual, FOREVER)
            yield Copy(s, "manual snapshots", s.resource, s.region, keep_days=days,
                       keep_unknown=unknown)
        yield from self._snapshots(s, REDSHIFT_SNAPSHOT, "clusterIdentifier",
                                   retention_prop="manualSnapshotRetentionPeriod")
        for cp in self.pointing(s.resource, "clusterIdentifier", REDSHIFT_SNAPSHOT_COPY):
            days, unknown = _days(cp.get("retentionPeriod"), _DEFAULT_DAYS[cp.type])
            grants = self.ix.refs(cp, "snapshotCopyGrantName", (REDSHIFT_COPY_GRANT,))
            yield Copy(s, f"snapshot copy {cp.name!r}", cp,
                       known_str(cp.get("destinationRegion")), keep_days=days,
                       keep_unknown=unknown, related=tuple(grants))

    def _ebs(self, s: Store) -> Iterator[Copy]:
        yield from self._snapshots(s, EBS_SNAPSHOT, "volumeId")

    # --- AWS Backup ----------------------------------------------------------------------

    def _backup_plans(self, s: Store) -> Iterator[Copy]:
        ix = self.ix
        for plan in ix.graph.of_type(BACKUP_PLAN):
            selections = self.pointing(plan, "planId")
            covered = [c for c in (selects(ix, sel, s) for sel in selections) if c is not False]
            if not covered:
                continue
            certain = True in covered
            plan_region = region_of(plan)
            if plan_region and s.region and plan_region != s.region:
                continue  # a plan backs up resources of its own region only
            related = tuple(sel for sel in selections)
            for rule in plan.get("rules") or []:
                if not isinstance(rule, dict):
                    continue
                name = rule.get("ruleName") or "?"
                days, unknown = _lifecycle_days(rule.get("lifecycle"))
                vault = ix.lookup(rule.get("targetVaultName"), (BACKUP_VAULT,))
                yield Copy(s, f"AWS Backup plan {plan.name!r} (rule {name!r})", plan,
                           region_of(vault[0]) if vault else plan_region or s.region,
                           keep_days=days, keep_unknown=unknown, certain=certain,
                           related=related + tuple(vault))
                for action in rule.get("copyActions") or []:
                    if not isinstance(action, dict):
                        continue
                    dest = action.get("destinationVaultArn")
                    target = ix.lookup(dest, (BACKUP_VAULT,))
                    region, account = arn_region_account(dest)
                    if target:
                        region = region_of(target[0]) or region
                    days, unknown = _lifecycle_days(action.get("lifecycle"))
                    yield Copy(s, f"AWS Backup plan {plan.name!r} copy (rule {name!r})", plan,
                               region, account=account,
                               account_unknown=has_unknown(dest) or dest is None,
                               keep_days=days, keep_unknown=unknown, certain=certain,
                               related=related + tuple(target))


def _lifecycle_days(lifecycle: Any) -> tuple[float | None, bool]:
    """Days a recovery point is kept: `deleteAfter`, else forever (AWS Backup's default)."""
    if lifecycle is None:
        return FOREVER, False
    if not isinstance(lifecycle, Mapping):
        return None, True
    return _days(lifecycle.get("deleteAfter"), FOREVER)


def _tag_matches(tags: Mapping[str, Any], key: Any, value: Any, like: bool) -> bool | None:
    if has_unknown(key) or has_unknown(value):
        return None
    actual = tags.get(str(key))
    if actual is None:
        return False
    if has_unknown(actual):
        return None
    return glob_match(str(value), str(actual)) if like else str(actual) == str(value)


def _any(results: Iterable[bool | None]) -> bool | None:
    out: bool | None = False
    for r in results:
        if r is True:
            return True
        if r is None:
            out = None
    return out


def _all(results: Iterable[bool | None]) -> bool | None:
    out: bool | None = True
    for r in results:
        if r is False:
            return False
        if r is None:
            out = None
    return out


def selects(ix: Index, selection: Resource, s: Store) -> bool | None:
    """Whether an AWS Backup selection covers the store: its resources (ARN patterns) or its
    tags (any), and all its conditions, minus its not-resources. None: cannot tell offline."""
    arn = s.arn
    tags = s.resource.tags

    def arn_in(patterns: Any) -> bool | None:
        if patterns is None:
            return False
        if has_unknown(patterns) or not isinstance(patterns, list):
            return None
        deps = {u for u in selection.property_dependencies.get("resources", ())}
        if s.resource.urn in deps:
            return True
        return _any(None if has_unknown(p) or arn is None else glob_match(str(p), arn)
                    for p in patterns)

    tag_list = selection.get("selectionTags")
    by_tags: bool | None = False
    if has_unknown(tag_list):
        by_tags = None
    elif isinstance(tag_list, list):
        by_tags = _any(_tag_matches(tags, t.get("key"), t.get("value"), False)
                       for t in tag_list if isinstance(t, dict))
    chosen = _any((arn_in(selection.get("resources")), by_tags))
    if chosen is False:
        return False
    conditions = selection.get("conditions")
    if has_unknown(conditions):
        return None
    checks: list[bool | None] = []
    for block in conditions if isinstance(conditions, list) else []:
        for op, items in (block.items() if isinstance(block, dict) else ()):
            for item in items if isinstance(items, list) else []:
                if not isinstance(item, dict):
                    continue
                key = str(item.get("key", "")).removeprefix("aws:ResourceTag/")
                hit = _tag_matches(tags, key, item.get("value"), "Like" in op)
                checks.append(hit if not op.startswith("stringNot") or hit is None else not hit)
    excluded = arn_in(selection.get("notResources"))
    return _all((chosen, _all(checks), None if excluded is None else not excluded))


def replication_destinations(s: Store) -> list[tuple[Any, Resource]]:
    """(destination, the resource declaring it) for the bucket's enabled replication; the
    destination is UNKNOWN where the rules, a rule or its destination cannot be read offline."""
    out: list[tuple[Any, Resource]] = []
    inline = s.get("replicationConfiguration")
    holders = [(h, h.get("rules")) for h in s.helper("replication")]
    if inline is not None:
        holders.append((s.resource, inline.get("rules") if isinstance(inline, dict)
                        else inline))
    for holder, rules in holders:
        if has_unknown(rules) and not isinstance(rules, list):
            out.append((UNKNOWN, holder))
            continue
        for rule in rules or []:
            dest = rule.get("destination") if isinstance(rule, dict) else rule
            status = rule.get("status", "Enabled") if isinstance(rule, dict) else None
            if status == "Disabled":
                continue
            if isinstance(dest, dict):
                out.append((dest, holder))
            elif has_unknown(dest) or has_unknown(status):
                out.append((UNKNOWN, holder))
    return out


def copies(ix: Index) -> Copies:
    return ix.memo("copies", Copies)


__all__ = ["FOREVER", "Copies", "Copy", "arn_region_account", "copies",
           "replication_destinations", "selects"]
