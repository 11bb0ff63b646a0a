"""Precision and recall of `guardian check` on a corpus of programs written the way teams write
them (bench/corpus/programs/): loops, helper functions, ComponentResources, transformations,
config-driven regions and names, `Output.apply` chains, `get_policy_document`, older inline
arguments; half of them clean.

Each case folder holds a Pulumi program and an `expected` file: one finding a line, `RULE
resource-name`, for every finding of medium severity or worse (what a team must act on; low
findings are advice); nothing but comments for a clean program. The catalog is
bench/corpus/catalog.yaml. Printed: per case, the findings missed (false negatives) and the
ones not expected (false positives); then precision, recall, and the blocking findings (at the
default `--fail-on high`) on the clean cases, which should be none.

    .venv/bin/python bench/corpus.py [CASE ...]
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from guardian.findings import Result

HERE = Path(__file__).resolve().parent / "corpus"
PROGRAMS = HERE / "programs"
CATALOG = HERE / "catalog.yaml"
TODAY = date(2026, 6, 1)  # the corpus's waivers and attestations are dated against this day
MEDIUM = 2  # severity_rank("medium")


def expected(case: Path) -> set[tuple[str, str]]:
    lines = (case / "expected").read_text(encoding="utf-8").splitlines()
    out = set()
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if line:
            rule, resource = line.split()
            out.add((rule, resource))
    return out


def found(case: Path) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """`guardian check`'s findings of medium severity or worse on the case, and its blocking
    ones, as (rule, resource name)."""
    from guardian.catalog import load_catalog
    from guardian.check import evaluate
    from guardian.findings import severity_rank
    from guardian.graph.program import synthesize

    report = evaluate(load_catalog(CATALOG), synthesize(case, "dev"), today=TODAY)

    def key(r: Result) -> tuple[str, str]:
        f = r.finding
        return f.rule, f.resource.name if f.resource else str(f.dataset)

    return ({key(r) for r in report.results if severity_rank(r.severity) <= MEDIUM},
            {key(r) for r in report.blocking})


def cases(names: list[str]) -> list[Path]:
    found = sorted(p for p in PROGRAMS.iterdir() if (p / "expected").is_file())
    return [p for p in found if not names or p.name in names]


def main(argv: list[str]) -> int:
    tp = fp = fn = clean_fp = clean = 0
    started = time.perf_counter()
    for case in cases(argv):
        want, (got, blocking) = expected(case), found(case)
        hits, extra, missed = want & got, got - want, want - got
        tp, fp, fn = tp + len(hits), fp + len(extra), fn + len(missed)
        if not want:
            clean += 1
            clean_fp += len(blocking)
        status = "ok" if not extra and not missed else "MISMATCH"
        print(f"{case.name:<32} {'clean' if not want else f'{len(want)} expected':<12} {status}")
        for rule, resource in sorted(missed):
            print(f"    missed        {rule} {resource}")
        for rule, resource in sorted(extra):
            print(f"    not expected  {rule} {resource}")
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    print(f"\n{len(cases(argv))} programs ({clean} clean), {time.perf_counter() - started:.1f} s")
    print(f"findings (medium or worse): {tp} expected and found, {fp} not expected, "
          f"{fn} missed")
    print(f"precision {precision:.3f}, recall {recall:.3f}; "
          f"false blocking findings on clean programs: {clean_fp}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
