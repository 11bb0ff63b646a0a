"""Erase one subject across the plan's stores: dry run, real run through the journal, verify.

Errors are sorted three ways. A store that cannot be erased as described (no such bucket,
access denied, a wrong index) is recorded as failed and the run goes on with the others. An
outage (connection lost, 5xx or throttling after botocore's retries) stops the run: the journal
keeps its place and the same command with `--journal` resumes it. Anything else is a bug and
propagates.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from guardian.aws import Unread, error_code, setup_error
from guardian.erasure import certificate, database, sql
from guardian.erasure.backups import recovery_points
from guardian.erasure.certificate import DONE, build
from guardian.erasure.dynamodb import DynamoStore
from guardian.erasure.journal import Journal, now
from guardian.erasure.plan import Plan, Target
from guardian.erasure.s3 import S3Store
from guardian.erasure.store import Progress, Store, StoreError, erase_store, preview
from guardian.errors import UserError

Clients = Callable[[str, str], Any]  # (service, region) -> boto3 client
MAX_PARALLEL = 64  # stores erased at once, and segments of one DynamoDB scan
Reach = Callable[[str], Clients]  # account id -> the clients of a role assumed there


class Accounts:
    """The clients of each account stores are pinned to: `role` assumed there once (through
    `region`), shared by its stores; the caller's own account through the caller's clients.
    A role that cannot be assumed fails each store of its account, not the run."""

    def __init__(self, clients: Any, region: str, role: str | None,
                 external_id: str | None = None) -> None:
        self.clients, self.region, self.role, self.external_id = \
            clients, region, role, external_id
        self._reached: dict[str, Any] = {}
        self._lock = threading.Lock()

    @cached_property
    def caller(self) -> str:
        """The caller's own account (sts:GetCallerIdentity); UserError when STS cannot say."""
        try:
            return str(self.clients("sts", self.region).get_caller_identity()["Account"])
        except Exception as exc:
            code = error_code(exc)
            if code is None:
                raise
            raise UserError(f"cannot tell which account the caller is in: "
                            f"sts:GetCallerIdentity failed ({code})") from None

    def check(self, plan: Plan) -> None:
        """UserError, before anything is deleted, when stores are pinned to accounts other than
        the caller's and no role is named to reach them."""
        pinned = {t.account for t in plan.active if t.account}
        if not pinned or self.role:
            return
        others = sorted(pinned - {self.caller})
        if others:
            raise UserError(f"the catalog pins stores to account(s) {', '.join(others)}, not "
                            f"the caller's ({self.caller}): pass --assume-role NAME, the role "
                            "to assume in each")

    def placed(self, plan: Plan) -> Plan:
        """The plan with the account and region of every store named: a store the catalog pins
        nowhere is in the caller's own account and the run's region, never in another, and the
        dry run, journal and certificate say so (a certificate is evidence of where the data
        was erased, in one account as in many)."""
        return replace(plan, targets=tuple(
            replace(t, account=t.account or self.caller, region=t.region or self.region)
            for t in plan.targets))

    def __call__(self, account: str) -> Any:
        from guardian.aws import role_arn

        if account == self.caller or not self.role:
            return self.clients
        with self._lock:
            if account not in self._reached:
                self._reached[account] = self.clients.assume(
                    role_arn(self.region, account, self.role), self.external_id,
                    "guardian-erasure", self.region)
            return self._reached[account]


def prepare_certificate_dir(path: str | Path) -> Path:
    """The certificate directory, made if missing and proved writable, or a UserError naming
    --certificate-dir: checked before the first delete, so no run deletes what it cannot
    certify."""
    import os
    import tempfile

    directory = Path(path)
    if os.path.lexists(directory) and not directory.is_dir():
        raise UserError(f"--certificate-dir {path}: not a directory")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as exc:
        raise UserError(f"--certificate-dir {path}: cannot write there: "
                        f"{exc.strerror or exc}") from None
    return directory


