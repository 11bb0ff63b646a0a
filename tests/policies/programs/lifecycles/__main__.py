"""Lifecycle rules whose day counts, filters or status mix known and unknown values (a day count
from another stack is unknown offline). Profiles keeps data 90 days, under users/ in each
bucket (the cases' catalog). Within one configuration S3 applies the soonest rule reaching an
object; of two configurations for one bucket either may be in force."""

import sys
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import teamkit as kit  # noqa: E402

settings = pulumi.StackReference("acme/retention/prod")
UNKNOWN_DAYS = settings.get_output("days")
UNKNOWN_PREFIX = settings.get_output("prefix")
UNKNOWN_STATUS = settings.get_output("status")


def rule(days: Any = None, *, old: Any = None, prefix: Any = None, tag: bool = False,
         status: Any = "Enabled") -> dict[str, Any]:
    out: dict[str, Any] = {"id": "r", "status": status, "filter": {}}
    if prefix is not None:
        out["filter"] = {"prefix": prefix}
    if tag:
        out["filter"] = {"tag": {"key": "class", "value": "temporary"}}
    if days is not None:
        out["expiration"] = {"days": days}
    if old is not None:
        out["noncurrent_version_expiration"] = {"noncurrent_days": old}
    return out


def bucket(name: str, *configs: list[dict[str, Any]]) -> None:
    b = kit.bucket(name, "profiles", expiration_days=None, noncurrent_days=None)
    for i, rules in enumerate(configs):
        aws.s3.BucketLifecycleConfiguration(f"{name}-lifecycle{i or ''}", bucket=b.id,
                                            rules=rules)


# Current objects (GRD-RET-001). A known rule reaching all of the data within the retention
# passes whatever an unknown rule says (it can only remove data sooner); over it, the unknown
# rule might remove it in time: unknown, never a failure.
bucket("mix-90-unknown", [rule(90, old=7), rule(UNKNOWN_DAYS, old=7)])
bucket("mix-91-unknown", [rule(91, old=7), rule(UNKNOWN_DAYS, old=7)])
bucket("mix-91-unknown-prefix", [rule(91, old=7), rule(30, old=7, prefix=UNKNOWN_PREFIX)])
bucket("mix-91-unknown-status", [rule(91, old=7), rule(30, old=7, status=UNKNOWN_STATUS)])
bucket("mix-unknown-only", [rule(UNKNOWN_DAYS, old=7)])
# Filters: a prefix holding all of the data counts, a narrower one or a tag filter does not
bucket("prefix-users-90", [rule(90, old=7, prefix="users/")])
bucket("prefix-users-91", [rule(91, old=7, prefix="users/")])
bucket("prefix-narrower-30", [rule(30, old=7, prefix="users/eu/"), rule(91, old=7)])
bucket("prefix-narrower-only", [rule(30, old=7, prefix="users/eu/")])
bucket("tag-30-plain-91", [rule(30, old=7, tag=True), rule(91, old=7)])
bucket("prefix-90-unknown-prefix", [rule(90, old=7, prefix="users/"),
                                    rule(UNKNOWN_DAYS, prefix=UNKNOWN_PREFIX)])
# Two configurations, one known, one unknown: the known one decides only a failure
bucket("two-90-unknown", [rule(90, old=7)], [rule(UNKNOWN_DAYS, old=7)])
bucket("two-91-unknown", [rule(91, old=7)], [rule(UNKNOWN_DAYS, old=7)])
# Old versions (GRD-RET-002), the same cases; current objects expire after 30 days
bucket("old-90-unknown", [rule(30, old=90), rule(30, old=UNKNOWN_DAYS)])
bucket("old-91-unknown", [rule(30, old=91), rule(30, old=UNKNOWN_DAYS)])
bucket("old-two-90-unknown", [rule(30, old=90)], [rule(30, old=UNKNOWN_DAYS)])
bucket("old-two-91-unknown", [rule(30, old=91)], [rule(30, old=UNKNOWN_DAYS)])
bucket("old-prefix-narrower", [rule(30, old=30, prefix="users/eu/"), rule(30, old=91)])
