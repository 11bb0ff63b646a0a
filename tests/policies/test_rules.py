"""Every rule against programs that violate it and programs that pass it: exact findings.

Each program under programs/ is plain pulumi_aws (through a team's own helpers, teamkit.py),
synthesized offline once per module; the catalog they bind to is catalog.yaml beside this file.
Findings are compared as (rule, resource name) sets; `info` findings (catalog stores absent
from a program, operational stores) are compared separately.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from guardian.policies.rules import RULES, RULES_BY_ID
from guardian.policies.rules._index import Index

from guardian.catalog import load_catalog
from guardian.catalog.model import Catalog, Waiver
from guardian.check import evaluate
from guardian.errors import UserError
from guardian.findings import Check, Report, Subject, severity_rank
from guardian.graph.model import UNKNOWN, ResourceGraph, Source

HERE = Path(__file__).parent
PROGRAMS = HERE / "programs"
REPO = HERE.parents[1]
TODAY = date(2026, 6, 1)


@cache
def graph(program: str) -> ResourceGraph:
    from guardian.graph.program import synthesize

    return synthesize(PROGRAMS / program, "dev")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(HERE / "catalog.yaml")


def check(catalog: Catalog, program: str, **kw: object) -> Report:
    return evaluate(catalog, graph(program), today=TODAY, **kw)  # type: ignore[arg-type]


def found(report: Report) -> set[tuple[str, str | None]]:
    return {(r.finding.rule, r.finding.resource.name if r.finding.resource else r.finding.dataset)
            for r in report.results if r.severity != "info"}


# --- the registry ---------------------------------------------------------------------------


def test_registry_covers_every_control_with_complete_metadata() -> None:
    from guardian.findings import CONTROLS

    assert {r.control for r in RULES} == set(CONTROLS)
    assert len(RULES_BY_ID) == len(RULES)
    for r in RULES:
        assert r.id.startswith("GRD-") and r.title and r.rationale and r.remediation
        assert any(ref.startswith("NIST ") for ref in r.references), r.id
        assert any(ref.startswith(("GDPR", "PIPEDA")) for ref in r.references), r.id


def test_every_rule_is_exercised_by_a_fixture(catalog: Catalog) -> None:
    fired = set()
    for program in ("s3_violations", "tables_and_roles", "databases", "inventory",
                    "stores_violations", "regions_violations", "copies_violations",
                    "exposure_violations"):
        fired |= {rule for rule, _ in found(check(catalog, program))}
    fired |= {r.finding.rule for r in check(catalog, "baseline").results}  # INV-003 (info)
    fired |= {r.finding.rule for r in evaluate(catalog, with_gaps(), today=TODAY).results}
    catalog_rules = {r.id for r in RULES if r.control == "catalog"}  # tested on YAML variants
    assert set(RULES_BY_ID) - catalog_rules - fired == set()


def with_gaps(*, allowed: bool = False) -> ResourceGraph:
    """The baseline as a live audit that could not read one bucket's ACL nor list the security
    groups (GRD-INV-006: reads a live source could not make)."""
    from guardian.graph.model import ReadGap

    base = graph("baseline")
    bucket = next(r for r in base.named("profiles-bucket") if r.type == "aws:s3/bucket:Bucket")
    return ResourceGraph(base.resources, base.source, [
        ReadGap("s3:GetBucketAcl", "AccessDenied", "the ACL of bucket profiles-bucket",
                "eu-west-1", bucket.urn),
        ReadGap("ec2:DescribeSecurityGroups", "Throttling", "security groups", "eu-west-1",
                listing=True, controls=("network-segmentation",), allowed=allowed),
    ])


def test_unread_reads_block_as_unknown_and_allow_partial_says_so(catalog: Catalog) -> None:
    report = evaluate(catalog, with_gaps(), today=TODAY)
    unread = {(r.finding.resource.name if r.finding.resource else None, r.finding.dataset,
               r.severity, r.blocking, r.finding.unknown, r.finding.message)
              for r in report.results if r.finding.rule == "GRD-INV-006"}
    assert unread == {
        ("profiles-bucket", "profiles", "high", True, True,
         "cannot read the ACL of bucket profiles-bucket: s3:GetBucketAcl failed (AccessDenied); "
         "the rules that need it cannot decide"),
        (None, None, "critical", True, True,
         "cannot list security groups in eu-west-1: ec2:DescribeSecurityGroups failed "
         "(Throttling); whatever they hold is unchecked for network-segmentation")}
    assert report.partial is None and report.exit_code == 1
    # a failed listing blocks at every threshold; the unread ACL only from high
    critical = evaluate(catalog, with_gaps(), today=TODAY, fail_on="critical")
    assert {r.severity for r in critical.blocking} == {"critical"}

    partial = evaluate(catalog, with_gaps(allowed=True), today=TODAY, fail_on="critical")
    assert partial.exit_code == 0 and partial.partial == (
        "PARTIAL AUDIT (--allow-partial): 1 listing(s) failed and what they hold was not "
        "checked: ec2:DescribeSecurityGroups (Throttling, eu-west-1)")
    from guardian.report import render

    assert render(partial, "text").splitlines()[0] == partial.partial
    assert json.loads(render(partial, "json"))["source"]["partial"] == partial.partial
    assert not [r for r in check(catalog, "baseline").results if r.finding.rule == "GRD-INV-006"]


def test_an_unread_reads_fix_depends_on_why_it_failed(catalog: Catalog) -> None:
    """A denied read asks for a permission; an answer that was malformed, credentials that came
    expired, or a setting AWS Config does not record, ask for no permission (nothing was denied)
    but a rerun, a report, a clock, a direct read."""
    from guardian.graph.model import ReadGap
    from guardian.report import render
    from policies.rules.inventory import INV_006, UNREAD_FIX

    base = graph("baseline")
    bucket = next(r for r in base.named("profiles-bucket") if r.type == "aws:s3/bucket:Bucket")
    gaps = ResourceGraph(base.resources, base.source, [
        ReadGap("s3:GetBucketAcl", "AccessDenied", "the ACL", "eu-west-1", bucket.urn),
        ReadGap("s3:GetBucketPolicy", "MalformedResponse", "the policy", "eu-west-1",
                bucket.urn),
        ReadGap("sts:AssumeRole", "ExpiredCredentials", "anything in account 111122223333",
                listing=True, controls=("inventory",), account="111122223333",
                account_wide=True),
        ReadGap("s3:GetBucketOwnershipControls", "NotRecordedByAWSConfig",
                "the ownership controls", "eu-west-1", bucket.urn),
    ])
    report = evaluate(catalog, gaps, today=TODAY)
    fixes = {r.finding.message.split(": ")[1].split(" failed")[0]: r.remediation
             for r in report.results if r.finding.rule == "GRD-INV-006"}
    assert fixes == {"s3:GetBucketAcl": INV_006.remediation,
                     "s3:GetBucketPolicy": UNREAD_FIX["MalformedResponse"],
                     "sts:AssumeRole": UNREAD_FIX["ExpiredCredentials"],
                     "s3:GetBucketOwnershipControls": UNREAD_FIX["NotRecordedByAWSConfig"]}
    assert "Grant" in INV_006.remediation
    assert not [f for f in UNREAD_FIX.values() if "Grant" in f or "grant" in f]
    assert "report it" in fixes["s3:GetBucketPolicy"] and "clock" in fixes["sts:AssumeRole"]
    assert "--assume-role" in fixes["s3:GetBucketOwnershipControls"]
    doc = json.loads(render(report, "json"))
    assert {f["remediation"] for f in doc["findings"] if f["rule"] == "GRD-INV-006"} == set(
        fixes.values())
    text = render(report, "text")
    assert f"fix: {UNREAD_FIX['MalformedResponse']}" in text
    assert f"fix: {INV_006.remediation}" in text
    sarif = json.loads(render(report, "sarif"))
    assert sorted(r["properties"]["remediation"] for r in sarif["runs"][0]["results"]
                  if "remediation" in r["properties"]) == sorted(UNREAD_FIX.values())


# --- programs -------------------------------------------------------------------------------


def test_baseline_passes_every_rule(catalog: Catalog) -> None:
    report = check(catalog, "baseline")
    assert found(report) == set()
    assert report.exit_code == 0
    info = {(r.finding.rule, r.finding.resource.name if r.finding.resource else None)
            for r in report.results}
    assert ("GRD-INV-001", "audit-trail-logs") in info  # operational store, not blocking
    absent = {r.finding.message.split()[2] for r in report.results
              if r.finding.rule == "GRD-INV-003"}
    assert "s3:profiles-bucket" not in absent and "s3:profiles-http" in absent


def test_s3_violations(catalog: Catalog) -> None:
    assert found(check(catalog, "s3_violations")) == {
        ("GRD-ENC-001", "profiles-sse-s3"),
        ("GRD-PUB-001", "profiles-partial-pab"),
        ("GRD-PUB-002", "profiles-public-acl"),
        ("GRD-PUB-003", "profiles-open-policy"),
        ("GRD-TLS-001", "profiles-http"),
        ("GRD-RET-001", "profiles-forever"),
        ("GRD-RET-002", "profiles-old-versions"),
        ("GRD-RET-004", "profiles-locked"),
        ("GRD-SHR-001", "profiles-shared"),  # 999999999999 only: 210987654321 is a recipient
        ("GRD-RES-001", "profiles-abroad"),
        ("GRD-RES-002", "profiles-replica-us"),
        ("GRD-BRE-001", "profiles-unlogged"),
    }


def test_s3_findings_name_the_helper_resources(catalog: Catalog) -> None:
    by_rule = {r.finding.rule: r.finding for r in check(catalog, "s3_violations").results}
    assert [x.name for x in by_rule["GRD-PUB-001"].related] == ["profiles-partial-pab-pab"]
    assert "restrictPublicBuckets" in by_rule["GRD-PUB-001"].message
    assert {x.name for x in by_rule["GRD-RES-002"].related} == {
        "profiles-replica-us-replication", "profiles-abroad"}
    assert "999999999999" in by_rule["GRD-SHR-001"].message


def test_tables_keys_and_roles(catalog: Catalog) -> None:
    ops = {(rule, t) for t in ("profiles-table", "profiles-aws-key", "profiles-no-ttl",
                               "profiles-global", "payments-table", "payments-open")
           for rule in ("GRD-PUR-001", "GRD-PUR-003")}  # AmazonDynamoDBFullAccess on role ops
    lazy = ("profiles-table", "profiles-no-ttl", "profiles-global", "payments-table")
    unrotated = {("GRD-ENC-002", t) for t in lazy}  # key-reader's PUR-001 coincides with ops'
    assert {t for r in check(catalog, "tables_and_roles").results
            if "'key-reader'" in r.finding.message and r.finding.rule == "GRD-PUR-001"
            for t in [r.finding.resource.name if r.finding.resource else ""]} == set(lazy)
    assert found(check(catalog, "tables_and_roles")) == ops | unrotated | {
        ("GRD-ENC-004", "profiles-aws-key"),
        ("GRD-RET-003", "profiles-no-ttl"),
        ("GRD-RES-002", "profiles-global"),
        ("GRD-ENC-003", "payments-table"),
        ("GRD-NET-001", "payments-open"),
        ("GRD-ACC-002", "payments-open"),
        ("GRD-PUR-002", "profiles-table"),  # reader may delete; writer has dynamodb:*
        ("GRD-ACC-001", "payments-analyst"),
        ("GRD-BRE-001", "profiles-aws-key"),
        ("GRD-BRE-001", "profiles-no-ttl"),
        ("GRD-BRE-001", "profiles-global"),
        ("GRD-BRE-001", "payments-open"),
        ("GRD-BRE-002", "payments-table"),  # dpo@ is not subscribed
        ("GRD-BRE-002", "payments-open"),
    }


def test_purpose_findings_name_roles_and_actions(catalog: Catalog) -> None:
    messages = {r.finding.message for r in check(catalog, "tables_and_roles").results
                if r.finding.resource and r.finding.resource.name == "profiles-table"
                and r.finding.rule.startswith("GRD-PUR")}
    assert "role 'reporting' may read profiles data but has no access entry for it in the " \
           "catalog" in messages
    assert "role 'profiles-reader' may delete profiles data; the catalog declares only read" \
           in messages
    assert "role 'profiles-writer' is granted wildcard actions dynamodb:*, covering " \
           "confidential data" in messages



def _wildcards(report: Report) -> dict[str, str]:
    """GRD-PUR-003's findings on wild-profiles by role (each role at most once)."""
    import re

    out: dict[str, str] = {}
    for r in report.results:
        if r.finding.rule == "GRD-PUR-003":
            assert r.finding.resource is not None and r.finding.resource.name == "wild-profiles"
            named = re.match(r"role '([^']+)'", r.finding.message)
            assert named and named.group(1) not in out, r.finding.message
            out[named.group(1)] = r.finding.message
    return out


