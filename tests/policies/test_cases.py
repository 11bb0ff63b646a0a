"""Every rule's case folder, checkov style: tests/policies/cases/<RULE>/expected.yaml names, per
fixture program (or catalog, or a graph file in the folder: what a live audit read, with the
reads it could not make), the resources the rule must pass, the ones it must fail (a decided
finding) and the ones it must report unknown, boundaries included. A rule without both a
passing and a failing case fails here."""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from guardian.policies.rules import RULES, RULES_BY_ID
from ruamel.yaml import YAML

from guardian.catalog import load_catalog
from guardian.catalog.model import Catalog
from guardian.check import evaluate
from guardian.graph.model import ResourceGraph, Source

HERE = Path(__file__).parent
CASES = HERE / "cases"
PROGRAMS = HERE / "programs"
TODAY = date(2026, 6, 1)
EMPTY = ResourceGraph([], Source("graph", "empty.json"))


@cache
def _graph(program: str) -> ResourceGraph:
    from guardian.graph.program import synthesize

    return synthesize(PROGRAMS / program, "dev")


@cache
def _catalog(path: Path) -> Catalog:
    return load_catalog(path)


def _cases(rule: str) -> list[dict[str, Any]]:
    path = CASES / rule / "expected.yaml"
    return list(YAML(typ="safe").load(path.read_text())) if path.is_file() else []


@cache
def _flagged(rule: str, program: str | None, catalog: Path,
             graph_file: Path | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """What `rule` reports on, decided and unknown: store (resource) names, or dataset ids for
    catalog findings."""
    import json

    graph = _graph(program) if program else ResourceGraph.from_json(
        json.loads(graph_file.read_text())) if graph_file else EMPTY
    report = evaluate(_catalog(catalog), graph, rules=(RULES_BY_ID[rule],), today=TODAY)
    names = {unknown: frozenset(
        r.finding.resource.name if r.finding.resource else str(r.finding.dataset)
        for r in report.results if r.finding.unknown is unknown) for unknown in (False, True)}
    return names[False], names[True]


def test_every_rule_has_a_passing_and_a_failing_case() -> None:
    missing = {r.id for r in RULES
               if not any(c.get("pass") for c in _cases(r.id))
               or not any(c.get("fail") or c.get("unknown") for c in _cases(r.id))}
    assert missing == set(), "add cases/<RULE>/expected.yaml with pass and fail (or unknown) " \
        "entries"
    assert {p.name for p in CASES.iterdir() if p.is_dir()} <= set(RULES_BY_ID)


@pytest.mark.parametrize("rule", [r.id for r in RULES])
def test_rule_case(rule: str) -> None:
    for case in _cases(rule):
        catalog = (CASES / rule / case["catalog"] if "catalog" in case
                   else HERE / "catalog.yaml")
        graph = CASES / rule / case["graph"] if "graph" in case else None
        failed, unknown = _flagged(rule, case.get("program"), catalog, graph)
        where = case.get("program") or case.get("graph") or case.get("catalog")
        assert set(case.get("fail") or ()) - failed == set(), f"{rule} on {where}: missed"
        assert set(case.get("unknown") or ()) - unknown == set(), \
            f"{rule} on {where}: not unknown"
        assert set(case.get("unknown") or ()) & failed == set(), \
            f"{rule} on {where}: decided, not unknown"
        assert set(case.get("pass") or ()) & (failed | unknown) == set(), \
            f"{rule} on {where}: flagged"
