"""`guardian erase`: the right to be forgotten, for one data subject, with a certificate."""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from guardian.aws import add_aws_options, add_role_options
from guardian.errors import UserError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from guardian.cli import add_catalog_option

    p = sub.add_parser(
        "erase", help="erase one data subject from every store the catalog names",
        description="Delete one data subject's objects and items from the catalog's stores "
                    "(S3 prefixes, every version; DynamoDB items by key or index; database rows "
                    "and their child rows), verify that "
                    "nothing remains and write a certificate. Resumable through a journal.",
    )
    p.add_argument("--subject", required=True, metavar="ID", help="the data subject's id")
    p.add_argument("--dataset", action="append", default=[], metavar="ID",
                   help="erase only from this dataset (repeat for several; default: all)")
    p.add_argument("--dry-run", action="store_true",
                   help="list what would be deleted (counts, sample keys); delete nothing")
    p.add_argument("--journal", metavar="FILE",
                   help="journal to write, or to resume an interrupted run from "
                        "(default: a new file in the certificate directory)")
    p.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    p.add_argument("--certificate-dir", default=".", metavar="DIR",
                   help="where the certificate (JSON and Markdown) goes (default: .)")
    p.add_argument("--received", metavar="YYYY-MM-DD",
                   help="when the request was received: the certificate gives the answer's due "
                        "date per law from it (GDPR: one month)")
    p.add_argument("--identity-check", metavar="REF",
                   help="reference to the record of how the requester's identity was verified")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text or json (default: text)")
    p.add_argument("--parallel", type=int, default=4, metavar="N",
                   help="erase up to N stores at once (default: 4; 1: one after the other)")
    p.add_argument("--scan-segments", type=int, default=4, metavar="N",
                   help="a DynamoDB table the catalog declares no key for is scanned in N "
                        "parallel segments (default: 4)")
    add_catalog_option(p)
    add_aws_options(p)
    add_role_options(p.add_argument_group("other accounts"),
                     "other than the caller's that the catalog pins a store to")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from guardian.aws import Clients, check_external_id, check_role, credentials_error
    from guardian.catalog import load_catalog
    from guardian.erasure.certificate import where
    from guardian.erasure.journal import Journal
    from guardian.erasure.plan import plan_erasure
    from guardian.erasure.run import (
        MAX_PARALLEL,
        Accounts,
        dry_run,
        erase_and_certify,
        is_outage,
        prepare_certificate_dir,
    )

    # Every option is checked before the first call, and the certificate's directory before
    # the first delete: a run that cannot certify must not start.
    for option, value in (("--parallel", args.parallel), ("--scan-segments", args.scan_segments)):
        if not 1 <= value <= MAX_PARALLEL:
            raise UserError(f"{option} must be between 1 and {MAX_PARALLEL}, not {value}")
    role = check_role(args.assume_role) if args.assume_role else None
    if args.external_id and not role:
        raise UserError("--external-id applies with --assume-role only")
    external_id = check_external_id(args.external_id) if args.external_id else None
    plan = plan_erasure(load_catalog(args.catalog), args.subject, args.dataset,
                        segments=args.scan_segments)
    request = _request(args)
    interactive = sys.stdin.isatty()
    if not (args.dry_run or args.yes or interactive):
        raise UserError("refusing to erase without confirmation: no terminal to ask on; "
                        "pass --yes, or --dry-run to see what would go")
    clients = Clients(profile=args.profile, endpoint_url=args.endpoint_url)
    region = clients.region_or_default(args.region)
    journal = None
    try:
        accounts = Accounts(clients, region, role, external_id)
        accounts.check(plan)  # every pinned account reachable, before anything is deleted
        plan = accounts.placed(plan)
        if args.dry_run:
            previews = dry_run(plan, clients, region, accounts=accounts)
            _print_preview(previews, args.format, dry_run=True)
            return 1 if any(p.error for p in previews) else 0

        certificate_dir = prepare_certificate_dir(args.certificate_dir)
        # A new file: the time alone is not unique (two runs started in one second, say a
        # script erasing one subject after another, would share it, and the second be refused)
        journal_path = Path(args.journal) if args.journal else certificate_dir / (
            "erasure-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-"
            + secrets.token_hex(4) + ".jsonl")
        resuming = journal_path.is_file() and journal_path.stat().st_size > 0
        # Checked, chained and locked before anything is deleted (UserError otherwise).
        journal = Journal.open(journal_path, plan.subject, plan.datasets, args.catalog,
                               key_dir=certificate_dir, request=request.to_journal())
        if journal.finished:
            _say(f"{journal_path}: this erasure finished at {journal.finished['time']}; "
                 f"nothing to do (certificate: {journal.finished.get('certificate')})")
            return 0
        if interactive and not args.yes and not _confirm(plan, clients, region, accounts):
            if not resuming:  # the journal of a run that never started
                journal.close()
                journal_path.unlink(missing_ok=True)
            _say("nothing was deleted")
            return 0  # the user chose: nothing failed
        again = f"--journal {journal_path} --certificate-dir {certificate_dir}"
        _say(f"journal: {journal_path} (if interrupted, rerun with {again})")
        try:
            cert, json_path, md_path = erase_and_certify(
                plan, clients, region, journal, certificate_dir,
                _progress() if _tty() else None, accounts=accounts, parallel=args.parallel)
            if _tty():
                print(file=sys.stderr)  # end the progress line
        except Exception as exc:
            if not is_outage(exc):
                raise
            _say(f"interrupted: {exc}\nthe journal kept its place; resume with the same "
                 f"command and {again}")
            return 1
    except Exception as exc:
        user = credentials_error(exc)
        if user is None:
            raise
        raise user from None
    finally:
        if journal is not None:
            journal.close()
    if args.format == "json":
        print(json.dumps(cert, indent=2, sort_keys=True))
    else:
        for r in cert["stores"]:
            detail = r.get("reason") or r.get("error") or f"{r.get('deleted', 0)} deleted, " \
                f"{r.get('remaining', '?')} remaining"
            print(f"{r['status']:<10} {r.get('dataset', '')}/{r['store']}{where(r)}: {detail}")
        left = cert["not_erased"]
        print(f"certificate ({cert['status']}"
              + (f": data remains in {len(left)} store(s)" if left else "")
              + f"): {json_path} and {md_path}")
    return 0 if cert["complete"] else 1


