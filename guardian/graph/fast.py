"""The offline fast path through Pulumi's runtime: the same registrations, less machinery.

A program's run under mocks spends most of its time in two pieces of the SDK made for a real
engine across gRPC. Every resource monitor call goes through `loop.run_in_executor` to a
thread pool, then back to the event loop; here the monitor is Guardian's own, in-process, and
answers at once, so the event loop calls it inline. And `pulumi.runtime.stack.wait_for_rpcs`
waits for the outstanding outputs with `asyncio.wait(FIRST_COMPLETED)` in a loop, one round
per finished task over all those still pending: quadratic in the size of the program. Here
each round waits once for all of them (returning early on the first error, as before).

Both touch SDK internals, so they are pinned: the Pulumi versions tested (TESTED) and the
internals relied on are checked before each run; when either differs, synthesis takes the
plain path and says so in one line. Source positions are Guardian's own on both paths
(guardian.graph.program), so both give byte-identical graphs; a test holds them to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import Executor
from typing import TypeVar, TypeVarTuple

T = TypeVar("T")
Ts = TypeVarTuple("Ts")

TESTED = ("3.272.",)  # pulumi versions (prefixes) whose internals this module was tested with
_noted: set[str] = set()


def unavailable() -> str | None:
    """Why the fast path cannot run with the installed Pulumi; None when it can."""
    from importlib.metadata import PackageNotFoundError, version

    from pulumi.runtime import settings, stack

    try:
        installed = version("pulumi")
    except PackageNotFoundError:
        installed = "(unknown version)"
    if not installed.startswith(TESTED):
        return f"pulumi {installed} is not a version it was tested with"
    wait = getattr(stack, "wait_for_rpcs", None)
    if not inspect.iscoroutinefunction(wait) or \
            list(inspect.signature(wait).parameters) != ["await_all_outstanding_tasks"]:
        return "pulumi.runtime.stack.wait_for_rpcs is not the expected coroutine"
    state = getattr(settings, "SETTINGS", None)
    manager = getattr(settings, "_get_rpc_manager", None)
    if state is None or manager is None or not hasattr(stack, "_get_rpc_manager"):
        return "pulumi.runtime.settings has no SETTINGS or _get_rpc_manager"
    return None


def note_fallback(reason: str) -> None:
    """Say once per process why synthesis takes the plain path."""
    if reason not in _noted:
        _noted.add(reason)
        print(f"guardian: note: synthesis takes the plain path ({reason}); it is slower, "
              "its graph the same", file=sys.stderr)


class InlineLoop(asyncio.SelectorEventLoop):
    """An event loop that runs work for the default executor inline: the mock monitor's calls
    return at once, no thread hand-off. Work for an explicit executor still goes there."""

    def run_in_executor(self, executor: Executor | None, func: Callable[[*Ts], T], *args: *Ts
                        ) -> asyncio.Future[T]:
        if executor is not None:
            return super().run_in_executor(executor, func, *args)
        future: asyncio.Future[T] = self.create_future()
        try:
            future.set_result(func(*args))
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # noqa: BLE001 (handed to the awaiting coroutine)
            future.set_exception(exc)
        return future


async def _wait_for_rpcs(await_all_outstanding_tasks: bool = True) -> None:
    """`pulumi.runtime.stack.wait_for_rpcs` with one `asyncio.wait` per round."""
    from pulumi.runtime.settings import SETTINGS, _get_rpc_manager

    rpc_manager = _get_rpc_manager()
    while True:
        while rpc_manager.rpcs:
            await asyncio.sleep(0)
            try:
                await rpc_manager.rpcs.pop()
            except Exception as exn:
                if rpc_manager.unhandled_exception is not None:
                    cause = rpc_manager.unhandled_exception.with_traceback(
                        rpc_manager.exception_traceback)
                    raise exn from cause
                raise
        if rpc_manager.unhandled_exception is not None:
            raise rpc_manager.unhandled_exception.with_traceback(
                rpc_manager.exception_traceback)
        if await_all_outstanding_tasks:
            while True:
                with SETTINGS.lock:
                    if not SETTINGS.outputs:
                        break
                    pending = list(SETTINGS.outputs)
                    SETTINGS.outputs.clear()
                done, not_done = await asyncio.wait(
                    pending, return_when=asyncio.FIRST_EXCEPTION)
                for task in pending:  # the first failure, in the order they were pending
                    if task in done:
                        await task
                if not_done:
                    with SETTINGS.lock:
                        SETTINGS.outputs.update(not_done)
        if not rpc_manager.rpcs:
            break


@contextlib.contextmanager
def single_wait() -> Iterator[None]:
    """While active, Pulumi waits for outstanding outputs one round at a time."""
    from pulumi.runtime import stack

    saved = stack.wait_for_rpcs
    stack.wait_for_rpcs = _wait_for_rpcs
    try:
        yield
    finally:
        stack.wait_for_rpcs = saved
