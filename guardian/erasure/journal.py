"""The erasure journal: an append-only JSONL file that makes a run resumable and provable.

Records, one JSON object per line, each written and fsynced before the step it announces goes on:

- `start`    run id, salt, the subject's salted hash, the datasets asked for, tool version, time
- `batch`    intent: the store, a batch number and the salted hashes of the keys about to go
- `deleted`  outcome of a batch: how many went, the hashes still there
- `store`    a store finished: method, counts, verification, copies that outlive the erasure
- `finished` every store done and verified

The journal never holds the subject's id or a key in clear: only salted hashes, with their
salt. Those are pseudonymous, not anonymous (whoever knows or guesses an id or a key can
recompute its hash): keep the journal as confidential as the data it names. A batch with an
intent and no outcome (a crash between the call and the record) is reconciled on resume against
a fresh listing, so nothing is counted twice or lost.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from guardian import __version__
from guardian.errors import UserError

FORMAT = "guardian.erasure-journal/v1"


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def salted_hash(salt: str, value: str) -> str:
    return hashlib.sha256(f"{salt}\0{value}".encode()).hexdigest()


@dataclass
class StoreState:
    done: set[str] = field(default_factory=set)  # hashes of keys deleted and counted
    deleted: int = 0
    batches: int = 0  # highest batch number used
    pending: dict[int, list[str]] = field(default_factory=dict)  # intents without an outcome
    result: dict[str, Any] | None = None  # the `store` record once finished


class Journal:
    """Open with `Journal.open`; every method that records appends one line and fsyncs it."""

    def __init__(self, path: Path, start: dict[str, Any], stores: dict[str, StoreState],
                 finished: dict[str, Any] | None) -> None:
        self.path = path
        self.start = start
        self.stores = stores
        self.finished = finished

    @property
    def salt(self) -> str:
        return str(self.start["salt"])

    @property
    def run_id(self) -> str:
        return str(self.start["run"])

    def key_hash(self, key: str) -> str:
        return salted_hash(self.salt, key)[:32]

    def store(self, name: str) -> StoreState:
        return self.stores.setdefault(name, StoreState())

    @classmethod
    def open(cls, path: str | os.PathLike[str], subject: str, datasets: Iterable[str],
             catalog_path: str) -> Journal:
        """Resume the journal at `path` (same subject and datasets) or start a new one there."""
        path = Path(path)
        wanted = sorted(datasets)
        if path.exists() and path.stat().st_size > 0:
            journal = cls.read(path)
            if salted_hash(journal.salt, subject) != journal.start["subject"]:
                raise UserError(f"{path}: this journal is for another subject")
            if journal.start.get("datasets") != wanted:
                raise UserError(
                    f"{path}: this journal erased datasets {journal.start.get('datasets')}, "
                    f"not {wanted}; resume with the same --dataset options or use a new journal"
                )
            return journal
        salt = secrets.token_hex(16)
        start = {
            "event": "start", "format": FORMAT, "run": str(uuid.uuid4()), "salt": salt,
            "subject": salted_hash(salt, subject), "datasets": wanted,
            "catalog": catalog_path, "tool": {"name": "guardian", "version": __version__},
            "time": now(),
        }
        path.parent.mkdir(parents=True, exist_ok=True)
        journal = cls(path, start, {}, None)
        journal._append(start)
        return journal

    @classmethod
    def read(cls, path: Path) -> Journal:
        lines = path.read_text(encoding="utf-8").splitlines()
        records = []
        for n, line in enumerate(lines, 1):
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                if n == len(lines):  # a line torn by a crash mid-write: its step never ran
                    break
                raise UserError(f"{path}:{n}: not a journal record") from None
        if not records or records[0].get("event") != "start" or records[0].get("format") != FORMAT:
            raise UserError(f"{path}:1: not a guardian erasure journal ({FORMAT})")
        journal = cls(path, records[0], {}, None)
        for rec in records[1:]:
            journal._apply(rec)
        return journal

    def _apply(self, rec: Mapping[str, Any]) -> None:
        event = rec.get("event")
        if event == "finished":
            self.finished = dict(rec)
            return
        st = self.store(str(rec.get("store")))
        if event == "batch":
            st.batches = max(st.batches, int(rec["batch"]))
            st.pending[int(rec["batch"])] = list(rec["keys"])
        elif event == "deleted":
            hashes = st.pending.pop(int(rec["batch"]), [])
            kept = set(rec.get("not_deleted", ()))
            st.done.update(h for h in hashes if h not in kept)
            st.deleted += int(rec["count"])
        elif event == "store":
            st.result = dict(rec)

    def _append(self, rec: dict[str, Any]) -> None:
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(rec, sort_keys=True) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    def _record(self, rec: dict[str, Any]) -> None:
        self._append(rec)
        self._apply(rec)

    def intent(self, store: str, hashes: list[str]) -> int:
        batch = self.store(store).batches + 1
        self._record({"event": "batch", "store": store, "batch": batch, "keys": hashes,
                      "time": now()})
        return batch

    def outcome(self, store: str, batch: int, count: int, not_deleted: Iterable[str] = (),
                reconciled: bool = False) -> None:
        """`count` of the batch went; the hashes in `not_deleted` are still there."""
        rec: dict[str, Any] = {"event": "deleted", "store": store, "batch": batch,
                               "count": count, "not_deleted": sorted(not_deleted),
                               "time": now()}
        if reconciled:
            rec["reconciled"] = True
        self._record(rec)

    def store_done(self, store: str, result: Mapping[str, Any]) -> None:
        self._record({"event": "store", "store": store, **result, "time": now()})

    def finish(self, certificate: str | None = None) -> None:
        self._record({"event": "finished", "time": now(), "certificate": certificate})
