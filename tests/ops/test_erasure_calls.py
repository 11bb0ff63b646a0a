"""Erasure makes the fewest API calls that erase and certify: per store, one call to learn how
to list it, the listing pages, the delete batches, the probes for copies that outlive the
erasure, and one more listing, which is both the round that finds nothing left and the
verification. Counted on the wire (botocore's before-call event) against the moto server."""

from __future__ import annotations

from collections import Counter
from typing import Any

from guardian.erasure.journal import Journal
from guardian.erasure.plan import plan_erasure
from guardian.erasure.run import erase
from tests.ops import seed
from tests.ops.conftest import REGION


class Counted:
    """The clients, with every API call they make counted by operation."""

    def __init__(self, clients: Any) -> None:
        self.clients, self.calls = clients, Counter[str]()
        self._seen: set[int] = set()

    def __call__(self, service: str, region: str | None = None) -> Any:
        client = self.clients(service, region)
        if id(client) not in self._seen:
            self._seen.add(id(client))
            client.meta.events.register("before-call", self._count)
        return client

    def _count(self, model: Any = None, **_: Any) -> None:
        self.calls[model.name] += 1


def test_calls_are_the_minimum_plus_one_listing_per_store(clients, example_catalog, tmp_path):
    # 30 S3 versions (one page, one DeleteObjects) and 60 items (one page, 3 BatchWriteItem)
    # for the subject; a neighbour whose id extends it is listed by neither.
    seed.example_stores(clients, example_catalog, REGION, ["abc", "abcd"], 30,
                        datasets=["customer_profiles"])
    seed.dynamo_items(clients("dynamodb", REGION), "acme-customer-index",
                      ({"customer_id": "abc", "sk": f"more{i}"} for i in range(30)))
    counted = Counted(clients)
    plan = plan_erasure(example_catalog, "abc", ["customer_profiles"])
    journal = Journal.open(tmp_path / "j.jsonl", "abc", plan.datasets, "catalog.yaml")
    cert = erase(plan, counted, REGION, journal)
    assert cert["complete"] and cert["deleted"] == 30 + 60
    s3 = {"GetBucketVersioning": 1, "ListObjectVersions": 1 + 1, "DeleteObjects": 1,
          "GetBucketReplication": 1, "GetBucketLogging": 1}
    dynamodb = {"DescribeTable": 1, "Query": 1 + 1, "BatchWriteItem": 3,
                "DescribeContinuousBackups": 1, "ListBackups": 1}
    backup = {"ListRecoveryPointsByResource": 2}  # one per store
    assert counted.calls == Counter(s3) + Counter(dynamodb) + Counter(backup)


def test_a_listing_over_several_pages_is_made_once_and_confirmed_once(clients, example_catalog,
                                                                      tmp_path):
    # 1,050 versions: two pages of ListObjectVersions, two DeleteObjects. Deleting a page
    # before the next is listed makes a listing lose its place (moto's does), and costs a
    # round of listings more.
    s3 = clients("s3", REGION)
    seed.s3_bucket(s3, "acme-marketing-engagement", REGION, versioned=True)
    seed.s3_objects(s3, "acme-marketing-engagement", "subscribers/{subject_id}/", ["abc"], 350,
                    versions=3)
    seed.s3_objects(s3, "acme-marketing-engagement", "subscribers/{subject_id}/", ["abcd"], 3)
    counted = Counted(clients)
    plan = plan_erasure(example_catalog, "abc", ["marketing_engagement"])
    journal = Journal.open(tmp_path / "j.jsonl", "abc", plan.datasets, "catalog.yaml")
    cert = erase(plan, counted, REGION, journal)
    assert cert["complete"] and cert["deleted"] == 1050
    assert counted.calls["ListObjectVersions"] == 2 + 1
    assert counted.calls["DeleteObjects"] == 2
    left = s3.list_object_versions(Bucket="acme-marketing-engagement")["Versions"]
    assert {v["Key"].split("/")[1] for v in left} == {"abcd"}
