"""The garbage collector during work whose objects all live until it ends.

Synthesis builds ~150 objects per resource (Pulumi's Outputs, futures, tasks) and evaluation a
graph and its indexes; nothing is freed until they return. CPython's collector, tuned for
programs that churn, walks that growing heap again and again: at 1,000 datasets it was 64% of
synthesis's CPU, 25 full collections of about a second each. Inside `long_lived()`, what is
alive on entry (the imported modules, the catalog) is frozen out of the collector's sight and
young collections come every YOUNG allocations instead of every 700; on exit both are restored.
Cycles are still collected, only less often. A process that ends right after its work (the
`guardian` command) calls `until_exit()`: nothing is restored, so the heap of one phase is never
walked again by the collector on its way out.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

YOUNG = 100_000  # allocations between young collections; CPython's default is 700

_lock = threading.Lock()
_depth = 0
_saved: tuple[tuple[int, ...], bool] = ((), False)
_restore = True


def until_exit() -> None:
    """From now on `long_lived` leaves the collector quiet: for a process that frees nothing
    before it exits."""
    global _restore
    _restore = False


@contextmanager
def long_lived() -> Iterator[None]:
    """Collect rarely while the block runs; nested and concurrent uses share one setting."""
    global _depth, _saved
    with _lock:
        if _depth == 0:
            # Someone else's frozen objects (a pre-forking server's) stay frozen afterwards.
            _saved = (gc.get_threshold(), gc.get_freeze_count() == 0)
            gc.freeze()
            gc.set_threshold(YOUNG, *_saved[0][1:])
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _restore:
                threshold, unfreeze = _saved
                gc.set_threshold(*threshold)
                if unfreeze:
                    gc.unfreeze()
