"""One entry point for every offline source of a ResourceGraph.

`program` runs a Pulumi program under mocks, so `pulumi_aws` is imported only for that kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guardian.errors import UserError
from guardian.graph.model import GRAPH_FORMAT, Resource, ResourceGraph, Source
from guardian.graph.pulumi_json import shape_error
from guardian.io import read_json

KINDS: tuple[str, ...] = ("program", "preview", "state", "graph")


def read_source(
    kind: str,
    path: str | Path,
    *,
    stack: str = "dev",
    config: Mapping[str, Any] | None = None,
) -> ResourceGraph:
    """The graph of `path` read as `kind` (program | preview | state | graph).

    `stack` picks `Pulumi.<stack>.yaml` for programs; `config` (fully qualified keys such as
    `aws:region`) fills what the file itself does not say.
    """
    if kind == "program":
        from guardian.graph.program import synthesize

        return synthesize(Path(path), stack=stack, config=dict(config or {}))
    if kind == "preview":
        from guardian.graph.preview import read_preview

        return read_preview(path, config=config)
    if kind == "state":
        from guardian.graph.state import read_state

        return read_state(path, config=config)
    if kind == "graph":
        return load_graph(path)
    raise UserError(f"unknown source kind {kind!r}; expected one of {', '.join(KINDS)}")


def load_graph(path: str | Path) -> ResourceGraph:
    """Read `guardian synth` output back."""
    path = Path(path)
    expected = f"`guardian synth` output: an object with format {GRAPH_FORMAT!r} and `resources`"
    data = read_json(path, expected)
    if not isinstance(data, Mapping) or data.get("format") != GRAPH_FORMAT:
        found = data.get("format") if isinstance(data, Mapping) else None
        raise shape_error(path, "format", f"expected {GRAPH_FORMAT!r}, found {found!r}")
    raw = data.get("resources")
    if not isinstance(raw, list):
        raise shape_error(path, "resources", "expected a list of resources")
    resources = []
    for i, obj in enumerate(raw):
        try:
            resources.append(Resource.from_json(obj))
        except (KeyError, TypeError, AttributeError, ValueError) as exc:
            raise shape_error(
                path, f"resources[{i}]", f"expected a resource with urn, type and name ({exc})"
            ) from None
    source = data.get("source")
    entry = source.get("entry") if isinstance(source, Mapping) else None
    return ResourceGraph(resources, Source("graph", str(path),
                                           entry if isinstance(entry, str) and entry else None))
