"""The CrossGuard policies: `guardian check`'s rules inside `pulumi preview/up --policy-pack`.

Importable without side effects (the pack's `__main__.py` builds the `PolicyPack`, which serves
gRPC forever), so tests build `StackValidationArgs` by hand and call `validate` directly.

One stack policy sees every resource at once (the rules relate stores to keys, policies and
roles), turns them into a ResourceGraph and runs the same engine as the CLI. Values Pulumi cannot
know yet become UNKNOWN instead of raising `UnknownValueError`, which CrossGuard would downgrade
to an advisory note: the engine then reports them as findings of their own.

Pack config (`--policy-pack-config`): `catalog` (path; relative paths resolve against the
repository that holds this pack; default `catalog.yaml`) and `fail_on` (default `high`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import _is_unknown

from guardian.findings import SEVERITIES, Result
from guardian.graph.model import SECRET, UNKNOWN, Resource, ResourceGraph, Source
from guardian.graph.pulumi_json import PROVIDER_PREFIX, provider_regions, region_of, usable

ReportViolation = Callable[..., None]
PACK_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACK_DIR.parents[1]
DEFAULT_CATALOG = "catalog.yaml"
DEFAULT_FAIL_ON = "high"


def plain(value: Any) -> Any:
    """Plain JSON data out of pulumi_policy's proxies, without tripping over unknowns."""
    if _is_unknown(value):
        return UNKNOWN
    if isinstance(value, Mapping):
        target = value["__target"] if _is_proxy(value) else value
        return {str(k): plain(v) for k, v in target.items()}
    if isinstance(value, Sequence) and not isinstance(value, str | bytes):
        target = value["__target"] if _is_proxy(value) else value  # type: ignore[call-overload]
        return [plain(v) for v in target]
    if type(value).__name__ == "Secret" and hasattr(value, "value"):
        return SECRET
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return f"[{type(value).__name__}]"  # assets and archives: content is not policy data


def _is_proxy(value: Any) -> bool:
    return type(value).__module__.startswith("pulumi_policy.")


def to_graph(resources: Sequence[PolicyResource], default_region: str | None) -> ResourceGraph:
    """The stack's resources as a ResourceGraph (props are the resources' planned state)."""
    graph: list[Resource] = []
    regions: dict[str, str] = {}
    for r in resources:
        props = plain(r.props) or {}
        provider = None
        if r.provider is not None:
            provider = f"{r.provider.urn}::{UNKNOWN}"  # the provider's id is not given to policies
            region = usable(plain(r.provider.props or {}).get("region"))
            if region:
                regions[r.provider.urn] = region
        graph.append(
            Resource(
                urn=r.urn,
                type=r.resource_type,
                name=r.name,
                custom=r.provider is not None or r.resource_type.startswith(PROVIDER_PREFIX),
                parent=r.parent.urn if r.parent is not None else None,
                provider=provider,
                inputs=props,
                outputs=props,
                dependencies=tuple(d.urn for d in r.dependencies),
                property_dependencies={
                    k: tuple(d.urn for d in v) for k, v in r.property_dependencies.items()
                },
            )
        )
    regions.update(provider_regions(graph))
    graph = [replace(r, region=region_of(r, regions, default_region)) for r in graph]
    return ResourceGraph(graph, Source("preview", "pulumi policy pack"))


def catalog_path(config: Mapping[str, Any]) -> Path:
    path = Path(str(config.get("catalog") or DEFAULT_CATALOG))
    return path if path.is_absolute() else PROJECT_ROOT / path


def _stack_region() -> str | None:
    """`aws:region` from the stack config Pulumi hands the pack's process."""
    try:
        import pulumi.runtime

        return usable(pulumi.runtime.get_config("aws:region"))
    except Exception:  # noqa: BLE001 - outside a Pulumi run there is no config
        return None


def violation(result: Result) -> str:
    f = result.finding
    where = f"{f.resource.type} {f.resource.name}" if f.resource else (f.location or "catalog")
    dataset = f", dataset {f.dataset}" if f.dataset else ""
    unknown = "unknown offline: " if f.unknown else ""
    return (
        f"{f.rule} [{result.severity}] {unknown}{f.message} ({where}{dataset}). "
        f"Fix: {result.rule.remediation}"
    )


def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
    from guardian.catalog import CatalogError, load_catalog
    from guardian.check import evaluate
    from guardian.errors import UserError

    config = args.get_config() or {}
    fail_on = str(config.get("fail_on") or DEFAULT_FAIL_ON)
    if fail_on not in SEVERITIES:
        report_violation(f"fail_on must be one of {', '.join(SEVERITIES)}, not {fail_on!r}")
        return
    path = catalog_path(config)
    try:
        catalog = load_catalog(path)
    except (CatalogError, UserError, OSError) as exc:
        report_violation(f"cannot load the privacy catalog {path}:\n{exc}")
        return
    graph = to_graph(args.resources, _stack_region())
    report = evaluate(catalog, graph, fail_on=fail_on)
    for result in report.blocking:
        f = result.finding
        report_violation(violation(result), (f.resource.urn or None) if f.resource else None)


GUARDIAN_PRIVACY = StackValidationPolicy(
    name="guardian-privacy",
    description="Every deployment keeps the privacy catalog's promises "
    "(the rules of `guardian check`).",
    validate=validate,
    enforcement_level=EnforcementLevel.MANDATORY,
    config_schema=PolicyConfigSchema(
        properties={
            "catalog": {"type": "string", "default": DEFAULT_CATALOG},
            "fail_on": {"type": "string", "enum": list(SEVERITIES), "default": DEFAULT_FAIL_ON},
        }
    ),
)
POLICIES = [GUARDIAN_PRIVACY]
