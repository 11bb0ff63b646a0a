"""Benchmark `guardian check` against checkov on the same resources.

Builds graphs of 1,000, 10,000 and 50,000 resources by cloning one realistic unit: the plain
pulumi_aws program in bench/unit (two buckets with their encryption, versioning, public access
block, lifecycle and policy; a DynamoDB table; a KMS key and alias; two roles with inline
policies), run offline once by `guardian.graph.program.synthesize`, then renumbered. Each unit is
bound to its own dataset in a generated catalog. Every 10th unit lacks a lifecycle on one bucket
and every 25th a public access block, so the rules have something to find.

Measured per size: building the ResourceGraph (indexing), `guardian.check.evaluate` (best of
--repeat runs), its peak traced memory (a separate run under tracemalloc), the end-to-end path
a CI job takes (read the graph JSON, evaluate, render JSON) in this process, and the same as a
whole `guardian check --graph` process (start-up, the catalog file, the graph file, the rules,
the JSON report), wall and CPU time. checkov runs as a process on the same graph converted to a
Terraform plan by `guardian.graph.tfplan.to_tfplan`, with --skip-download, in the same run, for
the sizes in --checkov-sizes; its fixed start-up cost is measured on a one-unit plan and
reported separately. CPU time is the figure to compare when other jobs share the cores.

    python bench/check.py                       # 1k, 10k, 50k; checkov at 1k and 10k
    python bench/check.py --sizes 1000 --checkov-sizes 1000 --json results.json
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from guardian.catalog.model import Catalog
from guardian.graph.model import Resource, ResourceGraph, Source

HERE = Path(__file__).resolve().parent
UNIT_PROGRAM = HERE / "unit"
TOKEN = "u00000"
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


# ---------------------------------------------------------------- the generated deployment


def unit_resources() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The unit program's per-dataset resources as JSON, and those shared by all (the stack,
    the trail, the alert route), whose names do not carry the unit's token."""
    from guardian.graph.program import synthesize

    graph = synthesize(UNIT_PROGRAM, stack="dev")
    unit = [r.to_json() for r in graph if TOKEN in r.urn]
    shared = [r.to_json() for r in graph if TOKEN not in r.urn]
    return unit, shared


def unit_name(i: int) -> str:
    return f"u{i:05d}"


def clone(template: str, i: int) -> list[dict[str, Any]]:
    """Unit i: every name renumbered, every KMS key id made unique."""
    text = template.replace(TOKEN, unit_name(i))
    text = UUID.sub(lambda m: str(uuid.uuid5(uuid.NAMESPACE_URL, f"{i}/{m[0]}")), text)
    resources = json.loads(text)
    dropped = set()
    if i % 10 == 3:
        dropped.add(f"acme-{unit_name(i)}-raw-lifecycle")
    if i % 25 == 7:
        dropped.add(f"acme-{unit_name(i)}-curated-pab")
    return [r for r in resources if r["name"] not in dropped]


def catalog_yaml(units: int) -> str:
    """The generated catalog: dataset i holds unit i's two buckets and table, read by its
    service role and a trained analyst."""
    lines = ["version: 1",
             "organization: {name: Acme Bench Ltd, contact: privacy@acme.example}",
             "datasets:"]
    for i in range(units):
        u = unit_name(i)
        lines += [
            f"  - id: ds_{u}",
            f"    name: Bench dataset {u}",
            "    owner: team-bench",
            "    classification: confidential",
            "    categories: [user.name, user.contact.email]",
            "    subjects: [customer]",
            "    jurisdictions: [gdpr]",
            "    residency: [eu]",
            "    retention: {days: 365, basis: Contract period plus one year}",
            "    uses: [{use: essential.service, legal_basis: contract}]",
            "    access:",
            f"      - {{role: {u}-service, use: essential.service, "
            "actions: [read, write, delete]}",
            f"      - {{role: {u}-analyst, use: essential.service, actions: [read], "
            "human: true, training_valid_until: 2099-12-31}",
            "    breach_contacts: [security@acme.example]",
            "    storage:",
            f"      - {{kind: s3, name: acme-{u}-raw, subject_key: 'subjects/{{subject_id}}/'}}",
            f"      - {{kind: s3, name: acme-{u}-curated, "
            "subject_key: 'subjects/{subject_id}/'}",
            f"      - {{kind: dynamodb, name: acme-{u}-index, subject_key: subject_id, "
            "ttl_attribute: expires_at}",
        ]
    return "\n".join(lines) + "\n"


def deployment(size: int, unit: list[dict[str, Any]], shared: list[dict[str, Any]],
               workdir: Path) -> tuple[list[dict[str, Any]], Catalog, Path]:
    """At least `size` resources (the shared ones, then whole units), and their catalog as
    read from the file written in `workdir`."""
    from guardian.catalog.loader import load_catalog

    template = json.dumps(unit)
    resources, units = list(shared), 0
    while len(resources) < size:
        resources += clone(template, units)
        units += 1
    path = workdir / f"catalog-{units}.yaml"
    path.write_text(catalog_yaml(units), encoding="utf-8")
    return resources, load_catalog(path), path