def test_one_wildcard_finding_per_role_and_store_naming_every_grant(catalog: Catalog) -> None:
    """AWSGlueServiceRole reaches a bucket through two statements; two-policies through two
    policies: one finding each, listing them. Named actions on the bucket's objects pass, one
    `s3:Get*` fails; internal data may be granted by wildcard."""
    found_ = _wildcards(check(catalog, "wildcards"))
    assert set(found_) == {"glue-crawler", "two-policies", "get-star"}
    assert found_["glue-crawler"] == (
        "role 'glue-crawler' is granted wildcards: resources * to read (in "
        "glue-crawler-managed-0); resources arn:aws:s3:::aws-glue-*/*, "
        "arn:aws:s3:::*/*aws-glue-*/* to read, write, delete (in glue-crawler-managed-0), "
        "covering confidential data")
    assert found_["two-policies"] == (
        "role 'two-policies' is granted wildcards: actions s3:* to read, write, delete (in "
        "two-policies-policy); resources arn:aws:s3:::*/* to read (in two-policies-more), "
        "covering confidential data")
    assert found_["get-star"] == ("role 'get-star' is granted wildcard actions s3:Get*, "
                                  "covering confidential data")


def test_a_wildcard_findings_identity_stays_as_its_statements_change(catalog: Catalog) -> None:
    """Another wildcard statement in a policy that already grants one: still one finding, with
    the same SARIF fingerprint, matched by a baseline made before it."""
    from guardian.baseline import apply_baseline
    from guardian.report import render

    before = check(catalog, "wildcards")
    data = _copy(graph("wildcards"))
    for r in data["resources"]:
        if r["name"] == "get-star-policy":
            for props in (r["inputs"], r["outputs"]):
                doc = json.loads(props["policy"])
                doc["Statement"].append({"Effect": "Allow", "Action": "s3:List*",
                                         "Resource": "arn:aws:s3:::wild-*"})
                props["policy"] = json.dumps(doc)
    after = evaluate(catalog, ResourceGraph.from_json(data), today=TODAY)
    assert "actions s3:Get* to read (in get-star-policy); actions s3:List* and resources " \
        "arn:aws:s3:::wild-* to read (in get-star-policy)" in _wildcards(after)["get-star"]

    def fingerprints(report: Report) -> dict[str, str]:
        results = json.loads(render(report, "sarif"))["runs"][0]["results"]
        return {r["message"]["text"].split("'")[1]: r["partialFingerprints"]["guardianFinding/v1"]
                for r in results if r["ruleId"] == "GRD-PUR-003"}

    assert fingerprints(after) == fingerprints(before)
    known = apply_baseline(after, json.loads(render(before, "json")))
    assert [r for r in known.results if r.finding.rule == "GRD-PUR-003" and r.blocking] == []


