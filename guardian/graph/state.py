"""`pulumi stack export` -> ResourceGraph: the stack as deployed, inputs and outputs.

Resources pending deletion (`delete: true`) are left out. Secrets in the state are envelopes
(ciphertext); they become SECRET.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from guardian.graph.model import Resource, ResourceGraph, Source
from guardian.graph.pulumi_json import (
    REGION_CONFIG,
    once,
    resource,
    roots_of,
    shape_error,
    usable,
    with_regions,
)
from guardian.io import read_json
from guardian.locations import Roots

EXPECTED = "`pulumi stack export` output: an object with `deployment.resources`"


def read_state(
    path: str | Path, *, config: Mapping[str, Any] | None = None, roots: Roots | None = None
) -> ResourceGraph:
    """Read a stack export; `config` (the stack's) supplies `aws:region` where nothing else does;
    `roots` (default: the Pulumi project its URNs name, around the working directory or the
    file) locate each resource's `sourcePosition` in the repository."""
    path = Path(path)
    data = read_json(path, EXPECTED)
    deployment = data.get("deployment") if isinstance(data, Mapping) else None
    if not isinstance(deployment, Mapping) or not isinstance(
        deployment.get("resources", []), list
    ):
        hint = " (this looks like `pulumi preview --json` output: use --preview)" if (
            isinstance(data, Mapping) and "steps" in data
        ) else ""
        raise shape_error(path, "top level", f"expected {EXPECTED}{hint}")
    version = data.get("version")
    if version is not None and version != 3:
        raise shape_error(path, "version", f"unsupported export version {version!r} (expected 3)")

    objects = deployment.get("resources") or []
    roots = roots or roots_of(path, objects)
    resources: dict[str, tuple[str, Resource]] = {}
    for i, obj in enumerate(objects):
        where = f"deployment.resources[{i}]"
        flag = obj.get("delete") if isinstance(obj, Mapping) else None
        if flag is not None and not isinstance(flag, bool):
            raise shape_error(path, f"{where}.delete", f"expected true or false, found {flag!r}")
        if flag:  # the old copy of a replaced resource, pending deletion
            continue
        outputs = obj.get("outputs") if isinstance(obj, Mapping) else None
        once(resources, resource(obj, path, where, outputs=outputs, roots=roots), path,
             where)
    region = usable((config or {}).get(REGION_CONFIG))
    graph = [r for _, r in resources.values()]
    return ResourceGraph(with_regions(graph, region),
                         Source("state", str(path), roots.entry()))
