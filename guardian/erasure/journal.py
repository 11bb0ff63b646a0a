"""The erasure journal: an append-only JSONL file that makes a run resumable and provable.

Records, one JSON object per line, each written and fsynced before the step it announces goes on:

- `start`    run id, salt, the subject's salted hash, the datasets asked for, tool version, time
- `batch`    intent: the store, a batch number and the salted hashes of the keys about to go
             (a database store journals each table as its own store, `<store>/<table>`)
- `deleted`  outcome of a batch as AWS answered it: how many went, the hashes still there
- `store`    a store finished: method, counts, verification, copies that outlive the erasure
- `finished` every store done and verified

The journal proves itself. Every record carries `prev`, the `mac` of the record before it, and
its own `mac`, an HMAC-SHA256 under a secret key kept beside the certificates (`KEY_FILE`, mode
0600), so a record that is edited, removed from the middle, duplicated, reordered or added by
anyone without the key breaks the chain. Records are checked against `SCHEMA` and against each
other (batch numbers, counts within their batch, nothing after `finished`). Any of that stops
the run, naming the line, before anything is deleted. The file is locked (`flock`) while a run
uses it, so a second run on the same journal is refused instead of racing the first.

The journal never holds the subject's id or a key in clear: only salted hashes, with their
salt. Those are pseudonymous, not anonymous (whoever knows or guesses an id or a key can
recompute its hash): keep the journal as confidential as the data it names. A batch with an
intent and no outcome (a crash between the call and the record) is reconciled on resume against
a fresh listing, so nothing is counted twice or lost.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import hmac
import json
import os
import secrets
import stat
import threading
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from guardian import __version__
from guardian.errors import UserError

FORMAT = "guardian.erasure-journal/v2"
KEY_FILE = ".guardian-journal.key"  # in the certificate directory

_HASH = {"type": "string", "pattern": "^[0-9a-f]{32}$"}
_COUNT = {"type": "integer", "minimum": 0}
_BATCH = {"type": "integer", "minimum": 1}
_TEXT = {"type": "string", "minLength": 1}
_CHAIN = {"prev": {"type": "string", "pattern": "^([0-9a-f]{64})?$"},
          "mac": {"type": "string", "pattern": "^[0-9a-f]{64}$"}}


def _event(name: str, props: dict[str, Any], extra: bool = False) -> dict[str, Any]:
    return {"type": "object", "required": ["event", "time", *props, *_CHAIN],
            "properties": {"event": {"const": name}, "time": _TEXT, **props, **_CHAIN},
            "additionalProperties": extra}


# One schema per record kind; `store` results may grow fields (the certificate shows them).
SCHEMA: dict[str, dict[str, Any]] = {
    "start": _event("start", {
        "format": {"const": FORMAT}, "run": _TEXT, "salt": {"type": "string",
                                                            "pattern": "^[0-9a-f]{32}$"},
        "subject": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "datasets": {"type": "array", "items": _TEXT}, "catalog": {"type": "string"},
        "tool": {"type": "object", "required": ["name", "version"]},
        "key_id": {"type": "string", "pattern": "^[0-9a-f]{16}$"}}),
    "batch": _event("batch", {"store": _TEXT, "batch": _BATCH,
                              "keys": {"type": "array", "items": _HASH, "minItems": 1}}),
    "deleted": _event("deleted", {"store": _TEXT, "batch": _BATCH, "count": _COUNT,
                                  "not_deleted": {"type": "array", "items": _HASH},
                                  "reconciled": {"const": True}}),
    "store": _event("store", {"store": _TEXT, "status": {
        "enum": ["erased", "incomplete", "failed", "skipped"]}, "deleted": _COUNT}, extra=True),
    "finished": _event("finished", {"certificate": {"type": ["string", "null"]}}),
}
SCHEMA["deleted"]["required"].remove("reconciled")  # only on outcomes settled by a listing
# The request being answered (optional): when it was received, how the identity was checked.
SCHEMA["start"]["properties"]["request"] = {
    "type": "object", "additionalProperties": False,
    "properties": {"received": {"type": "string", "format": "date"},
                   "identity_check": _TEXT}}


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def salted_hash(salt: str, value: str) -> str:
    return hashlib.sha256(f"{salt}\0{value}".encode()).hexdigest()


def journal_key(directory: str | os.PathLike[str]) -> bytes:
    """The secret that chains journal records: `KEY_FILE` in `directory`, made on first use
    (0600, 32 random bytes as hex). Whoever can read it can forge a journal: keep it private."""
    path = Path(directory) / KEY_FILE
    if not os.path.lexists(path):
        tmp = path.with_name(f"{KEY_FILE}.{secrets.token_hex(4)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_hex(32) + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(tmp, path)  # atomic, and never over a key another run just made
            except FileExistsError:
                pass
        except OSError as exc:
            raise UserError(f"{path}: cannot create the journal key: {exc.strerror or exc}") \
                from None
        finally:
            tmp.unlink(missing_ok=True)
    fd = _open_regular(path, os.O_RDONLY, "journal key")
    with os.fdopen(fd, "rb") as fh:
        text = fh.read(200).strip()
    try:
        key = bytes.fromhex(text.decode("ascii"))
    except (UnicodeDecodeError, ValueError):
        key = b""
    if len(key) != 32:
        raise UserError(f"{path}: not a guardian journal key (64 hex digits)")
    return key


def key_id(key: bytes) -> str:
    """A public name for a key: which one a journal was written with, without revealing it."""
    return hashlib.sha256(b"guardian journal key id\0" + key).hexdigest()[:16]


def _open_regular(path: Path, flags: int, what: str, mode: int = 0o600) -> int:
    """An fd on `path`, which must be a regular file (not a directory, FIFO, device or
    symbolic link); O_NONBLOCK so that a FIFO cannot hang the open."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, mode)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise UserError(f"{path}: the {what} is a symbolic link; name the file itself") \
                from None
        if exc.errno == errno.EISDIR:
            raise UserError(f"{path}: the {what} is a directory, not a file") from None
        raise UserError(f"{path}: cannot open the {what}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise UserError(f"{path}: the {what} is not a regular file")
    os.set_blocking(fd, True)
    return fd


@dataclass
class StoreState:
    done: set[str] = field(default_factory=set)  # hashes of keys deleted and counted
    deleted: int = 0
    batches: int = 0  # highest batch number used
    pending: dict[int, list[str]] = field(default_factory=dict)  # intents without an outcome
    result: dict[str, Any] | None = None  # the `store` record once finished


class Journal:
    """Open with `Journal.open` (which locks the file), close with `close()` or `with`; every
    method that records appends one line and fsyncs it. Stores erased in parallel threads
    share one journal: each record is chained and written under a lock, whole."""

    def __init__(self, path: Path, fd: int, key: bytes) -> None:
        self.path = path
        self._lock = threading.RLock()
        self._fd = fd
        self._key = key
        self._mac = ""  # the last record's
        self._line = 0
        self.start: dict[str, Any] = {}
        self.stores: dict[str, StoreState] = {}
        self.finished: dict[str, Any] | None = None

    # --- opening ---------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | os.PathLike[str], subject: str, datasets: Iterable[str],
             catalog_path: str, *, key_dir: str | os.PathLike[str] | None = None,
             request: Mapping[str, str] | None = None) -> Journal:
        """Resume the journal at `path` (same subject and datasets) or start a new one there.

        `request` (received: YYYY-MM-DD, identity_check: a reference) is recorded at the start;
        a resumed run keeps the journal's, and one that says otherwise is refused.

        The key is `KEY_FILE` in `key_dir` (the certificate directory; default: the journal's
        own directory). Raises UserError, before anything is deleted, when the file is not a
        regular file, another run holds it, or any record is malformed or off the chain.
        """
        path = Path(path)
        if not path.parent.is_dir():
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise UserError(f"{path.parent}: cannot create the journal's directory: "
                                f"{exc.strerror or exc}") from None
        key = journal_key(key_dir if key_dir is not None else path.parent)
        fd = _open_regular(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, "journal")
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise UserError(f"{path}: another guardian erase is using this journal; wait for "
                            "it to end (two runs on one journal would race)") from None
        journal = cls(path, fd, key)
        try:
            journal._load()
            if journal.start:
                journal._check_resume(subject, datasets, request or {})
            else:
                journal._begin(subject, datasets, catalog_path, request or {})
        except BaseException:
            journal.close()
            raise
        return journal

    def close(self) -> None:
        """Release the lock; the journal can be opened again (by this run or another)."""
        if self._fd >= 0:
            os.close(self._fd)
            self._fd = -1

    def __enter__(self) -> Journal:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def __del__(self) -> None:
        self.close()

    def _begin(self, subject: str, datasets: Iterable[str], catalog_path: str,
               request: Mapping[str, str]) -> None:
        salt = secrets.token_hex(16)
        self._record({
            "event": "start", "format": FORMAT, "run": str(uuid.uuid4()), "salt": salt,
            "subject": salted_hash(salt, subject), "datasets": sorted(datasets),
            "catalog": catalog_path, "tool": {"name": "guardian", "version": __version__},
            "key_id": key_id(self._key), "time": now(),
            **({"request": dict(request)} if request else {}),
        })

    def _check_resume(self, subject: str, datasets: Iterable[str],
                      request: Mapping[str, str]) -> None:
        recorded = self.start.get("request", {})
        for name, value in request.items():
            if recorded.get(name) != value:
                raise UserError(f"{self.path}: this journal records the request's {name} as "
                                f"{recorded.get(name)!r}, not {value!r}")
        wanted = sorted(datasets)
        if salted_hash(self.salt, subject) != self.start["subject"]:
            raise UserError(f"{self.path}: this journal is for another subject")
        if self.start["datasets"] != wanted:
            raise UserError(
                f"{self.path}: this journal erased datasets {self.start['datasets']}, not "
                f"{wanted}; resume with the same --dataset options or use a new journal")

    def _load(self) -> None:
        """Read and check every record; a last line torn by a crash mid-write is cut off."""
        data = b""
        while chunk := os.pread(self._fd, 1 << 20, len(data)):
            data += chunk
        lines = data.split(b"\n")
        torn = lines.pop()  # after the last newline: b"" unless a write was cut short
        if torn:
            try:  # a complete record without its newline is not torn: keep it
                json.loads(torn)
                lines.append(torn)
                os.write(self._fd, b"\n")
            except ValueError:
                os.ftruncate(self._fd, len(data) - len(torn))  # its step never ran
        for n, raw in enumerate(lines, 1):
            self._line = n
            try:
                rec = json.loads(raw.decode("utf-8"))
            except UnicodeDecodeError:
                self._refuse("not UTF-8 text")
            except ValueError:
                self._refuse("not a JSON record")
            self._verify(rec)
            self._apply(rec)

    def _refuse(self, why: str) -> NoReturn:
        raise UserError(f"{self.path}:{self._line}: {why}; the journal is refused and nothing "
                        "was deleted")

    def _verify(self, rec: Any) -> None:
        """Schema, chain and consistency of one record read back."""
        from jsonschema import Draft202012Validator

        if not isinstance(rec, dict):
            self._refuse("not a JSON object")
        event = rec.get("event")
        if self._line == 1 and (event != "start" or rec.get("format") != FORMAT):
            self._refuse(f"not a guardian erasure journal ({FORMAT}: a `start` record first)")
        if event not in SCHEMA:
            self._refuse(f"unknown record event {event!r}")
        if self._line > 1 and event == "start":
            self._refuse("a second `start` record")
        errors = sorted(Draft202012Validator(SCHEMA[event]).iter_errors(rec),
                        key=lambda e: list(e.absolute_path))
        if errors:
            where = ".".join(str(p) for p in errors[0].absolute_path) or "record"
            self._refuse(f"malformed `{event}` record: {where}: {errors[0].message}")
        if event == "start" and rec["key_id"] != key_id(self._key):
            self._refuse(f"written under another key (id {rec['key_id']}, this one is "
                         f"{key_id(self._key)}); resume with the --certificate-dir the run "
                         "started with")
        if rec["prev"] != self._mac or not hmac.compare_digest(rec["mac"], self._sign(rec)):
            self._refuse("the record chain is broken (a record was changed, added, removed or "
                         "reordered by something that does not hold the journal key)")
        if self.finished is not None:
            self._refuse("a record after `finished`")
        st = self.stores.get(str(rec.get("store")))
        if event == "batch" and rec["batch"] != (st.batches if st else 0) + 1:
            self._refuse(f"batch {rec['batch']} is out of sequence")
        if event == "deleted":
            keys = (st.pending if st else {}).get(rec["batch"])
            if keys is None:
                self._refuse(f"an outcome for batch {rec['batch']}, which has no open intent")
            kept = set(rec["not_deleted"])
            if not kept <= set(keys) or rec["count"] != len(set(keys) - kept):
                self._refuse(f"the outcome of batch {rec['batch']} does not add up to its keys")
        if event == "store" and int(rec.get("deleted", 0)) != self.counted(str(rec["store"])):
            self._refuse(f"the `store` record counts {rec.get('deleted', 0)} deleted, its "
                         f"batches {self.counted(str(rec['store']))}")

    def _sign(self, rec: Mapping[str, Any]) -> str:
        body = json.dumps({k: v for k, v in rec.items() if k != "mac"}, sort_keys=True,
                          separators=(",", ":"), ensure_ascii=True)
        return hmac.new(self._key, body.encode("ascii"), hashlib.sha256).hexdigest()

    # --- state -----------------------------------------------------------------------------

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

    def _apply(self, rec: Mapping[str, Any]) -> None:
        self._mac = rec["mac"]
        event = rec["event"]
        if event == "start":
            self.start = dict(rec)
        elif event == "finished":
            self.finished = dict(rec)
        elif event == "batch":
            st = self.store(rec["store"])
            st.batches = rec["batch"]
            st.pending[rec["batch"]] = list(rec["keys"])
        elif event == "deleted":
            st = self.store(rec["store"])
            hashes = st.pending.pop(rec["batch"])
            kept = set(rec["not_deleted"])
            st.done.update(h for h in hashes if h not in kept)
            st.deleted += rec["count"]
        elif event == "store":
            self.store(rec["store"]).result = dict(rec)

    # --- recording -------------------------------------------------------------------------

    def _record(self, rec: dict[str, Any]) -> None:
        with self._lock:
            if self._fd < 0:
                raise ValueError(f"{self.path}: the journal is closed")
            rec = {**rec, "prev": self._mac}
            rec["mac"] = self._sign(rec)
            os.write(self._fd, (json.dumps(rec, sort_keys=True) + "\n").encode("utf-8"))
            os.fsync(self._fd)
            self._line += 1
            self._apply(rec)

    def intent(self, store: str, hashes: list[str]) -> int:
        with self._lock:
            batch = self.store(store).batches + 1
            self._record({"event": "batch", "store": store, "batch": batch, "keys": hashes,
                          "time": now()})
            return batch

    def outcome(self, store: str, batch: int, not_deleted: Iterable[str] = (),
                reconciled: bool = False) -> int:
        """The batch's keys went, except the hashes in `not_deleted` (as AWS answered, or as a
        fresh listing shows); the number that went, which is what the journal counts."""
        keys = self.store(store).pending[batch]
        kept = sorted(set(not_deleted) & set(keys))
        rec: dict[str, Any] = {"event": "deleted", "store": store, "batch": batch,
                               "count": len(set(keys)) - len(kept), "not_deleted": kept,
                               "time": now()}
        if reconciled:
            rec["reconciled"] = True
        self._record(rec)
        return int(rec["count"])

    def counted(self, store: str) -> int:
        """What the store's batches deleted, its parts' included (a database journals each
        table as `<store>/<table>`)."""
        return sum(st.deleted for name, st in self.stores.items()
                   if name == store or name.startswith(store + "/"))

    def store_done(self, store: str, result: Mapping[str, Any]) -> None:
        self._record({**result, "event": "store", "store": store,
                      "deleted": self.counted(store), "time": now()})

    def finish(self, certificate: str | None = None) -> None:
        self._record({"event": "finished", "time": now(), "certificate": certificate})
