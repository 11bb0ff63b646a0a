"""`guardian export ...`: one parser group; each module in EXPORTS adds its sub-commands through
`register_export(export_sub)`."""

from __future__ import annotations

import argparse
import importlib

# Modules exposing `register_export(export_subparsers)`.
EXPORTS: list[str] = [
    "guardian.evidence.cli",
    "guardian.graph.tfplan_cli",
]


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "export", help="export evidence: ROPA, notice, data map, OSCAL, Fides, bundle",
        description="Export the catalog, tied to the deployment, as evidence for compliance.",
    )
    export_sub = p.add_subparsers(dest="export", metavar="WHAT")
    p.set_defaults(run=lambda args: (p.print_help(), 2)[1])
    for name in EXPORTS:
        importlib.import_module(name).register_export(export_sub)