def test_databases(catalog: Catalog) -> None:
    assert found(check(catalog, "databases")) == {
        ("GRD-ENC-005", "records-quick"),
        ("GRD-TLS-002", "records-quick"),
        ("GRD-PUB-004", "records-quick"),
        ("GRD-NET-003", "records-quick"),  # no subnet group: the default VPC
        ("GRD-NET-002", "records-careful"),
        ("GRD-NET-003", "records-careful"),
        ("GRD-NET-004", "app"),
        ("GRD-BRE-002", "records-quick"),
        ("GRD-BRE-002", "records-careful"),
    }


def test_other_store_types(catalog: Catalog) -> None:
    assert found(check(catalog, "stores_violations")) == {
        ("GRD-ENC-005", "records-files"),  # EFS encrypted defaults to false
        ("GRD-NET-002", "records-files"),  # through its mount target's security group
        ("GRD-NET-003", "records-files"),  # and its mount target's public subnet
        ("GRD-ENC-001", "records-volume"),  # EBS under aws/ebs
        ("GRD-ENC-005", "records-search"),
        ("GRD-PUB-004", "records-search"),  # no VPC options
        ("GRD-TLS-002", "records-search"),  # enforce_https=False
        ("GRD-ENC-002", "records-warehouse"),  # encrypted="true" under a key that never rotates
        ("GRD-PUB-004", "records-warehouse"),
        ("GRD-NET-003", "records-warehouse"),  # no subnet group: the default VPC
        ("GRD-TLS-002", "records-warehouse"),  # default parameter group: require_ssl off
        ("GRD-INV-001", "scratch-files"),
        ("GRD-INV-002", "analytics-volume"),
    }


def test_other_store_types_pass_when_written_carefully(catalog: Catalog) -> None:
    from guardian.policies.rules.encryption import at_rest

    assert found(check(catalog, "stores_baseline")) == set()
    ix = Index(catalog, graph("stores_baseline"))
    assert {(s.kind, s.resource.name, at_rest(ix, s).key.label) for s in ix.bound} == {
        ("efs", "records-files", "records-key"), ("ebs", "records-volume", "records-key"),
        ("opensearch", "records-search", "records-key"),
        ("redshift", "records-warehouse", "records-key")}


@pytest.mark.parametrize(("encrypted", "expected"), [
    ("false", {("GRD-ENC-005", "records-warehouse")}),  # pulumi_aws 7 types it as a string
    (False, {("GRD-ENC-005", "records-warehouse")}),
    (None, set()),  # absent: Redshift encrypts by default
])
def test_redshift_encrypted_is_read_as_the_provider_types_it(
        catalog: Catalog, encrypted: object, expected: set[tuple[str, str]]) -> None:
    data = _copy(graph("stores_baseline"))
    for r in data["resources"]:
        if r["name"] == "records-warehouse":
            for props in (r["inputs"], r["outputs"]):
                props.pop("encrypted", None)
                if encrypted is not None:
                    props["encrypted"] = encrypted
    report = evaluate(catalog, ResourceGraph.from_json(data), today=TODAY)
    assert found(report) == expected


def test_breach_detection_in_every_data_region(catalog: Catalog) -> None:
    report = check(catalog, "regions_violations")
    assert found(report) == {
        ("GRD-BRE-003", "records-frankfurt"),  # GuardDuty there, no EventBridge rule
        ("GRD-BRE-003", "records-stockholm"),  # EventBridge rule there, detector disabled
    }
    messages = {r.finding.resource.name: r.finding.message  # type: ignore[union-attr]
                for r in report.results if r.finding.rule == "GRD-BRE-003"}
    assert messages == {
        "records-frankfurt": "no EventBridge rule in eu-central-1 routes alerts to "
        "security@fixture.example (only rules in eu-north-1, eu-west-1 do, and a rule sees "
        "only its own region's events)",
        "records-stockholm": "no GuardDuty detector is enabled in eu-north-1 (the one there "
        "is disabled)",
    }
    assert not any(r.blocking for r in report.results)  # medium: blocks from --fail-on medium
    assert all(r.blocking for r in check(catalog, "regions_violations", fail_on="medium").results
               if r.finding.rule == "GRD-BRE-003")
    assert found(check(catalog, "regions_baseline")) == set()


def test_an_unknown_alert_rule_region_is_an_unknown_finding(catalog: Catalog) -> None:
    data = _copy(graph("regions_violations"))
    for r in data["resources"]:
        if r["name"] == "stockholm-s3-changes-target":
            r["region"] = None
            r["inputs"].pop("region", None)
            r["outputs"].pop("region", None)
    report = evaluate(catalog, ResourceGraph.from_json(data), today=TODAY)
    assert {(r.finding.resource.name, r.finding.unknown)  # type: ignore[union-attr]
            for r in report.results if r.finding.rule == "GRD-BRE-003"} == {
        ("records-frankfurt", True),  # the rule that lost its region may be in either
        ("records-stockholm", True),
        ("records-stockholm", False)}  # its detector is still known to be off


def test_inventory(catalog: Catalog) -> None:
    report = check(catalog, "inventory")
    assert found(report) == {
        ("GRD-INV-001", "scratch"),
        ("GRD-INV-001", "exports"),
        ("GRD-INV-002", "sessions"),
        ("GRD-INV-002", "newsletter-typo"),
        ("GRD-INV-004", "newsletter-archive"),
        ("GRD-INV-005", "profiles-tagged-newsletter"),
        # untagged, bound by the catalog: the rules run on them as on tagged stores
        ("GRD-RET-001", "newsletter-by-name"),
        ("GRD-RET-001", "newsletter-auto"),
        ("GRD-PUB-001", "newsletter-auto"),
        ("GRD-TLS-001", "newsletter-auto"),
    }
    logs = [r for r in report.results if r.finding.resource and r.finding.resource.name == "logs"]
    assert [(r.finding.rule, r.severity, r.blocking) for r in logs] == [
        ("GRD-INV-001", "info", False)]


def test_binding_is_by_tag_else_catalog_name_else_pulumi_name_and_reported(
        catalog: Catalog) -> None:
    report = check(catalog, "inventory")
    how = {(r.finding.resource.name, r.to_json()["binding"]) for r in report.results
           if r.finding.resource and r.finding.rule != "GRD-INV-001"}
    assert {("newsletter-by-name", "catalog-name"), ("newsletter-auto", "catalog-pulumi-name"),
            ("profiles-tagged-newsletter", "tag"), ("newsletter-archive", "tag"),
            ("newsletter-typo", None)} <= how
    messages = {r.finding.rule: r.finding.message for r in report.results
                if r.finding.resource and r.finding.resource.name in (
                    "newsletter-typo", "profiles-tagged-newsletter")}
    assert messages["GRD-INV-002"].endswith("not a dataset in the catalog; did you mean "
                                            "newsletter?")
    assert "lists this store under profiles" in messages["GRD-INV-005"]
    scratch = [r.finding.message for r in report.results if r.finding.resource
               and r.finding.resource.name == "scratch"]
    assert scratch == ["s3 store has no privacy:dataset tag and no catalog storage entry names "
                       "it ('team-scratch' or 'scratch')"]


def test_turning_off_a_module_control_is_found(catalog: Catalog) -> None:
    assert found(check(catalog, "module_controls")) == {
        ("GRD-ENC-001", "profiles-sse-s3"),  # labelled internal: AWS-managed key
        ("GRD-NET-001", "payments-open"),  # labelled confidential: no endpoint-only policy
    }


