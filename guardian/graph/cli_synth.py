"""`guardian synth`: run a Pulumi program offline and write its resource graph as JSON."""

from __future__ import annotations

import argparse
import sys

from guardian.errors import UserError
from guardian.graph import cache


def parse_config(pairs: list[str]) -> dict[str, str]:
    """`key=value` pairs; the key may carry a namespace (`aws:region`)."""
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--config {pair!r}: expected key=value (e.g. aws:region=eu-west-1)")
        out[key.strip()] = value
    return out


def add_synth_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = subparsers.add_parser(
        "synth", help="run a Pulumi program offline and write the resources it would create",
        description="Run a Pulumi Python program in-process under mocks (no Pulumi CLI, no "
        "cloud account) and write every resource it registers as a deterministic JSON graph.",
    )
    p.add_argument("--program", action="extend", nargs="+", metavar="DIR",
                   help="project or program directory (default: the project in ./Pulumi.yaml); "
                   "several (repeated, or a glob) run in parallel into one graph")
    p.add_argument("--stack", default="dev", metavar="NAME",
                   help="stack whose Pulumi.<stack>.yaml config to use (default: dev)")
    p.add_argument("--config", action="append", default=[], metavar="KEY=VALUE",
                   help="override one config value (repeatable), e.g. aws:region=eu-central-1")
    p.add_argument("-o", "--output", metavar="FILE", help="write the graph here (default: stdout)")
    cache.add_options(p)
    p.set_defaults(run=run_synth)


register = add_synth_parser  # the name guardian.cli looks for


def run_synth(args: argparse.Namespace) -> int:
    from guardian.graph.programs import expand, synthesize_all
    from guardian.io import write_output

    programs = expand(args.program or ["."])
    config = parse_config(args.config)
    graph = synthesize_all(programs, args.stack, [config] * len(programs), cache.from_args(args))
    write_output(graph.dumps(), args.output)
    if args.output:
        print(f"{args.output}: {len(graph)} resources", file=sys.stderr)
    return 0
