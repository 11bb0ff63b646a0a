"""`guardian check` puts what is at stake first within a severity; JSON and SARIF carry it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from guardian.catalog import load_catalog
from guardian.check import evaluate
from guardian.findings import Report
from guardian.report import render
from guardian.report.sarif import LEVELS
from tests.conftest import SARIF_SCHEMA

HERE = Path(__file__).parent
CARDS = 2_000_000 * 210 * 4.87 / 3.62  # financial (IBM 2019), raised by plain HTTP (IBM 2021)


@pytest.fixture(scope="module")
def report() -> Report:
    from guardian.graph.program import synthesize

    graph = synthesize(HERE / "programs" / "at_stake", "dev")
    return evaluate(load_catalog(HERE / "catalog.yaml"), graph, today=date(2026, 1, 1))


def test_a_public_unencrypted_store_of_card_holders_tops_findings_of_equal_severity(report):
    order = [(r.severity, r.finding.dataset) for r in report.results]
    assert order[:2] == [("critical", "cardholders"), ("critical", "archive_test")]
    for severity in ("critical", "high"):
        same = [d for s, d in order if s == severity]
        assert same == sorted(same, key=lambda d: d != "cardholders"), severity  # cards first
        assert set(same) == {"cardholders", "archive_test"}  # the same mistakes on both
    assert [r.severity for r in report.results] == sorted(
        (r.severity for r in report.results), key=["critical", "high"].index)


def test_json_carries_the_value_at_risk_of_each_findings_dataset(report):
    findings = json.loads(render(report, "json"))["findings"]
    first, last = findings[0]["value_at_risk"], findings[-1]["value_at_risk"]
    assert findings[0]["dataset"] == "cardholders" and first["rank"] == 1 and first["complete"]
    assert first["usd"] == pytest.approx(CARDS)
    assert findings[-1]["dataset"] == "archive_test" and last["rank"] == 2
    assert last["usd"] == pytest.approx(10 * 180 * 4.87 / 3.62)


def test_sarif_carries_it_in_properties_and_keeps_the_level_of_the_severity(report):
    from jsonschema import Draft7Validator

    doc = json.loads(render(report, "sarif"))
    validator = Draft7Validator(json.loads(SARIF_SCHEMA.read_text()))
    assert sorted(validator.iter_errors(doc), key=str) == []
    results = doc["runs"][0]["results"]
    props = results[0]["properties"]
    assert (props["dataset"], props["valueAtRiskRank"], props["valueAtRiskComplete"]) == (
        "cardholders", 1, True)
    assert props["valueAtRisk"] == pytest.approx(CARDS)
    assert all(r["level"] == LEVELS[r["properties"]["severity"]] for r in results)


def test_text_names_what_is_at_stake_beside_the_dataset(report):
    from guardian.report import Options

    lines = render(report, "text", Options(compact=True)).splitlines()
    fails = [line for line in lines if line.startswith("FAIL")]
    assert "(dataset cardholders, value at risk $565,027,624): " in fails[0]
    assert "(dataset archive_test, value at risk $2,422): " in fails[1]