def test_example_stack_has_no_blocking_finding() -> None:
    from guardian.graph.program import synthesize

    catalog, g = load_catalog(REPO / "catalog.yaml"), synthesize(REPO, "dev")
    report = evaluate(catalog, g, today=TODAY)
    assert [r.to_json() for r in report.blocking] == []
    assert report.resources > 100
    assert {r.finding.rule for r in report.results} <= {"GRD-INV-001", "GRD-INV-003"}
    # The stack passes GRD-BRE-003 because it alerts in every data region: without its
    # us-east-1 alert rules and detector, the store there is found.
    data = _copy(g)
    data["resources"] = [r for r in data["resources"] if not (
        r["region"] == "us-east-1" and r["type"] in (
            "aws:cloudwatch/eventTarget:EventTarget", "aws:guardduty/detector:Detector"))]
    stores = {s.resource.name for s in Index(catalog, g).bound
              if s.region == "us-east-1" and s.dataset and s.dataset.sensitive}
    regional = [r.finding for r in evaluate(catalog, ResourceGraph.from_json(data),
                                            today=TODAY).results
                if r.finding.rule == "GRD-BRE-003"]
    assert stores and {f.resource.name for f in regional if f.resource} == stores
    assert len(regional) == 2 * len(stores)  # no alert rule, no detector


# --- unknown is not pass ----------------------------------------------------------------------


def _copy(g: ResourceGraph) -> dict:
    """A deep copy of the graph's JSON: the cached graphs must stay as synthesized."""
    return json.loads(json.dumps(g.to_json()))


def _with_unknown(g: ResourceGraph, name: str, key: str) -> ResourceGraph:
    data = _copy(g)
    for r in data["resources"]:
        if r["name"] == name:
            r["inputs"][key] = r["outputs"][key] = UNKNOWN
    return ResourceGraph.from_json(data)


def test_an_unknown_policy_is_a_blocking_unknown_finding(catalog: Catalog) -> None:
    g = _with_unknown(graph("baseline"), "profiles-bucket-policy", "policy")
    report = evaluate(catalog, g, today=TODAY)
    unknown = [r for r in report.results if r.finding.unknown]
    assert {(r.finding.rule, r.finding.resource.name if r.finding.resource else None)
            for r in unknown} == {
        ("GRD-TLS-001", "profiles-bucket"), ("GRD-PUB-003", "profiles-bucket")}
    for r in unknown:
        assert r.severity == RULES_BY_ID[r.finding.rule].severity and r.blocking
        assert "unknown" in r.finding.message and "offline" not in r.finding.message


def test_an_unknown_region_and_tag_are_unknown_findings(catalog: Catalog) -> None:
    data = _copy(graph("baseline"))
    for r in data["resources"]:
        if r["name"] == "newsletter-bucket":
            r["region"] = None
            r["outputs"].pop("region", None)
        if r["name"] == "profiles-table":
            r["inputs"]["tags"] = r["outputs"]["tags"] = UNKNOWN
            r["outputs"].pop("tagsAll", None)
    report = evaluate(catalog, ResourceGraph.from_json(data), today=TODAY)
    assert {(r.finding.rule, r.finding.resource.name, r.finding.unknown)  # type: ignore[union-attr]
            for r in report.results if r.severity != "info"} == {
        ("GRD-RES-001", "newsletter-bucket", True), ("GRD-INV-005", "profiles-table", True)}


# --- catalog rules ----------------------------------------------------------------------------


def _variant(tmp_path: Path, *edits: tuple[str, str]) -> Catalog:
    text = (HERE / "catalog.yaml").read_text()
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "catalog.yaml"
    path.write_text(text)
    return load_catalog(path)


EMPTY = ResourceGraph([], Source("graph", "empty.json"))


def _catalog_findings(cat: Catalog, today: date = TODAY) -> set[tuple[str, str | None]]:
    report = evaluate(cat, EMPTY, today=today)
    return {(r.finding.rule, r.finding.dataset) for r in report.results
            if RULES_BY_ID[r.finding.rule].control == "catalog"}


def test_the_fixture_catalog_passes_the_catalog_rules(catalog: Catalog) -> None:
    assert _catalog_findings(catalog) == set()


@pytest.mark.parametrize(("edits", "expected"), [
    ([("categories: [user.name]\n", "categories: [user.name, user.health_and_medical]\n")],
     ("GRD-CAT-001", "records")),
    ([(', opt_out: "https://fixture.example/unsubscribe"', "")], ("GRD-CAT-002", "newsletter")),
    ([("country: IE, safeguard: adequacy", "country: BR, safeguard: none")],
     ("GRD-CAT-003", "profiles")),
    ([("residency: [eu]\n    retention: {days: 90}",
       "residency: [sa-east-1]\n    retention: {days: 90}")],
     ("GRD-CAT-004", "profiles")),
    ([(", human: true, training_valid_until: 2030-01-01", ", human: true")],
     ("GRD-CAT-005", "payments")),
    ([(", double_opt_in: true", "")], ("GRD-CAT-006", "newsletter")),
])
def test_catalog_rule_violations(tmp_path: Path, edits: list[tuple[str, str]],
                                 expected: tuple[str, str]) -> None:
    assert _catalog_findings(_variant(tmp_path, *edits)) == {expected}


def test_us_transfers_rest_on_adequacy_only_under_the_dpf(tmp_path: Path) -> None:
    # EU adequacy for the US covers only Data Privacy Framework participants.
    us = ("country: IE, safeguard: adequacy", "country: US, safeguard: none")
    assert _catalog_findings(_variant(tmp_path, us)) == {("GRD-CAT-003", "profiles")}
    dpf = ("country: IE, safeguard: adequacy", "country: US, safeguard: none, dpf_certified: true")
    assert _catalog_findings(_variant(tmp_path, dpf)) == set()
    # UK GDPR data judged by UK adequacy: EU SCCs do not carry over, a UK safeguard 'none' fails
    uk = [("jurisdictions: [gdpr]", "jurisdictions: [gdpr, uk_gdpr]"),
          ("country: IE, safeguard: adequacy", "country: US, safeguard: scc, safeguard_uk: none")]
    assert _catalog_findings(_variant(tmp_path, *uk)) == {("GRD-CAT-003", "profiles")}
    uk[1] = ("country: IE, safeguard: adequacy", "country: KR, safeguard: none")
    assert _catalog_findings(_variant(tmp_path, *uk)) == set()  # adequate for both


def test_expired_training_is_found_on_the_day_after(catalog: Catalog) -> None:
    assert _catalog_findings(catalog, today=date(2030, 1, 1)) == set()
    assert _catalog_findings(catalog, today=date(2030, 1, 2)) == {("GRD-CAT-005", "payments")}


def test_catalog_findings_point_at_the_catalog_line(tmp_path: Path) -> None:
    cat = _variant(tmp_path, (", double_opt_in: true", ""))
    [result] = [r for r in evaluate(cat, EMPTY, today=TODAY).results
                if r.finding.rule == "GRD-CAT-006"]
    line = (tmp_path / "catalog.yaml").read_text().splitlines().index(
        "      - {use: marketing.communications.email, legal_basis: consent, opt_out: "
        '"https://fixture.example/unsubscribe"}') + 1
    assert result.finding.location and result.finding.location.split(":")[1] == str(line)


# --- the engine: threshold, waivers, order ----------------------------------------------------


