"""Erasure cost: API calls against the minimum, and time against deleting one key at a time.

One versioned bucket and one DynamoDB table (GSI on the subject key) hold 100 subjects: two of
them with N objects and N items each, the other 98 with a few. In the same run, subject A is
erased by `guardian erase`'s engine (ListObjectVersions + DeleteObjects by 1,000, Query on the
index + BatchWriteItem by 25, journal, verification, the probes for copies that outlive the
erasure) and subject B is deleted one key at a time (the same listing, then DeleteObject /
DeleteItem per key). Every API call is counted with botocore's event hooks, and set against
the minimum that erases and certifies. Runs against a moto server on 127.0.0.1 that it starts
(or --endpoint-url).

    python bench/erase.py            # N = 10,000 (a few minutes, mostly seeding)
    python bench/erase.py --quick    # N = 1,000
"""

from __future__ import annotations

import argparse
import math
import os
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REGION = "eu-west-1"
BUCKET, TABLE, INDEX = "bench-erasure", "bench-erasure", "by-subject"
TEMPLATE = "subjects/{subject_id}/"


@contextmanager
def moto_server() -> Iterator[str]:
    """The tests' moto server (tests/ops/moto_server.py), serving on a socket bound here and
    handed over: no port is free between choosing it and serving on it, so no other process
    can take it (a port probed, closed and passed as -p could be), and the start is awaited
    with a deadline, failing if the server dies or never answers."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.ops.conftest import start_server, stop_server

    server = start_server(dict(os.environ))
    try:
        yield server.url
    finally:
        stop_server(server)


class CallCounter:
    """Counts API calls (not HTTP attempts: botocore's retries are not calls) and the time
    spent in each operation."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.seconds: Counter[str] = Counter()
        self._started: dict[str, float] = {}
        self._attached: set[int] = set()

    def before(self, model: Any = None, **_: Any) -> None:
        if model is not None:
            self.calls[model.name] += 1
            self._started[model.name] = time.perf_counter()

    def after(self, model: Any = None, **_: Any) -> None:
        if model is not None and model.name in self._started:
            self.seconds[model.name] += time.perf_counter() - self._started.pop(model.name)

    def clear(self) -> None:
        self.calls.clear()
        self.seconds.clear()

    def attach(self, client: Any) -> Any:
        if id(client) not in self._attached:
            self._attached.add(id(client))
            client.meta.events.register("before-call", self.before)
            client.meta.events.register("after-call", self.after)
        return client


def seed(clients: Any, subjects: list[str], big: set[str], n: int, small: int) -> None:
    s3, ddb = clients("s3", REGION), clients("dynamodb", REGION)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    ddb.create_table(
        TableName=TABLE, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": "record_id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "record_id", "AttributeType": "S"},
                              {"AttributeName": "subject_id", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[{"IndexName": INDEX, "KeySchema": [
            {"AttributeName": "subject_id", "KeyType": "HASH"}],
            "Projection": {"ProjectionType": "KEYS_ONLY"}}])
    work = [(s, i) for s in subjects for i in range(n if s in big else small)]

    def put(job: tuple[str, int]) -> None:
        s, i = job
        s3.put_object(Bucket=BUCKET, Key=TEMPLATE.format(subject_id=s) + f"{i:06}.json",
                      Body=b"{}")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(put, work))
    for start in range(0, len(work), 25):
        ddb.batch_write_item(RequestItems={TABLE: [
            {"PutRequest": {"Item": {"record_id": {"S": f"{s}#{i}"}, "subject_id": {"S": s}}}}
            for s, i in work[start:start + 25]]})


def one_at_a_time(clients: Any, subject: str) -> int:
    """The naive way: the same listings, then one delete call per version and per item.

    Everything is listed before anything is deleted: deleting while paginating loses the
    listing's place in moto (a first run of this benchmark deleted 1,000 of 10,000 objects).
    """
    s3, ddb = clients("s3", REGION), clients("dynamodb", REGION)
    prefix = TEMPLATE.format(subject_id=subject)
    versions = [v for page in s3.get_paginator("list_object_versions").paginate(
        Bucket=BUCKET, Prefix=prefix) for v in [*page.get("Versions", ()),
                                                *page.get("DeleteMarkers", ())]]
    items = [i for page in ddb.get_paginator("query").paginate(
        TableName=TABLE, IndexName=INDEX, KeyConditionExpression="subject_id = :s",
        ExpressionAttributeValues={":s": {"S": subject}}) for i in page["Items"]]
    for v in versions:
        s3.delete_object(Bucket=BUCKET, Key=v["Key"], VersionId=v["VersionId"])
    for item in items:
        ddb.delete_item(TableName=TABLE, Key={"record_id": item["record_id"]})
    return len(versions) + len(items)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="N = 1,000 instead of 10,000")
    parser.add_argument("-n", type=int, help="objects and items of each measured subject")
    parser.add_argument("--endpoint-url", help="an already running moto server")
    args = parser.parse_args()
    n = args.n or (1_000 if args.quick else 10_000)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    if args.endpoint_url:
        return run(args.endpoint_url, n)
    with moto_server() as url:
        return run(url, n)


