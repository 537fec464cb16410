"""Tensor graphs off the fused path (issue 15): per-op overhead, row loops, gathers, fan-out.

(a) tiny (a*b+c).sum() forward+backward on 4×4 float64, µs: engine, the same by hand in numpy,
    PyTorch (when importable);
(b) a chain of 10,000 ops (y = y * 1.0001 + x), forward+backward, µs per op;
(c) a row loop s = x[0]; for i in 1..n−1: s = s + x[i]; then backward, for n = 100, 400, 1,600
    (x: n×64): ms, against numpy's forward-only loop of the same additions (the issue's floor);
(d) gather backward: the gradient of table[idx] (10,000 × 64 table, 100,000 indices) by the
    engine's bincount scatter, against np.add.at;
(e) fan-out memory: for i in range(100): s = s + x * (i + 1) on a 4 MB x, then backward: peak
    RSS above the start, in a fresh process each, engine and PyTorch.

Times are CPU seconds of this process (time.process_time: on a shared machine wall time also
counts the waits for a core), medians with [min–max] of interleaved repeats (engine and baseline
alternate); torch runs with one thread, like numpy here. Compare the ratios printed in one run.

    python bench/tensor_graphs.py            # full run, ~1 minute
    python bench/tensor_graphs.py --quick
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable

import numpy as np

from tinygrad_edu import Tensor


def interleaved(fns: dict[str, Callable[[], object]], reps: int, inner: int) -> dict[str, list]:
    """Seconds per call of each fn: `reps` rounds, each timing `inner` calls of every fn."""
    out: dict[str, list[float]] = {k: [] for k in fns}
    for fn in fns.values():
        fn()
    for _ in range(reps):
        for k, fn in fns.items():
            t0 = time.process_time()
            for _ in range(inner):
                fn()
            out[k].append((time.process_time() - t0) / inner)
    return out


def spread(xs: list[float], scale: float, fmt: str = ".2f") -> str:
    return (
        f"{statistics.median(xs) * scale:{fmt}} [{min(xs) * scale:{fmt}}–{max(xs) * scale:{fmt}}]"
    )


def ratio(a: list[float], b: list[float]) -> float:
    return statistics.median(a) / statistics.median(b)


def bench_tiny(reps: int) -> None:
    rng = np.random.default_rng(0)
    an, bn, cn = (rng.normal(size=(4, 4)) for _ in range(3))
    a, b, c = (Tensor(v, requires_grad=True) for v in (an, bn, cn))

    def engine() -> None:
        a.grad = b.grad = c.grad = None
        (a * b + c).sum().backward()

    def numpy() -> None:
        _ = (an * bn + cn).sum()
        g = np.ones_like(an)
        _ = g * bn, g * an, g

    fns: dict[str, Callable[[], object]] = {"engine": engine, "numpy": numpy}
    try:
        import torch

        torch.set_num_threads(1)
        at, bt, ct = (torch.tensor(v, requires_grad=True) for v in (an, bn, cn))

        def torch_step() -> None:
            at.grad = bt.grad = ct.grad = None
            (at * bt + ct).sum().backward()

        fns["torch"] = torch_step
    except ImportError:
        pass
    t = interleaved(fns, reps, 200)
    line = f"(a) tiny (a*b+c).sum() fwd+bwd, µs: engine {spread(t['engine'], 1e6)}, numpy "
    line += f"{spread(t['numpy'], 1e6)}"
    if "torch" in t:
        line += f", torch {spread(t['torch'], 1e6)}"
    print(line + f"; engine/numpy {ratio(t['engine'], t['numpy']):.1f}× (target ≤ 10 µs)")


def bench_chain(n: int, reps: int) -> None:
    x = Tensor(np.ones(4), requires_grad=True)

    def engine() -> None:
        x.grad = None
        y = x
        for _ in range(n):
            y = y * 1.0001 + x
        y.sum().backward()

    t = interleaved({"engine": engine}, reps, 1)
    print(
        f"(b) chain of {n:,} ops (y = y·1.0001 + x, 4 elements), fwd+bwd: "
        f"{spread(t['engine'], 1e6 / (2 * n))} µs per op (target ≤ 8)"
    )


def bench_row_loop(sizes: list[int], reps: int) -> None:
    print("(c) row loop s = s + x[i], then backward; numpy: the forward loop alone")
    rng = np.random.default_rng(0)
    per: list[float] = []
    for n in sizes:
        xn = rng.normal(size=(n, 64))
        x = Tensor(xn, requires_grad=True)

        def engine(x: Tensor = x, n: int = n) -> None:
            x.grad = None
            s = x[0]
            for i in range(1, n):
                s = s + x[i]
            s.sum().backward()

        def numpy(xn: np.ndarray = xn, n: int = n) -> None:
            s = xn[0]
            for i in range(1, n):
                s = s + xn[i]

        t = interleaved({"engine": engine, "numpy": numpy}, reps, 1)
        per.append(statistics.median(t["engine"]) / n)
        print(
            f"    n = {n:>5}: engine {spread(t['engine'], 1e3)} ms, numpy "
            f"{spread(t['numpy'], 1e3, '.3f')} ms, engine/numpy "
            f"{ratio(t['engine'], t['numpy']):.1f}× (target ≤ 3 at 1,600)"
        )
    print(
        f"    µs per row: {', '.join(f'{p * 1e6:.1f}' for p in per)} (linear in n: about constant)"
    )


def bench_gather(reps: int) -> None:
    rng = np.random.default_rng(0)
    table = rng.normal(size=(10_000, 64))
    idx = rng.integers(0, 10_000, 100_000)
    g = rng.normal(size=(100_000, 64))
    t = Tensor(table, requires_grad=True)

    def engine() -> None:
        t.grad = None
        t[idx].backward(g)

    def add_at() -> None:
        out = np.zeros_like(table)
        np.add.at(out, idx, g)

    r = interleaved({"engine": engine, "add.at": add_at}, reps, 1)
    print(
        f"(d) gather backward, table 10,000×64, 100,000 indices, ms: engine (bincount) "
        f"{spread(r['engine'], 1e3)}, np.add.at alone {spread(r['add.at'], 1e3)}; "
        f"add.at/engine {ratio(r['add.at'], r['engine']):.1f}×"
    )


FANOUT = """
import resource, sys
import numpy as np
def peak():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
x0 = np.random.default_rng(0).normal(size=(512, 1024))  # 4 MB of float64
if sys.argv[1] == "engine":
    from tinygrad_edu import Tensor
    x = Tensor(x0, requires_grad=True)
    before = peak()
    s = x * 1.0
    for i in range(100):
        s = s + x * (i + 1)
    s.sum().backward()
