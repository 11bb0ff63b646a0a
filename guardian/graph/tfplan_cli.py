"""`guardian export tfplan`: the deployment as Terraform plan JSON, for checkov and friends."""

from __future__ import annotations

import argparse
import json
import sys

from guardian.graph.options import add_source_options, graph_from_args


def register_export(export_sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = export_sub.add_parser(
        "tfplan", help="the deployment as Terraform plan JSON (for checkov and other TF tools)",
        description="Convert the deployment's resources to Terraform plan JSON: Pulumi types to "
        "Terraform types, links between resources to Terraform references. Types without a "
        "mapping are listed on stderr and under `guardian.unmapped` in the plan.",
    )
    add_source_options(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write the plan here (default: stdout)")
    p.set_defaults(run=run_export_tfplan)


def run_export_tfplan(args: argparse.Namespace) -> int:
    from guardian.graph.tfplan import to_tfplan
    from guardian.io import write_output

    plan, unmapped = to_tfplan(graph_from_args(args))
    write_output(json.dumps(plan, indent=2, sort_keys=True) + "\n", args.output)
    resources = len(plan["planned_values"]["root_module"]["resources"])
    print(f"guardian: {resources} resource(s) converted", file=sys.stderr)
    for type_token in unmapped:
        print(f"guardian: not converted (no Terraform mapping): {type_token}", file=sys.stderr)
    return 0
