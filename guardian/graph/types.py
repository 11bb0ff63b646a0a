"""The types of resource properties, as pulumi-aws declares them, applied where a graph is read.

A preview, a stack export or a graph file can say anything (`acl: [..]`, `rules: 5`,
`ingress: "x"`); a program can pass anything to an SDK that does not check. Every reader hands
its resources to `conform`: a value whose type is not the one pulumi-aws declares for that
property becomes UNKNOWN, so a rule that needs it reports "cannot tell" (and blocks) instead of
crashing or passing. Properties pulumi-aws does not declare, and resource types outside the
table, are kept as they are.

The table (`aws_types.json`, beside this module) is generated from the installed pulumi-aws
SDK's own type annotations (inputs and outputs, nested types included) for the resource types
Guardian's code names, so reading a graph never imports pulumi-aws:
`python -m guardian.graph.types` writes it again; a test checks it is current.

A type is "string", "boolean", "integer", "number" or "any", or {"list": T}, {"map": T},
{"object": {wire name: T}} or {"union": [T, ...]}.
"""

from __future__ import annotations

import collections.abc
import enum
import importlib
import inspect
import json
import re
import sys
import typing
import warnings
from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from guardian.graph.model import SECRET, UNKNOWN, Resource

TABLE = "aws_types.json"
Spec = Any  # str | dict[str, Any]


@cache
def table() -> dict[str, dict[str, Spec]]:
    text = resources.files("guardian.graph").joinpath(TABLE).read_text("utf-8")
    return json.loads(text)  # type: ignore[no-any-return]


def conform(resource: Resource) -> Resource:
    """The resource with every wrongly typed known property value made UNKNOWN."""
    props = table().get(resource.type)
    if props is None:
        return resource
    inputs = _conform_props(resource.inputs, props)
    outputs = _conform_props(resource.outputs, props)
    if inputs is resource.inputs and outputs is resource.outputs:
        return resource
    return replace(resource, inputs=inputs, outputs=outputs)


def _conform_props(values: Mapping[str, Any], props: Mapping[str, Spec]) -> Mapping[str, Any]:
    out = {k: _conform(v, props.get(k, "any")) for k, v in values.items()}
    return values if out == values else out  # UNKNOWN never equals what it replaced


_SCALARS: dict[str, Any] = {
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
}


def _fits(value: Any, spec: Spec) -> bool:
    """Whether the value has the spec's outer shape."""
    if spec == "any":
        return True
    if isinstance(spec, str):
        return bool(_SCALARS[spec](value))
    if "list" in spec:
        return isinstance(value, list)
    if "union" in spec:
        return any(_fits(value, s) for s in spec["union"])
    return isinstance(value, Mapping)  # map, object


def _conform(value: Any, spec: Spec) -> Any:
    if value is None or value == UNKNOWN or value == SECRET or spec == "any":
        return value
    if isinstance(spec, dict) and "union" in spec:
        spec = next((s for s in spec["union"] if _fits(value, s)), None)
        if spec is None:
            return UNKNOWN
    if not _fits(value, spec):
        return UNKNOWN
    if isinstance(spec, str):
        return value
    if "list" in spec:  # null is no item of a list or map: only a field can be absent
        return [UNKNOWN if v is None else _conform(v, spec["list"]) for v in value]
    if "map" in spec:
        return {k: UNKNOWN if v is None else _conform(v, spec["map"]) for k, v in value.items()}
    return {k: _conform(v, spec["object"].get(k, "any")) for k, v in value.items()}


# --- generating the table from the pulumi-aws SDK ----------------------------------------

_TOKEN = re.compile(r"\baws:[a-z0-9]+(?:/[A-Za-z0-9]+)?:[A-Z][A-Za-z0-9]+\b")
_SOURCES = ("guardian", "policies", "modules")


def tokens_named(root: Path) -> set[str]:
    """Every pulumi-aws resource type token Guardian's code names, and the S3 helpers it finds
    by their short names (`bucketPolicy`, with or without V2)."""
    found: set[str] = set()
    for folder in _SOURCES:
        for path in (root / folder).rglob("*.py"):
            found.update(_TOKEN.findall(path.read_text("utf-8")))
    from guardian.policies.rules._index import S3_HELPERS

    for short in S3_HELPERS:
        for name in (short, f"{short}V2"):
            found.add(f"aws:s3/{name}:{name[0].upper()}{name[1:]}")
    return {t for t in found if _resource_class(t) is not None}


def _resource_class(token: str) -> type | None:
    import pulumi

    _, module, name = token.split(":")
    try:
        namespace = importlib.import_module(f"pulumi_aws.{module.split('/')[0]}")
        cls = getattr(namespace, name, None)
    except ImportError:
        return None
    is_resource = isinstance(cls, type) and issubclass(cls, pulumi.CustomResource)
    return cls if is_resource else None


