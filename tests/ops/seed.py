"""Put subjects' data into the moto server the way the example catalog says it is stored."""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from guardian.catalog.model import Catalog


def s3_bucket(s3: Any, bucket: str, region: str, *, versioned: bool = False) -> None:
    s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
    if versioned:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})


def s3_objects(s3: Any, bucket: str, template: str, subjects: Iterable[str], n: int,
               *, versions: int = 1) -> int:
    """n objects per subject under the template's prefix, each written `versions` times."""
    def put(args: tuple[str, int]) -> None:
        subject, i = args
        key = template.replace("{subject_id}", subject) + f"doc-{i}.json"
        for v in range(versions):
            s3.put_object(Bucket=bucket, Key=key, Body=f"{subject} {v}")

    work = [(s, i) for s in subjects for i in range(n)]
    with ThreadPoolExecutor(4) as pool:  # the server is threaded; seeding is the slow part
        list(pool.map(put, work))
    return len(work) * versions


def dynamo_table(ddb: Any, table: str, key: str, *, sort: str | None = None,
                 index: tuple[str, str] | None = None) -> None:
    """A table keyed on `key` (and `sort`), with an optional GSI (name, partition key)."""
    attrs = {key, *([sort] if sort else []), *([index[1]] if index else [])}
    spec: dict[str, Any] = {
        "TableName": table,
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"},
                      *([{"AttributeName": sort, "KeyType": "RANGE"}] if sort else [])],
        "AttributeDefinitions": [{"AttributeName": a, "AttributeType": "S"} for a in sorted(attrs)],
        "BillingMode": "PAY_PER_REQUEST",
    }
    if index:
        spec["GlobalSecondaryIndexes"] = [{
            "IndexName": index[0],
            "KeySchema": [{"AttributeName": index[1], "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"},
        }]
    ddb.create_table(**spec)


def dynamo_items(ddb: Any, table: str, items: Iterable[dict[str, str]]) -> int:
    batch: list[dict[str, Any]] = []
    count = 0
    for item in items:
        batch.append({"PutRequest": {"Item": {k: {"S": v} for k, v in item.items()}}})
        count += 1
        if len(batch) == 25:
            ddb.batch_write_item(RequestItems={table: batch})
            batch = []
    if batch:
        ddb.batch_write_item(RequestItems={table: batch})
    return count


def example_stores(clients: Any, catalog: Catalog, region: str, subjects: list[str], n: int,
                   *, versioned: bool = True,
                   datasets: Iterable[str] = ()) -> dict[str, dict[str, int]]:
    """Every store of the example catalog with n records per subject in each.

    acme-customer-index is keyed on customer_id (Query on the table); acme-orders and
    acme-support-tickets are keyed on their own ids with a GSI on customer_id (Query on the
    index). Returns {store: {subject: records}}.
    """
    s3, ddb = clients("s3", region), clients("dynamodb", region)
    counts: dict[str, dict[str, int]] = {}
    chosen = set(datasets)
    for ds in catalog.datasets:
        if chosen and ds.id not in chosen:
            continue
        for st in ds.storage:
            if st.kind == "s3":
                s3_bucket(s3, st.name, region, versioned=versioned)
                assert st.subject_key
                for subject in subjects:
                    s3_objects(s3, st.name, st.subject_key, [subject], n)
                counts[st.name] = {s: n for s in subjects}
            elif st.index:
                dynamo_table(ddb, st.name, "record_id", index=(st.index, "customer_id"))
                dynamo_items(ddb, st.name, ({"record_id": f"{s}#{i}", "customer_id": s}
                                            for s in subjects for i in range(n)))
                counts[st.name] = {s: n for s in subjects}
            else:
                dynamo_table(ddb, st.name, "customer_id", sort="sk")
                dynamo_items(ddb, st.name, ({"customer_id": s, "sk": f"r{i}"}
                                            for s in subjects for i in range(n)))
                counts[st.name] = {s: n for s in subjects}
    return counts


def census(clients: Any, catalog: Catalog, region: str,
           stores: Iterable[str]) -> dict[str, dict[str, int]]:
    """{store: {subject: records}} as the server holds them now (every S3 version counted)."""
    s3, ddb = clients("s3", region), clients("dynamodb", region)
    out: dict[str, dict[str, int]] = {}
    wanted = set(stores)
    for ds in catalog.datasets:
        for st in ds.storage:
            if st.name not in wanted:
                continue
            found: dict[str, int] = {}
            if st.kind == "s3":
                assert st.subject_key
                head = st.subject_key.split("{subject_id}")[0]
                for page in s3.get_paginator("list_object_versions").paginate(Bucket=st.name):
                    for e in [*page.get("Versions", ()), *page.get("DeleteMarkers", ())]:
                        subject = e["Key"][len(head):].split("/")[0]
                        found[subject] = found.get(subject, 0) + 1
            else:
                for page in ddb.get_paginator("scan").paginate(TableName=st.name):
                    for item in page["Items"]:
                        subject = item["customer_id"]["S"]
                        found[subject] = found.get(subject, 0) + 1
            out[st.name] = found
    return out
