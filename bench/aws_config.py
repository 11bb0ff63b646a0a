"""Organisation audit from an AWS Config aggregator against the direct fan-out, on the same data.

The organisation of bench/organization.py (N member accounts, default 50; in each, in two
regions, 5 S3 buckets and 5 DynamoDB tables) is seeded into a moto server on 127.0.0.1, and the
same resources are written as AWS Config configuration items (with a configuration recorder
item per account and region) into the test suite's aggregator server (tests/ops/
config_server.py, in front of moto). Then the organisation is read three ways, each with the
pool of P accounts (default 8): directly (`--organization`: every service in every account and
region, through the assumed role), from Config alone (what Config does not record left
unknown), and from Config with direct reads for the rest (`--assume-role`). Every API call is
counted with botocore's event hooks, by operation.

    python bench/aws_config.py                  # 50 accounts x 2 regions x 10 stores
    python bench/aws_config.py --accounts 5     # quicker

Locally every call is answered in about a millisecond; against AWS, Config's own request
rates bound the Config source (and each account's service quotas the direct one).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from erase import moto_server  # bench/erase.py: a moto server on a free port
from organization import REGIONS, ROLE, STORES, Counting, counted_clients, seed

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # tests.ops.config_server

AGGREGATOR = "bench-aggregator"
CAPTURED = "2026-12-01T08:00:00.000Z"


def item(account: str, region: str, rtype: str, name: str, arn: str, configuration: Any,
         supplementary: dict[str, Any] | None = None) -> dict[str, Any]:
    """A configuration item in the documented wire shape (configuration as a JSON string)."""
    return {"version": "1.3", "accountId": account, "awsRegion": region, "resourceType": rtype,
            "resourceId": name, "resourceName": name, "arn": arn,
            "configurationItemCaptureTime": CAPTURED, "configurationItemStatus": "OK",
            "configuration": json.dumps(configuration), "tags": {},
            "supplementaryConfiguration": {k: json.dumps(v) for k, v in
                                           (supplementary or {}).items()}}


def items_of(url: str, accounts: list[str]) -> list[dict[str, Any]]:
    """The seeded organisation as Config would hold it: what moto says of each bucket's ACL
    owner, every table as seeded, an all-types recorder in each account and region."""
    import boto3

    owner = boto3.client("s3", endpoint_url=url, region_name=REGIONS[0]).list_buckets()[
        "Owner"]["ID"]
    out = []
    for n, account in enumerate(accounts):
        for region in REGIONS:
            out.append(item(account, region, "AWS::Config::ConfigurationRecorder", "default",
                            f"arn:aws:config:{region}:{account}:config-recorder/default", {
                                "Name": "default", "Recording": True, "RecordingGroup": {
                                    "AllSupported": True, "IncludeGlobalResourceTypes": True}}))
            for i in range(STORES):
                name = f"b{n}-{region}-{i}"
                out.append(item(account, region, "AWS::S3::Bucket", name,
                                f"arn:aws:s3:::{name}", {"name": name}, {
                                    "AccessControlList": {"grantList": [
                                        {"grantee": {"id": owner, "displayName": None},
                                         "permission": "FullControl"}],
                                        "owner": {"id": owner, "displayName": None}},
                                    "BucketPolicy": {"policyText": None},
                                    "BucketVersioningConfiguration": {"status": "Off"},
                                    "BucketLoggingConfiguration": {
                                        "destinationBucketName": None}}))
                table = f"t{i}"
                out.append(item(account, region, "AWS::DynamoDB::Table", table,
                                f"arn:aws:dynamodb:{region}:{account}:table/{table}", {
                                    "tableName": table,
                                    "tableArn": f"arn:aws:dynamodb:{region}:{account}:table/"
                                                f"{table}",
                                    "keySchema": [{"attributeName": "id", "keyType": "HASH"}],
                                    "attributeDefinitions": [{"attributeName": "id",
                                                              "attributeType": "S"}],
                                    "billingModeSummary": {"billingMode": "PAY_PER_REQUEST"}},
                                {"ContinuousBackupsDescription": {
                                    "continuousBackupsStatus": "ENABLED",
                                    "pointInTimeRecoveryDescription": {
                                        "pointInTimeRecoveryStatus": "DISABLED"}}}))
    return out


def timed(read: Any) -> tuple[float, Counter[str], Any]:
    counter = Counting()
    start = time.perf_counter()
    graph = read(counter)
    return time.perf_counter() - start, counter.calls, graph


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=50, help="member accounts (50)")
    parser.add_argument("--parallel", type=int, default=8, help="the pool's size (8)")
    args = parser.parse_args()
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                        ("AWS_DEFAULT_REGION", REGIONS[0])):
        os.environ.setdefault(name, value)
    with moto_server() as url:
        return run(url, args)


def run(url: str, args: argparse.Namespace) -> int:
    from guardian.graph.aws_config import read_aggregator
    from guardian.graph.organization import organization_accounts, read_organization
    from tests.ops.config_server import Aggregator, ConfigServer

    start = time.perf_counter()
    accounts = seed(url, args.accounts)
    items = items_of(url, accounts)
    print(f"seeded {args.accounts} member accounts x {len(REGIONS)} regions x {2 * STORES} "
          f"stores, and {len(items):,} configuration items, in "
          f"{time.perf_counter() - start:.1f} s", file=sys.stderr)
    server = ConfigServer(url, aggregators={AGGREGATOR: Aggregator(items)}).start()
    stores = ("aws:s3/bucket:Bucket", "aws:dynamodb/table:Table")

    def direct(counter: Counting) -> Any:
        clients = counted_clients(url, counter)
        listed, other = organization_accounts(clients, REGIONS[0])
        return read_organization(clients, [a for a in listed if a in accounts], ROLE, None,
                                 REGIONS[0], REGIONS, parallel=args.parallel)

    def config(role: str | None) -> Any:
        def read(counter: Counting) -> Any:
            return read_aggregator(counted_clients(server.url, counter), AGGREGATOR,
                                   REGIONS[0], accounts=accounts, regions=REGIONS, role=role,
                                   parallel=args.parallel)
        return read

    rows = []
    try:
        for label, read in (("direct fan-out (--organization)", direct),
                            ("AWS Config only", config(None)),
                            ("AWS Config + direct reads (--assume-role)", config(ROLE))):
            seconds, calls, graph = timed(read)
            found = sum(1 for r in graph.resources if r.type in stores)
            rows.append((label, seconds, calls, found, len(graph.gaps)))
    finally:
        server.close()
    print("| source | stores | API calls | Config calls | other calls | gaps | wall |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, seconds, calls, found, gaps in rows:
        config_calls = sum(n for op, n in calls.items() if "AggregateResourceConfig" in op)
        total = sum(calls.values())
        print(f"| {label} | {found:,} | {total:,} | {config_calls:,} | "
              f"{total - config_calls:,} | {gaps:,} | {seconds:.1f} s |")
    for label, _, calls, _, _ in rows:
        top = ", ".join(f"{op} {n:,}" for op, n in calls.most_common(6))
        print(f"\n{label}: {top}")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
