"""Several Pulumi programs at once: each synthesized in its own process, one graph of all.

Pulumi's runtime is process-wide, so programs run side by side only in separate processes: up
to one per core, each a fresh interpreter (`spawn`: nothing of the parent's threads or state
is inherited). Each resource keeps its project in its URN, so findings can name it.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

from guardian.errors import UserError
from guardian.graph.model import ResourceGraph, Source


def expand(patterns: Sequence[str]) -> list[str]:
    """Program directories from `--program` values: each a directory or a glob of them, in
    the order given, each once."""
    out: list[str] = []
    for pattern in patterns:
        if glob.has_magic(pattern):
            found = sorted(p for p in glob.glob(pattern) if os.path.isdir(p))
            if not found:
                raise UserError(f"--program {pattern}: matches no directory")
        else:
            found = [pattern]
        out += [p for p in found if p not in out]
    return out


def _synthesize(program: str, stack: str, config: Mapping[str, str], cache: Path | None
                ) -> str:
    """In a worker process: the program's graph as JSON text (one string pickles fast)."""
    from guardian.graph.program import synthesize

    return synthesize(Path(program), stack=stack, config=config, cache=cache).dumps()


def synthesize_all(programs: Sequence[str], stack: str, configs: Sequence[Mapping[str, str]],
                   cache: Path | None = None, workers: int | None = None) -> ResourceGraph:
    """The graphs of `programs` (with `configs[i]` for program i) as one; a failed program is
    a UserError naming it, after every program has run."""
    from guardian.graph.program import synthesize

    if len(programs) == 1:
        return synthesize(Path(programs[0]), stack=stack, config=configs[0], cache=cache)
    import json

    workers = min(len(programs), workers or os.cpu_count() or 1)
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_synthesize, p, stack, dict(c), cache)
                   for p, c in zip(programs, configs, strict=True)]
        graphs, failures = [], []
        for program, future in zip(programs, futures, strict=True):
            try:
                graphs.append(ResourceGraph.from_json(json.loads(future.result())))
            except UserError as exc:
                failures.append(f"{program}: {exc}" if program not in str(exc) else str(exc))
    if failures:
        raise UserError("\n".join(failures))
    source = Source("program", ", ".join(g.source.path for g in graphs))
    try:
        return ResourceGraph.combined(graphs, source)
    except ValueError as exc:
        raise UserError(str(exc)) from None
