"""The fast path through Pulumi's runtime gives byte-identical graphs (source locations
included) and identical errors to the plain path, on every program here; with a Pulumi it was
not tested with, synthesis takes the plain path and says so once."""

from __future__ import annotations

import asyncio
import concurrent.futures
from pathlib import Path

import pytest

from bench.synth import catalog_yaml
from guardian.errors import UserError
from guardian.graph import fast
from guardian.graph.program import synthesize
from tests.conftest import ROOT

PROGRAMS = sorted(
    p.parent for pattern in ("tests/**/Pulumi.yaml", "bench/**/Pulumi.yaml")
    for p in ROOT.glob(pattern)
)


def outcome(program: Path, fast_path: bool, **config: str) -> str:
    try:
        return synthesize(program, config=config, fast=fast_path).dumps()
    except UserError as exc:
        return f"error: {exc}"


@pytest.mark.parametrize("program", [ROOT, *PROGRAMS], ids=lambda p: str(p.relative_to(ROOT)))
def test_both_paths_give_the_same_bytes(program):
    plain, quick = outcome(program, False), outcome(program, True)
    assert quick == plain
    if program == ROOT:
        assert '"location"' in quick and not quick.startswith("error")


@pytest.mark.parametrize("size", [3, 40])
def test_both_paths_on_the_bench_catalogs(tmp_path, size):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(catalog_yaml(size))
    plain = outcome(ROOT, False, **{"guardian:catalog": str(catalog)})
    assert outcome(ROOT, True, **{"guardian:catalog": str(catalog)}) == plain
    assert plain.count('"urn"') > 10 * size


def test_an_untested_pulumi_takes_the_plain_path_with_one_note(monkeypatch, capsys):
    monkeypatch.setattr(fast, "TESTED", ("0.0.",))
    monkeypatch.setattr(fast, "_noted", set())
    reason = fast.unavailable()
    assert reason is not None and "is not a version it was tested with" in reason
    program = ROOT / "tests" / "graph" / "programs" / "thirdparty"
    used = []
    monkeypatch.setattr(fast, "single_wait", lambda: used.append(1))  # must not be reached
    first, second = synthesize(program), synthesize(program)
    assert first.dumps() == second.dumps() == outcome(program, False)
    notes = [line for line in capsys.readouterr().err.splitlines() if "plain path" in line]
    assert len(notes) == 1 and notes[0].startswith("guardian: note: synthesis takes the plain")
    assert used == []


def test_changed_internals_are_detected(monkeypatch):
    from pulumi.runtime import stack

    assert fast.unavailable() is None

    async def other(timeout: float) -> None:
        return None

    monkeypatch.setattr(stack, "wait_for_rpcs", other)
    assert "wait_for_rpcs is not the expected coroutine" in fast.unavailable()


def test_the_inline_loop_runs_default_executor_work_at_once():
    loop = fast.InlineLoop()
    try:
        done = loop.run_in_executor(None, lambda x: x + 1, 41)
        assert done.done() and done.result() == 42
        failed = loop.run_in_executor(None, lambda: 1 / 0)
        assert isinstance(failed.exception(), ZeroDivisionError)
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            threaded = loop.run_in_executor(pool, lambda: 7)
            assert loop.run_until_complete(threaded) == 7
    finally:
        loop.close()
        asyncio.set_event_loop(None)
