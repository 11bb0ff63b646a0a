"""The CrossGuard pack, driven the way Pulumi's analyzer drives it, with hand-built arguments."""

from __future__ import annotations

import asyncio
import inspect
import runpy
from pathlib import Path
from typing import Any

import pytest
from guardian.policies.pack import crossguard
from guardian.policies.pack.crossguard import GUARDIAN_PRIVACY, POLICIES, plain, to_graph
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    StackValidationArgs,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UNKNOWN_BOOLEAN_VALUE, UnknownValueError, unknown_checking_proxy

from guardian.graph.model import UNKNOWN

PACK = Path(crossguard.__file__).resolve().parent
STACK = "urn:pulumi:dev::shop::pulumi:pulumi:Stack::shop-dev"


def urn(typ: str, name: str) -> str:
    return f"urn:pulumi:dev::shop::{typ}::{name}"


def props(values: dict[str, Any]) -> Any:
    """Properties as the analyzer hands them over: deserialized, behind the unknown proxy."""
    return unknown_checking_proxy(deserialize_properties(values))


def provider(region: str | None, name: str = "default_7_51_1") -> PolicyProviderResource:
    values = {"region": region} if region else {}
    return PolicyProviderResource(
        "pulumi:providers:aws", props(values), urn("pulumi:providers:aws", name), name
    )


def resource(
    typ: str,
    name: str,
    values: dict[str, Any],
    *,
    prov: PolicyProviderResource | None = None,
    parent: PolicyResource | None = None,
    deps: dict[str, list[PolicyResource]] | None = None,
) -> PolicyResource:
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    deps = deps or {}
    return PolicyResource(
        typ, props(values), urn(typ, name), name, opts, prov, parent,
        [d for ds in deps.values() for d in ds], deps,
    )


def validate(args: StackValidationArgs) -> list[tuple[str, str | None]]:
    """Run the policy like the analyzer does; collect (message, urn) violations."""
    violations: list[tuple[str, str | None]] = []

    def report(message: str, urn: str | None = None) -> None:
        violations.append((message, urn))

    result = GUARDIAN_PRIVACY.validate(args, report)
    if inspect.isawaitable(result):
        asyncio.run(result)  # type: ignore[arg-type]
    return violations


def test_plain_unwraps_proxies_and_keeps_unknowns() -> None:
    value = props({
        "tags": {"privacy:dataset": "customer_profiles"},
        "policy": UNKNOWN,
        "versioning": {"enabled": UNKNOWN_BOOLEAN_VALUE},
        "rules": [{"days": 30}, UNKNOWN],
    })
    with pytest.raises(UnknownValueError):
        value["policy"]  # what a naive policy would hit, and CrossGuard downgrade to advisory
    assert plain(value) == {
        "tags": {"privacy:dataset": "customer_profiles"},
        "policy": UNKNOWN,
        "versioning": {"enabled": UNKNOWN},
        "rules": [{"days": 30}, UNKNOWN],
    }


def test_to_graph_keeps_structure_names_and_regions() -> None:
    frankfurt = provider("eu-central-1", "frankfurt")
    default = provider("eu-west-1")
    stack = resource("pulumi:pulumi:Stack", "shop-dev", {})
    key = resource("aws:kms/key:Key", "profiles-key",
                   {"arn": "arn:aws:kms:eu-west-1:123456789012:key/k1", "enableKeyRotation": True},
                   prov=default, parent=stack)
    bucket = resource("aws:s3/bucket:Bucket", "acme-customer-profiles",
                      {"bucket": "acme-customer-profiles",
                       "tags": {"privacy:dataset": "customer_profiles"}},
                      prov=frankfurt, parent=stack)
    sse = resource(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
        "acme-customer-profiles-sse",
        {"bucket": UNKNOWN, "rules": [{"applyServerSideEncryptionByDefault": {
            "sseAlgorithm": "aws:kms", "kmsMasterKeyId": UNKNOWN}}]},
        prov=default, parent=bucket, deps={"bucket": [bucket], "rules": [key]},
    )
    graph = to_graph([stack, key, bucket, sse], default_region=None)
    assert len(graph) == 4
    b = graph.by_urn(urn("aws:s3/bucket:Bucket", "acme-customer-profiles"))
    assert b is not None
    assert b.name == "acme-customer-profiles" and b.dataset == "customer_profiles"
    assert b.region == "eu-central-1"  # its explicit provider's
    assert b.provider and b.provider.startswith(frankfurt.urn + "::")
    assert b.parent == STACK
    k = graph.named("profiles-key")[0]
    assert k.region == "eu-west-1" and k.arn == "arn:aws:kms:eu-west-1:123456789012:key/k1"
    s = graph.named("acme-customer-profiles-sse")[0]
    assert s.inputs["bucket"] == UNKNOWN
    assert s.property_dependencies == {"bucket": (b.urn,), "rules": (k.urn,)}
    assert set(s.dependencies) == {b.urn, k.urn}
    assert graph.named("shop-dev")[0].custom is False  # no provider: a component


def test_to_graph_falls_back_to_the_stack_region() -> None:
    table = resource("aws:dynamodb/table:Table", "orders", {"name": "orders"}, prov=provider(None))
    assert to_graph([table], default_region="eu-north-1").resources[0].region == "eu-north-1"