# ---------------------------------------------------------------- measuring


def cold() -> None:
    """Forget what an earlier run learnt: the rules' memo caches (parsed policy documents)."""
    import guardian.policies.rules as package

    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith(package.__name__):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()
    gc.collect()


def best_of(repeat: int, fn: Callable[[Any], Any], setup: Callable[[], Any] = lambda: None
            ) -> tuple[float, Any, float]:
    """Best wall and CPU time of `fn(setup())`, from a cold start each time; `setup` is not
    timed. CPU time is the steadier figure when other jobs share the cores."""
    best, best_cpu, result = float("inf"), float("inf"), None
    for _ in range(repeat):
        arg = setup()
        cold()
        start, start_cpu = time.perf_counter(), time.process_time()
        result = fn(arg)
        best_cpu = min(best_cpu, time.process_time() - start_cpu)
        best = min(best, time.perf_counter() - start)
    return best, result, best_cpu


def peak_memory(fn: Callable[[Any], Any], setup: Callable[[], Any] = lambda: None) -> int:
    arg = setup()
    cold()
    tracemalloc.start()
    try:
        fn(arg)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def checkov_binary() -> str:
    found = shutil.which("checkov", path=f"{Path(sys.executable).parent}{os.pathsep}"
                        f"{os.environ.get('PATH', '')}")
    if not found:
        raise SystemExit("checkov not found next to this Python or on PATH")
    return found


