"""Erase one subject's items from a DynamoDB table.

Items are found by Query on the subject key: on the index the catalog names, or on the table
when the subject key is its partition key. Only when neither holds (the catalog declares no key
DynamoDB can query) is the table Scanned with a filter, and the run says so. BatchWriteItem
takes 25 deletes per call and is not atomic: UnprocessedItems are retried with backoff.
"""

from __future__ import annotations

import json
import queue
import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from guardian.erasure.backups import dynamodb_backups, point_in_time
from guardian.erasure.store import Copy, DeleteResult, Ref, StoreError

BATCH = 25  # BatchWriteItem limit
TYPES = {"string": "S", "number": "N"}  # the catalog's subject_type -> AttributeValue type
TYPE_NAMES = {"S": "string", "N": "number", "B": "binary", "SS": "string set",
              "NS": "number set", "BS": "binary set", "L": "list", "M": "map",
              "BOOL": "boolean", "NULL": "null"}
RETRIES = 8
STREAM_HOURS = 24


@dataclass(frozen=True)
class DynamoStore:
    client: Any
    table: str
    subject_key: str
    value: dict[str, str]  # the subject id as an AttributeValue of the declared type
    key_attrs: tuple[str, ...]  # the table's primary key
    mode: str  # query | query-index | scan
    index: str | None = None
    description: Any = None  # DescribeTable's Table, for the outliving copies
    batch_size: int = BATCH
    backoff: float = 0.05  # seconds, doubled on each retry
    segments: int = 1  # a Scan's parallel segments (TotalSegments)

    @classmethod
    def connect(cls, client: Any, table: str, subject_key: str, index: str | None,
                subject: str, subject_type: str = "string", *,
                segments: int = 1) -> DynamoStore:
        """The table as the catalog describes it; StoreError when it is not (no such index,
        an index on another key, a key of another type than the declared `subject_type`)."""
        desc = client.describe_table(TableName=table)["Table"]
        key_attrs = tuple(k["AttributeName"] for k in desc["KeySchema"])
        types = {a["AttributeName"]: a["AttributeType"] for a in desc["AttributeDefinitions"]}
        if index:
            indexes = {i["IndexName"]: i for i in (*desc.get("GlobalSecondaryIndexes", ()),
                                                   *desc.get("LocalSecondaryIndexes", ()))}
            if index not in indexes:
                raise StoreError(f"table {table} has no index {index!r} "
                                 f"(it has: {', '.join(sorted(indexes)) or 'none'})")
            if _hash_key(indexes[index]["KeySchema"]) != subject_key:
                raise StoreError(f"index {index!r} of table {table} is not keyed on "
                                 f"{subject_key!r}")
            mode = "query-index"
        elif _hash_key(desc["KeySchema"]) == subject_key:
            mode = "query"
        else:
            mode = "scan"
        declared = TYPES[subject_type]
        kind = types.get(subject_key, "?")
        if mode != "scan" and kind != declared:
            raise StoreError(
                f"{table}.{subject_key} is a key of type {kind} ({TYPE_NAMES.get(kind, kind)}) "
                f"but the catalog declares subject_type {subject_type}: ids would not compare "
                f"as the table does; set subject_type in the catalog's storage entry")
        return cls(client, table, subject_key, {declared: subject}, key_attrs, mode, index, desc,
                   segments=segments if mode == "scan" else 1)

    @property
    def warning(self) -> str | None:
        if self.mode != "scan":
            return None
        return (f"{self.table}: {self.subject_key!r} is neither the table's partition key nor "
                "a declared index, so the whole table is scanned; declare an index in the "
                "catalog to avoid it")

    @property
    def method(self) -> str:
        segments = f", {self.segments} parallel segments" if self.segments > 1 else ""
        how = {"query": f"Query on the table's key {self.subject_key}",
               "query-index": f"Query on index {self.index}",
               "scan": f"Scan filtered on {self.subject_key} (no key declared{segments})"}[
            self.mode]
        return f"{how}, BatchWriteItem deletes by primary key"

    @property
    def declared(self) -> str:
        return next(iter(self.value))

    def _request(self) -> dict[str, Any]:
        names = {"#s": self.subject_key, **{f"#k{i}": a for i, a in enumerate(self.key_attrs)}}
        values: dict[str, Any] = {":v": self.value}
        projected = [f"#k{i}" for i in range(len(self.key_attrs))]
        if self.mode == "scan":
            # The declared type, and every item holding the attribute as another type, which
            # may be this subject written differently: reported, never skipped in silence.
            condition = "#s = :v OR (attribute_exists(#s) AND NOT attribute_type(#s, :t))"
            values[":t"] = {"S": self.declared}
            projected.append("#s")
        else:
            condition = "#s = :v"
        request: dict[str, Any] = {
            "TableName": self.table,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ProjectionExpression": ", ".join(projected),
            "FilterExpression" if self.mode == "scan" else "KeyConditionExpression": condition,
        }
        if self.index:
            request["IndexName"] = self.index
        else:  # a global index cannot be read consistently; the table can
            request["ConsistentRead"] = True
        return request

    def pages(self) -> Iterator[list[Ref]]:
        operation = "scan" if self.mode == "scan" else "query"
        if self.segments > 1:
            found = _segmented(self.client.get_paginator("scan"), self._request(), self.segments)
        else:
            found = self.client.get_paginator(operation).paginate(**self._request())
        for page in found:
            refs = (self._ref(item) for item in page.get("Items", ()))
            yield [r for r in refs if r is not None]

    def _ref(self, item: dict[str, Any]) -> Ref | None:
        key = {a: item[a] for a in self.key_attrs}
        ident = json.dumps(key, sort_keys=True)
        label = ", ".join(f"{a}={next(iter(v.values()))}" for a, v in key.items())
        found = item.get(self.subject_key, self.value)
        if found == self.value:
            return Ref(ident, key, label)
        if not _mentions(found, next(iter(self.value.values()))):
            return None  # another type and another subject
        kind = next(iter(found), "?")
        return Ref(ident, key, label, blocked=(
            f"{self.subject_key} holds the id as {TYPE_NAMES.get(kind, kind)} ({kind}), not as "
            f"the declared {TYPE_NAMES[self.declared]}: left in place; fix the item or the "
            "catalog's subject_type"))

    def delete(self, refs: list[Ref]) -> DeleteResult:
        """BatchWriteItem; a key counts as deleted unless it is still in UnprocessedItems after
        the retries."""
        pending = [{"DeleteRequest": {"Key": dict(r.key)}} for r in refs]
        for attempt in range(RETRIES + 1):
            response = self.client.batch_write_item(RequestItems={self.table: pending})
            pending = response.get("UnprocessedItems", {}).get(self.table, [])
            if not pending:
                break
            if attempt < RETRIES:  # full jitter, as AWS advises for batch leftovers
                time.sleep(random.uniform(0, self.backoff * 2**attempt))
        left = {json.dumps(p["DeleteRequest"]["Key"], sort_keys=True) for p in pending}
        reason = f"UnprocessedItems after {RETRIES} retries"
        return DeleteResult(deleted=frozenset(r.id for r in refs if r.id not in left),
                            failed={r.id: reason for r in refs if r.id in left})

    def confirm(self, listed: list[Ref]) -> list[Ref]:
        if self.mode != "query-index":
            return listed  # read with ConsistentRead
        # A global index catches up asynchronously: confirm each hit on the table itself.
        return [r for r in listed if self.client.get_item(
            TableName=self.table, Key=dict(r.key), ConsistentRead=True).get("Item")]

    @property
    def arn(self) -> str | None:
        return (self.description or {}).get("TableArn")

    def outliving(self) -> list[Copy]:
        now = datetime.now(UTC)
        copies = [*point_in_time(self.client, self.table, now),
                  *dynamodb_backups(self.client, self.table)]
        spec = (self.description or {}).get("StreamSpecification") or {}
        if spec.get("StreamEnabled"):
            copies.append(Copy("streams", f"the table's stream ({spec.get('StreamViewType')}) "
                               f"keeps the deletions' records for {STREAM_HOURS} hours",
                               _iso(now + timedelta(hours=STREAM_HOURS))))
        replicas = [r.get("RegionName") for r in (self.description or {}).get("Replicas", ())]
        if replicas:
            copies.append(Copy("replicas", "global table replicas in " + ", ".join(replicas) +
                               " receive the deletes asynchronously"))
        return copies


