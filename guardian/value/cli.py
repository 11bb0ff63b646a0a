"""`guardian risk`: the datasets ranked by value at risk, with their open findings."""

from __future__ import annotations

import argparse
import sys

FORMATS = ("text", "markdown", "json")


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    from guardian.cli import add_catalog_option
    from guardian.gate import add_gate_options
    from guardian.graph.options import add_source_options

    p = sub.add_parser(
        "risk", help="rank the datasets by value at risk, with the arithmetic and open findings",
        description="What a breach of each dataset would cost (volume x cost per record, from "
        "published studies or the catalog's organization.record_costs), raised by the findings "
        "open against its stores now; ranked, unsized datasets last. Exit 1 when a finding "
        "blocks, as `guardian check`.",
    )
    add_catalog_option(p)
    add_source_options(p)
    add_gate_options(p)
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default), markdown or json")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report here (default: stdout)")
    p.add_argument("--table", action="store_true",
                   help="print the cost table with its sources (markdown) and exit")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from guardian.io import write_output
    from guardian.value.report import render, table_markdown

    if args.table:
        sys.stdout.write(table_markdown())
        return 0
    from guardian.gate import exit_code, run_gate

    report = run_gate(args).report
    write_output(render(report, args.format), args.output)
    return exit_code(report, args)
