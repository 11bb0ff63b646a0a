"""The collector is quiet while a long-lived heap is built, and restored afterwards."""

from __future__ import annotations

import gc

import pytest

from guardian.heap import long_lived


def test_collector_off_and_heap_frozen_inside_restored_after():
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with long_lived():
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0
        with long_lived():  # nested: still one setting
            assert not gc.isenabled()
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_restored_when_the_block_raises():
    with pytest.raises(ValueError), long_lived():
        raise ValueError("boom")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


def test_a_disabled_collector_stays_disabled():
    gc.disable()
    try:
        with long_lived():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_someone_elses_frozen_objects_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with long_lived():
            pass
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_the_blocks_cycles_are_collected_after():
    class Node:
        pass

    gc.collect()
    with long_lived():
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
    assert gc.collect() >= 2


def test_evaluation_runs_with_a_quiet_collector(example_catalog):
    from guardian.check import evaluate
    from guardian.findings import Rule
    from guardian.graph.model import ResourceGraph, Source

    seen = []

    def probe(ctx):
        seen.append(gc.isenabled())
        return [rule.finding("probe")]

    rule = Rule("TST-001", "catalog", "info", "probe", "why", "fix", (), probe)
    report = evaluate(example_catalog, ResourceGraph([], Source("graph", "empty")), rules=(rule,))
    assert seen == [False] and len(report.results) == 1
    assert gc.isenabled()


def test_until_exit_freezes_what_the_block_built():
    import subprocess
    import sys

    code = ("import gc\nfrom guardian import heap\nheap.until_exit()\n"
            "with heap.long_lived():\n    built = [[i] for i in range(1000)]\n"
            "print(gc.isenabled(), gc.get_freeze_count() > 1000, gc.get_count()[0] < 1000)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.split() == ["True", "True", "True"]  # on again, the block frozen