_END = object()


def _segmented(paginator: Any, request: dict[str, Any], segments: int) -> Iterator[Any]:
    """The pages of a parallel Scan, as they come: one thread per segment (TotalSegments), so
    a large table is read at several partitions' speed. A segment's error is raised here;
    closing the iterator early stops the threads after the page they are reading."""
    pages: queue.Queue[Any] = queue.Queue(maxsize=2 * segments)
    stop = threading.Event()

    def read(segment: int) -> None:
        try:
            for page in paginator.paginate(**request, Segment=segment, TotalSegments=segments):
                while not stop.is_set():
                    try:
                        pages.put(page, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pages.put(_END)
        except Exception as exc:  # noqa: BLE001 - handed to the reader, which raises it
            pages.put(exc)

    threads = [threading.Thread(target=read, args=(n,), daemon=True,
                                name=f"guardian-scan-{n}") for n in range(segments)]
    for t in threads:
        t.start()
    try:
        running = segments
        while running:
            item = pages.get()
            if item is _END:
                running -= 1
            elif isinstance(item, Exception):
                raise item
            else:
                yield item
    finally:
        stop.set()
        while any(t.is_alive() for t in threads):
            try:  # unblock a segment waiting to hand over a page
                pages.get(timeout=0.1)
            except queue.Empty:
                pass
        for t in threads:
            t.join()


def _mentions(value: Any, subject: str) -> bool:
    """Whether an AttributeValue of any type holds the subject id: the same text, the same
    number, or a set, list or map with such an element."""
    if not isinstance(value, dict) or len(value) != 1:
        return False
    (kind, v), = value.items()
    if kind == "S":
        return bool(v == subject or _same_number(v, subject))
    if kind == "N":
        return _same_number(v, subject)
    if kind in ("SS", "NS"):
        return any(_mentions({kind[0]: x}, subject) for x in v or ())
    if kind == "L":
        return any(_mentions(x, subject) for x in v or ())
    if kind == "M":
        return any(_mentions(x, subject) for x in (v or {}).values())
    return False


def _same_number(a: Any, b: str) -> bool:
    try:
        return Decimal(str(a)) == Decimal(b)
    except (InvalidOperation, ValueError):
        return False


def _hash_key(schema: list[dict[str, str]]) -> str | None:
    return next((k["AttributeName"] for k in schema if k["KeyType"] == "HASH"), None)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")
