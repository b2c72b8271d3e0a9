"""A build's budget of time and memory (`fleuron build --max-seconds N --max-memory MB`): past
it, the build stops with a clean error and the output folder stays as the last build left it.

Time is a real-time timer on the build's process; the layout processes die with it
(`parallel.py`), and a timer that ends while the new files are being renamed waits until they
all are (`storage.py`). Memory is where the cost can explode, the layout: under a budget, each
layout runs in a process of its own whose address space is limited (RLIMIT_AS); a layout that
needs more fails there, and the build says so."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

from .errors import FleuronError
from .messages import _


class OverBudget(FleuronError):
    pass


@contextmanager
def time_budget(seconds: float | None) -> Iterator[None]:
    """Within the block, at most `seconds` of real time (no limit when None)."""
    if not seconds:
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise OverBudget(
            _("the build took longer than {seconds} s (--max-seconds); nothing was changed", seconds=seconds)
        )

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def limit_memory(pid: int, megabytes: int) -> None:
    """Limit the address space of the process `pid` (a layout process just started, still
    importing WeasyPrint) to `megabytes`."""
    import resource

    hard = resource.prlimit(pid, resource.RLIMIT_AS)[1]
    wanted = megabytes * 1024 * 1024
    resource.prlimit(pid, resource.RLIMIT_AS, (wanted if hard == resource.RLIM_INFINITY else min(wanted, hard), hard))


def over_memory(megabytes: int) -> OverBudget:
    return OverBudget(
        _(
            "the layout needed more than {megabytes} MB of memory (--max-memory); nothing was changed",
            megabytes=megabytes,
        )
    )


def layout_process_died(error: BaseException, max_memory: int | None) -> None:
    """Say why a layout process gave no result when its cause is known: the memory budget it was
    given (the process, or a library it uses, died of it), or memory itself. Returns otherwise:
    the caller then lays out in a way of its own."""
    if max_memory is not None:
        raise over_memory(max_memory) from None
    if isinstance(error, MemoryError):
        raise error
