"""One entry point for every offline source of a ResourceGraph.

`program` runs a Pulumi program under mocks, so `pulumi_aws` is imported only for that kind.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guardian.errors import UserError
from guardian.graph.model import GRAPH_FORMAT, Resource, ResourceGraph, Source
from guardian.graph.pulumi_json import once, shape_error
from guardian.graph.types import conform
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
    resources: dict[str, tuple[str, Resource]] = {}
    for i, obj in enumerate(raw):
        once(resources, _graph_resource(obj, path, f"resources[{i}]"), path, f"resources[{i}]")
    source = data.get("source")
    entry = source.get("entry") if isinstance(source, Mapping) else None
    return ResourceGraph((r for _, r in resources.values()), Source(
        "graph", str(path), entry if isinstance(entry, str) and entry else None))


_FIELDS = {"urn": str, "type": str, "name": str, "custom": bool, "parent": str, "provider": str,
           "region": str, "inputs": Mapping, "outputs": Mapping, "dependencies": list,
           "propertyDependencies": Mapping}


def _graph_resource(obj: Any, path: Path, where: str) -> Resource:
    if not isinstance(obj, Mapping):
        raise shape_error(path, where, "expected a resource object")
    for key, kind in _FIELDS.items():
        value = obj.get(key)
        if (value is None and key not in ("urn", "type", "name")) or isinstance(value, kind):
            continue
        raise shape_error(path, f"{where}.{key}", f"expected {_KIND_NAMES[kind]}, found "
                          f"{type(value).__name__ if value is not None else 'nothing'}")
    deps = obj.get("propertyDependencies") or {}
    lists = [("dependencies", obj.get("dependencies") or [])] + [
        (f"propertyDependencies.{k}", v) for k, v in deps.items()]
    for key, urns in lists:
        if not isinstance(urns, list) or not all(isinstance(u, str) for u in urns):
            raise shape_error(path, f"{where}.{key}", "expected a list of URNs")
    return conform(Resource.from_json(obj))


_KIND_NAMES = {str: "a string", bool: "true or false", Mapping: "an object", list: "a list"}
