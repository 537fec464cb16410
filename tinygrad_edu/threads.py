"""How many BLAS threads numpy's matrix products may use.

On a machine whose cores other processes already keep busy, BLAS's default (one thread per core)
oversubscribes them: on this project's loaded 2-core machine `tinygrad-edu lecture dnn` took
59–65 s with OpenBLAS's 2 threads and 4.4 s with 1 (issue 15). `sane_thread_count()` picks the
cores left free; `blas_threads(n)` applies a count for a block (threadpoolctl), and the
`tinygrad-edu --threads N|auto` option wraps every command in it.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from contextlib import contextmanager

# Set any of these and the user has chosen: "auto" then leaves BLAS alone.
_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def available_cpus() -> int:
    """The CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def sane_thread_count(cpus: int | None = None, load: float | None = None) -> int:
    """Threads = the CPUs not already busy: cpus − (1-minute load average), rounded, in
    [1, cpus]. An idle 2-core machine gets 2, one with a load of 1.6 or more gets 1."""
    cpus = available_cpus() if cpus is None else cpus
    if load is None:
        load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    return max(1, min(cpus, math.floor(cpus - load + 0.5)))


def parse_threads(text: str) -> int | None:
    """'auto' → None (decide at run time); a positive integer → that count; else ValueError."""
    if text == "auto":
        return None
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise ValueError(f"--threads must be 'auto' or a positive integer, got {text!r}")
    return n


@contextmanager
def blas_threads(n: int | None = None) -> Iterator[int | None]:
    """Run the block with at most n BLAS threads (n=None: `sane_thread_count()`, unless one of
    OPENBLAS_NUM_THREADS / OMP_NUM_THREADS / MKL_NUM_THREADS is set). Yields the count used,
    or None when BLAS was left as it was. The previous limits come back on exit."""
    if n is None and any(os.environ.get(v) for v in _ENV):
        yield None
        return
    from threadpoolctl import threadpool_limits

    count = sane_thread_count() if n is None else n
    with threadpool_limits(limits=count, user_api="blas"):
        yield count
