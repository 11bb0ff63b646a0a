"""The CrossGuard policies: `guardian check`'s rules inside `pulumi preview/up --policy-pack`.

Importable without side effects (the pack's `__main__.py` builds the `PolicyPack`, which serves
gRPC forever), so tests build `StackValidationArgs` by hand and call `validate` directly.

One stack policy per rule, named by the rule's id, with Pulumi's own `severity`,
`remediation_steps` and `url` (the rule's section of the rules page), so Pulumi's policy config
sets enforcement per rule (`{"GRD-NET-004": "mandatory", "GRD-ENC-003": "disabled"}`). The
default enforcement follows the rule's severity: critical and high rules are mandatory, the
others advisory. The rules relate stores to keys, policies and roles, so each policy sees the
whole stack; the stack is turned into a ResourceGraph and evaluated once by the same engine as
the CLI, and each policy reports its own rule's findings. Values Pulumi cannot know yet become
UNKNOWN instead of raising `UnknownValueError`, which CrossGuard would downgrade to an advisory
note: the engine reports them as findings of their own.

A policy reports the findings that carry its rule's severity. A finding the rule lowers for one
store (breach detection on internal data, an operational log bucket's information finding) is
advice in `guardian check` and is left out here: Pulumi's enforcement is per policy, and a
mandatory policy would block on it. Waived findings are not reported.

The catalog is the stack's `guardian:catalog` config (the catalog the program provisions
from), else `catalog.yaml`; a relative path resolves against the repository holding the pack.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyResource,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import _is_unknown

from guardian.findings import Report, Result, Rule, said
from guardian.graph.model import SECRET, UNKNOWN, Resource, ResourceGraph, Source
from guardian.graph.pulumi_json import PROVIDER_PREFIX, provider_regions, region_of, usable
from guardian.graph.types import conform

ReportViolation = Callable[..., None]
PACK_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACK_DIR.parents[1]
DEFAULT_CATALOG = "catalog.yaml"
CATALOG_KEY = "guardian:catalog"
# The rule's severity -> Pulumi's, and the enforcement a policy starts with.
SEVERITY = {"critical": Severity.CRITICAL, "high": Severity.HIGH, "medium": Severity.MEDIUM,
            "low": Severity.LOW, "info": Severity.LOW}
ENFORCEMENT = {"critical": EnforcementLevel.MANDATORY, "high": EnforcementLevel.MANDATORY,
               "medium": EnforcementLevel.ADVISORY, "low": EnforcementLevel.ADVISORY,
               "info": EnforcementLevel.ADVISORY}


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
    """The stack's resources as a ResourceGraph (props are the resources' planned state), their
    properties conformed to the types pulumi-aws declares, as every reader does."""
    graph: list[Resource] = []
    regions: dict[str, str | None] = {}
    for r in resources:
        props = plain(r.props) or {}
        provider = None
        if r.provider is not None:
            provider = f"{r.provider.urn}::{UNKNOWN}"  # the provider's id is not given to policies
            given = plain(r.provider.props or {}).get("region")
            if usable(given) or given == UNKNOWN:  # computed at deploy time: unknown
                regions[r.provider.urn] = usable(given)
        graph.append(
            conform(Resource(
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
            ))
        )
    regions.update(provider_regions(graph))
    graph = [replace(r, region=region_of(r, regions, default_region)) for r in graph]
    return ResourceGraph(graph, Source("preview", "pulumi policy pack"))


def catalog_path(configured: str | None) -> Path:
    path = Path(configured or DEFAULT_CATALOG)
    return path if path.is_absolute() else PROJECT_ROOT / path


def stack_config(key: str) -> str | None:
    """A value of the stack config Pulumi hands the pack's process."""
    try:
        import pulumi.runtime

        return usable(pulumi.runtime.get_config(key))
    except Exception:  # noqa: BLE001 - outside a Pulumi run there is no config
        return None


def violation(result: Result) -> str:
    f = result.finding
    where = f"{f.resource.type} {f.resource.name}" if f.resource else (f.location or "catalog")
    dataset = f", dataset {f.dataset}" if f.dataset else ""
    return f"{said(f, 'preview')} ({where}{dataset})"  # a pack runs in a preview


# The last stack evaluated: every policy of one preview sees the same stack, evaluated once.
_LAST: dict[str, Any] = {}


def evaluation(args: StackValidationArgs) -> Report | str:
    """Every rule's findings on the stack, or why the catalog cannot be read."""
    from guardian.catalog import CatalogError, load_catalog
    from guardian.check import evaluate
    from guardian.errors import UserError

    path = catalog_path(stack_config(CATALOG_KEY))
    graph = to_graph(args.resources, stack_config("aws:region"))
    key = f"{path}\n{graph.dumps()}"
    if _LAST.get("key") != key:
        try:
            report: Report | str = evaluate(load_catalog(path), graph, fail_on="none")
        except (CatalogError, UserError, OSError) as exc:
            report = f"cannot load the privacy catalog {path}:\n{exc}"
        _LAST.clear()
        _LAST.update(key=key, report=report)
    result: Report | str = _LAST["report"]
    return result


def validate(rule: Rule, args: StackValidationArgs, report_violation: ReportViolation) -> None:
    """Report this rule's findings that carry its severity, waived ones left out."""
    report = evaluation(args)
    if isinstance(report, str):
        report_violation(report)
        return
    for result in report.results:
        if (result.rule.id == rule.id and result.severity == rule.severity
                and result.waiver is None):
            f = result.finding
            report_violation(violation(result), (f.resource.urn or None) if f.resource else None)


def rule_url(rule: Rule) -> str | None:
    from guardian.report import docs_url
    from guardian.report.sarif import help_uri

    page = docs_url(os.environ, PROJECT_ROOT)
    return help_uri(rule, page) if page else None


def policy(rule: Rule) -> StackValidationPolicy:
    """The rule as a stack policy of its own."""
    return StackValidationPolicy(
        name=rule.id,
        description=f"{rule.title}. {rule.rationale}",
        validate=lambda args, report_violation: validate(rule, args, report_violation),
        enforcement_level=ENFORCEMENT[rule.severity],
        display_name=rule.title,
        severity=SEVERITY[rule.severity],
        tags=["privacy", rule.control],
        remediation_steps=rule.remediation,
        url=rule_url(rule),
    )


def policies() -> list[StackValidationPolicy]:
    from guardian.policies.rules import RULES

    return [policy(rule) for rule in RULES]


POLICIES = policies()
