"""Organisation audit: `check --live --organization` over many accounts, pooled and sequential.

A moto server on 127.0.0.1 (started here, or --endpoint-url) holds an organisation of N member
accounts (default 50); in each, in two regions, 5 S3 buckets and 5 DynamoDB tables (10 stores
per account and region). The organisation is read by `guardian.graph.organization` through a
role assumed in each account, once one account at a time (--parallel 1) and once with the pool
(--parallel P, default 8); then the rules run on the graph. Every API call is counted with
botocore's event hooks, by operation.

    python bench/organization.py                  # 50 accounts x 2 regions x 10 stores
    python bench/organization.py --accounts 5     # quicker
    python bench/organization.py --latency 50     # each call 50 ms away, as AWS is

Locally moto answers in about a millisecond of CPU, so on a small machine the pool is bound by
moto's CPU, not by waiting; `--latency MS` puts the fault proxy of the tests (tests/ops/proxy.py)
in front of moto, holding each call that long, which is what the pool overlaps against AWS.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from collections import Counter
from typing import Any

from erase import moto_server  # bench/erase.py: a moto server on a free port

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from tests.ops.proxy import FaultProxy  # noqa: E402

REGIONS = ("eu-west-1", "eu-central-1")
ROLE = "GuardianAudit"
STORES = 5  # buckets, and as many tables, per account and region


class Counting:
    """Counts API calls (not HTTP attempts) across every client of every account's session."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self._lock = threading.Lock()

    def before(self, model: Any = None, **_: Any) -> None:
        if model is not None:
            with self._lock:
                self.calls[model.name] += 1


def counted_clients(url: str, counter: Counting) -> Any:
    from guardian.aws import Clients

    class Counted(Clients):
        def __call__(self, service: str, region: str | None = None) -> Any:
            fresh = (service, region) not in self._clients
            client = super().__call__(service, region)
            if fresh:
                client.meta.events.register("before-call", counter.before,
                                           unique_id=f"bench-count-{id(counter)}")
            return client

    return Counted(endpoint_url=url, retry_mode="adaptive", max_attempts=4)


def seed(url: str, accounts: int) -> list[str]:
    import boto3

    from guardian.aws import Clients

    orgs = boto3.client("organizations", region_name="us-east-1", endpoint_url=url)
    orgs.create_organization(FeatureSet="ALL")
    ids = [orgs.create_account(Email=f"a{i}@bench.example", AccountName=f"a{i}")[
        "CreateAccountStatus"]["AccountId"] for i in range(accounts)]
    base = Clients(endpoint_url=url)
    for n, account in enumerate(ids):
        mine = base.assume(f"arn:aws:iam::{account}:role/seed", None, "seed", REGIONS[0])
        for region in REGIONS:
            s3, ddb = mine("s3", region), mine("dynamodb", region)
            for i in range(STORES):
                s3.create_bucket(Bucket=f"b{n}-{region}-{i}",
                                 CreateBucketConfiguration={"LocationConstraint": region})
                ddb.create_table(TableName=f"t{i}", BillingMode="PAY_PER_REQUEST",
                                 KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                                 AttributeDefinitions=[{"AttributeName": "id",
                                                        "AttributeType": "S"}])
    return ids


def audit(url: str, parallel: int) -> tuple[float, Counter[str], Any]:
    from guardian.graph.organization import organization_accounts, read_organization

    counter = Counting()
    clients = counted_clients(url, counter)
    start = time.perf_counter()
    accounts, other = organization_accounts(clients, REGIONS[0])  # counted too
    graph = read_organization(clients, accounts, ROLE, None, REGIONS[0], REGIONS,
                              parallel=parallel, not_active=other)
    return time.perf_counter() - start, counter.calls, graph


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50, help="member accounts (50)")
    parser.add_argument("--parallel", type=int, default=8, help="the pool's size (8)")
    parser.add_argument("--endpoint-url", help="an already running, empty moto server")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="milliseconds each audit call waits first (0)")
    args = parser.parse_args()
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", REGIONS[0])):
        os.environ.setdefault(name, value)
    if args.endpoint_url:
        return run(args.endpoint_url, args)
    with moto_server() as url:
        return run(url, args)


def run(url: str, args: argparse.Namespace) -> int:
    from guardian.check import evaluate

    start = time.perf_counter()
    seed(url, args.accounts)
    print(f"seeded {args.accounts} member accounts x {len(REGIONS)} regions x {2 * STORES} "
          f"stores in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    rows = []
    proxy = FaultProxy(url, latency=args.latency / 1000).start() if args.latency else None
    for parallel in (1, args.parallel):
        seconds, calls, graph = audit(proxy.url if proxy else url, parallel)
        stores = sum(1 for r in graph.resources if r.type in (
            "aws:s3/bucket:Bucket", "aws:dynamodb/table:Table"))
        status = graph.coverage()
        assert not status["failed"] and not status["partial"], status
        rows.append((parallel, seconds, sum(calls.values()), stores, len(status["audited"]),
                     calls))
    from guardian.catalog.model import Catalog, Organization

    t = time.perf_counter()
    report = evaluate(Catalog(1, Organization("bench", "bench@example.com"), ()), graph)
    rules = time.perf_counter() - t
    accounts = rows[0][4]
    print("| pool | accounts | stores | API calls | calls per store | wall | per account |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for parallel, seconds, total, stores, audited, _ in rows:
        print(f"| {parallel} | {audited} | {stores:,} | {total:,} | {total / stores:.1f} "
              f"| {seconds:.1f} s | {seconds / audited:.2f} s |")
    speedup = rows[0][1] / rows[1][1]
    print(f"\npool of {args.parallel}: {speedup:.1f}x faster than one account at a time"
          + (f", each call {args.latency:g} ms away" if args.latency else ""))
    print(f"rules on the organisation's graph ({len(graph.resources):,} resources, "
          f"{len(report.results):,} findings): {rules:.1f} s")
    calls = rows[1][5]
    top = ", ".join(f"{op} {n:,}" for op, n in calls.most_common(12))
    print(f"calls by operation (pooled run): {top}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores "
          f"({accounts} accounts)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
