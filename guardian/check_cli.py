"""`guardian check`: gate a deployment on the catalog's promises."""

from __future__ import annotations

import argparse
import sys

from guardian.cli import add_catalog_option
from guardian.findings import SEVERITIES
from guardian.graph.options import add_source_options, graph_from_args

FORMATS = ("text", "json", "sarif", "junit")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "check",
        help="check a deployment against the catalog (exit 1 when something blocks)",
        description="Evaluate every privacy rule on a deployment: a Pulumi program run offline "
        "(default), a preview, a stack export, a synth graph or a live account.",
    )
    add_catalog_option(p)
    add_source_options(p)
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report here (default: stdout)")
    p.add_argument(
        "--fail-on",
        choices=SEVERITIES[:-1],
        default="high",
        metavar="SEVERITY",
        help="lowest severity that blocks: critical, high (default), medium or low",
    )
    p.add_argument(
        "--checkov",
        action="store_true",
        help="also run checkov's AWS checks on the graph (as a Terraform plan)",
    )
    p.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from guardian.catalog import load_catalog
    from guardian.check import evaluate
    from guardian.io import write_output
    from guardian.report import render

    catalog = load_catalog(args.catalog)
    graph = graph_from_args(args)
    report = evaluate(catalog, graph, fail_on=args.fail_on)
    if args.checkov:
        from guardian.checkov_runner import merge_checkov

        report = merge_checkov(report, graph, catalog)
    write_output(render(report, args.format), args.output)
    if args.output or args.format != "text":
        print(
            f"guardian: {len(report.results)} finding(s), {len(report.blocking)} blocking, "
            f"{len(report.waived)} waived, on {report.resources} resources",
            file=sys.stderr,
        )
    return report.exit_code
