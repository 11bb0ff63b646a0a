"""The text, JSON, SARIF and JUnit writers on hand-built reports."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from guardian import __version__
from guardian.catalog.model import Location, Waiver
from guardian.errors import UserError
from guardian.findings import Check, Finding, Report, ResourceRef, Result, Rule, Subject
from guardian.report import FORMATS, Options, render
from guardian.report.text import INDENT
from tests.conftest import ROOT, SARIF_SCHEMA

PAGE = ROOT / "docs" / "rules.md"

BUCKET = ResourceRef(
    "aws:s3/bucket:Bucket",
    "acme-customer-profiles",
    "urn:pulumi:dev::acme::aws:s3/bucket:Bucket::acme-customer-profiles",
)
TABLE = ResourceRef(
    "aws:dynamodb/table:Table",
    "acme-orders",
    "urn:pulumi:dev::acme::aws:dynamodb/table:Table::acme-orders",
)
ARCHIVE = ResourceRef(
    "aws:s3/bucket:Bucket", "acme-archive", "urn:pulumi:dev::acme::aws:s3/bucket:Bucket::acme-archive",
)
SSE = ResourceRef(
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "acme-customer-profiles-sse",
    "urn:pulumi:dev::acme::aws:s3/bucketServerSideEncryptionConfiguration:"
    "BucketServerSideEncryptionConfiguration::acme-customer-profiles-sse",
)


def rule(rule_id: str, control: str, severity: str, title: str) -> Rule:
    return Rule(
        id=rule_id,
        control=control,
        severity=severity,
        title=title,
        rationale=f"Why {rule_id} matters.",
        remediation=f"How to fix {rule_id}.",
        references=("GDPR Art. 32", "NIST SC-28(1)"),
    )


ENC = rule("GRD-ENC-001", "encryption-at-rest", "high", "Personal data under a customer key")
RET = rule("GRD-RET-001", "retention", "medium", "Expiration within the declared retention")
PUB = rule("GRD-PUB-001", "public-access", "critical", "Public access block on every store")
CAT = rule("GRD-CAT-001", "catalog", "high", "Special-category data needs an Art. 9 condition")
INV = rule("GRD-INV-002", "inventory", "info", "Catalog store deployed")

DECLARED = Location("modules/storage.py", 112)  # where the bucket is created
COMPONENT = Location("stacks/__main__.py", 37, 5)  # where its component is declared

WAIVER = Waiver(
    "GRD-RET-001", "acme-customer-profiles", "Legal hold during audit", "Dana Okafor",
    date(2099, 1, 31), Location("catalog.yaml", 140, 7),
)
EXPIRED = Waiver(
    "GRD-PUB-001", "acme-orders", "Migration window", "Sam Lee", date(2020, 1, 1),
    Location("catalog.yaml", 150, 7),
)
UNUSED = Waiver(
    "GRD-NET-001", "acme-gone", "Old exception", "Sam Lee", date(2099, 1, 1),
    Location("catalog.yaml", 160, 7),
)


def sample_report() -> Report:
    results = (
        Result(
            Finding("GRD-ENC-001", "Bucket acme-customer-profiles is encrypted with AES256.",
                    "customer_profiles", BUCKET, (SSE,)),
            ENC, "high", True, locations=(DECLARED, COMPONENT),
        ),
        Result(
            Finding("GRD-RET-001", "No expiration rule.", "customer_profiles", BUCKET),
            RET, "medium", False, WAIVER,
        ),
        Result(
            Finding("GRD-PUB-001", "Table policy allows '*'.", "orders_payments", TABLE),
            PUB, "critical", True, EXPIRED,
        ),
        Result(
            Finding("GRD-ENC-001", "Key of table acme-orders is not known offline.",
                    "orders_payments", TABLE, unknown=True),
            ENC, "high", True,
        ),
        Result(
            Finding("GRD-CAT-001", "health data without an Art. 9 condition.", "patients",
                    location="catalog.yaml:88:9"),
            CAT, "high", True, locations=(Location("catalog.yaml", 88, 9),),
        ),
        Result(
            Finding("GRD-INV-002", "Store acme-archive is not in this deployment.", None,
                    severity="info"),
            INV, "info", False,
        ),
    )
    checks = (
        Check(ENC, Subject(BUCKET), "customer_profiles", DECLARED),
        Check(ENC, Subject(TABLE), "orders_payments"),
        Check(ENC, Subject(ARCHIVE), "customer_profiles", Location("stacks/__main__.py", 90)),
        Check(RET, Subject(BUCKET), "customer_profiles", DECLARED),
        Check(PUB, Subject(TABLE), "orders_payments"),
        Check(PUB, Subject(ARCHIVE), "customer_profiles", Location("stacks/__main__.py", 90)),
        Check(CAT, Subject(dataset="patients"), "patients", Location("catalog.yaml", 80, 5)),
        Check(CAT, Subject(dataset="customer_profiles"), "customer_profiles",
              Location("catalog.yaml", 10, 5)),
    )
    return Report("preview", "previews/dev.json", 42, results, (UNUSED,), "high",
                  entry="infra/index.ts", checks=checks)


EMPTY = Report("program", "stacks", 13, ())


def test_json_follows_the_contract() -> None:
    report = sample_report()
    doc = json.loads(render(report, "json"))
    assert doc["tool"] == {"name": "guardian", "version": __version__}
    assert doc["source"] == {"kind": "preview", "path": "previews/dev.json"}
    assert doc["summary"] == {
        "resources": 42, "findings": 6, "blocking": 4, "waived": 1, "unknown": 1,
        "unused_waivers": 1, "fail_on": "high",
    }
    # a hand-built report values no dataset (the engine does: tests/value)
    assert doc["findings"] == [{**r.to_json(), "value_at_risk": None} for r in report.results]
    first = doc["findings"][0]
    assert first["rule"] == "GRD-ENC-001" and first["control"] == "encryption-at-rest"
    assert first["resource"] == {"type": BUCKET.type, "name": BUCKET.name, "urn": BUCKET.urn}
    assert first["related"] == [SSE.to_json()]
    assert first["remediation"] == "How to fix GRD-ENC-001." and first["waiver"] is None
    assert doc["findings"][1]["waiver"]["expires"] == "2099-01-31"
    assert doc["unused_waivers"] == [{
        "rule": "GRD-NET-001", "resource": "acme-gone", "reason": "Old exception",
        "approved_by": "Sam Lee", "expires": "2099-01-01", "location": "catalog.yaml:160:7",
    }]
    assert json.loads(render(EMPTY, "json"))["summary"]["findings"] == 0


def test_text_puts_failures_first_by_severity_then_the_rest() -> None:
    out = render(sample_report(), "text")
    lines = out.splitlines()
    assert lines[0] == "guardian check: preview previews/dev.json (42 resources, fail on high)"
    headers = [line.split()[:4] for line in lines
               if line.startswith(("  FAIL", "  WAIVED", "  NOTE"))]
    assert headers == [  # then by dataset, resource, rule
        ["FAIL", "critical", "GRD-PUB-001", "Public"],  # its waiver expired: it blocks again
        ["FAIL", "high", "GRD-ENC-001", "Personal"],  # customer_profiles
        ["FAIL", "high", "GRD-ENC-001", "Personal"],  # orders_payments
        ["FAIL", "high", "GRD-CAT-001", "Special-category"],  # patients
        ["WAIVED", "medium", "GRD-RET-001", "Expiration"],
        ["NOTE", "info", "GRD-INV-002", "Catalog"],
    ]
    assert "  FAIL    high     GRD-ENC-001 Personal data under a customer key" \
        " [encryption-at-rest]" in lines
    assert f"{INDENT}on aws:s3/bucket:Bucket acme-customer-profiles (dataset customer_profiles)" \
        " at modules/storage.py:112 (in the component at stacks/__main__.py:37:5)" in lines
    assert f"{INDENT}on aws:dynamodb/table:Table acme-orders (dataset orders_payments)" in lines
    assert f"{INDENT}related: {SSE.type} {SSE.name}" in lines
    assert f"{INDENT}waived: Legal hold during audit (approved by Dana Okafor, " \
        "expires 2099-01-31)" in lines
    assert any(line.startswith(f"{INDENT}waiver EXPIRED: Migration window") for line in lines)
    assert f"{INDENT}Unknown offline: Key of table acme-orders is not known offline." in lines
    assert f"{INDENT}on catalog.yaml:88:9 (dataset patients)" in lines
    assert "  GRD-NET-001 on acme-gone (catalog.yaml:160:7): Old exception" \
        " (approved by Sam Lee, expires 2099-01-01)" in lines
    assert "4 finding(s) have no source location (the preview records none for " \
        "their resource); they point at the program's entry file, infra/index.ts" in lines
    assert lines[-1] == (
        "FAIL: 42 resources, 6 findings: 4 blocking, 1 waived, 1 unknown, 1 unused waivers"
    )
    assert render(EMPTY, "text").splitlines()[-1].startswith("PASS: 13 resources, 0 findings")


def test_text_counts_checks_by_control() -> None:
    lines = render(sample_report(), "text").splitlines()
    table = lines[lines.index(next(x for x in lines if x.startswith("checks "))):-2]
    rows = {row.split()[0]: [int(n) for n in row.split()[1:]] for row in table[1:]}
    assert table[0].split() == ["checks", "passed", "failed", "waived", "unknown", "notes"]
    # ENC: the bucket fails, the table's key is unknown, the archive passes
    assert rows["encryption-at-rest"] == [1, 1, 0, 1, 0]
    assert rows["public-access"] == [1, 1, 0, 0, 0]  # expired waiver: failed
    assert rows["retention"] == [0, 0, 1, 0, 0]
    assert rows["catalog"] == [1, 1, 0, 0, 0]
    assert rows["inventory"] == [0, 0, 0, 0, 1]  # an info finding outside any check
    assert rows["all"] == [3, 3, 1, 1, 1]
    assert list(rows)[:-1] == ["catalog", "inventory", "encryption-at-rest", "public-access",
                               "retention"]


def test_text_quiet_and_compact() -> None:
    quiet = render(sample_report(), "text", Options(quiet=True)).splitlines()
    assert not any(x.lstrip().startswith(("WAIVED", "NOTE", "checks", "unused")) for x in quiet)
    assert sum(x.startswith("  FAIL") for x in quiet) == 4 and quiet[-1].startswith("FAIL: ")
    compact = render(sample_report(), "text", Options(compact=True)).splitlines()
    findings = [x for x in compact if x.startswith(("FAIL", "WAIVED", "NOTE")) and ": " in x
                and not x.startswith("FAIL: ")]
    assert len(findings) == 6
    assert findings[3] == ("FAIL    high     GRD-CAT-001 catalog.yaml:88:9 (dataset patients): "
                           "health data without an Art. 9 condition.")
    assert findings[1] == (
        "FAIL    high     GRD-ENC-001 modules/storage.py:112: aws:s3/bucket:Bucket "
        "acme-customer-profiles (dataset customer_profiles): Bucket acme-customer-profiles is "
        "encrypted with AES256.")
    both = render(sample_report(), "text", Options(quiet=True, compact=True)).splitlines()
    assert [x for x in both if x.startswith("FAIL ")] == [x for x in findings
                                                          if x.startswith("FAIL ")]


@pytest.fixture(scope="module")
def sarif_validator():
    from jsonschema import Draft7Validator

    schema = json.loads(SARIF_SCHEMA.read_text())
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    return Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)


def test_sarif_is_valid_and_complete(sarif_validator) -> None:
    doc = json.loads(render(sample_report(), "sarif"))
    errors = sorted(sarif_validator.iter_errors(doc), key=str)
    assert not errors, [e.message for e in errors]
    assert doc["version"] == "2.1.0"
    [run] = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "guardian" and driver["version"] == __version__
    rules = {r["id"]: r for r in driver["rules"]}
    assert list(rules) == sorted(rules) == [  # information findings are left out
        "GRD-CAT-001", "GRD-ENC-001", "GRD-PUB-001", "GRD-RET-001"
    ]
    enc = rules["GRD-ENC-001"]
    assert enc["name"] == "PersonalDataUnderACustomerKey"
    assert enc["shortDescription"]["text"] == ENC.title
    assert enc["fullDescription"]["text"] == ENC.rationale
    assert enc["help"]["text"] == ENC.remediation
    assert "- NIST SC-28(1)" in enc["help"]["markdown"]
    assert enc["properties"]["tags"] == ["security", "privacy", "encryption-at-rest"]
    assert enc["properties"]["severity"] == "high"
    assert enc["properties"]["security-severity"] == "8.0"
    assert rules["GRD-PUB-001"]["properties"]["security-severity"] == "9.5"  # critical
    assert "helpUri" not in enc and "informationUri" not in driver  # no docs URL given

    results = run["results"]
    assert [r["ruleId"] for r in results] == [r.finding.rule for r in sample_report().results
                                              if r.severity != "info"]
    assert [r["level"] for r in results] == ["error", "warning", "error", "error", "error"]
    assert not any("kind" in r for r in results)
    for r in results:
        assert driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"]
    bucket = results[0]
    [loc] = bucket["locations"]
    assert loc["logicalLocations"] == [{
        "name": BUCKET.name, "fullyQualifiedName": BUCKET.urn, "kind": "resource",
    }]
    assert loc["physicalLocation"] == {
        "artifactLocation": {"uri": "modules/storage.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 112},
    }
    component, sse = bucket["relatedLocations"]
    assert component["id"] == 1 and component["physicalLocation"] == {
        "artifactLocation": {"uri": "stacks/__main__.py", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 37, "startColumn": 5},
    }
    assert sse["id"] == 2 and sse["logicalLocations"][0]["fullyQualifiedName"] == SSE.urn
    assert "%SRCROOT%" in run["originalUriBaseIds"]
    unlocated = results[1]["locations"][0]["physicalLocation"]  # no location: the entry file
    assert unlocated == {"artifactLocation": {"uri": "infra/index.ts", "uriBaseId": "%SRCROOT%"}}
    located, left_out = (n["message"]["text"]
                         for n in run["invocations"][0]["toolExecutionNotifications"])
    assert located.startswith("3 finding(s) have no source location")
    assert left_out.startswith("1 information finding(s) left out")
    assert "suppressions" not in bucket
    assert results[1]["suppressions"] == [{
        "kind": "external", "status": "accepted",
        "justification": "Legal hold during audit (approved by Dana Okafor, expires 2099-01-31)",
    }]
    assert "suppressions" not in results[2]  # its waiver expired: it blocks again
    assert results[2]["properties"]["waiverExpired"] == "2020-01-01"
    assert results[3]["message"]["text"].startswith("Unknown offline: ")
    assert results[3]["properties"]["unknown"] is True
    catalog = results[4]["locations"][0]
    assert catalog == {"physicalLocation": {
        "artifactLocation": {"uri": "catalog.yaml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 88, "startColumn": 9},
    }}
    fingerprints = [r["partialFingerprints"]["guardianFinding/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints)
    assert run["properties"]["summary"]["blocking"] == 4


def test_sarif_locations_outside_the_repository_and_empty_report(sarif_validator) -> None:
    finding = Finding("GRD-ENC-001", "m", "customer_profiles", BUCKET)
    outside = Result(finding, ENC, "high", True, locations=(Location("/opt/x/app.py", 7),))
    nowhere = Result(finding, ENC, "high", True)
    doc = json.loads(render(Report("program", "/opt/x", 3, (outside, nowhere)), "sarif"))
    assert not list(sarif_validator.iter_errors(doc))
    first, second = doc["runs"][0]["results"]
    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "file:///opt/x/app.py"}
    assert "physicalLocation" not in second["locations"][0]  # no location, no entry file
    [note] = doc["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].endswith("they point at no file")
    empty = json.loads(render(EMPTY, "sarif"))
    assert not list(sarif_validator.iter_errors(empty))
    assert empty["runs"][0]["results"] == [] and empty["runs"][0]["tool"]["driver"]["rules"] == []
    assert "toolExecutionNotifications" not in empty["runs"][0]["invocations"][0]


def test_junit_has_a_case_per_check_passing_ones_included() -> None:
    root = ET.fromstring(render(sample_report(), "junit"))
    assert root.tag == "testsuites"
    # 8 checks and the info finding outside them; 3 checks fail (PUB's waiver expired),
    # RET's is waived
    assert (root.get("tests"), root.get("failures"), root.get("skipped"), root.get("errors")) == (
        "9", "4", "1", "0"
    )
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert list(suites) == [  # the fixed control order
        "guardian.catalog", "guardian.inventory", "guardian.encryption-at-rest",
        "guardian.public-access", "guardian.retention",
    ]
    enc = suites["guardian.encryption-at-rest"]
    assert (enc.get("tests"), enc.get("failures")) == ("3", "2")
    cases = {c.get("name"): c for c in enc.findall("testcase")}
    assert list(cases) == [  # by rule, then subject; no line numbers in names
        "GRD-ENC-001 aws:dynamodb/table:Table acme-orders",
        "GRD-ENC-001 aws:s3/bucket:Bucket acme-archive",
        "GRD-ENC-001 aws:s3/bucket:Bucket acme-customer-profiles",
    ]
    bucket = cases["GRD-ENC-001 aws:s3/bucket:Bucket acme-customer-profiles"]
    assert bucket.get("classname") == "guardian.encryption-at-rest.GRD-ENC-001"
    assert (bucket.get("file"), bucket.get("line")) == ("modules/storage.py", "112")
    failure = bucket.find("failure")
    assert failure is not None and failure.get("type") == "high"
    assert failure.get("message") == "Bucket acme-customer-profiles is encrypted with AES256."
    assert "fix: How to fix GRD-ENC-001." in (failure.text or "")
    passed = cases["GRD-ENC-001 aws:s3/bucket:Bucket acme-archive"]
    assert list(passed) == [] and (passed.get("file"), passed.get("line")) == (
        "stacks/__main__.py", "90")
    unlocated = cases["GRD-ENC-001 aws:dynamodb/table:Table acme-orders"]
    assert (unlocated.get("file"), unlocated.get("line")) == ("infra/index.ts", None)
    waived = suites["guardian.retention"].find("testcase/skipped")
    assert waived is not None and waived.get("message", "").startswith("waived: Legal hold")
    expired = suites["guardian.public-access"].find("testcase/failure")
    assert expired is not None and "waiver expired: Migration window" in (expired.text or "")
    catalog = {c.get("name"): c for c in suites["guardian.catalog"].findall("testcase")}
    assert set(catalog) == {"GRD-CAT-001 dataset customer_profiles", "GRD-CAT-001 dataset patients"}
    assert catalog["GRD-CAT-001 dataset patients"].get("line") == "88"  # the finding's line
    assert catalog["GRD-CAT-001 dataset customer_profiles"].get("line") == "10"
    note = suites["guardian.inventory"].find("testcase")
    assert note is not None and note.find("failure") is None and note.find("skipped") is None
    assert "below the threshold" in (note.findtext("system-out") or "")

    empty = ET.fromstring(render(EMPTY, "junit"))
    assert (empty.get("tests"), empty.get("failures")) == ("1", "0")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_is_deterministic(fmt: str) -> None:
    assert render(sample_report(), fmt) == render(sample_report(), fmt)


def test_unknown_format() -> None:
    with pytest.raises(UserError, match="unknown output format 'xml'"):
        render(EMPTY, "xml")


def test_sarif_information_findings_only_when_asked(sarif_validator) -> None:
    doc = json.loads(render(sample_report(), "sarif", Options(sarif_include_info=True)))
    assert not list(sarif_validator.iter_errors(doc))
    [run] = doc["runs"]
    info = [r for r in run["results"] if r["ruleId"] == "GRD-INV-002"]
    assert [(r["kind"], r["level"]) for r in info] == [("informational", "none")]
    assert "GRD-INV-002" in {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert len(run["invocations"][0]["toolExecutionNotifications"]) == 1  # nothing left out


def test_sarif_help_uri_is_the_rules_anchor_on_the_rules_page(sarif_validator) -> None:
    page = "https://github.com/acme/guardian/blob/0123abc/docs/rules.md"
    doc = json.loads(render(sample_report(), "sarif", Options(docs_url=page)))
    assert not list(sarif_validator.iter_errors(doc))
    driver = doc["runs"][0]["tool"]["driver"]
    assert driver["informationUri"] == page
    assert {r["id"]: r["helpUri"] for r in driver["rules"]}["GRD-ENC-001"] == f"{page}#grd-enc-001"


def test_docs_url_from_the_environment(tmp_path: Path) -> None:
    from guardian.report import docs_url

    github = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/infra",
              "GITHUB_SHA": "0123abc"}
    assert docs_url({}, tmp_path) is None
    assert docs_url(github, tmp_path) is None  # this checkout has no rules page
    (tmp_path / "docs").mkdir()
    page = tmp_path / "docs" / "rules.md"
    page.write_text("# Rules\n\nOur team's coding rules.\n")
    assert docs_url(github, tmp_path) is None  # a page of another kind is not linked
    page.write_text(PAGE.read_text(encoding="utf-8"))  # Guardian's page, checked in
    assert docs_url(github, tmp_path) == "https://github.com/acme/infra/blob/0123abc/docs/rules.md"
    assert docs_url({**github, "GUARDIAN_DOCS_URL": "https://docs.example/rules"},
                    tmp_path) == "https://docs.example/rules"


@pytest.mark.parametrize("payload, expected", [
    ({"pull_request": {"head": {"sha": "a" * 40}}}, "a" * 40),  # the head, kept by GitHub
    ({"pull_request": {"head": {"sha": "not a sha"}}}, "0123abc"),
    ({"pull_request": ["not", "an", "object"]}, "0123abc"),
    ([], "0123abc"),
    (None, "0123abc"),  # no payload file: GITHUB_SHA
])
def test_a_pull_requests_docs_url_is_at_its_head_commit(
        tmp_path: Path, payload: object, expected: str) -> None:
    from guardian.report import docs_url

    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "rules.md").write_text(PAGE.read_text(encoding="utf-8"))
    event = tmp_path / "event.json"
    if payload is not None:
        event.write_text(json.dumps(payload))
    github = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/infra",
              "GITHUB_SHA": "0123abc", "GITHUB_EVENT_NAME": "pull_request",
              "GITHUB_EVENT_PATH": str(event)}
    assert docs_url(github, tmp_path) == \
        f"https://github.com/acme/infra/blob/{expected}/docs/rules.md"
    # on a push, GITHUB_SHA is the commit itself
    assert docs_url({**github, "GITHUB_EVENT_NAME": "push"}, tmp_path) == \
        "https://github.com/acme/infra/blob/0123abc/docs/rules.md"


def _fingerprint_of(result: Result) -> str:
    report = Report("program", "stacks", 1, (result,))
    return json.loads(render(report, "sarif"))["runs"][0]["results"][0]["partialFingerprints"][
        "guardianFinding/v1"]


def test_sarif_fingerprints_are_rule_and_urn_never_the_message() -> None:
    first = Result(Finding("GRD-RET-001", "expires after 120 days", "p", BUCKET), RET, "high",
                   True, locations=(DECLARED,))
    moved = replace(first, finding=replace(first.finding, message="expires after 400 days"),
                    locations=(Location("modules/storage.py", 140),))
    assert _fingerprint_of(first) == _fingerprint_of(moved)  # message and line may change
    other_store = replace(first, finding=replace(first.finding, resource=TABLE))
    other_rule = replace(first, finding=replace(first.finding, rule="GRD-ENC-001"), rule=ENC)
    prints = {_fingerprint_of(r) for r in (first, other_store, other_rule)}
    assert len(prints) == 3
    # two findings of one rule on one store: told apart by what they relate, else by order
    twin = replace(first, finding=replace(first.finding, related=(SSE,)))
    same = Report("program", "stacks", 1, (first, twin, first))
    fps = [r["partialFingerprints"]["guardianFinding/v1"]
           for r in json.loads(render(same, "sarif"))["runs"][0]["results"]]
    assert len(set(fps)) == 3 and fps[0] == _fingerprint_of(first)


PARTIAL = ("PARTIAL AUDIT (--allow-partial): 1 listing(s) failed and what they hold was not "
           "checked: ec2:DescribeSecurityGroups (UnauthorizedOperation, eu-west-1)")


def test_a_partial_audit_says_so_in_every_format(sarif_validator) -> None:
    """--allow-partial let a failed listing through: each format carries the sentence, first."""
    report = replace(sample_report(), partial=PARTIAL)
    assert render(report, "text").splitlines()[0] == PARTIAL
    assert json.loads(render(report, "json"))["source"]["partial"] == PARTIAL
    doc = json.loads(render(report, "sarif"))
    assert not list(sarif_validator.iter_errors(doc))
    [run] = doc["runs"]
    first = run["invocations"][0]["toolExecutionNotifications"][0]
    assert first == {"level": "warning", "message": {"text": PARTIAL}}
    assert run["properties"]["source"]["partial"] == PARTIAL
    for suite in ET.fromstring(render(report, "junit")).findall("testsuite"):
        assert suite.find("properties/property[@name='partial']").get("value") == PARTIAL
    # and a whole audit says nothing of the kind
    whole = sample_report()
    assert "PARTIAL" not in render(whole, "sarif") + render(whole, "junit") + render(whole,
                                                                                     "json")


def test_the_html_report_says_what_the_text_report_says_before_its_findings() -> None:
    """The page a compliance reader opens carries the partial audit's sentence above the verdict,
    and the accounts audited, partial and failed of an organisation's audit; a whole audit of one
    account carries neither."""
    from datetime import UTC, datetime

    from guardian.catalog import load_catalog
    from guardian.graph.model import ResourceGraph
    from guardian.report.html import render_html

    catalog = load_catalog(ROOT / "tests/policies/catalog.yaml")
    graph = ResourceGraph.from_json(
        json.loads((ROOT / "tests/policies/cases/GRD-INV-006/live.json").read_text()))
    coverage = {"audited": ["111111111111"], "partial": ["222222222222"],
                "failed": ["333333333333"], "inactive": []}
    audit = replace(sample_report(), partial=PARTIAL, coverage=coverage)

    def page(report: Report) -> str:
        return render_html(catalog, graph, report, time=datetime(2026, 6, 1, tzinfo=UTC))

    html = page(audit)
    line = "accounts: 1 audited, 1 partial (222222222222), 1 failed (333333333333)"
    assert audit.accounts_line == line and line in html
    assert html.index(PARTIAL) < html.index("BLOCKED")  # read before the verdict
    whole = page(sample_report())
    assert "PARTIAL" not in whole and "accounts:" not in whole


@pytest.mark.parametrize(("kind", "label"), [("live", "Unknown in the live audit: "),
                                             ("graph", "Unknown offline: ")])
def test_an_unknown_says_offline_only_when_the_source_is(kind: str, label: str) -> None:
    """A live audit's unknowns come from reads that failed: no output calls them offline. The
    same findings from an offline source still say why: only deploying decides the value."""
    from datetime import UTC, datetime

    from guardian.catalog import load_catalog
    from guardian.check import evaluate
    from guardian.graph.model import UNKNOWN, ResourceGraph
    from guardian.report.html import render_html

    data = json.loads((ROOT / "tests/policies/cases/GRD-INV-006/live.json").read_text())
    data["source"]["kind"] = kind
    [blind] = [r for r in data["resources"] if r["name"] == "acme-blind"]
    blind["inputs"]["acl"] = UNKNOWN  # what the read it could not make would have filled
    graph = ResourceGraph.from_json(data)
    catalog = load_catalog(ROOT / "tests/policies/catalog.yaml")
    report = evaluate(catalog, graph, today=date(2026, 6, 1))
    unknown = [r for r in report.results if r.finding.unknown]
    assert {r.finding.rule for r in unknown} >= {"GRD-PUB-002"}  # the ACL it could not read
    outputs = {fmt: render(report, fmt) for fmt in ("text", "junit", "sarif")}
    outputs["html"] = render_html(catalog, graph, report, time=datetime(2026, 6, 1, tzinfo=UTC))
    for fmt, out in outputs.items():
        assert label in out, fmt
        said = [line for line in out.splitlines() if "nknown" in line]
        assert ("offline" in "\n".join(said).lower()) is (kind != "live"), fmt
    messages = [m["message"]["text"] for m in
                json.loads(outputs["sarif"])["runs"][0]["results"] if m["properties"]["unknown"]]
    assert messages and all(m.startswith(label) for m in messages)
