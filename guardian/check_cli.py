"""`guardian check`: gate a deployment on the catalog's promises."""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from guardian.cli import add_catalog_option
from guardian.gate import add_gate_options
from guardian.graph.options import add_source_options

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
    p.add_argument("--format", choices=FORMATS, default="text",
                   help="text (default: failures first, by severity), json, sarif or junit")
    p.add_argument("-o", "--output", metavar="FILE", help="write the report here (default: stdout)")
    add_gate_options(p)
    out = p.add_argument_group("text and SARIF output")
    out.add_argument("--quiet", action="store_true",
                     help="text: only what blocks, and the verdict")
    out.add_argument("--compact", action="store_true", help="text: one line a finding")
    out.add_argument("--sarif-include-info", action="store_true",
                     help="SARIF: include information findings (kind informational); by default "
                     "they are left out so they never become code-scanning alerts")
    p.add_argument(
        "--checkov",
        action="store_true",
        help="also run checkov's AWS checks on the graph (as a Terraform plan)",
    )
    p.add_argument(
        "--baseline",
        metavar="FILE",
        help="a previous `guardian check --format json` report (e.g. from the main branch): "
        "findings already in it are still reported, as baseline, but only new ones block",
    )
    p.set_defaults(run=run_check)

    r = sub.add_parser("rules", help="list the privacy rules: id, control, severity, title",
                       description="List every rule `guardian check` runs, for waivers and docs.")
    r.add_argument("--format", choices=("text", "markdown", "json", "page"), default="text",
                   help="text, a markdown table (as in the README), JSON, or the rules page "
                   "with rationale, fix, references and examples (docs/rules.md) "
                   "(default: text)")
    r.set_defaults(run=run_rules)


def run_check(args: argparse.Namespace) -> int:
    from guardian.gate import exit_code, run_gate
    from guardian.io import write_output
    from guardian.locations import Roots
    from guardian.report import Options, docs_url, render
    from guardian.report.common import unlocated_note

    baseline = read_baseline(args.baseline) if args.baseline else None  # fail before the run
    gate = run_gate(args)
    report = gate.report
    if args.checkov:
        from guardian.checkov_runner import merge_checkov

        report = merge_checkov(report, gate.graph, gate.catalog, keep=gate.selection.keeps)
    if args.baseline:
        from guardian.baseline import apply_baseline

        report = apply_baseline(report, baseline, args.baseline)
    options = Options(quiet=args.quiet, compact=args.compact,
                      sarif_include_info=args.sarif_include_info,
                      docs_url=docs_url(os.environ, Roots.around().repository))
    write_output(render(report, args.format, options), args.output)
    if args.output or args.format != "text":
        for line in (report.partial, report.accounts_line):
            if line:
                print(f"guardian: {line}", file=sys.stderr)
        known = (f", {sum(r.baseline for r in report.results)} in the baseline, "
                 f"{report.fixed} fixed" if report.fixed is not None else "")
        print(
            f"guardian: {len(report.results)} finding(s), {len(report.blocking)} blocking, "
            f"{len(report.waived)} waived{known}, on {report.resources} resources",
            file=sys.stderr,
        )
        note = unlocated_note(report)
        if note:
            print(f"guardian: {note}", file=sys.stderr)
    return exit_code(report, args)


def read_baseline(path: str) -> Any:
    """The parsed JSON of a baseline report; its shape is checked when it is applied."""
    from guardian.io import read_json

    return read_json(path, "a `guardian check --format json` report (the baseline)")


def rules_table(fmt: str) -> str:
    """The rule list, one row a rule, in the registry's order."""
    import json

    from guardian import nist
    from guardian.policies.rules import RULES

    if fmt == "json":
        return json.dumps([{"id": r.id, "control": r.control, "severity": r.severity,
                            "title": r.title, "rationale": r.rationale,
                            "remediation": r.remediation, "references": list(r.references),
                            "nist": {"assessed": list(nist.assessed(r)),
                                     "organisational": [c for c in nist.cited(r)
                                                        if c in nist.ORGANISATIONAL]}}
                           for r in RULES], indent=2) + "\n"
    if fmt == "page":
        from guardian.report.rules_page import page

        return page(RULES)
    if fmt == "markdown":
        rows = ["| rule | control | severity | what it checks | references |",
                "| --- | --- | --- | --- | --- |"]
        rows += [f"| {r.id} | {r.control} | {r.severity} | {r.title} | "
                 f"{', '.join(r.references)} |" for r in RULES]
        return "\n".join(rows) + "\n"
    return "".join(f"{r.id:<12} {r.severity:<9} {r.control:<22} {r.title}\n" for r in RULES)


def run_rules(args: argparse.Namespace) -> int:
    sys.stdout.write(rules_table(args.format))
    return 0
