"""Erase one subject's objects from an S3 bucket: every version under the subject's prefix.

On a versioned bucket a plain delete only adds a delete marker and keeps the data, so the
subject's prefix is listed with ListObjectVersions (versions and delete markers) and each is
deleted by VersionId, which removes it for good. DeleteObjects takes up to 1,000 keys per call
and reports failures per key in `Errors`: transient ones are retried, the rest reported.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from guardian.erasure.store import Copy, DeleteResult, Ref, probe

BATCH = 1000  # DeleteObjects limit
RETRIES = 5
TRANSIENT = frozenset({"InternalError", "SlowDown", "ServiceUnavailable", "RequestTimeout",
                       "OperationAborted", "Throttling", "ThrottlingException"})


@dataclass(frozen=True)
class S3Store:
    client: Any
    bucket: str
    prefix: str
    versioned: bool
    template: str = ""  # the catalog's prefix template, shown instead of the subject's prefix
    batch_size: int = BATCH
    backoff: float = 0.1  # seconds, doubled on each retry

    @classmethod
    def connect(cls, client: Any, bucket: str, prefix: str, template: str) -> S3Store:
        status = client.get_bucket_versioning(Bucket=bucket).get("Status")
        # Suspended still keeps the versions written while versioning was on.
        return cls(client, bucket, prefix, status in ("Enabled", "Suspended"), template)

    @property
    def arn(self) -> str:
        return f"arn:{self.client.meta.partition}:s3:::{self.bucket}"

    @property
    def method(self) -> str:
        if self.versioned:
            return (f"ListObjectVersions (every version and delete marker) under "
                    f"s3://{self.bucket}/{self.template}, DeleteObjects by key and version")
        return f"ListObjectsV2 under s3://{self.bucket}/{self.template}, DeleteObjects by key"

    def pages(self) -> Iterator[list[Ref]]:
        if self.versioned:
            pager = self.client.get_paginator("list_object_versions")
            for page in pager.paginate(Bucket=self.bucket, Prefix=self.prefix):
                entries = [*page.get("Versions", ()), *page.get("DeleteMarkers", ())]
                yield [_ref(e["Key"], e.get("VersionId")) for e in entries]
        else:
            pager = self.client.get_paginator("list_objects_v2")
            for page in pager.paginate(Bucket=self.bucket, Prefix=self.prefix):
                yield [_ref(e["Key"], None) for e in page.get("Contents", ())]

    def confirm(self, listed: list[Ref]) -> list[Ref]:
        return listed  # S3 listings are strongly consistent

    def delete(self, refs: list[Ref]) -> DeleteResult:
        """DeleteObjects, not quiet: each key counts as deleted only when the answer's
        `Deleted` names it. `Errors` name a key and, not always, its version: an error without
        a version stands for every version of that key sent."""
        todo = list(refs)
        deleted: set[str] = set()
        failed: dict[str, str] = {}
        for attempt in range(RETRIES + 1):
            objects = [{"Key": r.key["Key"], **({"VersionId": r.key["VersionId"]}
                                                if r.key.get("VersionId") else {})}
                       for r in todo]
            response = self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": objects, "Quiet": False},
            )
            answered = _by_key(response.get("Deleted", ()))
            errors = _by_key(response.get("Errors", ()))
            retry = []
            for r in todo:
                if _answer(answered, r) is not None:
                    deleted.add(r.id)
                    failed.pop(r.id, None)
                    continue
                err = _answer(errors, r)
                if err is None:
                    continue  # no word about it: not counted, and listed again later
                if err.get("Code") in TRANSIENT and attempt < RETRIES:
                    retry.append(r)
                failed[r.id] = f"{err.get('Code')}: {err.get('Message', '')}".strip()
            if not retry:
                break
            todo = retry
            time.sleep(self.backoff * 2**attempt)
        return DeleteResult(deleted=frozenset(deleted), failed=failed)

    def outliving(self) -> list[Copy]:
        copies = []
        replication = probe(lambda: self.client.get_bucket_replication(Bucket=self.bucket),
                            absent={"ReplicationConfigurationNotFoundError"})
        if isinstance(replication, str):
            copies.append(Copy("replicas", f"replication configuration unknown ({replication})"))
        elif replication:
            targets = sorted({r.get("Destination", {}).get("Bucket", "?") for r in
                              replication["ReplicationConfiguration"].get("Rules", ())})
            copies.append(Copy("replicas", "replicated copies in " + ", ".join(targets) +
                               ": S3 does not replicate deletes by version id, erase there too"))
        logging = probe(lambda: self.client.get_bucket_logging(Bucket=self.bucket))
        if isinstance(logging, str):
            copies.append(Copy("logs", f"server access logging unknown ({logging})"))
        elif logging and logging.get("LoggingEnabled"):
            target = logging["LoggingEnabled"]
            copies.append(Copy("logs", "server access logs in s3://{}/{} name the erased keys "
                               "until their own retention ends".format(
                                   target.get("TargetBucket"), target.get("TargetPrefix", ""))))
        return copies


def _by_key(entries: Any) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {(str(e.get("Key")), e.get("VersionId") or None): e for e in entries or ()
            if isinstance(e, dict)}


def _answer(entries: dict[tuple[str, str | None], dict[str, Any]],
            r: Ref) -> dict[str, Any] | None:
    """The entry about this ref: by key and version, else by key alone."""
    key, version = r.key["Key"], r.key.get("VersionId")
    return entries.get((key, version)) or (entries.get((key, None)) if version else None)


def _ref(key: str, version: str | None) -> Ref:
    # Unversioned listings give no version; "null" is the id S3 gives objects from before
    # versioning was switched on, and deleting by it is permanent too.
    spec = {"Key": key, "VersionId": version} if version else {"Key": key}
    return Ref(f"{key}\0{version or ''}", spec, key + (f" (version {version})" if version else ""))
