"""The corpus behind bench/corpus.py holds: every program gets exactly its expected findings
(medium or worse), and no clean program is blocked."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("corpus", ROOT / "bench" / "corpus.py")
assert _spec and _spec.loader
corpus = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(corpus)
CASES = corpus.cases([])


def test_the_corpus_is_realistic_in_size_and_half_clean() -> None:
    clean = [c for c in CASES if not corpus.expected(c)]
    assert len(CASES) >= 25 and len(clean) >= len(CASES) // 2 - 1


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_case(case: Path) -> None:
    found, blocking = corpus.found(case)
    assert found == corpus.expected(case)
    if not corpus.expected(case):
        assert blocking == set()
