"""Which stores hold one data subject's data, and where in each: pure, from the catalog.

The subject id becomes part of an S3 prefix or a DynamoDB key condition, so it is validated
first: no id may widen the prefix or reach another subject's data. Catalog templates put a '/'
right after `{subject_id}` (the loader checks it), so subject "abc" never matches "abcd".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from guardian.catalog.model import Catalog, Dataset, Storage
from guardian.errors import UserError, unknown_choice

PLACEHOLDER = "{subject_id}"
MAX_ID_LENGTH = 256
# Letters, digits and a few separators that ids and e-mail addresses use; nothing that S3, a
# shell or a path would read specially ('/', '*', '?', whitespace, control characters).
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+=:-]*")


def validate_subject_id(subject: str) -> str:
    """The id itself when it is safe to use in a prefix or key condition, else UserError."""
    if not subject:
        raise UserError("the subject id is empty")
    if subject != subject.strip():
        raise UserError("the subject id has leading or trailing whitespace")
    if len(subject) > MAX_ID_LENGTH:
        raise UserError(f"the subject id is longer than {MAX_ID_LENGTH} characters")
    bad = sorted({c for c in subject if not _SAFE_ID.fullmatch("a" + c)})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise UserError(
            f"the subject id contains {shown}; allowed: letters, digits and . _ @ + = : -"
        )
    if not _SAFE_ID.fullmatch(subject):
        raise UserError("the subject id must start with a letter or a digit")
    if ".." in subject:
        raise UserError("the subject id contains '..'")
    return subject


def subject_prefix(template: str, subject: str) -> str:
    """The S3 prefix holding exactly this subject's objects."""
    head, sep, tail = template.partition(PLACEHOLDER)
    if not sep or PLACEHOLDER in tail or not tail.startswith("/"):
        raise UserError(
            f"subject_key {template!r} must contain {PLACEHOLDER} once, followed by '/'"
        )
    return head + validate_subject_id(subject) + tail


@dataclass(frozen=True)
class Target:
    """One store to erase from, or to skip with the reason why."""

    dataset: str
    kind: str  # s3 | dynamodb
    store: str  # bucket or table name
    subject_key: str | None
    index: str | None = None
    prefix: str | None = None  # s3: the subject's prefix
    skip: str | None = None  # why nothing is erased here

    @property
    def key(self) -> str:
        """How the journal knows this store: kind and name (a bucket and a table may share one)."""
        return f"{self.kind}:{self.store}"

    def to_json(self) -> dict[str, str | None]:
        return {"dataset": self.dataset, "kind": self.kind, "store": self.store,
                "subject_key": self.subject_key, "index": self.index, "skip": self.skip}


@dataclass(frozen=True)
class Plan:
    subject: str
    datasets: tuple[str, ...]  # as asked; empty means every dataset
    targets: tuple[Target, ...]

    @property
    def active(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.skip is None)


def plan_erasure(catalog: Catalog, subject: str, datasets: Sequence[str] = ()) -> Plan:
    """Every storage entry of the chosen datasets (all by default), in catalog order."""
    validate_subject_id(subject)
    chosen = _choose(catalog, datasets)
    targets = [_target(ds, st, subject) for ds in chosen for st in ds.storage]
    return Plan(subject, tuple(datasets), tuple(targets))


def _choose(catalog: Catalog, asked: Sequence[str]) -> list[Dataset]:
    if not asked:
        return list(catalog.datasets)
    chosen = []
    for dataset_id in dict.fromkeys(asked):
        ds = catalog.dataset(dataset_id)
        if ds is None:
            raise unknown_choice("--dataset", dataset_id, sorted(catalog.dataset_ids))
        chosen.append(ds)
    return chosen


def _target(ds: Dataset, st: Storage, subject: str) -> Target:
    base = Target(ds.id, st.kind, st.name, st.subject_key, st.index)
    if ds.retention.legal_hold:
        basis = f" ({ds.retention.basis})" if ds.retention.basis else ""
        return _skip(base, f"dataset {ds.id} is under a legal hold{basis}: erasure is suspended")
    if not st.subject_key:
        return _skip(base, "the catalog declares no subject_key for this store, so one "
                           "subject's data cannot be found in it; erase by hand and record it")
    if st.kind == "s3":
        return Target(ds.id, st.kind, st.name, st.subject_key,
                      prefix=subject_prefix(st.subject_key, subject))
    if st.kind == "dynamodb":
        return base
    return _skip(base, f"unsupported store kind {st.kind!r}")


def _skip(t: Target, reason: str) -> Target:
    return Target(t.dataset, t.kind, t.store, t.subject_key, t.index, t.prefix, reason)
