"""`guardian breach`: size a breach from the catalog and the deployment. Which data, whose,
which laws require notice (owed, not owed and why, or needs a person's assessment), to whom and
by when; and a breach register entry.

Layout: `law` (the regimes' tests, pure), `assess` (exposure, protection, verdicts, pure),
`answers` (the questions and the assessment file), `render` (Markdown), `register` (the
append-only register file). This module is the command.
"""

from __future__ import annotations

import argparse
import json
from datetime import UTC, datetime


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from guardian.cli import add_catalog_option
    from guardian.graph.options import add_source_options

    p = sub.add_parser(
        "breach", help="size a breach: whether notice is owed per law, to whom, by when",
        description="From one compromised store or role: the datasets exposed, how they were "
                    "encrypted as deployed, and per law whether notice is owed (owed, not owed "
                    "and why, or the questions a person must answer), then every step with its "
                    "deadline. Without a deployment option no encryption is relied on.",
    )
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--resource", metavar="NAME|ARN", help="the compromised bucket or table")
    which.add_argument("--role", metavar="NAME", help="the compromised IAM role (name or ARN)")
    p.add_argument("--discovered-at", metavar="TIME",
                   help="when the breach was discovered, ISO 8601 (default: now)")
    p.add_argument("--assessment", metavar="FILE",
                   help="a person's answers to the questions the law leaves to judgment (YAML)")
    p.add_argument("--affected", metavar="N", type=_count,
                   help="how many people are affected, once counted (default: the assessment's "
                   "affected.total, else the exposed datasets' catalog volume, an estimate)")
    p.add_argument("--count-subjects", action="store_true",
                   help="with --resource naming a database store (rds, aurora): count the "
                   "people in it (COUNT DISTINCT of its subject columns, through the catalog's "
                   "connection, reaching Secrets Manager and RDS with --endpoint-url and --region; "
                   "point the connection at a read replica to spare the writer)")
    p.add_argument("--register", metavar="FILE",
                   help="append this assessment to the breach register (JSON lines)")
    p.add_argument("--format", choices=("md", "json"), default="md",
                   help="md (Markdown) or json (default: md)")
    add_catalog_option(p)
    add_source_options(p, optional=True)
    p.set_defaults(run=run)


def _count(text: str) -> int:
    """--affected: a whole number of people, 0 or more."""
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of people (0, 1, 2, ...)")
    return int(text)


def run(args: argparse.Namespace) -> int:
    from guardian.breach import answers
    from guardian.breach.assess import assess, parse_time, to_json
    from guardian.breach.render import markdown
    from guardian.catalog import load_catalog

    catalog = load_catalog(args.catalog)
    discovered = parse_time(args.discovered_at)  # before any slow read: a typo fails fast
    assessment = answers.read(args.assessment) if args.assessment else None
    graph = None
    if any(getattr(args, k, None) for k in ("program", "preview", "state", "graph", "live")):
        from guardian.graph.options import graph_from_args

        graph = graph_from_args(args)
    affected = args.affected
    if args.count_subjects:
        affected = _count_subjects(catalog, args)
    report = assess(catalog, resource=args.resource, role=args.role, discovered_at=discovered,
                    graph=graph, assessment=assessment, affected=affected)
    if args.register:
        from guardian.breach.records import append, entry

        append(args.register, entry(report, datetime.now(UTC).replace(microsecond=0)))
    if args.format == "json":
        print(json.dumps(to_json(report), indent=2))
    else:
        print(markdown(report), end="")
    return 0


def _count_subjects(catalog, args: argparse.Namespace) -> int:  # type: ignore[no-untyped-def]
    """The people in the compromised database store, counted there (UserError otherwise)."""
    import sys

    from guardian.aws import Clients
    from guardian.erasure import database, sql
    from guardian.erasure.store import StoreError
    from guardian.errors import UserError

    if args.affected is not None:
        raise UserError("--count-subjects counts the people; --affected gives the number: "
                        "pass one of them")
    found = catalog.store(args.resource) if args.resource else None
    if found is None or not found[1].database_store:
        kind = f"a {found[1].kind} store" if found else "not a store of the catalog"
        raise UserError(f"--count-subjects needs --resource naming a database store (rds, "
                        f"aurora) of the catalog; {args.resource or 'a role'} is {kind}")
    st = found[1]
    clients = Clients(profile=getattr(args, "profile", None),
                      endpoint_url=getattr(args, "endpoint_url", None))
    regions = getattr(args, "region", None) or [None]
    region = st.region or clients.region_or_default(regions[0])
    refused: tuple[type[BaseException], ...] = (StoreError, *sql.outages())
    try:
        conn, dialect = sql.connect(st, clients, region)
        try:
            count = database.count_subjects(conn, dialect, st)
        finally:
            conn.close()
    except refused as exc:
        raise UserError(f"--count-subjects: {st.name}: {exc}") from None
    print(f"{st.name}: {count} distinct subject(s) counted", file=sys.stderr)
    return count
