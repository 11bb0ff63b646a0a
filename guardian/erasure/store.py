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


@dataclass(frozen=True)
class DeleteResult:
    deleted: int
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


class StoreError(Exception):
    """The store cannot be erased as the catalog describes it (no such index, wrong key)."""


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


def preview(store: Store, samples: int = 5) -> tuple[int, list[str]]:
    """How many refs the store would delete, and the first few of them."""
    count = 0
    shown: list[str] = []
    for page in store.pages():
        count += len(page)
        shown.extend(r.label for r in page[: max(0, samples - len(shown))])
    return count, shown


Progress = Callable[[str, int], None]


def erase_store(name: str, store: Store, journal: Journal,
                progress: Progress | None = None) -> dict[str, Any]:
    """Delete every ref the store lists, batch by batch through the journal; then verify.

    Listing and deleting repeat until a full listing offers nothing new to delete, so a
    listing that loses its place while keys vanish under it cannot leave data behind; that
    last listing is also the verification.
    """
    state = journal.store(name)
    if state.pending:
        _reconcile(name, store, journal)
    errors: dict[str, str] = {}
    tried: set[str] = set()  # refs sent in this run: a failed one is not retried forever
    while True:
        listed: list[Ref] = []
        fresh = 0
        for page in store.pages():
            listed.extend(page)
            refs = [r for r in page if r.id not in tried
                    and journal.key_hash(r.id) not in state.done]
            fresh += len(refs)
            for start in range(0, len(refs), store.batch_size):
                chunk = refs[start:start + store.batch_size]
                batch = journal.intent(name, [journal.key_hash(r.id) for r in chunk])
                result = store.delete(chunk)
                journal.outcome(name, batch, result.deleted,
                                not_deleted=[journal.key_hash(i) for i in result.failed])
                tried.update(r.id for r in chunk)
                errors.update(result.failed)
                if progress:
                    progress(name, state.deleted)
        if not fresh:
            break
    left = store.confirm(listed)
    return {
        "status": "erased" if not left else "incomplete",
        "method": store.method,
        "deleted": state.deleted,
        "remaining": len(left),
        "errors": sorted(set(errors.values()))[:10],
    }


def _reconcile(name: str, store: Store, journal: Journal) -> None:
    """Settle batches whose call may have run before the crash: what is gone was deleted."""
    present = {journal.key_hash(r.id) for page in store.pages() for r in page}
    for batch, hashes in sorted(journal.store(name).pending.items()):
        kept = [h for h in hashes if h in present]
        journal.outcome(name, batch, len(hashes) - len(kept), not_deleted=kept, reconciled=True)
