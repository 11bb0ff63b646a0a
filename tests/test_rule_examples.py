"""Every rule's examples on the rules page (policies/rules/examples/<RULE-ID>/) do what the page
says: the failing one makes the rule find something it can decide, the passing one nothing.

Pulumi examples run offline against the example catalog (catalog.yaml); catalog examples are
dataset entries, checked as the datasets of a catalog of their own.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path

import pytest
from guardian.policies.rules import RULES

from guardian.catalog import load_catalog
from guardian.catalog.model import Catalog
from guardian.check import evaluate
from guardian.findings import Report, Rule
from guardian.graph.model import ResourceGraph, Source
from guardian.report.rules_page import examples, examples_dir
from tests.conftest import EXAMPLE_CATALOG

TODAY = date(2026, 6, 1)
# A read a live audit could not make leaves the rules that need it unable to decide: its finding
# is an unknown by what it is, never a decided failure.
UNREAD = {"GRD-INV-006"}
PROJECT = "name: example\nruntime: python\nconfig:\n  aws:region: eu-west-1\n"
ORGANIZATION = ("version: 1\norganization:\n  name: Acme Retail Europe Ltd\n"
                "  contact: privacy@acme-retail.example\ndatasets:\n")


def test_every_rule_has_a_failing_and_a_passing_example() -> None:
    missing = [r.id for r in RULES if not {"fail", "pass"} <= set(examples(r))]
    assert missing == []
    folders = {p.name for p in examples_dir().iterdir() if p.is_dir()}
    assert folders == {r.id for r in RULES}  # no example for a rule that is gone


@cache
def _example_catalog():  # type: ignore[no-untyped-def]
    return load_catalog(EXAMPLE_CATALOG)


def catalog_of(datasets: str, tmp_path: Path) -> Catalog:
    """A catalog whose datasets are this YAML list."""
    indented = "".join(f"  {line}\n" if line else "\n" for line in datasets.splitlines())
    path = tmp_path / "catalog.yaml"
    path.write_text(ORGANIZATION + indented)
    return load_catalog(path)


def run(rule: Rule, kind: str, tmp_path: Path) -> Report:
    tmp_path.mkdir(parents=True, exist_ok=True)
    found = examples(rule)
    language, text = found[kind]
    if language == "yaml":
        catalog = catalog_of(text, tmp_path)
        graph = ResourceGraph([], Source("graph", "none"))
    elif language == "json":  # a live audit's graph, with the reads it could not make
        import json

        catalog, graph = _example_catalog(), ResourceGraph.from_json(json.loads(text))
    else:
        from guardian.graph.program import synthesize

        (tmp_path / "Pulumi.yaml").write_text(PROJECT)
        (tmp_path / "__main__.py").write_text(text + "\n")
        catalog = (catalog_of(found["catalog"][1], tmp_path) if "catalog" in found
                   else _example_catalog())
        graph = synthesize(tmp_path)
    return evaluate(catalog, graph, rules=(rule,), today=TODAY)


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_the_failing_example_fails_and_the_passing_one_passes(rule: Rule,
                                                             tmp_path: Path) -> None:
    failing = run(rule, "fail", tmp_path / "fail")
    assert failing.results, f"{rule.id}: the failing example finds nothing"
    assert rule.id in UNREAD or any(not r.finding.unknown for r in failing.results), (
        f"{rule.id}: the failing example is only unknown: "
        + "; ".join(r.finding.message for r in failing.results))
    passing = run(rule, "pass", tmp_path / "pass")
    assert [r.finding.message for r in passing.results] == [], rule.id