def process(command: list[str], **kwargs: Any) -> tuple[float, float, Any]:
    """Wall and CPU time (user + system) of a command run as its own process, and its result.
    Exit 0 and 1 are answers (1: something failed a check); anything else stops the bench."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False, **kwargs)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{Path(command[0]).name} failed ({proc.returncode}):\n"
                         f"{proc.stderr[-2000:]}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime, proc


def run_checkov(graph: ResourceGraph, workdir: Path) -> dict[str, Any]:
    """One checkov process on the graph as a Terraform plan: wall and CPU time, and what it
    checked."""
    from guardian.graph.tfplan import to_tfplan

    plan, unmapped = to_tfplan(graph)
    path = workdir / f"plan-{len(graph)}.json"
    path.write_text(json.dumps(plan))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BC_", "PRISMA_"))}
    command = [checkov_binary(), "--framework", "terraform_plan", "-f", str(path),
               "--skip-download", "--quiet", "--compact", "-o", "json"]
    seconds, cpu, proc = process(command, env=env)
    out = json.loads(proc.stdout or "{}")
    reports = out if isinstance(out, list) else [out]
    summary = Counter()
    for rep in reports:
        for key in ("passed", "failed", "skipped", "resource_count"):
            summary[key] += int((rep.get("summary") or {}).get(key, 0))
    return {"seconds": seconds, "cpu_s": cpu, "unmapped_types": sorted(set(unmapped)),
            **summary}


def run_guardian(graph_file: Path, catalog: Path, repeat: int) -> tuple[float, float]:
    """Best wall and CPU time of `guardian check` as a process on the graph file: start-up,
    reading the catalog and the graph, the rules, the JSON report."""
    command = [sys.executable, "-m", "guardian.cli", "check", "--graph", str(graph_file),
               "--catalog", str(catalog), "--format", "json", "--fail-on", "none"]
    runs = [process(command)[:2] for _ in range(repeat)]
    return min(w for w, _ in runs), min(c for _, c in runs)


def measure(size: int, unit: list[dict[str, Any]], shared: list[dict[str, Any]], repeat: int,
            checkov: bool, startup: float | None, workdir: Path) -> dict[str, Any]:
    from guardian.check import evaluate
    from guardian.graph.sources import load_graph
    from guardian.report import render

    data, catalog, catalog_file = deployment(size, unit, shared, workdir)
    resources = [Resource.from_json(r) for r in data]

    def new_graph(_: Any = None) -> ResourceGraph:
        # A fresh graph each time: the rules' index is cached per graph object.
        return ResourceGraph(resources, Source("graph", "bench"))

    build_s, graph, _ = best_of(repeat, new_graph)
    eval_s, report, eval_cpu = best_of(repeat, lambda g: evaluate(catalog, g), new_graph)
    eval_peak = peak_memory(lambda g: evaluate(catalog, g), new_graph)
    graph_peak = peak_memory(new_graph)

    graph_file = workdir / f"graph-{len(graph)}.json"
    graph_file.write_text(graph.dumps())
    e2e_s, _, _ = best_of(
        repeat, lambda _: render(evaluate(catalog, load_graph(graph_file)), "json")
    )

    process_s, process_cpu = run_guardian(graph_file, catalog_file, repeat)
    n = len(graph)
    row: dict[str, Any] = {
        "resources": n,
        "datasets": len(catalog.datasets),
        "findings": len(report.results),
        "blocking": len(report.blocking),
        "by_rule": dict(sorted(Counter(r.finding.rule for r in report.results).items())),
        "graph_build_s": build_s,
        "evaluate_s": eval_s,
        "evaluate_us_per_resource": eval_s / n * 1e6,
        "evaluate_cpu_s": eval_cpu,
        "evaluate_cpu_us_per_resource": eval_cpu / n * 1e6,
        "evaluate_peak_mib": eval_peak / 2**20,
        "graph_peak_mib": graph_peak / 2**20,
        "end_to_end_s": e2e_s,
        "process_s": process_s,
        "process_cpu_s": process_cpu,
    }
    if checkov:
        ck = run_checkov(graph, workdir)
        scan = ck["seconds"] - (startup or 0.0)
        row["checkov"] = ck
        row["checkov_us_per_resource"] = ck["seconds"] / n * 1e6
        row["ratio_wall"] = ck["seconds"] / e2e_s  # checkov run vs guardian read+check+render
        row["ratio_scan"] = scan / eval_s  # both without start-up and parsing overheads
        row["ratio_process"] = ck["seconds"] / process_s  # both as whole processes
        row["ratio_process_cpu"] = ck["cpu_s"] / process_cpu
    return row


def warm_up(unit: list[dict[str, Any]], shared: list[dict[str, Any]]) -> None:
    """Import the engine, the rules and the writers before anything is timed."""
    from guardian.check import evaluate
    from guardian.report import render

    with tempfile.TemporaryDirectory() as tmp:
        data, catalog, _ = deployment(len(unit) + len(shared), unit, shared, Path(tmp))
    report = evaluate(catalog, ResourceGraph([Resource.from_json(r) for r in data],
                                             Source("graph", "warm-up")))
    render(report, "json")


# ---------------------------------------------------------------- report


def table(rows: list[dict[str, Any]], startup: float | None) -> str:
    lines = [
        "| resources | datasets | findings (blocking) | graph build | evaluate (CPU) "
        "| per resource (CPU) | eval peak mem | read+check+render | `guardian check` process "
        "(CPU) | checkov process (CPU) | checkov per resource | ratio, processes (CPU) "
        "| ratio (wall) | ratio (scan) |",
        "|" + "---:|" * 14,
    ]
    for r in rows:
        ck = r.get("checkov")
        lines.append(
            f"| {r['resources']:,} | {r['datasets']:,} | {r['findings']:,} ({r['blocking']:,}) "
            f"| {r['graph_build_s'] * 1e3:.0f} ms "
            f"| {r['evaluate_s'] * 1e3:.0f} ms ({r['evaluate_cpu_s'] * 1e3:.0f} ms) "
            f"| {r['evaluate_us_per_resource']:.1f} µs "
            f"({r['evaluate_cpu_us_per_resource']:.1f} µs) "
            f"| {r['evaluate_peak_mib']:.1f} MiB "
            f"| {r['end_to_end_s'] * 1e3:.0f} ms "
            f"| {r['process_s']:.2f} s ({r['process_cpu_s']:.2f} s) "
            + (
                f"| {ck['seconds']:.1f} s ({ck['cpu_s']:.1f} s) "
                f"| {r['checkov_us_per_resource']:,.0f} µs "
                f"| {r['ratio_process']:.0f}x ({r['ratio_process_cpu']:.0f}x) "
                f"| {r['ratio_wall']:.0f}x | {r['ratio_scan']:.0f}x |"
                if ck
                else "| - | - | - | - | - |"
            )
        )
    if len(rows) > 1:
        first, last = rows[0], rows[-1]
        growth = last["evaluate_us_per_resource"] / first["evaluate_us_per_resource"]
        growth_cpu = last["evaluate_cpu_us_per_resource"] / first["evaluate_cpu_us_per_resource"]
        lines.append("")
        lines.append(
            f"per-resource evaluate time at {last['resources']:,} vs {first['resources']:,} "
            f"resources: {growth:.2f}x wall, {growth_cpu:.2f}x CPU (1.00 = perfectly linear)"
        )
    if startup is not None:
        lines.append(f"checkov start-up (one-unit plan): {startup:.1f} s")
    lines.append("load average " + " ".join(f"{x:.1f}" for x in os.getloadavg()))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000")
    parser.add_argument("--checkov-sizes", default="1000,10000",
                        help="sizes to run checkov on too ('' for none)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    checkov_sizes = {int(s) for s in args.checkov_sizes.split(",") if s}

    unit, shared = unit_resources()
    warm_up(unit, shared)
    print(f"unit: {len(unit)} resources per dataset, {len(shared)} shared", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="guardian-bench-") as tmp:
        workdir = Path(tmp)
        startup = None
        if checkov_sizes:
            one = [Resource.from_json(r) for r in [*shared, *clone(json.dumps(unit), 0)]]
            startup = run_checkov(ResourceGraph(one, Source("graph", "bench")), workdir)["seconds"]
        rows = []
        for size in sizes:
            print(f"measuring {size:,} ...", file=sys.stderr)
            rows.append(measure(size, unit, shared, args.repeat, size in checkov_sizes, startup,
                                workdir))
    print(f"guardian bench/check.py on {platform.python_implementation()} "
          f"{platform.python_version()}, {os.cpu_count()} cores, {date.today()}")
    print(table(rows, startup))
    if args.json:
        Path(args.json).write_text(json.dumps({"checkov_startup_s": startup, "rows": rows},
                                              indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
