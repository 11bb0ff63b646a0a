"""Waivers at scale: load a catalog of N stores and N waivers, then apply the waivers to N
findings. Both used to be quadratic (a 'did you mean' search over every store for every waiver,
a scan of every waiver for every finding); this prints the seconds of each step.

    .venv/bin/python bench/waivers.py               # 1,000 and 4,000
    .venv/bin/python bench/waivers.py --sizes 500
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from guardian.catalog.loader import check_catalog  # noqa: E402
from guardian.check import evaluate  # noqa: E402
from guardian.findings import Context, Finding, Rule  # noqa: E402
from guardian.graph.model import Resource, ResourceGraph, Source  # noqa: E402


def catalog_text(n: int) -> str:
    example = (ROOT / "catalog.yaml").read_text()
    head = example[: example.index("  - id: support_tickets")]
    template = example[example.index("  - id: support_tickets"): example.index("waivers: []")]
    template = template[: template.index("    storage:")]
    parts = []
    for i in range(n // 10):
        stores = "".join(f"      - {{kind: s3, name: bucket-{i}-{j}, subject_key: "
                         f"\"u/{{subject_id}}/\"}}\n" for j in range(10))
        parts.append(template.replace("support_tickets", f"support_{i}")
                     + "    storage:\n" + stores)
    waivers = "".join(f"  - {{rule: GRD-TEST-001, resource: other-{i}, reason: r, "
                      "approved_by: a, expires: 2030-01-01}\n" for i in range(n))
    return head + "".join(parts) + "waivers:\n" + waivers


def _one_per_resource(ctx: Context) -> list[Finding]:
    return [RULE.finding("x", resource=r) for r in ctx.graph]


RULE = Rule("GRD-TEST-001", "inventory", "high", "t", "r", "f", (), _one_per_resource)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000])
    args = parser.parse_args()
    print("| stores and waivers | load s | apply to findings s |")
    print("| ---: | ---: | ---: |")
    for n in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp, "catalog.yaml")
            path.write_text(catalog_text(n))
            start = time.perf_counter()
            catalog, problems = check_catalog(path)
            loaded = time.perf_counter() - start
        assert catalog is not None, problems[:3]
        resources = [Resource(f"urn:x::other-{i}", "aws:s3/bucket:Bucket", f"other-{i}")
                     for i in range(n)]
        graph = ResourceGraph(resources, Source("graph", "bench"))
        start = time.perf_counter()
        report = evaluate(catalog, graph, rules=(RULE,), today=date(2026, 1, 1))
        applied = time.perf_counter() - start
        assert len(report.waived) == n
        print(f"| {n:,} | {loaded:.1f} | {applied:.2f} |")


if __name__ == "__main__":
    main()
