"""Benchmark `guardian check` with and without `--checkov`.

Two deployments:
- the example: `guardian check --program stacks` run as a command (Python start-up, offline
  synthesis of the Pulumi program, rules, rendering; plus checkov with --checkov);
- 1,000 datasets: the realistic unit of bench/check.py (two buckets with their configurations,
  a DynamoDB table, a KMS key and alias, two roles) cloned once per dataset and bound to a
  generated catalog, timed in-process from the graph JSON: read, evaluate, render JSON, and
  with --checkov also `merge_checkov` (plan conversion, the checkov subprocess, mapping back).

    python bench/checkov.py                 # both, best of 2
    python bench/checkov.py --datasets 200 --repeat 1
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def _bench_check() -> Any:
    """bench/check.py, for its generated deployment (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_check", HERE / "check.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_check"] = module
    spec.loader.exec_module(module)
    return module


def best_of(repeat: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def example(repeat: int) -> dict[str, float]:
    def run(*extra: str) -> Callable[[], int]:
        cmd = [sys.executable, "-m", "guardian.cli", "check", "--program", "stacks",
               "--catalog", "catalog.yaml", "--format", "json", "-o", "/dev/null", *extra]
        return lambda: subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False).returncode

    plain, code = best_of(repeat, run())
    with_checkov, code_ck = best_of(repeat, run("--checkov"))
    if code not in (0, 1) or code_ck not in (0, 1):
        raise SystemExit(f"guardian check failed (exit {code}, {code_ck})")
    return {"check_s": plain, "check_checkov_s": with_checkov}


def generated(datasets: int, repeat: int) -> dict[str, Any]:
    from guardian.check import evaluate
    from guardian.checkov_runner import merge_checkov
    from guardian.graph.sources import load_graph
    from guardian.graph.tfplan import to_tfplan
    from guardian.report import render

    bench = _bench_check()
    unit, stack = bench.unit_resources()
    per_unit = len(unit)
    resources, catalog = bench.deployment(datasets * per_unit, unit, stack)
    with tempfile.TemporaryDirectory() as tmp:
        graph_file = Path(tmp) / "graph.json"
        graph_file.write_text(json.dumps({"format": "guardian.graph/v1",
                                          "source": {"kind": "graph", "path": "bench"},
                                          "resources": resources}))

        def check(with_checkov: bool) -> Callable[[], Any]:
            def run() -> Any:
                graph = load_graph(graph_file)
                report = evaluate(catalog, graph)
                if with_checkov:
                    report = merge_checkov(report, graph, catalog)
                return render(report, "json"), report
            return run

        plain, _ = best_of(repeat, check(False))
        with_checkov, (_, report) = best_of(repeat, check(True))
        graph = load_graph(graph_file)
        convert, (plan, _) = best_of(repeat, lambda: to_tfplan(graph))
    return {
        "datasets": len(catalog.datasets), "resources": len(resources),
        "plan_resources": len(plan["planned_values"]["root_module"]["resources"]),
        "check_s": plain, "check_checkov_s": with_checkov, "to_tfplan_s": convert,
        "checkov_findings": sum(r.finding.rule.startswith("CKV") for r in report.results),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--json", metavar="FILE", help="also write the figures here")
    args = parser.parse_args(argv)
    ex = example(args.repeat)
    gen = generated(args.datasets, args.repeat)
    print("| deployment | resources | guardian check | with --checkov | to_tfplan |")
    print("| --- | ---: | ---: | ---: | ---: |")
    print(f"| example (stacks/, as a command) | - | {ex['check_s']:.1f} s "
          f"| {ex['check_checkov_s']:.1f} s | - |")
    print(f"| {gen['datasets']:,} datasets (in-process, from graph JSON) | {gen['resources']:,} "
          f"| {gen['check_s']:.1f} s | {gen['check_checkov_s']:.1f} s "
          f"| {gen['to_tfplan_s']:.2f} s |")
    print(f"checkov findings on the generated deployment: {gen['checkov_findings']:,}")
    if args.json:
        Path(args.json).write_text(json.dumps({"example": ex, "generated": gen}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