def run(url: str, n: int) -> int:
    from guardian.aws import Clients
    from guardian.catalog.model import Catalog, Dataset, Organization, Retention, Storage
    from guardian.erasure.journal import Journal
    from guardian.erasure.plan import plan_erasure
    from guardian.erasure.run import erase

    subjects = [f"s-{i:03}" for i in range(100)]
    a, b = subjects[0], subjects[1]
    plain = Clients(endpoint_url=url)
    t = time.perf_counter()
    seed(plain, subjects, {a, b}, n, small=10)
    seeded = time.perf_counter() - t

    counter = CallCounter()
    counted = Clients(endpoint_url=url)

    def clients(service: str, region: str | None) -> Any:
        return counter.attach(counted(service, region))

    catalog = Catalog(1, Organization("bench", "bench@example.com"), (Dataset(
        id="bench", name="bench", owner="bench", classification="confidential",
        categories=("user.name",), subjects=("customer",), jurisdictions=("gdpr",),
        residency=("eu",), retention=Retention(30), uses=(),
        storage=(Storage("s3", BUCKET, TEMPLATE), Storage("dynamodb", TABLE, "subject_id",
                                                           index=INDEX))),))
    with tempfile.TemporaryDirectory() as tmp:
        journal = Journal.open(os.path.join(tmp, "j.jsonl"), a, (), "bench")
        t = time.perf_counter()
        cert = erase(plan_erasure(catalog, a), clients, REGION, journal)
        batched = time.perf_counter() - t
    assert cert["complete"] and cert["deleted"] == 2 * n, cert
    batched_calls = Counter(counter.calls)

    batched_seconds = Counter(counter.seconds)
    counter.clear()
    t = time.perf_counter()
    assert one_at_a_time(clients, b) == 2 * n
    naive = time.perf_counter() - t
    naive_calls, naive_seconds = Counter(counter.calls), Counter(counter.seconds)

    # The fewest calls that erase and certify: per store, the call that says how to list it
    # (versioning; the table's keys), the subject's listing pages, the delete batches, and the
    # probes for copies that outlive the erasure, which the certificate must name.
    list_pages = max(1, math.ceil(n / 1000))
    query_pages = max(1, batched_calls["Query"] - 1)  # 1 MB pages: as many as the run needed
    deletes = math.ceil(n / 1000) + math.ceil(n / 25)
    fixed = len(("GetBucketVersioning", "GetBucketReplication", "GetBucketLogging",
                 "ListRecoveryPointsByResource")) + len((
        "DescribeTable", "DescribeContinuousBackups", "ListBackups",
        "ListRecoveryPointsByResource"))
    minimum = list_pages + query_pages + deletes + fixed
    allowed = minimum + 2  # the bound: one more listing per store (the verification)
    made = sum(batched_calls.values())
    print(f"n = {n} objects and {n} items per measured subject, 100 subjects "
          f"(seeding took {seeded:.0f} s)")
    print(f"guardian erase: {made} API calls, {batched:.2f} s")
    for op, count in sorted(batched_calls.items()):
        print(f"    {op:<28}{count:>6} calls {batched_seconds[op]:8.2f} s")
    print(f"minimum: {minimum} = {list_pages} list pages + {query_pages} query pages + "
          f"ceil(n/1000) {math.ceil(n / 1000)} DeleteObjects + ceil(n/25) {math.ceil(n / 25)} "
          f"BatchWriteItem + {fixed} calls to learn how to list each store and to find the "
          "copies that outlive the erasure")
    print(f"over the minimum: {made - minimum} calls ({(made - minimum) / minimum:.1%}); "
          f"bound: the minimum plus one listing per store ({allowed}): "
          f"{'met' if made <= allowed else 'MISSED'}")
    print(f"one key at a time: {sum(naive_calls.values())} API calls, {naive:.2f} s "
          f"({naive / batched:.1f}x the time)")
    for op, count in sorted(naive_calls.items()):
        print(f"    {op:<28}{count:>6} calls {naive_seconds[op]:8.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
