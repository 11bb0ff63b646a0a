"""The deployment bench/check.py measures is what it says: its generated catalog is valid, each
unit is bound to its own dataset, and the findings are exactly the planted ones (every 10th
unit without a lifecycle on one bucket, every 25th without a public access block)."""

from __future__ import annotations

from collections import Counter

from bench.check import deployment, unit_resources
from guardian.check import evaluate
from guardian.graph.model import Resource, ResourceGraph, Source


def test_the_generated_deployment_has_only_the_planted_findings(tmp_path):
    unit, shared = unit_resources()
    # eight units; units 3 and 7 each lack one resource
    data, catalog, path = deployment(len(shared) + 8 * len(unit) - 2, unit, shared, tmp_path)
    assert path.is_file() and [d.id for d in catalog.datasets] == [
        f"ds_u{i:05d}" for i in range(8)]
    assert all(len(d.storage) == 3 for d in catalog.datasets)
    graph = ResourceGraph([Resource.from_json(r) for r in data], Source("graph", "bench"))
    report = evaluate(catalog, graph)
    blocking = Counter((r.finding.rule, r.finding.dataset) for r in report.blocking)
    assert {dataset for _, dataset in blocking} == {"ds_u00003", "ds_u00007"}
    assert {rule for rule, dataset in blocking if dataset == "ds_u00007"} == {"GRD-PUB-001"}
