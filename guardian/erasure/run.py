"""Erase one subject across the plan's stores: dry run, real run through the journal, verify.

Errors are sorted three ways. A store that cannot be erased as described (no such bucket,
access denied, a wrong index) is recorded as failed and the run goes on with the others. An
outage (connection lost, 5xx or throttling after botocore's retries) stops the run: the journal
keeps its place and the same command with `--journal` resumes it. Anything else is a bug and
propagates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardian.aws import error_code, setup_error
from guardian.erasure import certificate
from guardian.erasure.backups import recovery_points
from guardian.erasure.certificate import DONE, build
from guardian.erasure.dynamodb import DynamoStore
from guardian.erasure.journal import Journal, now
from guardian.erasure.plan import Plan, Target
from guardian.erasure.s3 import S3Store
from guardian.erasure.store import Progress, Store, StoreError, erase_store, preview
from guardian.errors import UserError

Clients = Callable[[str, str], Any]  # (service, region) -> boto3 client


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
                               target.index, subject, target.subject_type)


def is_outage(exc: BaseException) -> bool:
    """An error worth resuming after rather than recording: the service, not the store."""
    import botocore.exceptions as bx

    if isinstance(exc, bx.ClientError):
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or "Throttl" in (error_code(exc) or "") \
            or error_code(exc) in ("SlowDown", "RequestLimitExceeded")
    return isinstance(exc, bx.BotoCoreError) and setup_error(exc) is None


def _store_failure(exc: BaseException) -> str | None:
    import botocore.exceptions as bx

    if isinstance(exc, StoreError):
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

    def to_json(self) -> dict[str, Any]:
        return {**self.target.to_json(), "count": self.count, "samples": list(self.samples),
                "method": self.method, "warning": self.warning, "error": self.error,
                "blocked": list(self.blocked)}


def dry_run(plan: Plan, clients: Clients, region: str) -> list[Preview]:
    """What a real run would delete, store by store; nothing is changed."""
    out = []
    for t in plan.targets:
        if t.skip:
            out.append(Preview(t))
            continue
        try:
            store = connect(t, clients, region, plan.subject)
            count, samples, blocked = preview(store)
        except Exception as exc:
            reason = _store_failure(exc)
            if reason is None:
                raise
            out.append(Preview(t, error=reason))
            continue
        out.append(Preview(t, count, tuple(samples), store.method, getattr(store, "warning", None),
                           blocked=tuple(blocked)))
    return out


def erase(plan: Plan, clients: Clients, region: str, journal: Journal,
          progress: Progress | None = None) -> dict[str, Any]:
    """Erase every active target not yet done in `journal`; the certificate of the result.

    Raises the outage's exception when the service fails mid-run (the journal is consistent).
    """
    for t in plan.targets:
        key = t.key
        previous = journal.store(key).result
        if previous and previous.get("status") in DONE:
            continue  # finished in an earlier run of this journal
        base = {"dataset": t.dataset, "kind": t.kind, "name": t.store, "region": region}
        if t.skip:
            journal.store_done(key, {**base, "status": "skipped", "reason": t.skip})
            continue
        try:
            store = connect(t, clients, region, plan.subject)
            result = erase_store(key, store, journal, progress)
            copies = store.outliving() + (recovery_points(clients("backup", region), store.arn)
                                          if store.arn else [])
            result.update(warning=getattr(store, "warning", None),
                          outliving=[c.to_json() for c in copies], verified=now())
        except Exception as exc:
            reason = _store_failure(exc)
            if reason is None:
                raise
            st = journal.store(key)
            result = {"status": "failed", "error": reason, "deleted": st.deleted}
        journal.store_done(key, {**base, **result})
    return build(journal, plan)


def erase_and_certify(plan: Plan, clients: Clients, region: str, journal: Journal,
                      certificate_dir: str | Path,
                      progress: Progress | None = None) -> tuple[dict[str, Any], Path, Path]:
    """`erase`, then the certificate on disk, then (when no store is left to retry: each
    erased or skipped for good) the journal closed."""
    cert = erase(plan, clients, region, journal, progress)
    json_path, md_path = certificate.write(cert, certificate_dir)
    if all(r["status"] in DONE for r in cert["stores"]):
        journal.finish(certificate=str(json_path))
    return cert, json_path, md_path
