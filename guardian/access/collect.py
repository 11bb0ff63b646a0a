"""Everything the catalog says is stored about one subject, read from its stores: the right of
access (GDPR Art. 15) and to portability (Art. 20), the CCPA's right to know.

The stores are the erasure plan's (same subject id checks, same legal-hold and subject-type
rules: guardian.erasure.plan), read, never changed:

- S3: the current objects under the subject's prefix (ListObjectsV2, GetObject);
- DynamoDB: the subject's items found as erasure finds them (Query on the key or the declared
  index; a Scan only where neither holds), read whole with BatchGetItem;
- databases: the subject's rows and their child rows found as erasure finds them
  (guardian.erasure.database), the catalog's `columns` of each (every column by default).

Sizes are known before any object is read, so a package over its limit is refused before
anything is fetched. Credentials never enter the package.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from guardian.erasure.dynamodb import DynamoStore
from guardian.erasure.plan import Plan, Target
from guardian.erasure.store import StoreError

GET_BATCH = 100  # BatchGetItem limit
Clients = Callable[[str, str], Any]
Progress = Callable[[str, int], None]


def plain(value: Any) -> Any:
    """A database or DynamoDB value as JSON can hold it, losslessly where JSON can."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and abs(value) < 2**53 \
            else str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return {"base64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, set | frozenset):
        return sorted((plain(v) for v in value), key=str)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


@dataclass
class Found:
    """What one store holds about the subject."""

    target: Target
    method: str = ""
    records: list[dict[str, Any]] = field(default_factory=list)  # items or rows, as JSON
    objects: list[dict[str, Any]] = field(default_factory=list)  # s3: key, size, modified
    blobs: dict[str, bytes] = field(default_factory=dict)  # s3: key -> content
    rows: dict[str, int] | None = None  # databases: rows per table
    error: str | None = None

    @property
    def count(self) -> int:
        return len(self.records) + len(self.objects)

    @property
    def size(self) -> int:
        return sum(int(o["size"]) for o in self.objects)


def _s3(t: Target, clients: Clients, region: str, fetch: bool) -> Found:
    assert t.prefix is not None
    s3 = clients("s3", region)
    found = Found(t, f"objects under s3://{t.store}/{t.subject_key}")
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=t.store, Prefix=t.prefix):
        for obj in page.get("Contents", ()):
            found.objects.append({"key": obj["Key"], "size": int(obj["Size"]),
                                  "last_modified": plain(obj.get("LastModified"))})
    if fetch:
        for obj in found.objects:
            body = s3.get_object(Bucket=t.store, Key=obj["key"])["Body"]
            found.blobs[obj["key"]] = body.read()
    return found


def _dynamodb(t: Target, clients: Clients, region: str, subject: str, fetch: bool) -> Found:
    from boto3.dynamodb.types import TypeDeserializer

    ddb = clients("dynamodb", region)
    assert t.subject_key is not None
    store = DynamoStore.connect(ddb, t.store, t.subject_key, t.index, subject, t.subject_type,
                                segments=t.segments)
    keys = [r.key for page in store.pages() for r in page if not r.blocked]
    found = Found(t, store.method)
    if not fetch:
        found.records = [{} for _ in keys]
        return found
    load = TypeDeserializer().deserialize
    for start in range(0, len(keys), GET_BATCH):
        request: dict[str, Any] = {t.store: {"Keys": keys[start:start + GET_BATCH],
                                             "ConsistentRead": True}}
        while request:
            answer = ddb.batch_get_item(RequestItems=request)
            for item in answer.get("Responses", {}).get(t.store, ()):
                found.records.append({k: plain(load(v)) for k, v in sorted(item.items())})
            request = answer.get("UnprocessedKeys") or {}
    return found


def _database(t: Target, clients: Clients, region: str, subject: str, fetch: bool) -> Found:
    from guardian.erasure import database, sql

    assert t.storage is not None and t.storage.connection is not None
    conn, dialect = sql.connect(t.storage, clients, region)
    try:
        rows = database.Rows(conn, dialect, t.storage, subject)
        found_rows = [r for g in rows.groups() for r in g]
        found = Found(t, f"rows and child rows through {t.storage.connection.method}",
                      rows=database.counts(found_rows, rows.nodes))
        if fetch:
            found.records = plain(rows.read(sorted(found_rows, key=lambda r: r.node)))
        else:
            found.records = [{} for _ in found_rows]
    finally:
        conn.close()
    return found


def collect(plan: Plan, clients: Clients, region: str, *, fetch: bool = True,
            progress: Progress | None = None) -> Iterator[Found]:
    """Each active target's data (with `fetch`; else only what is there and how big), in
    plan order. A store that cannot be read as the catalog describes it is reported with the
    reason (`Found.error`); an outage propagates."""
    from guardian.erasure.run import store_failure

    for t in plan.active:
        here = t.region or region
        try:
            if t.kind == "s3":
                found = _s3(t, clients, here, fetch)
            elif t.storage is not None:
                found = _database(t, clients, here, plan.subject, fetch)
            else:
                found = _dynamodb(t, clients, here, plan.subject, fetch)
        except Exception as exc:
            reason = store_failure(exc)
            if reason is None:
                raise
            found = Found(t, error=reason)
        if progress:
            progress(t.key, found.count)
        yield found


__all__ = ["Found", "StoreError", "collect", "plain"]
