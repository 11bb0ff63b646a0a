"""Every loop in erasure ends: a store that keeps offering new keys (something writes the
subject's data as fast as it is deleted) stops with a clear error, never spins forever."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from guardian.erasure.journal import Journal
from guardian.erasure.store import MAX_ROUNDS, DeleteResult, Ref, StoreError, erase_store


class Refilling:
    """Each full listing offers one key nobody has seen: a writer racing the erasure."""

    batch_size = 10
    method = "test"

    def __init__(self, stop_after: int | None = None) -> None:
        self.counter = itertools.count()
        self.listings = 0
        self.stop_after = stop_after

    def pages(self) -> Iterator[list[Ref]]:
        self.listings += 1
        if self.stop_after is not None and self.listings > self.stop_after:
            yield []
            return
        n = next(self.counter)
        yield [Ref(f"k{n}", {"Key": f"k{n}"}, f"k{n}")]

    def delete(self, refs: list[Ref]) -> DeleteResult:
        return DeleteResult(deleted=frozenset(r.id for r in refs))

    def confirm(self, listed: list[Ref]) -> list[Ref]:
        return []

    def outliving(self) -> list:
        return []


def test_a_store_that_never_runs_dry_stops_after_the_cap(tmp_path):
    store = Refilling()
    with Journal.open(tmp_path / "j.jsonl", "abc", ["d"], "catalog.yaml",
                      key_dir=tmp_path) as journal, \
            pytest.raises(StoreError, match=f"after {MAX_ROUNDS} full listings"):
        erase_store("s3:b", store, journal)
    assert store.listings == MAX_ROUNDS


def test_a_store_that_runs_dry_below_the_cap_is_erased(tmp_path):
    store = Refilling(stop_after=MAX_ROUNDS - 1)
    with Journal.open(tmp_path / "j.jsonl", "abc", ["d"], "catalog.yaml",
                      key_dir=tmp_path) as journal:
        result = erase_store("s3:b", store, journal)
    assert result["status"] == "erased" and result["deleted"] == MAX_ROUNDS - 1
