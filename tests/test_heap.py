"""The collector is quiet while a long-lived heap is built, and restored afterwards."""

from __future__ import annotations

import gc

import pytest

from guardian.heap import YOUNG, long_lived


def test_threshold_raised_and_heap_frozen_inside_restored_after():
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    with long_lived():
        assert gc.get_threshold() == (YOUNG, *before[1:])
        assert gc.get_freeze_count() > 0
        with long_lived():  # nested: still one setting
            assert gc.get_threshold()[0] == YOUNG
        assert gc.get_threshold()[0] == YOUNG
        assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_restored_when_the_block_raises():
    before = gc.get_threshold()
    with pytest.raises(ValueError), long_lived():
        raise ValueError("boom")
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_someone_elses_frozen_objects_stay_frozen():
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with long_lived():
            pass
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_cycles_are_still_collected_inside():
    class Node:
        pass

    with long_lived():
        gc.collect()
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
        seen.append(gc.get_threshold()[0])
        return [rule.finding("probe")]

    rule = Rule("TST-001", "catalog", "info", "probe", "why", "fix", (), probe)
    before = gc.get_threshold()
    report = evaluate(example_catalog, ResourceGraph([], Source("graph", "empty")), rules=(rule,))
    assert seen == [YOUNG] and len(report.results) == 1
    assert gc.get_threshold() == before


def test_until_exit_leaves_the_collector_quiet_in_a_process_that_ends():
    import subprocess
    import sys

    code = ("import gc\nfrom guardian import heap\nbefore = gc.get_threshold()\n"
            "heap.until_exit()\nwith heap.long_lived():\n    pass\n"
            "print(gc.get_threshold()[0] == heap.YOUNG != before[0], gc.get_freeze_count() > 0)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=60)
    assert out.stdout.split() == ["True", "True"]
