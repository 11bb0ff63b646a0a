"""What every command that evaluates the rules shares (`check`, `report`, `export bundle`,
`export oscal --model assessment-results`): the options that choose the rules and the
threshold, one way to run them, and one meaning for the exit code.

Exit codes: 0 nothing blocks (or `--no-fail`), 1 blocking findings, 2 bad input.
"""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guardian.catalog.model import Catalog
from guardian.errors import UserError
from guardian.findings import FAIL_ON, Report
from guardian.graph.model import ResourceGraph
from guardian.selection import Names, Selection, choose, split

RULES_KEY, SKIP_KEY = "guardian:rules", "guardian:skipRules"


def add_gate_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("which rules run, and what blocks")
    group.add_argument(
        "--fail-on", choices=FAIL_ON, default="high", metavar="SEVERITY",
        help="lowest severity that blocks: critical, high, medium, low, or none (report "
        "everything, block nothing) (default: high)")
    group.add_argument(
        "--rule", action="append", default=[], metavar="ID|CONTROL",
        help="run only this rule, or the rules of this control (repeatable, or comma-separated; "
        f"default: the project's {RULES_KEY} config, else the catalog's gate.rules, else all)")
    group.add_argument(
        "--skip-rule", action="append", default=[], metavar="ID|CONTROL",
        help="do not run this rule or control (repeatable; default: the project's "
        f"{SKIP_KEY} config, else the catalog's gate.skip_rules)")
    group.add_argument(
        "--no-fail", action="store_true",
        help="exit 0 even when findings block (bad input still exits 2)")


@dataclass(frozen=True)
class Gate:
    catalog: Catalog
    graph: ResourceGraph
    report: Report
    selection: Selection


def run_gate(args: argparse.Namespace) -> Gate:
    """Load the catalog and the deployment, choose the rules, evaluate them."""
    from guardian.catalog import load_catalog
    from guardian.check import evaluate
    from guardian.graph.options import graph_from_args, repository_of
    from guardian.policies.rules import RULES

    catalog = load_catalog(args.catalog)
    selection = selection_from(args, catalog)
    rules = selection.apply(RULES)  # a misspelt rule fails before the program runs
    graph = graph_from_args(args)
    report = evaluate(catalog, graph, rules=rules, fail_on=args.fail_on,
                      repository=repository_of(args))
    return Gate(catalog, graph, report, selection)


def exit_code(report: Report, args: argparse.Namespace) -> int:
    return 0 if args.no_fail else report.exit_code


def selection_from(args: argparse.Namespace, catalog: Catalog) -> Selection:
    """--rule/--skip-rule, else the Pulumi project's config, else the catalog's `gate`."""
    project, gate = _project_config(args), catalog.gate
    return Selection(
        only=choose(Names(split(args.rule), "--rule"), project[RULES_KEY],
                    Names(gate.rules, f"{gate.rules_loc}: gate.rules")),
        skip=choose(Names(split(args.skip_rule), "--skip-rule"), project[SKIP_KEY],
                    Names(gate.skip_rules, f"{gate.skip_rules_loc}: gate.skip_rules")),
    )


def _project_config(args: argparse.Namespace) -> dict[str, Names]:
    """The selection keys of the Pulumi project around --program (else the working directory;
    for a preview, stack export or graph file, the project at or above the working directory or
    the file): Pulumi.yaml's `config`, then Pulumi.<stack>.yaml's. Several programs must agree
    on what the command line does not choose itself."""
    from guardian.graph.options import source_file
    from guardian.graph.programs import expand
    from guardian.locations import Roots

    path = source_file(args)
    programs = [str(Roots.of_file(path, None).project)] if path else \
        expand(getattr(args, "program", None) or ["."])
    first, *others = [_config_around(Path(p), args.stack) for p in programs]
    chosen = {RULES_KEY: args.rule, SKIP_KEY: args.skip_rule}
    for other in others:
        for key in (RULES_KEY, SKIP_KEY):
            if not chosen[key] and other[key].names != first[key].names:
                where = [n.where or f"a project without {key}" for n in (first[key], other[key])]
                raise UserError(f"{where[0]} and {where[1]} choose different rules: check "
                                "these projects separately, or choose with --rule/--skip-rule")
    return first


def _config_around(start: Path, stack: str) -> dict[str, Names]:
    from guardian.graph.pulumi_yaml import read_yaml
    from guardian.locations import PROJECT_FILES, nearest, shown

    folder = nearest(start.resolve(), PROJECT_FILES)
    out = {RULES_KEY: Names(), SKIP_KEY: Names()}
    if folder is None:
        return out
    files = [folder / n for n in PROJECT_FILES] + [folder / f"Pulumi.{stack}.yaml"]
    for path in (f for f in files if f.is_file()):
        data = read_yaml(path)
        config = data.get("config") if isinstance(data, Mapping) else None
        for key in (RULES_KEY, SKIP_KEY):
            value = config.get(key) if isinstance(config, Mapping) else None
            if value is not None:
                where = f"{shown(path)}: config.{key}"
                out[key] = Names(_names(value, where), where)
    return out


def _names(value: Any, where: str) -> tuple[str, ...]:
    """A config value naming rules: a list, a comma-separated string, a JSON list, or Pulumi's
    `{value: ...}` / `{default: ...}` form."""
    import json

    if isinstance(value, Mapping):
        value = value.get("value", value.get("default"))
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            raise UserError(f"{where}: not a JSON list of rule ids or controls") from None
    if isinstance(value, str):
        return split([value])
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return split(value)
    raise UserError(f"{where}: expected a list of rule ids or controls, "
                    f"not {type(value).__name__}")