def generate(tokens: set[str]) -> dict[str, dict[str, Spec]]:
    """{token: {wire name: type}} from the SDK: the resource's inputs and its outputs."""
    out = {}
    warnings.simplefilter("ignore", DeprecationWarning)  # pulumi-aws warns of its V2 aliases
    for token in sorted(tokens):
        cls = _resource_class(token)
        assert cls is not None, token
        ns = vars(sys.modules[cls.__module__])
        props = _object_spec(cls, ns, set())
        init = getattr(cls, "_internal_init", None)
        wire = {n: getattr(p.fget, "_pulumi_name", None) for n, p in
                inspect.getmembers(cls, lambda m: isinstance(m, property))}
        for name, param in inspect.signature(init).parameters.items() if init else ():
            if name in ("__self__", "resource_name", "opts", "__props__"):
                continue
            key = wire.get(name) or _camel(name)
            props[key] = _union([props.get(key), _spec(param.annotation, ns, set())])
        out[token] = {k: v for k, v in sorted(props.items()) if v is not None}
    return out


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def _object_spec(cls: type, ns: Mapping[str, Any], seen: set[type]) -> dict[str, Spec]:
    props: dict[str, Spec] = {}
    for _, prop in inspect.getmembers(cls, lambda m: isinstance(m, property)):
        name = getattr(prop.fget, "_pulumi_name", None)
        if name:
            hint = getattr(prop.fget, "__annotations__", {}).get("return")
            props[name] = _spec(hint, ns, seen | {cls})
    return props


def _resolve(ref: Any, ns: Mapping[str, Any]) -> Any:
    """A forward reference by name: `Foo`, `outputs.Foo`, `pulumi.Input[...]`."""
    text = ref.__forward_arg__ if isinstance(ref, typing.ForwardRef) else ref
    if text.startswith(("Output[", "pulumi.Output[")):
        return None  # the SDK's own Output[T]: T is listed beside it
    import pulumi

    env = {**ns, "pulumi": pulumi, "typing": typing, "Optional": typing.Optional,
           "Sequence": typing.Sequence, "Mapping": typing.Mapping, "Any": typing.Any}
    try:
        return eval(text, env)  # noqa: S307 - names from the installed SDK's annotations
    except Exception:  # noqa: BLE001 - an annotation we cannot follow is "any"
        return typing.Any


def _spec(hint: Any, ns: Mapping[str, Any], seen: set[type]) -> Spec:
    """The type of one annotation; None for "nothing" (NoneType, the SDK's Output[T])."""
    if isinstance(hint, typing.ForwardRef | str):
        hint = _resolve(hint, ns)
    if hint is None or hint is type(None):
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Union:
        return _union([_spec(a, ns, seen) for a in args])
    if origin is collections.abc.Awaitable or _is_output(origin):
        return _spec(args[0], ns, seen) if args else "any"
    if origin in (list, collections.abc.Sequence):
        return {"list": _spec(args[0], ns, seen) or "any"} if args else {"list": "any"}
    if origin in (dict, collections.abc.Mapping):
        return {"map": _spec(args[1], ns, seen) or "any"} if len(args) == 2 else {"map": "any"}
    simple = {str: "string", bool: "boolean", int: "integer", float: "number"}
    if hint in simple:
        return simple[hint]
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return next((simple[t] for t in hint.__mro__ if t in simple), "any")
    if isinstance(hint, type) and typing.is_typeddict(hint):
        return None  # the ...ArgsDict beside every ...Args class says the same
    if isinstance(hint, type) and "PolicyDocument" in hint.__name__:
        return "any"  # IAM's grammar, not Pulumi's: the rules parse documents themselves
    if isinstance(hint, type) and hint.__module__.startswith("pulumi_aws"):
        if hint in seen:
            return {"object": {}}
        return {"object": _object_spec(hint, vars(sys.modules[hint.__module__]), seen)}
    return "any"


def _is_output(origin: Any) -> bool:
    import pulumi

    return origin is pulumi.Output


def _union(specs: list[Spec]) -> Spec:
    """One type for several: objects merge, lists and maps merge their items, duplicates go."""
    flat: list[Spec] = []
    for s in specs:
        for t in (s["union"] if isinstance(s, dict) and "union" in s else [s]):
            if t is not None and t not in flat:
                flat.append(t)
    if "any" in flat:
        return "any"
    merged: list[Spec] = []
    for kind in ("object", "list", "map"):
        group = [t for t in flat if isinstance(t, dict) and kind in t]
        if not group:
            continue
        if kind == "object":
            keys = sorted({k for t in group for k in t["object"]})
            merged.append({"object": {k: _union([t["object"].get(k) for t in group]) or "any"
                                      for k in keys}})
        else:
            merged.append({kind: _union([t[kind] for t in group]) or "any"})
    merged += [t for t in flat if isinstance(t, str)]
    if "number" in merged and "integer" in merged:
        merged.remove("integer")
    if not merged:
        return None
    return merged[0] if len(merged) == 1 else {"union": merged}


def main() -> None:
    root = Path(__file__).resolve().parents[2]
    data = generate(tokens_named(root))
    path = Path(__file__).with_name(TABLE)
    path.write_text(json.dumps(data, indent=None, sort_keys=True, separators=(",", ":")) + "\n")
    print(f"{path}: {len(data)} resource types", file=sys.stderr)


if __name__ == "__main__":
    main()
