"""`guardian check --baseline`: findings already in a previous JSON report are reported, never
block; only new ones do, and the baseline's findings that are gone count as fixed."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from guardian.baseline import apply_baseline, finding_key
from guardian.catalog.model import Location, Waiver
from guardian.cli import main
from guardian.errors import UserError
from guardian.findings import Finding, Report, ResourceRef, Result, Rule
from guardian.report import render
from guardian.report.json import document
from tests.conftest import ROOT, SARIF_SCHEMA

CATALOG = str(ROOT / "tests" / "policies" / "catalog.yaml")
PROGRAM = ROOT / "tests" / "policies" / "programs" / "s3_violations"


def rule(rule_id: str, severity: str = "high") -> Rule:
    return Rule(rule_id, "encryption-at-rest", severity, f"title {rule_id}", "why", "fix", ())


ENC, RET = rule("GRD-ENC-001"), rule("GRD-RET-001")
BUCKET = ResourceRef("aws:s3/bucket:Bucket", "profiles",
                     "urn:pulumi:dev::acme::aws:s3/bucket:Bucket::profiles")
TABLE = ResourceRef("aws:dynamodb/table:Table", "orders")  # no URN: matched by type and name


def two_findings() -> Report:
    return Report("graph", "graph.json", 5, (
        Result(Finding("GRD-ENC-001", "AES256 for 30 days", "profiles", BUCKET), ENC, "high",
               True),
        Result(Finding("GRD-RET-001", "kept 400 days", "orders", TABLE), RET, "high", True),
    ))


def as_baseline(report: Report) -> dict[str, Any]:
    return json.loads(render(report, "json"))


# The pure function, on hand-built reports.

def test_a_baseline_with_one_of_two_findings_blocks_only_the_new_one() -> None:
    old = Report("graph", "graph.json", 5, two_findings().results[:1])
    report = apply_baseline(two_findings(), as_baseline(old))
    assert [(r.finding.rule, r.baseline, r.blocking) for r in report.results] == [
        ("GRD-ENC-001", True, False), ("GRD-RET-001", False, True)]
    assert report.exit_code == 1 and report.fixed == 0
    assert [r.finding.rule for r in report.blocking] == ["GRD-RET-001"]


def test_matching_ignores_the_message_and_uses_type_and_name_without_urn() -> None:
    base = as_baseline(two_findings())
    for entry in base["findings"]:
        entry["message"] = "a different text with other numbers: 7 days"
    report = apply_baseline(two_findings(), base)
    assert all(r.baseline and not r.blocking for r in report.results)
    assert report.exit_code == 0

    renamed = replace(TABLE, name="orders-v2")  # another resource: a new finding
    moved = Result(Finding("GRD-RET-001", "kept 400 days", "orders", renamed), RET, "high", True)
    report = apply_baseline(replace(two_findings(), results=(moved,)), as_baseline(two_findings()))
    assert report.results[0].blocking and not report.results[0].baseline
    assert report.fixed == 2


def test_catalog_findings_match_on_dataset_and_location() -> None:
    cat = rule("GRD-CAT-001")

    def at(dataset: str, location: str) -> Result:
        return Result(Finding("GRD-CAT-001", "m", dataset, location=location), cat, "high", True)

    base = as_baseline(Report("graph", "g", 0, (at("patients", "catalog.yaml:88:9"),)))
    now = Report("graph", "g", 0, (at("patients", "catalog.yaml:88:9"),
                                   at("patients", "catalog.yaml:90:9"),
                                   at("orders", "catalog.yaml:88:9")))
    report = apply_baseline(now, base)
    assert [r.baseline for r in report.results] == [True, False, False]
    assert finding_key(now.results[0].finding) == ("GRD-CAT-001", "catalog", "patients",
                                                   "catalog.yaml:88:9")


def test_each_baseline_finding_matches_once_and_the_gone_ones_are_fixed() -> None:
    same = two_findings().results[0]
    report = apply_baseline(Report("graph", "g", 5, (same, same)),
                            as_baseline(two_findings()))
    assert [r.baseline for r in report.results] == [True, False]  # a second one is new
    assert report.fixed == 1  # GRD-RET-001 on orders is gone
    summary = document(report)["summary"]
    assert (summary["findings"], summary["blocking"], summary["baseline"],
            summary["fixed"]) == (2, 1, 1, 1)


def test_without_a_baseline_the_contract_is_unchanged() -> None:
    doc = document(two_findings())
    assert "baseline" not in doc["summary"] and "fixed" not in doc["summary"]
    assert [f["baseline"] for f in doc["findings"]] == [False, False]
    assert all("baselineState" not in r
               for r in json.loads(render(two_findings(), "sarif"))["runs"][0]["results"])


def test_a_waived_finding_in_the_baseline_stays_waived() -> None:
    waiver = Waiver("GRD-ENC-001", "profiles", "legal hold", "Dana", date(2099, 1, 1),
                    Location("catalog.yaml", 3, 5))
    waived = replace(two_findings().results[0], blocking=False, waiver=waiver)
    report = apply_baseline(Report("graph", "g", 1, (waived,)), as_baseline(two_findings()))
    assert report.results[0].baseline
    assert "  WAIVED  high     GRD-ENC-001 title GRD-ENC-001 [encryption-at-rest]" in render(
        report, "text").splitlines()


@pytest.mark.parametrize(("document_", "where"), [
    ([], "not a `guardian check --format json` report"),
    ({"runs": []}, "expected an object with a \"findings\" list"),
    ({"findings": {}}, "expected an object with a \"findings\" list"),
    ({"findings": ["GRD-ENC-001"]}, "findings[0]: expected an object, not 'GRD-ENC-001'"),
    ({"findings": [{"resource": None}]}, "findings[0].rule: expected a non-empty string"),
    ({"findings": [{"rule": "R", "resource": "bucket"}]},
     "findings[0].resource: expected an object or null"),
    ({"findings": [{"rule": "R", "resource": {"type": "t"}}]},
     "findings[0].resource.name: expected a non-empty string, not null or missing"),
    ({"findings": [{"rule": "R", "dataset": 3}]}, "findings[0].dataset: expected a string or null"),
])
def test_a_wrong_shape_is_a_user_error_naming_the_file(document_: Any, where: str) -> None:
    with pytest.raises(UserError) as err:
        apply_baseline(two_findings(), document_, "main.json")
    assert str(err.value).startswith("main.json: ") and where in str(err.value)


# The command, on realistic findings: one bucket per S3 rule, each breaking it.

@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A synthesized graph and the main branch's report of it, in one directory."""
    d = tmp_path_factory.mktemp("baseline")
    assert main(["synth", "--program", str(PROGRAM), "--stack", "dev",
                 "-o", str(d / "graph.json")]) == 0
    assert check(d, "--format", "json", "-o", str(d / "main.json")) == 1
    return d