def connect(target: Target, clients: Clients, region: str, subject: str) -> Store:
    if target.kind == "s3":
        assert target.prefix is not None and target.subject_key is not None
        return S3Store.connect(clients("s3", region), target.store, target.prefix,
                               target.subject_key)
    assert target.subject_key is not None
    return DynamoStore.connect(clients("dynamodb", region), target.store, target.subject_key,
                               target.index, subject, target.subject_type,
                               segments=target.segments)


def _reach(t: Target, clients: Clients, accounts: Reach | None) -> Clients:
    """The clients of the account the target is pinned to; the caller's when it is not."""
    return accounts(t.account) if accounts is not None and t.account else clients


def is_outage(exc: BaseException) -> bool:
    """An error worth resuming after rather than recording: the service, not the store (a
    database server lost mid-run is one: its open transaction is rolled back)."""
    import botocore.exceptions as bx

    if isinstance(exc, sql.outages()):
        return True
    if isinstance(exc, bx.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or "Throttl" in (error_code(exc) or "") \
            or error_code(exc) in ("SlowDown", "RequestLimitExceeded")
    return isinstance(exc, bx.BotoCoreError) and setup_error(exc) is None


def store_failure(exc: BaseException) -> str | None:
    """Why a store cannot be read or erased as the catalog describes it (recorded, and the
    run goes on); None for anything else (an outage or a bug, which propagates)."""
    import botocore.exceptions as bx

    if isinstance(exc, StoreError | Unread):  # Unread: an answer it could not use
        return str(exc)
    if isinstance(exc, bx.ClientError) and not is_outage(exc):
        err = exc.response.get("Error", {})
        return f"{err.get('Code')}: {err.get('Message', '')}".strip()
    return None


@dataclass(frozen=True)
class Preview:
    target: Target
    count: int = 0
    samples: tuple[str, ...] = ()
    method: str = ""
    warning: str | None = None
    error: str | None = None
    blocked: tuple[str, ...] = ()  # found but left in place, and why
    rows: dict[str, int] | None = None  # rds/aurora: rows per table

    def to_json(self) -> dict[str, Any]:
        return {**self.target.to_json(), "count": self.count, "samples": list(self.samples),
                "method": self.method, "warning": self.warning, "error": self.error,
                "blocked": list(self.blocked), **({"rows": self.rows} if self.rows else {})}


def _rows_method(t: Target) -> str:
    assert t.storage is not None and t.storage.connection is not None
    return (f"rows by primary key, children first, one transaction per page; through "
            f"{t.storage.connection.method}")


@contextmanager
def _database(t: Target, clients: Clients, region: str, subject: str
              ) -> Iterator[database.Rows]:
    """The subject's rows in the target's database, on a connection closed afterwards."""
    assert t.storage is not None
    conn, dialect = sql.connect(t.storage, clients, region)
    try:
        yield database.Rows(conn, dialect, t.storage, subject)
    finally:
        conn.close()


def _preview(t: Target, clients: Clients, region: str, subject: str) -> Preview:
    if t.storage is not None:
        with _database(t, clients, region, subject) as rows:
            count, samples, per_table = database.preview(rows)
        return Preview(t, count, tuple(samples), _rows_method(t), rows=per_table)
    store = connect(t, clients, region, subject)
    count, samples, blocked = preview(store)
    return Preview(t, count, tuple(samples), store.method, getattr(store, "warning", None),
                   blocked=tuple(blocked))


def _erase_rows(t: Target, clients: Clients, region: str, subject: str, journal: Journal,
                progress: Progress | None) -> dict[str, Any]:
    assert t.storage is not None
    with _database(t, clients, region, subject) as rows:
        result = database.erase_rows(t.key, rows, journal, sql.conflicts(), progress)
    copies, arn = sql.outliving(t.storage, clients, region)
    copies += recovery_points(clients("backup", region), arn) if arn else []
    return {**result, "method": _rows_method(t), "outliving": [c.to_json() for c in copies],
            "verified": now()}


def dry_run(plan: Plan, clients: Clients, region: str, *,
            accounts: Reach | None = None) -> list[Preview]:
    """What a real run would delete, store by store; nothing is changed."""
    out = []
    for t in plan.targets:
        if t.skip:
            out.append(Preview(t))
            continue
        try:
            out.append(_preview(t, _reach(t, clients, accounts), t.region or region,
                                plan.subject))
        except Exception as exc:
            reason = store_failure(exc)
            if reason is None:
                raise
            out.append(Preview(t, error=reason))
    return out


def erase(plan: Plan, clients: Clients, region: str, journal: Journal,
          progress: Progress | None = None, *, accounts: Reach | None = None,
          parallel: int = 1) -> dict[str, Any]:
    """Erase every active target not yet done in `journal`; the certificate of the result.
    Targets pinned to an account are reached through `accounts`; up to `parallel` stores are
    erased at once, each through the one journal.

    Raises the outage's exception when the service fails mid-run (the journal is consistent):
    stores already under way finish or stop at their own outage, no new one starts.
    """
    todo = [t for t in plan.targets
            if (journal.store(t.key).result or {}).get("status") not in DONE]  # not done before
    if parallel <= 1 or len(todo) <= 1:
        for t in todo:
            _erase_target(t, plan.subject, clients, region, journal, progress, accounts)
        return build(journal, plan)
    with ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="guardian-erase") as pool:
        futures = [pool.submit(_erase_target, t, plan.subject, clients, region, journal,
                               progress, accounts) for t in todo]
        for future in as_completed(futures):
            if future.exception() is not None:
                for other in futures:
                    other.cancel()  # not started: left for the resumed run
                break
    for future in futures:
        if not future.cancelled() and future.exception() is not None:
            raise future.exception()  # type: ignore[misc]
    return build(journal, plan)


