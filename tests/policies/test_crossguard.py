"""The CrossGuard pack, driven the way Pulumi's analyzer drives it, with hand-built arguments."""

from __future__ import annotations

import asyncio
import inspect
import re
import runpy
from pathlib import Path
from typing import Any

import pytest
from guardian.policies.pack import crossguard
from guardian.policies.pack.crossguard import POLICIES, plain, to_graph
from guardian.policies.rules import RULES, RULES_BY_ID
from pulumi_policy import (
    EnforcementLevel,
    PolicyCustomTimeouts,
    PolicyProviderResource,
    PolicyResource,
    PolicyResourceOptions,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
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


def validate(args: StackValidationArgs,
             policies: list[StackValidationPolicy] = POLICIES) -> list[tuple[str, str, str | None]]:
    """Run the policies like the analyzer does; collect (policy, message, urn) violations."""
    violations: list[tuple[str, str, str | None]] = []
    for policy in policies:
        def report(message: str, urn: str | None = None, name: str = policy.name) -> None:
            violations.append((name, message, urn))

        result = policy.validate(args, report)
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


def test_to_graph_an_unknown_provider_region_is_unknown_never_the_stack_s() -> None:
    table = resource("aws:dynamodb/table:Table", "orders", {"name": "orders"},
                     prov=provider(UNKNOWN, "computed"))
    assert to_graph([table], default_region="eu-north-1").resources[0].region is None


def test_to_graph_wrong_types_become_unknown_as_in_every_reader() -> None:
    bucket = resource("aws:s3/bucket:Bucket", "docs", {"bucket": "docs", "acl": ["public-read"],
                                                       "tags": {"privacy:dataset": "docs"}})
    [b] = to_graph([bucket], default_region="eu-west-1").resources
    assert b.inputs["acl"] == UNKNOWN and b.inputs["bucket"] == "docs" and b.dataset == "docs"


def test_the_pack_has_one_policy_per_rule_with_pulumis_own_metadata() -> None:
    assert [p.name for p in POLICIES] == [r.id for r in RULES]
    for policy in POLICIES:
        rule = RULES_BY_ID[policy.name]
        assert isinstance(policy, StackValidationPolicy)  # the rules relate resources
        assert policy.display_name == rule.title and rule.rationale in policy.description
        assert policy.remediation_steps == rule.remediation
        assert policy.tags == ["privacy", rule.control]
        assert policy.severity == {"critical": Severity.CRITICAL, "high": Severity.HIGH,
                                   "medium": Severity.MEDIUM}.get(rule.severity, Severity.LOW)
        blocks = rule.severity in ("critical", "high")
        assert policy.enforcement_level == (EnforcementLevel.MANDATORY if blocks
                                            else EnforcementLevel.ADVISORY)
    assert "runtime:\n  name: python" in (PACK / "PulumiPolicy.yaml").read_text()
    requirements = (PACK / "requirements.txt").read_text().splitlines()
    assert {"-e ../..", "-c ../../constraints.txt"} <= set(requirements)
    assert any(line.startswith("pulumi-policy") for line in requirements)


def test_a_policys_url_is_its_rules_section(monkeypatch: pytest.MonkeyPatch) -> None:
    assert all(p.url is None for p in POLICIES)  # no docs URL here
    monkeypatch.setenv("GUARDIAN_DOCS_URL", "https://docs.example/rules.md")
    assert crossguard.policy(RULES_BY_ID["GRD-ENC-001"]).url == \
        "https://docs.example/rules.md#grd-enc-001"


def test_the_readmes_policy_config_exists_and_names_rules() -> None:
    import json

    readme = (REPO / "README.md").read_text()
    [path] = set(re.findall(r"--policy-pack-config (\S+)", readme))
    config = json.loads((REPO / path).read_text())
    levels = {e.value for e in EnforcementLevel}
    assert config and set(config) <= set(RULES_BY_ID) | {"all"}
    for value in config.values():
        level = value["enforcementLevel"] if isinstance(value, dict) else value
        assert level in levels


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


def pack_violations(graph: Any, monkeypatch: pytest.MonkeyPatch,
                    catalog: Path = REPO / "catalog.yaml") -> list[tuple[str, str, str | None]]:
    config = {"aws:region": config_region(), "guardian:catalog": str(catalog)}
    monkeypatch.setattr(crossguard, "stack_config", config.get)
    return validate(StackValidationArgs(as_policy_resources(graph, config_region()), {}))


def test_example_stack_passes_the_pack(example: tuple[Any, Any],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    graph, catalog = example
    from guardian.check import evaluate

    assert evaluate(catalog, graph).blocking == ()
    mandatory = {p.name for p in POLICIES if p.enforcement_level == EnforcementLevel.MANDATORY}
    violations = pack_violations(graph, monkeypatch)
    assert [v for v in violations if v[0] in mandatory] == []
    # the example's one advisory, lowered findings (operational log buckets) left out
    assert {v[0] for v in violations} <= {"GRD-INV-003"}


def test_each_policy_reports_its_rules_findings(example: tuple[Any, Any],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from guardian.check import evaluate

    graph, catalog = example
    bucket = store(graph, "acme-customer-profiles")
    marketing = store(graph, "acme-marketing-engagement")
    [pab] = [r for r in graph.of_type(PAB) if bucket.urn in r.dependencies]
    broken = mutate(graph, drop=pab.urn, unknown_tag_on=marketing.urn)
    report = evaluate(catalog, broken)
    violations = pack_violations(broken, monkeypatch)
    mandatory = {p.name for p in POLICIES if p.enforcement_level == EnforcementLevel.MANDATORY}
    blocking = {(r.finding.rule, r.finding.resource.urn if r.finding.resource else None)
                for r in report.blocking}
    assert {(name, u) for name, _, u in violations if name in mandatory} == blocking
    assert ("GRD-PUB-001", bucket.urn) in blocking
    # the policy named by the rule reports it, with its message and no severity or fix in it
    [(_, message, _)] = [v for v in violations if v[0] == "GRD-PUB-001"]
    assert message.startswith("no public access block") and "Fix" not in message
    [unknown] = [m for name, m, u in violations if u == marketing.urn and name == "GRD-INV-005"]
    assert unknown.startswith("Unknown offline: ")  # a pack runs in a preview


def test_the_stack_is_evaluated_once_for_every_policy(example: tuple[Any, Any],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import guardian.check

    calls = []
    real = guardian.check.evaluate
    monkeypatch.setattr(guardian.check, "evaluate",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    crossguard._LAST.clear()
    pack_violations(example[0], monkeypatch)
    assert len(calls) == 1


def test_the_catalog_is_the_stacks_guardian_catalog(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    assert crossguard.catalog_path(None) == REPO / "catalog.yaml"
    assert crossguard.catalog_path("other/c.yaml") == REPO / "other" / "c.yaml"
    assert crossguard.catalog_path(str(tmp_path / "c.yaml")) == tmp_path / "c.yaml"

    broken = tmp_path / "catalog.yaml"
    broken.write_text("version: 1\ndatasets: [\n")
    monkeypatch.setattr(crossguard, "stack_config", {"guardian:catalog": str(broken)}.get)
    violations = validate(StackValidationArgs([], {}))
    assert len(violations) == len(POLICIES)  # each policy says it cannot check
    assert all(m.startswith(f"cannot load the privacy catalog {broken}") and u is None
               for _, m, u in violations)
