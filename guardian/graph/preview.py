"""`pulumi preview --json` -> ResourceGraph: the stack as it will be after the update.

Each step's `newState` is the planned resource (inputs; unknown values keep Pulumi's unknown
sentinel). Steps that remove a resource drop it: a deleted store is no longer in the deployment.
Unchanged resources (`same`) also carry the state they already have.
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

EXPECTED = "`pulumi preview --json` output: an object with a `steps` list"
# Steps after which the resource no longer exists.
REMOVING_OPS = frozenset(
    {"delete", "delete-replaced", "discard", "discard-replaced", "remove-pending-replace"}
)
# The steps of one replacement, each with the new state of the same URN.
REPLACING_OPS = frozenset({"create-replacement", "replace", "read-replacement",
                           "import-replacement"})
# An in-place update keeps the resource's identity; its other outputs may be about to change.
IDENTITY = ("arn", "id")


def read_preview(
    path: str | Path, *, config: Mapping[str, Any] | None = None, roots: Roots | None = None
) -> ResourceGraph:
    """Read a preview; `config` (the stack's) supplies `aws:region` if the preview has none;
    `roots` (default: the Pulumi project its URNs name, around the working directory or the
    file) locate each resource's `sourcePosition` in the repository."""
    path = Path(path)
    data = read_json(path, EXPECTED)
    if not isinstance(data, Mapping) or not isinstance(data.get("steps"), list):
        hint = " (this looks like `pulumi stack export` output: use --state)" if (
            isinstance(data, Mapping) and "deployment" in data
        ) else ""
        raise shape_error(path, "top level", f"expected {EXPECTED}{hint}")
    file_config = data.get("config") or {}
    if not isinstance(file_config, Mapping):
        raise shape_error(path, "config", "expected an object of stack config values")

    roots = roots or roots_of(path, (step.get("newState") for step in data["steps"]
                                     if isinstance(step, Mapping)))
    planned: dict[str, tuple[str, Resource]] = {}
    replacing: set[str] = set()  # a replacement's steps (create-replacement, replace) share a URN
    for i, step in enumerate(data["steps"]):
        where = f"steps[{i}]"
        if not isinstance(step, Mapping) or not isinstance(step.get("op"), str):
            raise shape_error(path, where, "expected a step object with an `op` string")
        op = step["op"]
        if op in REMOVING_OPS:
            continue
        new, old = step.get("newState"), step.get("oldState") or {}
        if new is None:
            raise shape_error(path, f"{where}.newState", f"a `{op}` step needs its new state")
        if not isinstance(old, Mapping):
            raise shape_error(path, f"{where}.oldState", "expected a resource object")
        step = resource(new, path, f"{where}.newState", outputs=_outputs(op, new, old),
                        roots=roots)
        urn = step.urn
        if op in REPLACING_OPS and urn in replacing:
            planned[urn] = (where, step)
            continue
        once(planned, step, path, where)
        if op in REPLACING_OPS:
            replacing.add(urn)

    region = usable(file_config.get(REGION_CONFIG)) or usable((config or {}).get(REGION_CONFIG))
    resources = [r for _, r in planned.values()]
    return ResourceGraph(with_regions(resources, region),
                         Source("preview", str(path), roots.entry()))


def _outputs(op: str, new: Mapping[str, Any], old: Mapping[str, Any]) -> Any:
    if new.get("outputs") is not None:
        return new["outputs"]
    old_outputs = old.get("outputs")
    if not isinstance(old_outputs, Mapping):
        return None
    if op in ("same", "refresh"):
        return old_outputs
    if op == "update":
        return {k: old_outputs[k] for k in IDENTITY if k in old_outputs}
    return None