def _erase_target(t: Target, subject: str, clients: Clients, region: str, journal: Journal,
                  progress: Progress | None, accounts: Reach | None) -> None:
    """One target through the journal: erased, skipped or failed; an outage propagates."""
    key = t.key
    here = t.region or region
    base = {"dataset": t.dataset, "kind": t.kind, "name": t.store, "region": here,
            **({"account": t.account} if t.account else {})}
    if t.skip:
        journal.store_done(key, {**base, "status": "skipped", "reason": t.skip})
        return
    try:
        mine = _reach(t, clients, accounts)
        if t.storage is not None:
            result = _erase_rows(t, mine, here, subject, journal, progress)
        else:
            store = connect(t, mine, here, subject)
            result = erase_store(key, store, journal, progress)
            copies = store.outliving() + (recovery_points(mine("backup", here), store.arn)
                                          if store.arn else [])
            result.update(warning=getattr(store, "warning", None),
                          outliving=[c.to_json() for c in copies], verified=now())
    except Exception as exc:
        reason = store_failure(exc)
        if reason is None:
            raise
        st = journal.store(key)
        result = {"status": "failed", "error": reason, "deleted": st.deleted}
    journal.store_done(key, {**base, **result})


def erase_and_certify(plan: Plan, clients: Clients, region: str, journal: Journal,
                      certificate_dir: str | Path, progress: Progress | None = None, *,
                      accounts: Reach | None = None,
                      parallel: int = 1) -> tuple[dict[str, Any], Path, Path]:
    """`erase`, then the certificate on disk, then (when no store is left to retry: each
    erased or skipped for good) the journal closed."""
    cert = erase(plan, clients, region, journal, progress, accounts=accounts,
                 parallel=parallel)
    json_path, md_path = certificate.write(cert, certificate_dir)
    if all(r["status"] in DONE for r in cert["stores"]):
        journal.finish(certificate=str(json_path))
    return cert, json_path, md_path