def test_fail_on_sets_the_threshold(catalog: Catalog) -> None:
    high = check(catalog, "tables_and_roles")
    medium = check(catalog, "tables_and_roles", fail_on="medium")
    critical = check(catalog, "tables_and_roles", fail_on="critical")
    sev = {r.finding.rule: r.severity for r in high.results}
    assert sev["GRD-ENC-002"] == "medium"
    assert not any(r.blocking for r in high.results if r.finding.rule == "GRD-ENC-002")
    assert all(r.blocking for r in medium.results if r.finding.rule == "GRD-ENC-002")
    assert {r.severity for r in critical.blocking} == {"critical"}
    assert not any(r.blocking for r in medium.results if r.severity == "info")
    with pytest.raises(UserError):
        check(catalog, "baseline", fail_on="info")


def test_waivers_valid_expired_and_unused(catalog: Catalog) -> None:
    def waiver(rule: str, resource: str, expires: date) -> Waiver:
        return Waiver(rule, resource, "migration in progress", "dpo@fixture.example", expires)

    valid = waiver("GRD-TLS-001", "profiles-http", date(2026, 12, 31))
    by_urn_resource = next(r for r in graph("s3_violations") if r.name == "profiles-locked")
    by_urn = waiver("GRD-RET-004", by_urn_resource.urn, date(2026, 12, 31))
    expired = waiver("GRD-PUB-002", "profiles-public-acl", date(2026, 5, 31))
    unused = waiver("GRD-PUB-002", "no-such-bucket", date(2026, 12, 31))
    waived = replace(catalog, waivers=(valid, by_urn, expired, unused))
    report = check(waived, "s3_violations")
    results = {(r.finding.rule, r.finding.resource.name): r
               for r in report.results if r.finding.resource}
    tls = results[("GRD-TLS-001", "profiles-http")]
    assert tls.waiver == valid and not tls.blocking
    assert results[("GRD-RET-004", "profiles-locked")].waiver == by_urn
    acl = results[("GRD-PUB-002", "profiles-public-acl")]
    assert acl.waiver is None and acl.blocking
    assert "waiver expired on 2026-05-31" in acl.finding.message
    assert report.unused_waivers == (unused,)
    assert len(report.waived) == 2
    assert len(report.blocking) == len(check(catalog, "s3_violations").blocking) - 2


def test_order_is_deterministic(catalog: Catalog) -> None:
    report = check(catalog, "tables_and_roles")
    place = {v.dataset.id: i for i, v in enumerate(report.values)}  # by value at risk
    keys = [(severity_rank(r.severity), place.get(r.finding.dataset, len(place)),
             r.finding.resource.name if r.finding.resource else "", r.finding.rule,
             r.finding.message) for r in report.results]
    assert keys == sorted(keys) and len(set(keys)) == len(keys)
    again = evaluate(catalog, ResourceGraph.from_json(_copy(graph("tables_and_roles"))),
                     today=TODAY)
    assert [r.to_json() for r in again.results] == [r.to_json() for r in report.results]


# --- rules are declared once; evaluation context is explicit ---------------------------------


def test_a_finding_carries_the_id_of_the_rule_that_made_it(catalog: Catalog) -> None:
    from guardian.findings import Context, Rule

    honest = Rule("GRD-TST-001", "inventory", "high", "t", "r", "f", ("NIST CM-8",),
                  lambda ctx: [honest.finding("made through the rule", dataset="d")])
    drifting = Rule("GRD-TST-002", "inventory", "high", "t", "r", "f", ("NIST CM-8",),
                    lambda ctx: [honest.finding("made through another rule")])
    report = evaluate(catalog, EMPTY, rules=(honest,), today=TODAY)
    assert [(r.finding.rule, r.rule) for r in report.results] == [("GRD-TST-001", honest)]
    with pytest.raises(AssertionError, match="GRD-TST-002 made a finding of GRD-TST-001"):
        evaluate(catalog, EMPTY, rules=(drifting,), today=TODAY)
    # The context is what the rule reads: the date given, the graph given, an index of them.
    seen: list[Context] = []
    spy = Rule("GRD-TST-003", "inventory", "high", "t", "r", "f", (),
               lambda ctx: seen.append(ctx) or ())
    evaluate(catalog, EMPTY, rules=(spy,), today=date(2030, 1, 2))
    assert seen[0].today == date(2030, 1, 2) and seen[0].graph is EMPTY
    assert seen[0].index.catalog is catalog and seen[0].index is seen[0].index


def test_rule_ids_are_written_once_in_the_rule_modules() -> None:
    import io
    import tokenize

    strings: list[str] = []
    for path in (REPO / "policies" / "rules").glob("*.py"):
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
        strings += [t.string.strip("\"'") for t in tokens if t.type == tokenize.STRING]
    assert {r.id: strings.count(r.id) for r in RULES} == {r.id: 1 for r in RULES}


def test_findings_on_a_store_carry_its_dataset_and_never_relate_to_itself(
        catalog: Catalog) -> None:
    from guardian.policies.rules.retention import RET_001

    ix = Index(catalog, graph("s3_violations"))
    store = next(s for s in ix.bound if s.resource.name == "profiles-forever")
    other = next(s for s in ix.bound if s.resource.name == "profiles-http")
    f = RET_001.at(store, "m", related=[other.resource, store.resource, other.resource])
    assert (f.rule, f.dataset, f.resource.name if f.resource else None) == (
        "GRD-RET-001", store.dataset.id if store.dataset else None, "profiles-forever")
    assert [r.name for r in f.related] == ["profiles-http"]
    with pytest.raises(ValueError, match="unknown severity"):
        RET_001.at(store, "m", severity="severe")


# --- copies: replicas, backups, snapshots -----------------------------------------------------


def test_every_copy_outside_residency_account_or_retention_is_found(catalog: Catalog) -> None:
    report = check(catalog, "copies_violations")
    assert found(report) == {
        ("GRD-RET-005", "visits-db"),  # backups 14 days; snapshot and its copy kept forever
        ("GRD-RES-002", "visits-db"),  # read replica, replicated backups, snapshot copy: US
        ("GRD-PUB-005", "visits-db"),  # snapshot shared with 'all'
        ("GRD-SHR-001", "visits-db"),  # snapshot copy shared with 999999999999
        ("GRD-INV-001", "visits-db-us"),  # the replica itself names no dataset
        ("GRD-PUB-004", "visits-aurora"),  # through its cluster instance
        ("GRD-RET-005", "visits-aurora"),  # 35 days
        ("GRD-RES-002", "visits-aurora"),  # global database member in us-west-2
        ("GRD-PUB-005", "visits-aurora"),  # cluster snapshot shared with 'all'
        ("GRD-SHR-001", "visits-aurora"),  # its copy shared with 999999999999
        ("GRD-INV-001", "visits-aurora-oregon"),
        ("GRD-RET-005", "visits-warehouse"),  # automated snapshots 10 days
        ("GRD-RES-002", "visits-warehouse"),  # snapshot copy to us-east-1
        ("GRD-RES-002", "visits-table"),  # TableReplica and AWS Backup copy in us-east-1
        ("GRD-RET-005", "visits-table"),  # AWS Backup keeps 30 days
        ("GRD-SHR-001", "visits-table"),  # AWS Backup copies to account 999999999999
    }
    messages = {(r.finding.rule, r.finding.message) for r in report.results
                if r.finding.resource and r.finding.resource.name == "visits-db"}
    assert messages == {
        ("GRD-RET-005", "automated backups kept 14 days, longer than the declared retention "
                        "of 7 days"),
        ("GRD-RET-005", "snapshot 'visits-db-snap' kept until someone deletes it, longer than "
                        "the declared retention of 7 days"),
        ("GRD-RET-005", "snapshot copy 'visits-db-snap-us' kept until someone deletes it, "
                        "longer than the declared retention of 7 days"),
        ("GRD-RES-002", "read replica 'visits-db-us': in us-east-1, outside the residency (eu)"),
        ("GRD-RES-002", "automated backups replicated by 'visits-db-backups-us': in us-east-1, "
                        "outside the residency (eu)"),
        ("GRD-RES-002", "snapshot copy 'visits-db-snap-us': in us-east-1, outside the "
                        "residency (eu)"),
        ("GRD-PUB-005", "snapshot 'visits-db-snap' is shared with every AWS account ('all')"),
        ("GRD-SHR-001", "snapshot copy 'visits-db-snap-us' is shared with account 999999999999: "
                        "account 999999999999 is not among visits's recipients"),
    }
    table = {r.finding.message for r in report.results
             if r.finding.resource and r.finding.resource.name == "visits-table"}
    assert "table replica 'visits-table-us': in us-east-1, outside the residency (eu)" in table
    assert "AWS Backup plan 'visits-plan' copy (rule 'daily') is in account 999999999999: " \
           "account 999999999999 is not among visits's recipients" in table


