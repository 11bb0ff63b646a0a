"""Benchmark offline synthesis: resources per CPU-second at 10, 100 and 1,000 datasets on both
paths through Pulumi's runtime, and the cold cost of `guardian synth` and `guardian check` on
the example.

    .venv/bin/python bench/synth.py [--sizes 10 100 1000] [--paths fast plain] [--repeat 3]

Each size and path runs in its own process (so its peak RSS is that run's alone, and no
tracemalloc slows or inflates it), after one warm-up synthesis that pays for importing
pulumi_aws. On the fast path, the same synthesis is then read back from a cache (the CPU time of
the hit). CPU time is the figure to compare on a shared machine: wall time there includes
waiting for a core. The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("public", "internal", "confidential", "restricted")
PATHS = ("fast", "plain")


def catalog_yaml(n: int) -> str:
    """A valid catalog of n datasets, classes in turn, stores alternating S3 and DynamoDB."""
    lines = [
        "version: 1",
        "organization: {name: Bench Ltd, contact: privacy@bench.example}",
        "datasets:",
    ]
    for i in range(n):
        kind = "s3" if i % 2 == 0 else "dynamodb"
        store = (f"{{kind: s3, name: bench-store-{i}, subject_key: 'users/{{subject_id}}/'}}"
                 if kind == "s3" else
                 f"{{kind: dynamodb, name: bench-store-{i}, subject_key: user_id, "
                 f"index: by-user, ttl_attribute: expires_at}}")
        lines += [
            f"  - id: dataset_{i}",
            f"    name: Dataset {i}",
            f"    owner: team-{i % 7}",
            f"    classification: {CLASSES[i % 4]}",
            "    categories: [user.contact.email]",
            "    subjects: [customer]",
            "    jurisdictions: [gdpr]",
            "    residency: [eu]",
            f"    retention: {{days: {30 + i}}}",
            "    uses: [{use: essential.service, legal_basis: contract}]",
            f"    access: [{{role: bench-role-{i}, use: essential.service, actions: [read]}}]",
            "    breach_contacts: [security@bench.example]",
            f"    storage: [{store}]",
        ]
    return "\n".join(lines) + "\n"


def measure_one(n: int, path: str) -> dict[str, float | int | str | None]:
    """One synthesis of the example project on a catalog of n datasets, in this process,
    which then ends, as the `guardian` command does: what synthesis built is never handed back
    to the collector (guardian.heap.until_exit)."""
    from guardian import heap
    from guardian.graph.program import synthesize

    heap.until_exit()

    with tempfile.TemporaryDirectory() as tmp:
        def run(size: int, cache: Path | None = None) -> int:
            catalog = Path(tmp) / f"catalog-{size}.yaml"
            catalog.write_text(catalog_yaml(size), encoding="utf-8")
            return len(synthesize(ROOT, config={"guardian:catalog": str(catalog)},
                                  fast=path == "fast", cache=cache))

        run(1)  # warm-up: imports pulumi_aws and the modules
        start, start_cpu = time.perf_counter(), time.process_time()
        resources = run(n)
        cpu, wall = time.process_time() - start_cpu, time.perf_counter() - start
        peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
        hit = None
        if path == "fast":  # the same synthesis again through a cache: filled, then a hit
            run(n, Path(tmp) / "cache")
            start_cpu = time.process_time()
            run(n, Path(tmp) / "cache")
            hit = round(time.process_time() - start_cpu, 3)
    return {
        "datasets": n, "path": path, "resources": resources, "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3), "per_cpu_s": round(resources / cpu, 1),
        "peak_rss_mib": round(peak_rss, 1), "cache_hit_cpu_s": hit,
    }


def cold(command: list[str], repeat: int) -> dict[str, float]:
    """A fresh `guardian` process on the example project, `repeat` times: wall and CPU time
    (user + system of the process), minimum and median."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "guardian.cli", *command], cwd=ROOT,
                              capture_output=True, check=False)
        walls.append(time.perf_counter() - start)
        if done.returncode not in (0, 1):
            raise SystemExit(f"guardian {' '.join(command)}: exit {done.returncode}\n"
                             f"{done.stderr.decode(errors='replace')[-2000:]}")
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return {"min_wall_s": min(walls), "median_wall_s": statistics.median(walls),
            "min_cpu_s": min(cpus), "median_cpu_s": statistics.median(cpus)}


def load() -> str:
    return "load average " + " ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--paths", nargs="+", choices=PATHS, default=list(PATHS))
    parser.add_argument("--repeat", type=int, default=3, help="cold runs of each command")
    parser.add_argument("--one", nargs=2, help=argparse.SUPPRESS)  # child: SIZE PATH
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure_one(int(args.one[0]), args.one[1])))
        return
    print(f"{load()} at the start, {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    print(f"{'path':>5} {'datasets':>8} {'resources':>9} {'CPU s':>7} {'wall s':>7} "
          f"{'res/CPU-s':>9} {'peak RSS MiB':>12} {'cache hit CPU s':>15}")
    rows: dict[str, list[dict[str, float]]] = {}
    for path in args.paths:
        for n in args.sizes:
            out = subprocess.run([sys.executable, __file__, "--one", str(n), path], check=True,
                                 capture_output=True, text=True)
            r = json.loads(out.stdout.strip().splitlines()[-1])
            rows.setdefault(path, []).append(r)
            print(f"{path:>5} {r['datasets']:>8} {r['resources']:>9} {r['cpu_s']:>7.2f} "
                  f"{r['wall_s']:>7.2f} {r['per_cpu_s']:>9.0f} {r['peak_rss_mib']:>12.0f} "
                  f"{'-' if r['cache_hit_cpu_s'] is None else r['cache_hit_cpu_s']:>15}",
                  flush=True)
    for path, measured in rows.items():
        if len(measured) > 1:
            first, last = measured[0], measured[-1]
            print(f"{path}: resources per CPU-second at {last['datasets']:,} datasets / at "
                  f"{first['datasets']:,}: {last['per_cpu_s'] / first['per_cpu_s']:.2f} "
                  "(1.00 = linear)")
    if len(rows) == 2:
        for fast, plain in zip(rows["fast"], rows["plain"], strict=True):
            print(f"{fast['datasets']:,} datasets: the fast path takes "
                  f"{plain['cpu_s'] / fast['cpu_s']:.1f}x less CPU than the plain one")
    with tempfile.TemporaryDirectory() as cache:
        cold(["synth", "--cache", cache, "-o", os.devnull], 1)  # fills the cache
        for what, command in (
            ("`guardian synth --no-cache`", ["synth", "--no-cache", "-o", os.devnull]),
            ("`guardian check --no-cache`", ["check", "--no-cache", "--format", "json"]),
            ("`guardian check`, a cache hit", ["check", "--cache", cache, "--format", "json"]),
        ):
            c = cold(command, args.repeat)
            print(f"cold {what} on the example, {args.repeat} runs: CPU min "
                  f"{c['min_cpu_s']:.2f} s, median {c['median_cpu_s']:.2f} s; wall min "
                  f"{c['min_wall_s']:.2f} s, median {c['median_wall_s']:.2f} s", flush=True)
    print(f"{load()} at the end")


if __name__ == "__main__":
    main()
