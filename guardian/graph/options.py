"""The source options every graph-reading command shares (check, export, report).

`--program DIR` (the default, `Pulumi.yaml`'s project in the working directory), `--preview
FILE`, `--state FILE`, `--graph FILE`, or `--live` (boto3 against an account).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from guardian.aws import add_role_options
from guardian.errors import UserError
from guardian.graph import cache
from guardian.graph.model import ResourceGraph

DEFAULT_PARALLEL, MAX_PARALLEL = 8, 64  # accounts an organisation's audit reads at once

# The config key through which a program reads the catalog (the platform stack does).
CATALOG_KEY = "guardian:catalog"


def add_source_options(parser: argparse.ArgumentParser, *, live: bool = True,
                       optional: bool = False) -> None:
    """The source options; `optional`: the command reads no deployment unless one is named."""
    group = parser.add_argument_group(
        "where the deployment comes from (optional: none is read unless named)" if optional
        else "where the deployment comes from (default: --program .)")
    one = group.add_mutually_exclusive_group()
    one.add_argument(
        "--program",
        action="extend",
        nargs="+",
        metavar="DIR",
        help="a Pulumi Python project or program directory, run offline under mocks; several "
        "(repeated, or a glob such as 'teams/*') run in parallel into one report",
    )
    one.add_argument("--preview", metavar="FILE", help="`pulumi preview --json` output")
    one.add_argument("--state", metavar="FILE", help="`pulumi stack export` output")
    one.add_argument("--graph", metavar="FILE", help="`guardian synth` output")
    if live:
        one.add_argument(
            "--live",
            action="store_true",
            help="discover the resources of a live AWS account with boto3",
        )
        group.add_argument(
            "--region",
            action="append",
            default=[],
            metavar="REGION",
            help="with --live: a region to scan (repeatable; default: the profile's)",
        )
        group.add_argument(
            "--endpoint-url",
            metavar="URL",
            help="with --live: an AWS API endpoint (e.g. a local emulator)",
        )
        group.add_argument("--profile", metavar="NAME", help="with --live: the AWS profile")
        group.add_argument(
            "--allow-partial",
            action="store_true",
            help="with --live: report a failed listing (its kind unseen in a region) without "
            "blocking; the report says so on its first line",
        )
        org = parser.add_argument_group(
            "with --live: every account of an AWS Organization, through a role in each")
        which = org.add_mutually_exclusive_group()
        which.add_argument("--organization", action="store_true",
                           help="read every active account AWS Organizations lists (run with "
                           "the management or a delegated administrator account)")
        which.add_argument("--accounts", nargs="+", metavar="ID|FILE",
                           help="read these accounts: 12-digit ids, or files of them (one a "
                           "line, # comments)")
        add_role_options(org, "read (with --source aws-config: what AWS Config does not "
                         "record)")
        org.add_argument("--source", choices=("direct", "aws-config"), default="direct",
                         help="direct: call each service in each account and region; "
                         "aws-config: take the configuration items an AWS Config aggregator "
                         "holds for the whole organisation (--aggregator) (default: direct)")
        org.add_argument("--aggregator", metavar="NAME",
                         help="with --source aws-config: the configuration aggregator's name "
                         "(in --region's first region, else the profile's)")
        org.add_argument("--parallel", type=int, default=DEFAULT_PARALLEL, metavar="N",
                         help=f"accounts read at once (default: {DEFAULT_PARALLEL}; at most "
                         f"{MAX_PARALLEL}), each in the --region(s) named, else in every "
                         "region enabled for it")
    group.add_argument(
        "--stack",
        default="dev",
        metavar="NAME",
        help="with --program: use Pulumi.<NAME>.yaml (default: dev)",
    )
    group.add_argument(
        "--config",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a config value (repeatable), e.g. aws:region=eu-west-1",
    )
    cache.add_options(group)


def graph_from_args(args: argparse.Namespace) -> ResourceGraph:
    """Read the deployment the options name."""
    from guardian.graph.cli_synth import parse_config
    from guardian.graph.sources import read_source

    if getattr(args, "live", False):
        from guardian.graph.live import read_live_from_args

        return read_live_from_args(args)
    live_only = ("region", "endpoint_url", "allow_partial", "organization", "accounts",
                 "assume_role", "external_id", "aggregator")
    if any(getattr(args, name, None) for name in live_only) or \
            getattr(args, "source", "direct") != "direct":
        raise UserError("--region, --endpoint-url, --allow-partial, --organization, --accounts, "
                        "--assume-role, --external-id, --source and --aggregator apply to --live "
                        "only")
    config = parse_config(args.config)  # e.g. aws:region for a preview that does not say it
    for kind in ("preview", "state", "graph"):
        path = getattr(args, kind, None)
        if path:
            return read_source(kind, path, config=config)
    from guardian.graph.programs import expand, synthesize_all

    programs = expand(args.program or ["."])
    configs = [dict(config) for _ in programs]
    if hasattr(args, "catalog"):
        for program, own in zip(programs, configs, strict=True):
            _catalog_for_program(args, program, own)
    return synthesize_all(programs, args.stack, configs, cache.from_args(args))


def source_file(args: argparse.Namespace) -> Path | None:
    """The preview, stack export or graph file the options name, if any."""
    return next((Path(p) for k in ("preview", "state", "graph") if (p := getattr(args, k, None))),
                None)


def repository_of(args: argparse.Namespace) -> Path:
    """The repository the deployment's locations are relative to, which catalog findings
    join: the first program's project's; for a preview, stack export or graph file, that of
    the Pulumi project at or above the working directory or the file; else the working
    directory's."""
    from guardian.locations import PROJECT_FILES, Roots, nearest

    path = source_file(args)
    if path:
        return Roots.of_file(path, None).repository
    if getattr(args, "live", False):
        return Roots.around().repository
    from guardian.graph.programs import expand

    start = Path(expand(getattr(args, "program", None) or ["."])[0]).resolve()
    return Roots.of_project(nearest(start, PROJECT_FILES) or start).repository


def _catalog_for_program(args: argparse.Namespace, program: str, config: dict[str, str]) -> None:
    """The catalog the check reads is the catalog the program sees, as `guardian:catalog`: a
    `--catalog` the user named is passed to the program; a program configured with another
    catalog than the one the check reads is an error naming both."""
    from guardian.graph.program import find_project, stack_config

    if args.catalog_named and CATALOG_KEY not in config:
        config[CATALOG_KEY] = str(Path(args.catalog).resolve())
        return
    project = find_project(Path(program))
    values, _ = stack_config(project, args.stack, config)
    seen = values.get(CATALOG_KEY)
    if seen is None:
        config[CATALOG_KEY] = str(Path(args.catalog).resolve())
        return
    if (project.root / seen).resolve() != Path(args.catalog).resolve():
        where = ("--config" if CATALOG_KEY in config
                 else project.stack_file(args.stack).name)
        raise UserError(f"the program reads the catalog {seen} ({CATALOG_KEY} in {where}) but "
                        f"the check reads {args.catalog}: name one catalog for both, e.g. "
                        f"--catalog {project.root / seen}")
