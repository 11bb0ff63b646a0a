"""Backups that still hold a store's data after an erasure: what exists, read from AWS.

An erasure cannot reach into backups. The law does not require restoring them to erase one
person, but the copies must be known, kept beyond use, left to expire, and the erasure applied
again to anything restored from them (ICO guidance on erasure and backups;
../shared/notes/privacy-facts.md). Three sources, each read by one small function:

- DynamoDB point-in-time recovery: a restore to any second of its window (up to 35 days);
- DynamoDB backups of every type (`ListBackups` with `BackupType=ALL`: on-demand `USER`,
  `SYSTEM` and `AWS_BACKUP`; the API's default lists `USER` only);
- AWS Backup recovery points of the resource (`ListRecoveryPointsByResource`), for S3 buckets
  and DynamoDB tables alike.

A source that cannot be read is reported as unknown, never as empty.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from guardian.erasure.store import Copy, probe

PITR_DEFAULT_DAYS = 35
RESTORE = ("if it is restored, erase this subject from the restored copy before it is used")
BACKUP_TYPES = {"USER": "on-demand", "SYSTEM": "system (made by DynamoDB, e.g. before a table "
                "is deleted)", "AWS_BACKUP": "AWS Backup"}


def _iso(moment: datetime) -> str:
    moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _pages(call: Callable[[], Any]) -> Any:
    """Every page of a paginated listing; None when the resource is absent, a string saying
    why when it could not be read (`probe`)."""
    return probe(lambda: list(call()), absent={"ResourceNotFoundException",
                                               "TableNotFoundException"})


def point_in_time(dynamodb: Any, table: str, now: datetime | None = None) -> list[Copy]:
    """The table's point-in-time recovery window, if on."""
    found = probe(lambda: dynamodb.describe_continuous_backups(TableName=table),
                  absent={"TableNotFoundException"})
    if isinstance(found, str):
        return [Copy("backups", f"point-in-time recovery unknown ({found})")]
    pitr = (found or {}).get("ContinuousBackupsDescription", {}).get(
        "PointInTimeRecoveryDescription", {})
    if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
        return []
    days = int(pitr.get("RecoveryPeriodInDays") or PITR_DEFAULT_DAYS)
    until = (now or datetime.now(UTC)) + timedelta(days=days)
    return [Copy("backups", f"point-in-time recovery can restore the erased items for {days} "
                 f"days; {RESTORE}", _iso(until))]


def dynamodb_backups(dynamodb: Any, table: str) -> list[Copy]:
    """DynamoDB backups of every type taken of the table (BackupType=ALL)."""
    pages = _pages(lambda: dynamodb.get_paginator("list_backups").paginate(
        TableName=table, BackupType="ALL"))
    if isinstance(pages, str):
        return [Copy("backups", f"DynamoDB backups unknown ({pages})")]
    summaries = [b for page in pages or () for b in page.get("BackupSummaries", ())
                 if b.get("BackupStatus") != "DELETED"]
    out = []
    for kind, n in sorted(Counter(b.get("BackupType", "USER") for b in summaries).items()):
        mine = [b for b in summaries if b.get("BackupType", "USER") == kind]
        expiring = [b["BackupExpiryDateTime"] for b in mine if b.get("BackupExpiryDateTime")]
        until = _iso(max(expiring)) if len(expiring) == len(mine) else None
        created = min(b["BackupCreationDateTime"] for b in mine
                      if b.get("BackupCreationDateTime")) if any(
            b.get("BackupCreationDateTime") for b in mine) else None
        out.append(Copy("backups", f"{n} DynamoDB {BACKUP_TYPES.get(kind, kind)} backup(s) "
                        + (f"(the oldest from {_iso(created)}) " if created else "")
                        + "hold the items until they are deleted"
                        + ("" if until else " (no expiry set)") + f"; {RESTORE}", until))
    return out


def recovery_points(backup: Any, arn: str) -> list[Copy]:
    """AWS Backup recovery points of the resource (snapshot and continuous)."""
    pages = _pages(lambda: backup.get_paginator("list_recovery_points_by_resource").paginate(
        ResourceArn=arn))
    if isinstance(pages, str):
        return [Copy("backups", f"AWS Backup recovery points unknown ({pages})")]
    points = [p for page in pages or () for p in page.get("RecoveryPoints", ())
              if p.get("Status") not in ("DELETING", "EXPIRED")]
    if not points:
        return []
    vaults = sorted({str(p.get("BackupVaultName", "?")) for p in points})
    dates = [p["CreationDate"] for p in points if p.get("CreationDate")]
    oldest = f", the oldest from {_iso(min(dates))}" if dates else ""
    return [Copy("backups", f"{len(points)} AWS Backup recovery point(s) in vault(s) "
                 f"{', '.join(vaults)}{oldest} hold the data until their lifecycle deletes "
                 f"them; {RESTORE}")]