def _print_preview(previews: list, fmt: str, *, dry_run: bool) -> None:  # type: ignore[type-arg]
    from guardian.erasure.certificate import where

    if fmt == "json":
        print(json.dumps({"dry_run": True, "stores": [p.to_json() for p in previews]},
                         indent=2, sort_keys=True))
        return
    for p in previews:
        t = p.target
        head = f"{t.dataset}/{t.store} ({t.kind}{where(t.to_json())})"
        if t.skip:
            print(f"skip  {head}: {t.skip}")
        elif p.error:
            print(f"error {head}: {p.error}")
        else:
            print(f"would {head}: {p.count} to delete via {p.method}")
            if p.rows:
                print("      rows: " + ", ".join(f"{t} {n}" for t, n in p.rows.items()))
            for sample in p.samples:
                print(f"        {sample}")
            if p.warning:
                print(f"      warning: {p.warning}")
            for reason in dict.fromkeys(p.blocked):
                n = p.blocked.count(reason)
                print(f"      left in place ({n}): {reason}")
    if dry_run:  # before a confirmation prompt, the deletion is yet to come
        print("dry run: nothing was deleted")


def _confirm(plan, clients, region, accounts) -> bool:  # type: ignore[no-untyped-def]
    from guardian.erasure.run import dry_run

    previews = dry_run(plan, clients, region, accounts=accounts)
    _print_preview(previews, "text", dry_run=False)
    total = sum(p.count for p in previews)
    answer = input(f"Permanently delete {total} object version(s)/item(s)/row(s)? Type 'erase': ")
    return answer.strip() == "erase"


def _tty() -> bool:
    return sys.stderr.isatty()


def _say(message: str) -> None:
    print(message, file=sys.stderr)


def _progress():  # type: ignore[no-untyped-def]
    def show(store: str, deleted: int) -> None:
        print(f"\r{store}: {deleted} deleted", end="", file=sys.stderr, flush=True)

    return show


def _request(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from guardian.erasure.certificate import Request

    received = None
    if args.received:
        try:
            received = date.fromisoformat(args.received)
        except ValueError:
            raise UserError(f"--received {args.received!r} is not a date (YYYY-MM-DD)") from None
        if received > datetime.now(UTC).date():
            raise UserError(f"--received {args.received} is in the future")
    return Request(received, args.identity_check)