def test_copies_inside_the_rules_pass_and_are_all_seen(catalog: Catalog) -> None:
    from guardian.policies.rules._copies import copies

    assert found(check(catalog, "copies_baseline")) == set()
    ix = Index(catalog, graph("copies_baseline"))
    seen = {(s.resource.name, c.what.split(" '")[0], c.region, c.keep_days)
            for s in ix.bound for c in copies(ix).of(s)}
    plan = {("AWS Backup plan", "eu-west-1", 7), ("AWS Backup plan", "eu-central-1", 5)}
    assert seen == {
        ("visits-db", "read replica", "eu-west-1", None),
        ("visits-db", "automated backups", "eu-west-1", 7),
        ("visits-db", "automated backups replicated by", "eu-central-1", 7),
        ("visits-db-replica", "automated backups", "eu-west-1", 1),  # AWS's default
        ("ledger-db", "automated backups", "eu-west-1", 35),  # legal hold
        ("ledger-db", "snapshot", "eu-west-1", float("inf")),
        ("ledger-db", "snapshot copy", "eu-central-1", float("inf")),
        ("visits-aurora", "automated backups", "eu-west-1", 7),
        ("ledger-aurora", "automated backups", "eu-west-1", 35),
        ("ledger-aurora", "snapshot", "eu-west-1", float("inf")),
        ("ledger-aurora", "snapshot copy", "eu-central-1", float("inf")),
        ("visits-warehouse", "automated snapshots", "eu-west-1", 7),
        ("visits-warehouse", "snapshot copy", "eu-central-1", 3),
        ("visits-table-eu", "table replica", "eu-central-1", None),
    } | {(store, *p) for p in plan  # selected by tag: every visits store in eu-west-1
         for store in ("visits-db", "visits-db-replica", "visits-aurora", "visits-warehouse",
                       "visits-table-eu")}


def _edit(program: str, name: str, **inputs: object) -> ResourceGraph:
    data = _copy(graph(program))
    hit = [r for r in data["resources"] if r["name"] == name]
    assert hit, name
    for r in hit:
        for key, value in inputs.items():
            for props in (r["inputs"], r["outputs"]):
                props[key] = value
            if key == "region":  # where the graph records the provider's region too
                r["region"] = None if value == UNKNOWN else value
    return ResourceGraph.from_json(data)


@pytest.mark.parametrize(("name", "inputs", "store"), [
    ("visits-table-eu2", {"region": "us-east-1"}, "visits-table-eu"),
    ("visits-db-replica", {"region": "ap-south-1"}, "visits-db"),
    ("visits-db-backups-eu", {"region": "us-east-1"}, "visits-db"),
    ("ledger-db-snap-eu", {"region": "us-east-1"}, "ledger-db"),
    ("ledger-aurora-snap-eu", {"region": "us-east-1"}, "ledger-aurora"),
    ("visits-warehouse-copy", {"destinationRegion": "us-west-2"}, "visits-warehouse"),
    ("visits-vault-eu", {"region": "us-east-1"}, "visits-db"),
])
def test_a_copy_moved_out_of_the_residency_is_a_residency_finding(
        catalog: Catalog, name: str, inputs: dict, store: str) -> None:
    report = evaluate(catalog, _edit("copies_baseline", name, **inputs), today=TODAY)
    assert {rule for rule, n in found(report) if n == store} == {"GRD-RES-002"}


@pytest.mark.parametrize(("name", "inputs", "store"), [
    ("visits-db", {"backupRetentionPeriod": 8}, "visits-db"),  # one day over
    ("visits-aurora", {"backupRetentionPeriod": 8}, "visits-aurora"),
    ("visits-warehouse", {"automatedSnapshotRetentionPeriod": 8}, "visits-warehouse"),
    ("visits-warehouse", {"manualSnapshotRetentionPeriod": -1}, "visits-warehouse"),
    ("visits-warehouse-copy", {"retentionPeriod": 8}, "visits-warehouse"),
    ("visits-db-backups-eu", {"retentionPeriod": 8}, "visits-db"),
    ("visits-plan", {"rules": [{"ruleName": "daily", "targetVaultName": "visits-vault",
                                "lifecycle": {"deleteAfter": 8}}]}, "visits-table-eu"),
    ("visits-plan", {"rules": [{"ruleName": "daily", "targetVaultName": "visits-vault"}]},
     "visits-aurora"),  # no lifecycle: AWS Backup keeps recovery points forever
])
def test_a_backup_kept_longer_than_the_retention_is_a_retention_finding(
        catalog: Catalog, name: str, inputs: dict, store: str) -> None:
    report = evaluate(catalog, _edit("copies_baseline", name, **inputs), today=TODAY)
    assert {rule for rule, n in found(report) if n == store} == {"GRD-RET-005"}


def test_legal_hold_excuses_copies_kept_longer(catalog: Catalog) -> None:
    data = _copy(graph("copies_baseline"))
    for r in data["resources"]:
        if r["name"] == "ledger-db":
            for props in (r["inputs"], r["outputs"]):
                props["tags"] = {"privacy:dataset": "visits"}  # no legal hold
    report = evaluate(catalog, ResourceGraph.from_json(data), today=TODAY)
    # the snapshot's account 345678901234 is a declared recipient of visits too: no sharing;
    # the tag now disagrees with the catalog, which lists ledger-db under ledger (the tag rules)
    assert found(report) == {("GRD-RET-005", "ledger-db"), ("GRD-INV-005", "ledger-db")}


@pytest.mark.parametrize(("name", "inputs", "expected"), [
    ("visits-table-eu2", {"region": UNKNOWN}, ("GRD-RES-002", "visits-table-eu")),
    ("visits-db", {"backupRetentionPeriod": UNKNOWN}, ("GRD-RET-005", "visits-db")),
    ("visits-backup", {"selectionTags": UNKNOWN}, None),  # within the rules whatever it covers
    ("ledger-db-snap", {"sharedAccounts": UNKNOWN}, ("GRD-SHR-001", "ledger-db")),
])
def test_unknown_copies_are_unknown_findings(catalog: Catalog, name: str, inputs: dict,
                                             expected: tuple[str, str] | None) -> None:
    report = evaluate(catalog, _edit("copies_baseline", name, **inputs), today=TODAY)
    unknown = {(r.finding.rule, r.finding.resource.name)  # type: ignore[union-attr]
               for r in report.results if r.finding.unknown}
    assert found(report) == unknown == ({expected} if expected else set())


def test_a_backup_selection_unknown_offline_makes_a_violating_plan_unknown(
        catalog: Catalog) -> None:
    data = _copy(graph("copies_violations"))
    for r in data["resources"]:
        if r["name"] == "visits-table-backup":
            r["inputs"]["resources"] = r["outputs"]["resources"] = UNKNOWN
            r["propertyDependencies"] = {}
    report = evaluate(catalog, ResourceGraph.from_json(data), today=TODAY)
    plan = [r.finding for r in report.results if "visits-plan" in r.finding.message]
    assert plan and all(f.unknown for f in plan)
    assert {f.resource.name for f in plan} >= {"visits-db", "visits-table"}  # type: ignore[union-attr]


