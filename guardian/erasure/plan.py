"""Which stores hold one data subject's data, and where in each: pure, from the catalog.

The subject id becomes part of an S3 prefix or a DynamoDB key condition, so it is validated
first: no id may widen the prefix or reach another subject's data. Catalog templates put a '/'
right after `{subject_id}` (the loader checks it), so subject "abc" never matches "abcd".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

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


# A number in canonical decimal form: no leading zeros, no trailing fractional zeros, no
# exponent, no '+'; so that one number has one spelling and '01042' never stands for 1042.
_CANONICAL_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?")
_NUMBER = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?")


def typed_subject(subject: str, subject_type: str, store: str) -> str | None:
    """The id as the store compares it, or None when the store cannot hold it (a number
    store and an id that is no number). A number written otherwise than canonically is a
    UserError: '01042' or '1042.0' must not erase subject 1042 unnoticed."""
    if subject_type != "number":
        return subject
    if _CANONICAL_NUMBER.fullmatch(subject) and subject != "-0":
        return subject
    if _NUMBER.fullmatch(subject):
        from decimal import Decimal

        canonical = format(Decimal(subject).normalize() + 0, "f")
        raise UserError(f"the subject id {subject!r} is a number written otherwise than "
                        f"{canonical!r}; store {store} holds numeric ids (subject_type: "
                        "number), so pass the id exactly as canonical digits")
    return None


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
    kind: str  # s3 | dynamodb | rds | aurora
    store: str  # bucket or table name, RDS instance or Aurora cluster identifier
    subject_key: str | None
    index: str | None = None
    prefix: str | None = None  # s3: the subject's prefix
    skip: str | None = None  # why nothing is erased here
    subject_type: str = "string"  # string | number, as the catalog declares
    # legal_hold: the data is kept; unknown: it may be there; absent: it cannot be there
    skip_kind: str | None = None
    # Where the catalog pins it: None is the caller's account, the run's region.
    account: str | None = None
    region: str | None = None
    segments: int = 1  # dynamodb: parallel segments of a Scan (TotalSegments)
    storage: Storage | None = field(default=None, compare=False)  # rds/aurora: the entry

    @property
    def key(self) -> str:
        """How the journal knows this store: kind and name (a bucket and a table may share
        one), and the account and region it is pinned to (one name may be in several)."""
        where = "/".join(x for x in (self.account, self.region) if x)
        return f"{self.kind}:{self.store}" + (f"@{where}" if where else "")

    def to_json(self) -> dict[str, str | None]:
        return {"dataset": self.dataset, "kind": self.kind, "store": self.store,
                "subject_key": self.subject_key, "subject_type": self.subject_type,
                "index": self.index, "skip": self.skip, "account": self.account,
                "region": self.region}


@dataclass(frozen=True)
class Plan:
    subject: str
    datasets: tuple[str, ...]  # as asked; empty means every dataset
    targets: tuple[Target, ...]
    catalog: Catalog | None = field(default=None, compare=False)  # what the certificate cites

    @property
    def active(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.skip is None)


def plan_erasure(catalog: Catalog, subject: str, datasets: Sequence[str] = (), *,
                 segments: int = 1) -> Plan:
    """Every storage entry of the chosen datasets (all by default), in catalog order; a
    DynamoDB table that must be scanned is scanned in `segments` parallel segments."""
    validate_subject_id(subject)
    chosen = _choose(catalog, datasets)
    targets = [replace(_target(ds, st, subject), segments=segments)
               for ds in chosen for st in ds.storage]
    return Plan(subject, tuple(datasets), tuple(targets), catalog)


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
    base = Target(ds.id, st.kind, st.name, st.subject_key, st.index,
                  subject_type=st.subject_type, account=st.account, region=st.region)
    if ds.retention.legal_hold:
        basis = f" ({ds.retention.basis})" if ds.retention.basis else ""
        return _skip(base, f"dataset {ds.id} is under a legal hold{basis}: erasure is suspended",
                     "legal_hold")
    if not st.locatable:
        return _skip(base, "the catalog declares no subject_key for this store, so one "
                           "subject's data cannot be found in it; erase by hand and record it")
    if typed_subject(subject, st.subject_type, st.name) is None:
        return _skip(base, "the subject id is not a number and this store holds numeric "
                           "ids only (subject_type: number)", "absent")
    if st.kind == "s3":
        assert st.subject_key is not None
        return replace(base, prefix=subject_prefix(st.subject_key, subject))
    if st.kind == "dynamodb":
        return base
    if st.database_store:
        return replace(base, storage=st)
    return _skip(base, f"unsupported store kind {st.kind!r}")


def _skip(t: Target, reason: str, kind: str = "unknown") -> Target:
    return replace(t, skip=reason, skip_kind=kind)
