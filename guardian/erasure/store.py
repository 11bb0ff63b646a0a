"""What every store erases with, and the loop that drives one store through the journal.

A store (S3 prefix, DynamoDB table) lists the subject's keys page by page, deletes a batch in
one API call (retrying its own leftovers), verifies what remains and names the copies that
outlive the erasure. `erase_store` adds the journal: each batch's intent is recorded before the
call and its outcome after, so an interrupted run resumes without redoing or double counting.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from guardian.aws import error_code, is_access_denied
from guardian.erasure.journal import Journal


@dataclass(frozen=True)
class Ref:
    """One deletable thing: an object version or an item key."""

    id: str  # stable identity; the journal keeps only its salted hash
    key: Mapping[str, Any]  # as the delete API wants it
    label: str  # for people (dry-run samples); may name the subject
    blocked: str | None = None  # found, but not to be deleted: why (reported, left in place)


@dataclass(frozen=True)
class DeleteResult:
    """What AWS answered for one batch: the refs it confirmed deleted, and the ones it did not
    with the reason. A ref in neither was not answered for, so it is not counted."""

    deleted: frozenset[str]  # ref ids
    failed: Mapping[str, str] = field(default_factory=dict)  # ref id -> reason


@dataclass(frozen=True)
class Copy:
    """A copy of the subject's data that this erasure cannot reach."""

    kind: str  # backups | streams | replicas | logs | versions
    detail: str
    until: str | None = None  # when it expires by itself, if known

    def to_json(self) -> dict[str, str | None]:
        return {"kind": self.kind, "detail": self.detail, "until": self.until}


class Store(Protocol):
    @property
    def batch_size(self) -> int: ...

    @property
    def method(self) -> str: ...

    def pages(self) -> Iterator[list[Ref]]: ...

    def delete(self, refs: list[Ref]) -> DeleteResult: ...

    def confirm(self, listed: list[Ref]) -> list[Ref]:
        """The listed refs that really remain (an index may lag behind its table)."""
        ...

    def outliving(self) -> list[Copy]: ...

    @property
    def arn(self) -> str | None:
        """The resource's ARN, for AWS Backup (None: unknown)."""
        ...


class StoreError(Exception):
    """The store cannot be erased as the catalog describes it (no such index, wrong key)."""


# Full listings before giving up: each round deletes what it finds, so a store only needs more
# than two when something keeps writing the subject's data while it is being erased.
MAX_ROUNDS = 20


def probe(call: Callable[[], Any], absent: set[str] | frozenset[str] = frozenset()) -> Any:
    """The call's response; None when the error code says the thing is absent; else a string
    saying why it could not be read (access denied or another error)."""
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - classified below, re-raised when not an AWS error
        code = error_code(exc)
        if code is None:
            raise
        if code in absent:
            return None
        return "access denied" if is_access_denied(exc) else code


def preview(store: Store, samples: int = 5) -> tuple[int, list[str], list[str]]:
    """How many refs the store would delete, the first few of them, and why the ones that
    would stay (`Ref.blocked`) cannot go."""
    count = 0
    shown: list[str] = []
    blocked: list[str] = []
    for page in store.pages():
        go = [r for r in page if not r.blocked]
        count += len(go)
        shown.extend(r.label for r in go[: max(0, samples - len(shown))])
        blocked.extend(r.blocked for r in page if r.blocked)
    return count, shown, blocked


Progress = Callable[[str, int], None]


def erase_store(name: str, store: Store, journal: Journal,
                progress: Progress | None = None) -> dict[str, Any]:
    """Delete every ref the store lists, batch by batch through the journal; then verify.

    Listing and deleting repeat until a full listing offers nothing new to delete, so a
    listing that loses its place while keys vanish under it cannot leave data behind; that
    last listing is also the verification. A page is deleted only once the next one is listed,
    so a listing resumes from a key that still exists: with an ordinary store the first round
    finds everything and the second only confirms it. Counts are what AWS confirmed, batch by
    batch.
    """
    state = journal.store(name)
    if state.pending:
        _reconcile(name, store, journal)
    errors: dict[str, str] = {}
    tried: set[str] = set()  # refs sent in this run: a failed one is not retried forever
    for _ in range(MAX_ROUNDS):
        listed: list[Ref] = []
        fresh = 0
        for page in _one_ahead(store.pages()):
            listed.extend(page)
            errors.update((r.id, str(r.blocked)) for r in page if r.blocked)
            refs = list({r.id: r for r in page if not r.blocked and r.id not in tried
                         and journal.key_hash(r.id) not in state.done}.values())
            fresh += len(refs)
            for start in range(0, len(refs), store.batch_size):
                chunk = refs[start:start + store.batch_size]
                batch = journal.intent(name, [journal.key_hash(r.id) for r in chunk])
                result = store.delete(chunk)
                journal.outcome(name, batch, not_deleted=[
                    journal.key_hash(r.id) for r in chunk if r.id not in result.deleted])
                tried.update(r.id for r in chunk)
                errors.update(result.failed)
                errors.update((r.id, "no answer from AWS for this key") for r in chunk
                              if r.id not in result.deleted and r.id not in result.failed)
                if progress:
                    progress(name, state.deleted)
        if not fresh:
            break
    else:
        raise StoreError(f"{name}: still finding new keys of the subject after {MAX_ROUNDS} "
                         "full listings; something keeps writing them (stop it, then resume)")
    left = store.confirm(listed)
    still = {r.id for r in left}
    return {
        "status": "erased" if not left else "incomplete",
        "method": store.method,
        "deleted": state.deleted,
        "remaining": len(left),
        "errors": sorted({e for i, e in errors.items() if i in still})[:10],
    }


def _one_ahead(pages: Iterator[list[Ref]]) -> Iterator[list[Ref]]:
    """The pages, each handed on once the next one has been fetched."""
    previous = None
    for page in pages:
        if previous is not None:
            yield previous
        previous = page
    if previous is not None:
        yield previous


def _reconcile(name: str, store: Store, journal: Journal) -> None:
    """Settle batches whose call may have run before the crash: what is gone was deleted."""
    present = {journal.key_hash(r.id) for page in store.pages() for r in page}
    for batch, hashes in sorted(journal.store(name).pending.items()):
        journal.outcome(name, batch, not_deleted=[h for h in hashes if h in present],
                        reconciled=True)