def test_pack_is_declared_for_pulumi() -> None:
    assert POLICIES == [GUARDIAN_PRIVACY]
    assert GUARDIAN_PRIVACY.enforcement_level == EnforcementLevel.MANDATORY
    assert GUARDIAN_PRIVACY.config_schema is not None
    assert set(GUARDIAN_PRIVACY.config_schema.properties) == {"catalog", "fail_on"}
    assert "runtime:\n  name: python" in (PACK / "PulumiPolicy.yaml").read_text()
    requirements = (PACK / "requirements.txt").read_text().splitlines()
    assert {"-e ../..", "-c ../../constraints.txt"} <= set(requirements)
    assert any(line.startswith("pulumi-policy") for line in requirements)


def test_importing_main_does_not_start_the_analyzer() -> None:
    # Constructing PolicyPack would serve gRPC forever; importing must only define things.
    namespace = runpy.run_path(str(PACK / "__main__.py"), run_name="guardian_pack_import")
    assert "PolicyPack" not in namespace


# ------------------------------------------------------------------ the policy on a real stack

REPO = Path(__file__).resolve().parents[2]
PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"


@pytest.fixture(scope="module")
def example() -> tuple[Any, Any]:
    """The example platform stack, run offline, and the example catalog."""
    from guardian.catalog import load_catalog
    from guardian.graph.program import synthesize

    return synthesize(REPO, stack="dev"), load_catalog(REPO / "catalog.yaml")


def as_policy_resources(graph: Any, default_region: str) -> list[PolicyResource]:
    """The graph as the analyzer would present the stack: outputs as props, providers attached."""
    providers: dict[str | None, PolicyProviderResource] = {
        None: PolicyProviderResource(
            "pulumi:providers:aws", props({"region": default_region}),
            urn("pulumi:providers:aws", "default_7_51_1"), "default_7_51_1",
        )
    }
    for r in graph.of_type("pulumi:providers:aws"):
        providers[r.urn] = PolicyProviderResource(r.type, props(dict(r.inputs)), r.urn, r.name)
    made: dict[str, PolicyResource] = {}
    opts = PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)
    for r in graph:
        provider_urn = r.provider.rsplit("::", 1)[0] if r.provider else None
        prov = providers[provider_urn] if r.custom else None
        made[r.urn] = PolicyResource(
            r.type, props({**r.inputs, **r.outputs}), r.urn, r.name, opts, prov, None, [], {}
        )
    for r in graph:
        p = made[r.urn]
        p.parent = made.get(r.parent or "")
        p.dependencies = [made[d] for d in r.dependencies if d in made]
        p.property_dependencies = {
            k: [made[d] for d in v if d in made] for k, v in r.property_dependencies.items()
        }
    return list(made.values())


def config_region() -> str:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load((REPO / "Pulumi.dev.yaml").read_text())["config"]["aws:region"]


def store(graph: Any, name: str) -> Any:
    [found] = [r for r in graph.of_type("aws:s3/bucket:Bucket") if r.get("bucket") == name]
    return found


def mutate(graph: Any, drop: str, unknown_tag_on: str) -> Any:
    from dataclasses import replace

    from guardian.graph.model import ResourceGraph

    out = []
    for r in graph:
        if r.urn == drop:
            continue
        if r.urn == unknown_tag_on:
            tags = {**r.get("tags"), "privacy:dataset": UNKNOWN}
            r = replace(r, inputs={**r.inputs, "tags": tags},
                        outputs={**r.outputs, "tags": tags, "tagsAll": tags})
        out.append(r)
    return ResourceGraph(out, graph.source)


def pack_violations(graph: Any) -> list[tuple[str, str | None]]:
    args = StackValidationArgs(
        as_policy_resources(graph, config_region()), {"catalog": str(REPO / "catalog.yaml")}
    )
    return validate(args)


def test_example_stack_passes_the_pack(example: tuple[Any, Any]) -> None:
    graph, catalog = example
    from guardian.check import evaluate

    assert evaluate(catalog, graph).blocking == ()
    assert pack_violations(graph) == []


def test_pack_reports_what_guardian_check_reports(example: tuple[Any, Any]) -> None:
    from guardian.check import evaluate

    graph, catalog = example
    bucket = store(graph, "acme-customer-profiles")
    marketing = store(graph, "acme-marketing-engagement")
    [pab] = [r for r in graph.of_type(PAB) if bucket.urn in r.dependencies]
    broken = mutate(graph, drop=pab.urn, unknown_tag_on=marketing.urn)
    expected = {(r.finding.rule, r.finding.resource.urn if r.finding.resource else None)
                for r in evaluate(catalog, broken).blocking}
    violations = pack_violations(broken)
    assert {(m.split(" ", 1)[0], u) for m, u in violations} == expected
    assert ("GRD-PUB-001", bucket.urn) in expected
    [unknown] = [m for m, u in violations if u == marketing.urn and m.startswith("GRD-INV-005")]
    assert "unknown offline" in unknown and "Fix: " in unknown


def test_catalog_path_and_bad_config(tmp_path: Path) -> None:
    assert crossguard.catalog_path({}) == REPO / "catalog.yaml"
    assert crossguard.catalog_path({"catalog": "other/c.yaml"}) == REPO / "other" / "c.yaml"
    assert crossguard.catalog_path({"catalog": str(tmp_path / "c.yaml")}) == tmp_path / "c.yaml"

    broken = tmp_path / "catalog.yaml"
    broken.write_text("version: 1\ndatasets: [\n")
    [(message, where)] = validate(StackValidationArgs([], {"catalog": str(broken)}))
    assert message.startswith(f"cannot load the privacy catalog {broken}") and where is None
    [(message, _)] = validate(StackValidationArgs([], {"fail_on": "severe"}))
    assert "fail_on must be one of" in message
