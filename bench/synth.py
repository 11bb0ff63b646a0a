"""Benchmark offline synthesis: resources per second and peak memory for generated catalogs of
10, 100 and 1,000 datasets, and the cold wall time of `guardian synth` on the example.

    .venv/bin/python bench/synth.py [--sizes 10 100 1000] [--repeat 3]

Each size runs in its own process (so peak RSS belongs to that size alone), after one warm-up
synthesis that pays for importing pulumi_aws. Time is measured without tracemalloc; a second
run under tracemalloc gives the peak of Python allocations during synthesis.
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
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLASSES = ("public", "internal", "confidential", "restricted")


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


def measure_one(n: int) -> dict[str, float]:
    from guardian.graph.program import synthesize

    with tempfile.TemporaryDirectory() as tmp:
        def run(size: int) -> int:
            path = Path(tmp) / f"catalog-{size}.yaml"
            path.write_text(catalog_yaml(size), encoding="utf-8")
            return len(synthesize(ROOT, config={"guardian:catalog": str(path)}))

        run(1)  # warm-up: imports pulumi_aws and the modules
        start = time.perf_counter()
        resources = run(n)
        seconds = time.perf_counter() - start
        tracemalloc.start()
        run(n)
        _, traced_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    return {
        "datasets": n, "resources": resources, "seconds": round(seconds, 3),
        "resources_per_second": round(resources / seconds, 1),
        "peak_rss_mib": round(peak_rss, 1), "traced_peak_mib": round(traced_peak / 2**20, 1),
    }


def cold_synth(repeat: int) -> dict[str, float]:
    """Wall time of a fresh `guardian synth` process on the example project."""
    times, cpu = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "guardian.cli", "synth", "-o",
                            str(Path(tmp) / "graph.json")], cwd=ROOT, check=True,
                           capture_output=True)
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    # CPU time is shown beside wall time: on a shared machine the wall time includes waiting.
    return {"runs": repeat, "min_seconds": round(min(times), 3),
            "median_seconds": round(statistics.median(times), 3),
            "median_cpu_seconds": round(statistics.median(cpu), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # child process mode
    args = parser.parse_args()
    if args.one is not None:
        print(json.dumps(measure_one(args.one)))
        return
    print(f"{'datasets':>8} {'resources':>9} {'seconds':>8} {'res/s':>8} "
          f"{'peak RSS MiB':>12} {'traced MiB':>10}")
    for n in args.sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], check=True,
                             capture_output=True, text=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['datasets']:>8} {r['resources']:>9} {r['seconds']:>8} "
              f"{r['resources_per_second']:>8} {r['peak_rss_mib']:>12} {r['traced_peak_mib']:>10}")
    cold = cold_synth(args.repeat)
    print(f"cold `guardian synth` on the example: min {cold['min_seconds']} s, "
          f"median {cold['median_seconds']} s (CPU {cold['median_cpu_seconds']} s) "
          f"over {cold['runs']} runs; load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