def check(d: Path, *args: str) -> int:
    return main(["check", "--catalog", CATALOG, "--graph", str(d / "graph.json"), *args])


def run_json(d: Path, baseline: Path) -> tuple[int, dict[str, Any]]:
    out = d / f"with-{baseline.stem}.json"
    code = check(d, "--baseline", str(baseline), "--format", "json", "-o", str(out))
    return code, json.loads(out.read_text())


def test_the_same_report_as_its_own_baseline_passes_with_every_finding_baseline(
        runs: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main_report = json.loads((runs / "main.json").read_text())
    assert main_report["summary"]["blocking"] == 12  # the program breaks 12 rules
    total = len(main_report["findings"])  # and the catalog's stores it lacks, as notes
    assert total > 12
    code, doc = run_json(runs, runs / "main.json")
    assert code == 0
    assert [f["baseline"] for f in doc["findings"]] == [True] * total
    assert not any(f["blocking"] for f in doc["findings"])
    assert doc["summary"] | {"baseline": total, "fixed": 0, "blocking": 0} == doc["summary"]
    assert f"{total} in the baseline, 0 fixed" in capsys.readouterr().err

    assert check(runs, "--baseline", str(runs / "main.json")) == 0
    text = capsys.readouterr().out.splitlines()
    assert text[-1] == (f"PASS: 87 resources, {total} findings: 0 blocking, 0 waived, "
                        f"0 unknown, 0 unused waivers; baseline: {total} known, 0 new, 0 fixed")
    assert any(line.startswith("  KNOWN   high     GRD-ENC-001") for line in text)
    assert text.count("          in the baseline: known before, not blocking") == total

    junit = runs / "main.xml"
    assert check(runs, "--baseline", str(runs / "main.json"), "--format", "junit",
                 "-o", str(junit)) == 0
    root = ET.parse(junit).getroot()
    # one case per check: the checks with findings are skipped (known), the others pass
    subjects = {(f["rule"], (f["resource"] or {}).get("urn") or f["dataset"])
                for f in doc["findings"]}
    assert (root.get("failures"), root.get("skipped")) == ("0", str(len(subjects)))
    assert int(root.get("tests", "0")) > 10 * len(subjects)
    assert {s.get("message") for s in root.iter("skipped")} == {
        "in the baseline: known before, not blocking"}


def without(d: Path, name: str, rule_id: str = "", *,
            extra: Sequence[dict[str, Any]] = ()) -> Path:
    """The main report without the findings of `rule_id`, with `extra` findings added."""
    doc = json.loads((d / "main.json").read_text())
    doc["findings"] = [f for f in doc["findings"] if f["rule"] != rule_id] + list(extra)
    path = d / name
    path.write_text(json.dumps(doc))
    return path


def test_only_the_finding_missing_from_the_baseline_blocks(runs: Path) -> None:
    code, doc = run_json(runs, without(runs, "no-enc.json", "GRD-ENC-001"))
    assert code == 1
    new = [(f["rule"], f["resource"]["name"]) for f in doc["findings"] if not f["baseline"]]
    blocking = [(f["rule"], f["resource"]["name"]) for f in doc["findings"] if f["blocking"]]
    assert new == blocking == [("GRD-ENC-001", "profiles-sse-s3")]
    total = len(json.loads((runs / "main.json").read_text())["findings"])
    assert (doc["summary"]["blocking"], doc["summary"]["baseline"]) == (1, total - 1)


def test_baseline_findings_that_are_gone_count_as_fixed(runs: Path) -> None:
    gone = [
        {"rule": "GRD-ENC-001", "dataset": "profiles", "location": None, "resource": {
            "type": "aws:s3/bucket:Bucket", "name": "profiles-deleted",
            "urn": "urn:pulumi:dev::s3_violations::aws:s3/bucket:Bucket::profiles-deleted"}},
        {"rule": "GRD-CAT-001", "dataset": "patients", "resource": None,
         "location": f"{CATALOG}:12:3"},
    ]
    code, doc = run_json(runs, without(runs, "fixed.json", extra=gone))
    assert code == 0
    total = len(json.loads((runs / "main.json").read_text())["findings"])
    assert (doc["summary"]["baseline"], doc["summary"]["fixed"]) == (total, 2)


def test_sarif_carries_the_baseline_state_and_still_validates(runs: Path) -> None:
    from jsonschema import Draft7Validator

    schema = json.loads(SARIF_SCHEMA.read_text())
    out = runs / "gate.sarif"
    assert check(runs, "--baseline", str(without(runs, "no-pub.json", "GRD-PUB-002")),
                 "--format", "sarif", "-o", str(out)) == 1
    doc = json.loads(out.read_text())
    validator = Draft7Validator(schema, format_checker=Draft7Validator.FORMAT_CHECKER)
    assert not [e.message for e in validator.iter_errors(doc)]
    states = {(r["ruleId"], r["baselineState"]) for r in doc["runs"][0]["results"]}
    assert {s for _, s in states} == {"new", "unchanged"}
    assert [rule_id for rule_id, s in states if s == "new"] == ["GRD-PUB-002"]
    assert doc["runs"][0]["properties"]["summary"]["fixed"] == 0


@pytest.mark.parametrize(("content", "message"), [
    (None, ": no such file (expected a `guardian check --format json` report (the baseline))"),
    ('{"findings": [', ":1:15: not valid JSON (Expecting value)"),
    (b"\xff\xfe{}", ":1: is not UTF-8 text (expected a `guardian check"),
    ("[" * 100_000 + "]" * 100_000, ": not valid JSON (nested deeper than 200 levels)"),
    ('{"findings": [' + "9" * 5000 + "]}", ": not valid JSON (a number of 5000 characters"),
    ('{"version": "2.1.0", "runs": []}', ": not a `guardian check --format json` report"),
    ('{"findings": [{"rule": "GRD-ENC-001", "resource": ["bucket"]}]}',
     ": findings[0].resource: expected an object or null, not list"),
])
def test_a_bad_baseline_file_exits_2_naming_it(
        runs: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | None,
        message: str) -> None:
    path = runs / "bad-baseline.json"
    path.unlink(missing_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        path.write_text(content)
    assert check(runs, "--baseline", str(path)) == 2
    err = capsys.readouterr().err
    assert f"guardian: {path}" in err and message in err
    assert "Traceback" not in err
