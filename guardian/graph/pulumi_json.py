"""What the `pulumi preview --json` and `pulumi stack export` readers share.

Both carry resources in the engine's JSON shape (`urn, type, custom, inputs, outputs, parent,
provider, dependencies, propertyDependencies, sourcePosition`); this module turns one such
object into a `Resource`, masks secrets, decides regions and reads where the program declared
it. Errors name the file and the JSON path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from guardian.errors import UserError
from guardian.graph.model import SECRET, UNKNOWN, Resource, project_of
from guardian.graph.types import conform
from guardian.locations import Location, Roots, split_position

SIG_KEY = "4dabf18193072939515e22adb298388d"  # marks special values in the engine's JSON
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
PROVIDER_PREFIX = "pulumi:providers:"
REGION_CONFIG = "aws:region"


def shape_error(path: Path, where: str, message: str) -> UserError:
    return UserError(f"{path}: {where}: {message}")


def once(resources: dict[str, tuple[str, Resource]], r: Resource, path: Path,
         where: str) -> None:
    """Add `r` under its URN; exit 2 when a resource already holds it: a deployment holds each
    resource once, and letting the last win would let a harmless twin hide a harmful one."""
    if r.urn in resources:
        raise shape_error(path, where, f"URN {r.urn} appears twice (first at "
                          f"{resources[r.urn][0]})")
    resources[r.urn] = (where, r)


def mask(value: Any) -> Any:
    """The value with every secret envelope replaced by SECRET, never keeping its plaintext."""
    if isinstance(value, Mapping):
        if value.get(SIG_KEY) == SECRET_SIG:
            return SECRET
        return {k: mask(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask(v) for v in value]
    return value


def properties(raw: Any, path: Path, where: str) -> dict[str, Any]:
    """Inputs or outputs: secrets masked, engine bookkeeping (`__defaults`, `__meta`) dropped."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise shape_error(path, where, f"expected an object, got {type(raw).__name__}")
    return {k: mask(v) for k, v in raw.items() if not k.startswith("__")}


def _string(obj: Mapping[str, Any], key: str, path: Path, where: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value:
        raise shape_error(path, f"{where}.{key}", "expected a non-empty string")
    return value


def _urns(raw: Any, path: Path, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(u, str) for u in raw):
        raise shape_error(path, where, "expected a list of URNs")
    return tuple(raw)


def name_of(urn: str) -> str:
    """The logical name: everything after the URN's third `::` (a name may contain `::`)."""
    parts = urn.split("::", 3)
    return parts[3] if len(parts) == 4 else urn


def provider_urn(reference: str | None) -> str | None:
    """A provider reference is `<provider urn>::<id>`."""
    return reference.rsplit("::", 1)[0] if reference else None


def usable(value: Any) -> str | None:
    """A region-like value that is actually known."""
    if isinstance(value, str) and value and value not in (UNKNOWN, SECRET):
        return value
    return None


def region_of(
    resource: Resource, provider_regions: Mapping[str, str | None], default: str | None
) -> str | None:
    """The resource's own `region` (pulumi-aws 7, or state) or its ARN's, else its explicit
    provider's, else the stack's `aws:region`."""
    values = (resource.outputs.get("region"), resource.inputs.get("region"))
    own = usable(values[0]) or usable(values[1])
    if own:
        return own
    if any(v == UNKNOWN for v in values):
        return None  # a region computed at deployment is unknown, never the stack's
    arn = resource.arn  # arn:partition:service:region:account:resource; global services: ""
    if arn and arn.count(":") >= 5 and usable(arn.split(":")[3]):
        return arn.split(":")[3]
    if resource.type.startswith(PROVIDER_PREFIX):
        return default
    provider = provider_urn(resource.provider) or ""
    return provider_regions[provider] if provider in provider_regions else default


def provider_regions(resources: Iterable[Resource]) -> dict[str, str | None]:
    """Provider URN -> the region its inputs (or state) set; None when it is unknown."""
    regions: dict[str, str | None] = {}
    for r in resources:
        if r.type.startswith(PROVIDER_PREFIX):
            values = (r.outputs.get("region"), r.inputs.get("region"))
            region = usable(values[0]) or usable(values[1])
            if region or any(v == UNKNOWN for v in values):
                regions[r.urn] = region
    return regions


def with_regions(resources: list[Resource], default: str | None) -> list[Resource]:
    """Set every resource's region once all providers are known."""
    providers = provider_regions(resources)
    return [replace(r, region=region_of(r, providers, default)) for r in resources]


def roots_of(path: Path, objects: Iterable[Any]) -> Roots:
    """Where the positions of the file at `path` are read: the Pulumi project its resources'
    URNs name (see `Roots.of_file`)."""
    urns = (o.get("urn") for o in objects if isinstance(o, Mapping))
    project = next((p for u in urns if isinstance(u, str) and (p := project_of(u))), None)
    return Roots.of_file(path, project)


def location(obj: Mapping[str, Any], roots: Roots) -> Location | None:
    """The resource's `sourcePosition` (`project:///index.ts#5,20`) in the repository; None
    when absent, unreadable or in a library's file."""
    text = obj.get("sourcePosition")
    position = split_position(text) if isinstance(text, str) else None
    return roots.position(*position) if position else None


def resource(
    obj: Any, path: Path, where: str, *, outputs: Any = None, roots: Roots | None = None
) -> Resource:
    """One resource object of the engine's JSON (a preview step's state or an export entry);
    `roots` locate its `sourcePosition` (none read without them)."""
    if not isinstance(obj, Mapping):
        raise shape_error(path, where, "expected a resource object")
    urn = _string(obj, "urn", path, where)
    typ = _string(obj, "type", path, where)
    deps = obj.get("propertyDependencies") or {}
    if not isinstance(deps, Mapping):
        raise shape_error(path, f"{where}.propertyDependencies", "expected an object")
    return conform(Resource(
        urn=urn,
        type=typ,
        name=name_of(urn),
        custom=bool(obj.get("custom", True)),
        parent=obj.get("parent") or None,
        provider=obj.get("provider") or None,
        inputs=properties(obj.get("inputs"), path, f"{where}.inputs"),
        outputs=properties(outputs, path, f"{where}.outputs"),
        dependencies=_urns(obj.get("dependencies"), path, f"{where}.dependencies"),
        property_dependencies={
            k: _urns(v, path, f"{where}.propertyDependencies.{k}") for k, v in deps.items()
        },
        location=location(obj, roots) if roots else None,
    ))
