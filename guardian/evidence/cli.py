"""Commands: `guardian export ropa|notice|datamap|oscal|fides|bundle`, `guardian evidence
verify`, `guardian report`. Heavy imports (openpyxl, trestle, fideslang) stay inside `run`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from guardian.cli import add_catalog_option
from guardian.gate import add_gate_options, exit_code, run_gate
from guardian.graph.options import add_source_options, graph_from_args


def _common(p: argparse.ArgumentParser, *, source: bool = True, gate: bool = False,
            output_help: str = "write here (default: stdout)") -> None:
    add_catalog_option(p)
    if source:
        add_source_options(p)
    if gate:  # the command evaluates the rules: exit 1 when something blocks
        add_gate_options(p)
    p.add_argument("-o", "--output", metavar="PATH", help=output_help)


def oscal_models() -> tuple[str, ...]:
    from guardian.evidence.oscal import FILES

    return tuple(FILES)


def register_export(export_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = export_sub.add_parser(
        "ropa", help="GDPR Art. 30 record of processing (CSV or XLSX)",
        description="Write the record of processing activities (GDPR Art. 30, UK ICO template "
        "columns), one row per dataset, its measures and locations read from the deployment.",
    )
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv",
                   help="csv or xlsx; xlsx needs -o FILE or a redirected stdout (default: csv)")
    _common(p)
    p.set_defaults(run=run_ropa)

    p = export_sub.add_parser(
        "notice", help="privacy notice per data subject type (md or html)",
        description="Write the privacy notice, one part per data subject type, from the "
        "catalog alone: what is collected, why, on what basis, how long, where, who receives "
        "it and the subject's rights.",
    )
    p.add_argument("--format", choices=("md", "html"), default="md",
                   help="md (Markdown) or html (default: md)")
    _common(p, source=False)
    p.set_defaults(run=run_notice)

    p = export_sub.add_parser(
        "datamap", help="data map: datasets, stores, roles, recipients",
        description="Write the data map: datasets, the deployed stores that hold them, the "
        "roles that reach them and the recipients, with residency and transfers flagged.",
    )
    p.add_argument("--format", choices=("mermaid", "json", "svg"), default="mermaid",
                   help="mermaid (flowchart source), json or svg (default: mermaid)")
    _common(p)
    p.set_defaults(run=run_datamap)

    p = export_sub.add_parser(
        "oscal", help="OSCAL profile, component-definition, SSP, assessment plan or results",
        description="Write an OSCAL document (NIST SP 800-53 rev5 controls): the controls in "
        "scope (profile), what the modules implement (component-definition), the system "
        "(system-security-plan), the rules as an assessment-plan, or the check of the "
        "deployment (assessment-results). Each imports the one before it as a sibling file "
        "(profile.json, system-security-plan.json, assessment-plan.json) with its SHA-256: "
        "export them into one directory, or use `export bundle`.",
    )
    p.add_argument("--model", choices=tuple(oscal_models()), default="component-definition",
                   help="the plan and the results run the check on the deployment first "
                        "(default: component-definition)")
    _common(p, gate=True)
    p.set_defaults(run=run_oscal)

    p = export_sub.add_parser(
        "fides", help="Fides manifest: datasets and systems (YAML)",
        description="Write the catalog as a Fides manifest (fideslang datasets and systems, "
        "YAML), from the catalog alone.",
    )
    _common(p, source=False)
    p.set_defaults(run=run_fides)

    p = export_sub.add_parser(
        "bundle", help="everything above plus the catalog, the check results and a manifest",
        description="Write the evidence bundle to a directory, or a zip when -o ends in .zip. "
        "Set SOURCE_DATE_EPOCH to fix the time it records.",
    )
    _common(p, gate=True, output_help="the bundle directory, or a .zip file (required)")
    p.add_argument("--sign-key", metavar="KEY",
                   help="sign manifest.json with this Ed25519 private key (PEM or OpenSSH); "
                        "the signature goes in manifest.sig")
    p.set_defaults(run=run_bundle)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "evidence", help="work with evidence bundles",
        description="Work with the evidence bundles `guardian export bundle` writes.",
    )
    esub = p.add_subparsers(dest="evidence", metavar="ACTION")
    p.set_defaults(run=lambda args: (p.print_help(), 2)[1])
    v = esub.add_parser(
        "verify", help="check a bundle against its manifest (exit 1 if altered)",
        description="Check every file of a bundle directory or zip against the SHA-256 "
        "digests of its manifest.json: exit 0 if intact, 1 naming each modified, removed, "
        "added or missing file (or a signature that does not hold), 2 if it is no bundle at "
        "all or cannot be read safely.",
    )
    v.add_argument("bundle", metavar="BUNDLE", help="a bundle directory or .zip")
    v.add_argument("--public-key", metavar="PUB",
                   help="require manifest.sig to be a valid Ed25519 signature by this public "
                        "key (PEM or OpenSSH); without it, a rehashed manifest passes")
    v.set_defaults(run=run_verify)

    r = sub.add_parser(
        "report", help="a self-contained HTML report for compliance reviewers",
        description="Check the deployment and write one self-contained HTML page (no script, "
        "no network): findings, datasets, the data map and transfers.",
    )
    _common(r, gate=True, output_help="the HTML file (default: stdout)")
    r.set_defaults(run=run_report)


def _inputs(args: argparse.Namespace) -> tuple[Any, Any]:
    from guardian.catalog import load_catalog

    return load_catalog(args.catalog), graph_from_args(args)


def run_ropa(args: argparse.Namespace) -> int:
    from guardian.evidence import ropa
    from guardian.io import write_output

    catalog, graph = _inputs(args)
    records = ropa.rows(catalog, graph)
    if args.format == "xlsx":
        if not args.output and sys.stdout.isatty():
            from guardian.errors import UserError

            raise UserError("XLSX is binary: give -o FILE.xlsx (or redirect stdout)")
        write_output(ropa.to_xlsx(records), args.output)
    else:
        write_output(ropa.to_csv(records), args.output)
    return 0


def run_notice(args: argparse.Namespace) -> int:
    from guardian.catalog import load_catalog
    from guardian.evidence import notice
    from guardian.io import write_output

    catalog = load_catalog(args.catalog)
    text = notice.to_html(catalog) if args.format == "html" else notice.to_markdown(catalog)
    write_output(text, args.output)
    return 0


def run_datamap(args: argparse.Namespace) -> int:
    import json

    from guardian.evidence import datamap
    from guardian.io import write_output

    data = datamap.build(*_inputs(args))
    if args.format == "json":
        text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    else:
        text = datamap.to_svg(data) + "\n" if args.format == "svg" else datamap.to_mermaid(data)
    write_output(text, args.output)
    return 0


def run_oscal(args: argparse.Namespace) -> int:
    from guardian.evidence import oscal
    from guardian.evidence.bundle import build_time
    from guardian.io import write_output
    from guardian.policies.rules import RULES

    if args.model in ("profile", "component-definition"):
        build = oscal.profile if args.model == "profile" else oscal.component_definition
        write_output(oscal.dumps(build(RULES, build_time())), args.output)
        return 0
    # the documents that import others are built with the whole chain
    gate = run_gate(args)
    docs = oscal.documents(gate.catalog, gate.report, RULES, build_time())
    write_output(docs[oscal.FILES[args.model]], args.output)
    # assessment-results states the check's results: it exits as the check does
    return exit_code(gate.report, args) if args.model == "assessment-results" else 0


def run_fides(args: argparse.Namespace) -> int:
    from guardian.catalog import load_catalog
    from guardian.evidence import fides
    from guardian.io import write_output

    write_output(fides.to_yaml(load_catalog(args.catalog)), args.output)
    return 0


def run_bundle(args: argparse.Namespace) -> int:
    from pathlib import Path

    from guardian.errors import UserError
    from guardian.evidence import bundle, signing
    from guardian.io import read_bytes
    from guardian.policies.rules import RULES

    if not args.output:
        raise UserError("export bundle needs -o DIR (or -o FILE.zip)")
    key = read_bytes(args.sign_key, "an Ed25519 private key") if args.sign_key else None
    if key is not None:
        signing.private_key(key, args.sign_key)  # a bad key fails before the work
    gate = run_gate(args)
    catalog, graph, report = gate.catalog, gate.graph, gate.report
    commit, dirty = bundle.git_state(Path(args.catalog).resolve().parent, output=args.output)
    files = bundle.build(catalog, graph, report, RULES, time=bundle.build_time(), commit=commit,
                         dirty=dirty)
    if key is not None:
        files[bundle.SIGNATURE] = signing.sign(files[bundle.MANIFEST], key, args.sign_key)
    out = bundle.write(files, args.output)
    print(f"guardian: wrote {len(files)} files to {out} ({len(report.results)} finding(s), "
          f"{len(report.blocking)} blocking)", file=sys.stderr)
    return exit_code(report, args)


def run_verify(args: argparse.Namespace) -> int:
    from guardian.errors import UserError
    from guardian.evidence import bundle, signing
    from guardian.io import read_bytes

    public = read_bytes(args.public_key, "an Ed25519 public key") if args.public_key else None
    if public is not None:
        signing.public_key(public, args.public_key)  # the key's error, not the bundle's
    files = bundle.read(args.bundle)
    try:
        problems = bundle.verify(files, public, args.public_key or "")
    except UserError as exc:
        raise UserError(f"{args.bundle}: {exc}") from None
    signed_by = signing.signer(files.get(bundle.SIGNATURE))
    if public is None and signed_by:
        print(f"guardian: {args.bundle}: signed by {signed_by}; give --public-key to check "
              "the signature", file=sys.stderr)
    for problem in problems:
        print(f"{args.bundle}: {problem}", file=sys.stderr)
    if problems:
        print(f"guardian: {args.bundle}: verification FAILED ({len(problems)} problem(s))",
              file=sys.stderr)
        return 1
    signed = f", signed by {signed_by}" if public is not None else ""
    print(f"guardian: {args.bundle}: intact{signed}", file=sys.stderr)
    return 0


def run_report(args: argparse.Namespace) -> int:
    from guardian.evidence.bundle import build_time
    from guardian.io import write_output
    from guardian.report.html import render_html

    gate = run_gate(args)
    report = gate.report
    write_output(render_html(gate.catalog, gate.graph, report, time=build_time()), args.output)
    if args.output:
        print(f"guardian: wrote {args.output} ({len(report.results)} finding(s), "
              f"{len(report.blocking)} blocking)", file=sys.stderr)
    return exit_code(report, args)