# --- proportion: what blocks depends on the classification ----------------------------------

DIRECTORY = """  - id: directory
    name: Store directory
    owner: team-stores
    classification: public
    categories: [user.name, user.contact.email]
    subjects: [employee]
    jurisdictions: [gdpr]
    residency: [eu]
    retention: {days: 30}
    uses:
      - {use: essential.service, legal_basis: contract}
    breach_contacts: [security@fixture.example]
    storage:
      - {kind: s3, name: directory-site}
      - {kind: s3, name: directory-listing}
      - {kind: s3, name: directory-writable}
      - {kind: s3, name: directory-acls}
  - id: profiles
"""


def test_a_public_dataset_may_be_read_by_anyone_but_not_written_nor_through_acls(
        tmp_path: Path) -> None:
    cat = _variant(tmp_path, ("  - id: profiles\n", DIRECTORY))
    report = evaluate(cat, graph("public_site"), today=TODAY)
    assert {k for k in found(report) if k[1] and k[1].startswith("directory-")} == {
        ("GRD-PUB-003", "directory-writable"),  # s3:PutObject for anyone
        ("GRD-PUB-001", "directory-acls"),  # blockPublicAcls off
    }
    # The same bucket, its data classified internal: the world may not read it.
    internal = _variant(tmp_path, ("  - id: profiles\n",
                                   DIRECTORY.replace("classification: public",
                                                     "classification: internal")))
    blocked = {k for k in found(evaluate(internal, graph("public_site"), today=TODAY))
               if k[1] == "directory-site"}
    assert blocked == {("GRD-PUB-001", "directory-site"), ("GRD-PUB-003", "directory-site")}


def test_breach_contacts_fall_back_to_the_organizations_contact(tmp_path: Path) -> None:
    # The newsletter names no contacts; the organization's contact is subscribed: nothing found.
    cat = _variant(tmp_path, ("contact: privacy@fixture.example", "contact: security@fixture.example"),
                   ("    breach_contacts: [security@fixture.example]\n    storage:\n      - {kind: s3, name: newsletter-bucket",
                    "    storage:\n      - {kind: s3, name: newsletter-bucket"))
    assert not [ds for ds in cat.datasets if ds.id == "newsletter"][0].breach_contacts
    assert found(evaluate(cat, graph("baseline"), today=TODAY)) == set()
    # The organization's contact is not subscribed: said, naming the fallback.
    cat = _variant(tmp_path, ("    breach_contacts: [security@fixture.example]\n    storage:\n      - {kind: s3, name: newsletter-bucket",
                              "    storage:\n      - {kind: s3, name: newsletter-bucket"))
    [r] = [r for r in evaluate(cat, graph("baseline"), today=TODAY).results
           if r.finding.rule == "GRD-BRE-002"]
    assert r.finding.message.endswith("reaches privacy@fixture.example (the organization's "
                                      "contact: newsletter names no breach contacts)")
    assert (r.severity, r.blocking) == ("low", False)  # internal data: advisory


def test_no_contact_anywhere_is_a_catalog_finding_blocking_only_sensitive_data(
        tmp_path: Path) -> None:
    cat = _variant(tmp_path, ("contact: privacy@fixture.example", "contact: https://fixture.example/privacy"),
                   ("    breach_contacts: [security@fixture.example]\n    storage:\n      - {kind: s3, name: newsletter-bucket",
                    "    storage:\n      - {kind: s3, name: newsletter-bucket"))
    catalog_level = [r for r in evaluate(cat, EMPTY, today=TODAY).results
                     if r.finding.rule == "GRD-BRE-002"]
    assert [(r.finding.dataset, r.severity, r.blocking, r.finding.location is not None)
            for r in catalog_level] == [("newsletter", "low", False, True)]
    profiles = _variant(tmp_path, ("contact: privacy@fixture.example", "contact: the DPO's office"),
                        ("    breach_contacts: [security@fixture.example, dpo@fixture.example]\n",
                         ""))
    [r] = [r for r in evaluate(profiles, EMPTY, today=TODAY).results
           if r.finding.rule == "GRD-BRE-002"]
    assert (r.finding.dataset, r.severity, r.blocking) == ("payments", "high", True)
    assert "is no e-mail address to fall back on" in r.finding.message


def test_internal_data_is_never_blocked_by_breach_detection(catalog: Catalog) -> None:
    data = _copy(graph("baseline"))
    data["resources"] = [r for r in data["resources"] if r["type"] not in (
        "aws:sns/topicSubscription:TopicSubscription", "aws:cloudtrail/trail:Trail",
        "aws:guardduty/detector:Detector")]
    report = evaluate(catalog, ResourceGraph.from_json(data), today=TODAY)
    breach = {(r.finding.dataset, r.severity, r.blocking) for r in report.results
              if r.rule.control == "breach-detection"}
    assert ("newsletter", "low", False) in breach
    assert {(ds, blocking) for ds, _, blocking in breach if ds != "newsletter"} == {
        ("profiles", True), ("payments", True), ("records", True)}


# --- catalog problems are catalog findings, in validate too ---------------------------------


