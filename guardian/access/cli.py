"""`guardian access`: the right of access and portability, for one data subject, as one zip."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from guardian.aws import add_aws_options
from guardian.errors import UserError

DEFAULT_MAX_BYTES = 256 * 1024 * 1024


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from guardian.cli import add_catalog_option

    p = sub.add_parser(
        "access", help="collect everything stored about one data subject into one package",
        description="The right of access and portability (GDPR Art. 15 and 20, CCPA right to "
                    "know): the subject's S3 objects, DynamoDB items and database rows, as the "
                    "catalog locates them, in one zip: data.json (machine-readable), the files, "
                    "a summary (Markdown and HTML: what, why, from where, who received it, how "
                    "long it is kept, the person's rights) and a SHA-256 manifest. Reads only.",
    )
    p.add_argument("--subject", required=True, metavar="ID", help="the data subject's id")
    p.add_argument("--dataset", action="append", default=[], metavar="ID",
                   help="only this dataset (repeat for several; default: all)")
    p.add_argument("-o", "--output", metavar="FILE.zip",
                   help="the package to write (required unless --dry-run)")
    p.add_argument("--dry-run", action="store_true",
                   help="say what would be collected (counts, sizes); read no content")
    p.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, metavar="N",
                   help=f"refuse a package whose files would pass N bytes "
                        f"(default: {DEFAULT_MAX_BYTES})")
    p.add_argument("--received", metavar="YYYY-MM-DD",
                   help="when the request was received: the summary gives the answer's due "
                        "date per law from it")
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="what is printed: text or json (default: text)")
    add_catalog_option(p)
    add_aws_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from guardian.access.collect import collect
    from guardian.access.package import build
    from guardian.aws import Clients, credentials_error
    from guardian.catalog import load_catalog
    from guardian.erasure.journal import now
    from guardian.erasure.plan import plan_erasure
    from guardian.erasure.run import Accounts, is_outage
    from guardian.evidence.stable import zip_bytes
    from guardian.io import write_output

    if not args.dry_run and not args.output:
        raise UserError("--output FILE.zip is required (or --dry-run)")
    if args.output and not str(args.output).lower().endswith(".zip"):
        raise UserError(f"--output {args.output}: the package is a zip; name a .zip file")
    if args.max_bytes < 1:
        raise UserError("--max-bytes must be at least 1")
    received = _date(args.received) if args.received else None
    catalog = load_catalog(args.catalog)
    plan = plan_erasure(catalog, args.subject, args.dataset)
    clients = Clients(profile=args.profile, endpoint_url=args.endpoint_url)
    region = clients.region_or_default(args.region)
    progress = _progress() if sys.stderr.isatty() else None
    try:
        Accounts(clients, region, None).check(plan)
        # First what is there and how big, then (within the limit) the content.
        sizes = list(collect(plan, clients, region, fetch=False, progress=progress))
        total = sum(f.size for f in sizes)
        if args.dry_run:
            _print(sizes, plan, args.format, total)
            return 1 if any(f.error for f in sizes) else 0
        if total > args.max_bytes:
            raise UserError(f"the subject's S3 objects come to {total} bytes, over --max-bytes "
                            f"{args.max_bytes}: raise the limit, or collect dataset by dataset "
                            "(--dataset)")
        found = list(collect(plan, clients, region, progress=progress))
    except Exception as exc:
        user = credentials_error(exc)
        if user is not None:
            raise user from None
        if is_outage(exc):
            raise UserError(f"interrupted: {type(exc).__name__}; nothing was written, run the "
                            "command again") from None
        raise
    if progress:
        print(file=sys.stderr)
    import secrets

    skipped = [{"dataset": t.dataset, "kind": t.kind, "store": t.store, "reason": t.skip}
               for t in plan.targets if t.skip]
    files = build(catalog, plan.subject, secrets.token_hex(16), found, skipped, now(), received)
    write_output(zip_bytes(sorted(files.items())), args.output)
    if os.path.isfile(args.output):
        os.chmod(args.output, 0o600)  # the person's data: for the person and the controller
    _print(found, plan, args.format, sum(len(b) for b in files.values()), Path(args.output))
    return 1 if any(f.error for f in found) else 0


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UserError(f"--received {text!r}: expected a date YYYY-MM-DD") from None


def _print(found: list, plan, fmt: str, size: int,  # type: ignore[no-untyped-def,type-arg]
           written: Path | None = None) -> None:
    stores = [{**f.target.to_json(), "count": f.count, "bytes": f.size, "error": f.error,
               **({"rows": f.rows} if f.rows is not None else {})} for f in found]
    skipped = [t.to_json() for t in plan.targets if t.skip]
    if fmt == "json":
        print(json.dumps({"dry_run": written is None, "stores": stores, "skipped": skipped,
                          "bytes": size, "package": str(written) if written else None},
                         indent=2, sort_keys=True))
        return
    for s in stores:
        what = s["error"] and f"error: {s['error']}" or f"{s['count']} record(s)" + (
            f", {s['bytes']} bytes" if s["kind"] == "s3" else "") + (
            " (" + ", ".join(f"{t} {n}" for t, n in s["rows"].items()) + ")"
            if s.get("rows") else "")
        print(f"{s['dataset']}/{s['store']} ({s['kind']}): {what}")
    for s in skipped:
        print(f"skip {s['dataset']}/{s['store']} ({s['kind']}): {s['skip']}")
    if written:
        print(f"package: {written} ({size} bytes; summary.md, summary.html, data.json, "
              "manifest.json)")
    else:
        print(f"dry run: nothing was read or written; the S3 objects come to {size} bytes")


def _progress():  # type: ignore[no-untyped-def]
    def show(store: str, count: int) -> None:
        print(f"\r{store}: {count} found", end="", file=sys.stderr, flush=True)

    return show