else:
    import torch
    x = torch.tensor(x0, requires_grad=True)
    before = peak()
    s = x * 1.0
    for i in range(100):
        s = s + x * (i + 1)
    s.sum().backward()
print(peak() - before)
"""


def bench_fanout() -> None:
    out = {}
    for who in ("engine", "torch"):
        r = subprocess.run(
            [sys.executable, "-c", FANOUT, who], capture_output=True, text=True, check=False
        )
        out[who] = float(r.stdout.strip()) if r.returncode == 0 else None
    eng, tor = out["engine"], out["torch"]
    line = (
        f"(e) fan-out, 100 × (s = s + x·k) on a 4 MB x, peak RSS above start: engine {eng:.0f} MB"
    )
    if tor is not None:
        line += f", torch {tor:.0f} MB; engine/torch {eng / tor:.2f} (target ≤ 1)"
    print(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args(argv)
    q = args.quick
    print(f"python {sys.version.split()[0]}, numpy {np.__version__}")
    bench_tiny(reps=5 if q else 15)
    bench_chain(2_000 if q else 10_000, reps=3 if q else 7)
    bench_row_loop([100, 400, 1600], reps=3 if q else 7)
    bench_gather(reps=3 if q else 7)
    bench_fanout()
    return 0


if __name__ == "__main__":
    sys.exit(main())