def test_validate_reports_catalog_findings_and_waivers_that_cannot_apply(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from guardian.check import catalog_problems
    from guardian.cli import main

    waivers = ("waivers:\n"
               "  - {rule: GRD-RET-01, resource: profiles-bucket, reason: r, approved_by: a, "
               "expires: 2027-01-31}\n"
               "  - {rule: GRD-TLS-001, resource: profiles-http, reason: r, approved_by: a, "
               "expires: 2026-05-31}\n"
               "  - {rule: GRD-TLS-001, resource: profiles-bucket, reason: r, approved_by: a, "
               "expires: 2026-06-01}\n"
               "  - {rule: CKV_AWS_18, resource: profiles-bucket, reason: r, approved_by: a, "
               "expires: 2027-01-31}\n")
    cat = _variant(tmp_path, ("{kind: dynamodb, name: profiles-table, subject_key: user_id, "
                              "ttl_attribute: expires_at}",
                              "{kind: dynamodb, name: profiles-table, subject_key: user_id}"),
                   ("waivers: []\n", waivers))
    found_ = [(p.severity, p.field, p.message) for p in catalog_problems(cat, TODAY)]
    assert ("error", "waivers[0].rule", "'GRD-RET-01' is neither a Guardian rule (guardian "
            "rules) nor a checkov check id; did you mean GRD-RET-001?") in found_
    assert ("warning", "waivers[1].expires", "the waiver of GRD-TLS-001 on profiles-http expired "
            "on 2026-05-31: it no longer applies") in found_
    assert not [f for f in found_ if f[1].startswith(("waivers[2]", "waivers[3]"))]  # expiry day
    [ttl] = [p for p in catalog_problems(cat, TODAY) if "GRD-RET-003" in p.message]
    assert ttl.severity == "warning" and ttl.location.line == 26 and "ttl_attribute" in ttl.message
    assert main(["validate", str(tmp_path / "catalog.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'catalog.yaml'}:26:" in err and "did you mean GRD-RET-001?" in err


# --- IAM as AWS evaluates it ---------------------------------------------------------------


def _who(report: Report) -> set[tuple[str, str, str, bool]]:
    """(rule, store, the role or account named first in the message, unknown)."""
    import re

    out = set()
    for r in report.results:
        f = r.finding
        if r.severity == "info" or f.resource is None:
            continue
        named = re.search(r"role '([^']+)'|account (\d{12})", f.message)
        out.add((f.rule, f.resource.name, named.group(1) or named.group(2) if named else "",
                 f.unknown))
    return out


def test_roles_fenced_by_deny_boundary_or_scp_and_safe_grants_pass(catalog: Catalog) -> None:
    assert found(check(catalog, "iam_baseline")) == set()


def test_open_fences_unknown_policies_and_strangers_are_found(catalog: Catalog) -> None:
    assert _who(check(catalog, "iam_violations")) == {
        ("GRD-PUR-002", "profiles-bucket", "profiles-reader", False),  # write
        ("GRD-SHR-001", "profiles-bucket", "profiles-reader", False),  # trust: 999999999999
        ("GRD-PUR-002", "profiles-bucket", "profiles-writer", False),  # delete
        ("GRD-PUR-001", "profiles-bucket", "analytics", False),  # Deny on the bucket ARN only
        ("GRD-PUR-001", "profiles-table", "ops", False),  # Deny on plain HTTP only
        ("GRD-PUR-001", "profiles-bucket", "auditor", False),  # AmazonS3ReadOnlyAccess
        ("GRD-PUR-003", "profiles-bucket", "auditor", False),
        ("GRD-PUR-001", "profiles-bucket", "mystery", True),  # not in the data set
        ("GRD-PUR-001", "profiles-table", "mystery", True),
        ("GRD-PUR-001", "profiles-bucket", "tagger", True),  # a condition key nobody knows
        ("GRD-PUR-001", "profiles-bucket", "contractor", False),  # its boundary allows reads
        ("GRD-SHR-001", "profiles-bucket", "999999999999", False),  # the access point
    }
    messages = {r.finding.message for r in check(catalog, "iam_violations").results}
    assert "access point 'profiles-partner' grants arn:aws:iam::999999999999:root: account " \
           "999999999999 is not among profiles's recipients" in messages
    assert "role 'profiles-reader' may read, write this data and its trust policy lets " \
           "account 999999999999 assume it: account 999999999999 is not among profiles's " \
           "recipients" in messages


@pytest.mark.parametrize("role", ["analytics", "archiver", "ops", "contractor", "cleanup"])
def test_without_its_fence_each_baseline_role_is_a_purpose_finding(catalog: Catalog,
                                                                   role: str) -> None:
    """Remove what fences the role (its own Deny, the table's policy, its boundary, the SCP):
    the role reaches the data and GRD-PUR-001 names it."""
    fences = {"analytics": "analytics-policy", "archiver": "archiver-policy",
              "ops": "profiles-table-policy", "contractor": "contractor", "cleanup": "no-cleanup"}
    data = _copy(graph("iam_baseline"))
    for r in data["resources"]:
        if r["name"] != fences[role]:
            continue
        for props in (r["inputs"], r["outputs"]):
            if role == "contractor":
                props.pop("permissionsBoundary", None)
            elif role == "cleanup":
                props["content"] = json.dumps({"Statement": []})
            elif role in ("analytics", "archiver"):
                props["policy"] = json.dumps({"Statement": [json.loads(props["policy"])[
                    "Statement"][0]]})
            else:
                props["policy"] = json.dumps({"Statement": []})
    report = evaluate(catalog, ResourceGraph.from_json(data), today=TODAY)
    wildcard = {("GRD-PUR-003", role)} if role == "contractor" else set()  # Resource "*"
    assert {(rule, who) for rule, _, who, _ in _who(report)} == {("GRD-PUR-001", role)} | wildcard


# --- checks: what each rule evaluated, passing or not ---------------------------------------

FIXTURES = ("s3_violations", "tables_and_roles", "databases", "inventory", "stores_violations",
            "regions_violations", "copies_violations", "baseline")


@pytest.mark.parametrize("program", FIXTURES)
def test_every_finding_is_on_a_subject_its_rule_declares(catalog: Catalog, program: str) -> None:
    from guardian.findings import Context

    ctx = Context(catalog, graph(program), TODAY)
    for rule in RULES:
        declared = {c.key for c in rule.checks(ctx)}
        for f in rule.evaluate(ctx):
            key = Check(rule, Subject.of(f)).key
            # ACC-001 (human roles) and NET-002's data-tier security groups are findings on
            # subjects that are only checks when they fail: no vacuous passes are claimed.
            assert key in declared or rule.id in ("GRD-ACC-001", "GRD-NET-002"), (rule.id, key)


def test_checks_list_each_rule_on_each_store_of_its_scope(catalog: Catalog) -> None:
    report = check(catalog, "baseline")
    pairs = {(c.rule.id, str(c.subject)) for c in report.checks}
    failing = {c.key for c in report.checks} & {
        (r.rule.id, *Subject.of(r.finding).key) for r in report.results}
    assert ("GRD-TLS-001", "aws:s3/bucket:Bucket profiles-bucket") in pairs
    assert ("GRD-RET-003", "aws:dynamodb/table:Table profiles-table") in pairs
    assert ("GRD-TLS-001", "aws:dynamodb/table:Table profiles-table") not in pairs  # buckets only
    assert ("GRD-CAT-001", "dataset profiles") in pairs  # catalog rules: each dataset
    assert len(report.checks) > 5 * len(failing)  # the baseline passes nearly everything
    assert len(pairs) == len(report.checks)  # one check per (rule, subject)


def test_a_failing_check_is_the_same_pair_as_its_finding(catalog: Catalog) -> None:
    report = check(catalog, "s3_violations")
    keys = {c.key for c in report.checks}
    for r in report.results:
        assert (r.rule.id, *Subject.of(r.finding).key) in keys
    sse = [c for c in report.checks if c.rule.id == "GRD-ENC-001"
           and c.subject.resource is not None and c.subject.resource.name == "profiles-sse-s3"]
    assert [c.dataset for c in sse] == ["profiles"]


# --- compute that reads sensitive data, open to the internet -------------------------------


def test_compute_reading_sensitive_data_behind_an_open_security_group(catalog: Catalog) -> None:
    report = check(catalog, "exposure_violations")
    assert found(report) == {("GRD-NET-005", "profiles-bucket")}
    assert {(x.type.rsplit(":", 1)[-1], x.name) for r in report.results
            for x in r.finding.related if x.type.endswith((":Instance", ":Service"))} == {
        ("Instance", "web-vm"), ("Instance", "web6-vm"),
        ("Service", "web-service"), ("Service", "web6-service")}


def test_compute_admitting_only_the_vpc_or_reading_nothing_sensitive_passes(
        catalog: Catalog) -> None:
    assert found(check(catalog, "exposure_baseline")) == set()
    data = _copy(graph("exposure_baseline"))
    for r in data["resources"]:
        if r["name"] == "app-sg":  # the one guarding the profiles reader, opened
            for props in (r["inputs"], r["outputs"]):
                props["ingress"][0]["cidrBlocks"] = ["0.0.0.0/0"]
    report = evaluate(catalog, ResourceGraph.from_json(data), today=TODAY)
    assert found(report) == {("GRD-NET-005", "profiles-bucket")}


def test_a_waiver_applies_on_its_expiry_day_and_not_the_day_after(catalog: Catalog) -> None:
    def waived(expires: date) -> bool:
        waiver = Waiver("GRD-TLS-001", "profiles-http", "migration", "dpo@fixture.example",
                        expires)
        report = check(replace(catalog, waivers=(waiver,)), "s3_violations")
        [r] = [r for r in report.results if r.finding.rule == "GRD-TLS-001"]
        return r.waiver is not None and not r.blocking

    assert waived(TODAY) and not waived(date(2026, 5, 31))


def test_a_store_the_catalog_cannot_list_is_asked_for_its_tag_only(catalog: Catalog) -> None:
    [ebs] = [r.finding.message for r in check(catalog, "inventory").results
             if r.finding.resource and r.finding.resource.name == "exports"]
    assert ebs == "ebs store has no privacy:dataset tag"
