"""The `guardian` command: parse arguments, call the library, map errors to exit codes.

Exit codes: 0 nothing blocking, 1 blocking findings (or a failed verification), 2 bad input.
Each command lives beside the code it drives and registers itself through `COMMANDS`; command
modules import their heavy dependencies (pulumi_aws, boto3, checkov) inside `run`, so that
`guardian --help` and `guardian validate` stay fast.
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import importlib
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, NoReturn

from guardian import __version__
from guardian.errors import UserError

# Modules that define `register(subparsers)`; each parser sets `run=<function(args) -> int>`.
COMMANDS: tuple[str, ...] = (
    "guardian.graph.cli_synth",
    "guardian.check_cli",
    "guardian.value.cli",
    "guardian.erasure.cli",
    "guardian.access.cli",
    "guardian.breach",
    "guardian.export_cli",
    "guardian.evidence.cli",
)

DEFAULT_CATALOG = "catalog.yaml"


class _Named(argparse.Action):
    """Stores the value and records that the user named it (`args.<dest>_named`)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        setattr(namespace, self.dest, values)
        setattr(namespace, f"{self.dest}_named", True)


def add_catalog_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog",
        default=DEFAULT_CATALOG,
        action=_Named,
        metavar="PATH",
        help=f"the privacy catalog (default: ./{DEFAULT_CATALOG}); a program run offline "
        "reads it too, as its guardian:catalog config",
    )
    parser.set_defaults(catalog_named=False)


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "validate",
        help="check catalog.yaml and list every mistake with its file and line",
        description="Validate a privacy catalog: schema, taxonomy keys, references, regions.",
    )
    p.add_argument("path", nargs="?", default=None, help="catalog file (default: ./catalog.yaml)")
    add_catalog_option(p)
    p.add_argument("--format", choices=("text", "json"), default="text",
                   help="text (default) or json")
    p.set_defaults(run=run_validate)


def run_validate(args: argparse.Namespace) -> int:
    from guardian.catalog.loader import check_catalog

    if args.path and args.catalog != DEFAULT_CATALOG:
        raise UserError("give the catalog either as PATH or as --catalog, not both")
    path = args.path or args.catalog
    catalog, problems = check_catalog(path)
    if catalog is not None:  # and what the rules say of the catalog alone, at its lines
        from guardian.check import catalog_problems

        problems = sorted([*problems, *catalog_problems(catalog)])
        if any(p.severity == "error" for p in problems):
            catalog = None
    if args.format == "json":
        print(
            json.dumps(
                {
                    "valid": catalog is not None,
                    "path": path,
                    "problems": [p.to_json() for p in problems],
                },
                indent=2,
            )
        )
    else:
        for problem in problems:
            print(problem, file=sys.stderr)
        if catalog is not None:
            print(
                f"{path}: valid: {len(catalog.datasets)} datasets, "
                f"{sum(len(d.storage) for d in catalog.datasets)} stores, "
                f"{len(catalog.files)} file(s)"
            )
        else:
            errors = sum(p.severity == "error" for p in problems)
            print(f"{path}: {errors} error(s)", file=sys.stderr)
    return 0 if catalog is not None else 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="guardian",
        description="Privacy controls as code: one catalog.yaml, tied to the infrastructure.",
    )
    parser.add_argument("--version", action="version", version=f"guardian {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    register(sub)
    for name in COMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from guardian.catalog.loader import CatalogError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "run", None):
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        print(f"guardian: the catalog has {len(exc.problems)} error(s)", file=sys.stderr)
        return 2
    except UserError as exc:
        print(f"guardian: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("guardian: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def run() -> NoReturn:
    """The `guardian` command: `main`, then leave without tearing the interpreter down.

    Freeing the heap of a synthesis object by object (Pulumi's SDK, pulumi_aws's classes, the
    graph) took half a second at exit. By now every output file is written and closed; what
    is left is to flush the standard streams and run the exit handlers (temporary files,
    logging). An unexpected exception leaves the normal way, with its traceback.
    """
    from guardian import heap

    heap.until_exit()  # nothing is handed back before os._exit: no collector walks it again
    code = main()
    try:
        sys.stdout.flush()
    except BrokenPipeError:  # the reader left (`| head`): what it wanted, it has
        pass
    except OSError as exc:
        print(f"guardian: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        code = 2
    atexit._run_exitfuncs()
    with contextlib.suppress(OSError):
        sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    run()
