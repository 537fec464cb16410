"""Engine benchmarks (issue 2). Prints figures and ratios; asserts nothing.

(a) scalar engine: a 2-16-16-1 MLP of Values on 100 two-moons points (noise 0.1), SVM max-margin
    loss + 1e-4 L2, 100 full-batch SGD steps with lr 1.0 − 0.9·k/100 (micrograd's demo):
    seconds, µs per graph node, peak RSS;
(b) a 1,000,000-op scalar chain, forward + backward: seconds and peak memory;
(c) per-op overhead of a tiny Tensor op forward+backward, as a ratio to the bare numpy op.

Times are CPU seconds of this process (time.process_time): on a shared machine wall time also
counts the waits for a core. bench/scalar.py and bench/tensor_graphs.py cover the graphs off
the fused path (the collector, backward's memory, row loops, per-op overhead).

    python bench/engine.py            # all three
    python bench/engine.py --quick    # smaller sizes, for a smoke run
"""

from __future__ import annotations

import argparse
import gc
import math
import resource
import statistics
import sys
import time

import numpy as np

from tinygrad_edu import Tensor, Value, nn


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def make_moons(n: int, noise: float, seed: int) -> tuple[list[list[float]], list[float]]:
    """Two interleaving half circles (as sklearn's make_moons); labels ±1."""
    rng = np.random.default_rng(seed)
    n_out, n_in = n // 2, n - n // 2
    t_out, t_in = np.linspace(0, math.pi, n_out), np.linspace(0, math.pi, n_in)
    x = np.concatenate(
        [np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 0.5 - np.sin(t_in)]]
    )
    x += rng.normal(scale=noise, size=x.shape)
    y = np.r_[-np.ones(n_out), np.ones(n_in)]
    return x.tolist(), y.tolist()


def bench_moons(steps: int) -> dict[str, float]:
    xs, ys = make_moons(100, 0.1, seed=0)
    # the library's scalar twin: each neuron's z = Σ wᵢxᵢ + b is one Value node
    model = nn.ValueMLP([2, 16, 16, 1], activation="relu", seed=1337)
    params = model.parameters()
    inputs = [[Value(a, requires_grad=False), Value(b, requires_grad=False)] for a, b in xs]
    nodes = 0
    t0 = time.process_time()
    for k in range(steps):
        scores = [model(x) for x in inputs]
        losses = [(1 - yi * s).relu() for yi, s in zip(ys, scores)]
        data_loss = Value.sum(losses) * (1.0 / len(losses))
        reg = 1e-4 * Value.sum([p * p for p in params])
        total = data_loss + reg
        if k == 0:
            nodes = len(total.walk())
        for p in params:
            p.zero_grad()
        total.backward()
        lr = 1.0 - 0.9 * k / 100
        for p in params:
            p.data -= lr * p.grad
    seconds = time.process_time() - t0
    acc = sum((s.data > 0) == (yi > 0) for s, yi in zip(scores, ys)) / len(ys)
    return {
        "seconds": seconds,
        "us_per_node": seconds / (nodes * steps) * 1e6,
        "nodes_per_step": nodes,
        "final_loss": total.data,
        "accuracy": acc,
        "peak_rss_mb": peak_rss_mb(),
    }


def bench_chain(n: int) -> dict[str, float]:
    before = current_rss_mb()
    x = Value(0.5, label="x")
    t0 = time.process_time()
    y = x
    for _ in range(n):
        y = y.tanh()
    t_fwd = time.process_time() - t0
    rss = current_rss_mb() - before
    t0 = time.process_time()
    y.backward()
    t_bwd = time.process_time() - t0
    ok = math.isfinite(x.grad)
    del y
    return {"forward_s": t_fwd, "backward_s": t_bwd, "graph_mb": rss, "grad_finite": ok}


def bench_tensor_op(reps: int) -> list[tuple[str, float, float, float]]:
    """Median µs of forward+backward through the engine vs the same numpy work by hand."""
    rng = np.random.default_rng(0)
    a_np = rng.normal(size=(4, 4)).astype(np.float32)
    b_np = rng.normal(size=(4, 4)).astype(np.float32)
    g_np = np.ones((4, 4), np.float32)
    a = Tensor(a_np, requires_grad=True)
    b = Tensor(b_np, requires_grad=True)

    def engine_mul() -> None:
        a.grad = b.grad = None
        (a * b).backward(g_np)

    def numpy_mul() -> None:
        _ = a_np * b_np
        _ = g_np * b_np, g_np * a_np

    def engine_matmul() -> None:
        a.grad = b.grad = None
        (a @ b).backward(g_np)

    def numpy_matmul() -> None:
        _ = a_np @ b_np
        _ = g_np @ b_np.T, a_np.T @ g_np

    def engine_sigmoid() -> None:
        a.grad = None
        a.sigmoid().backward(g_np)

    def numpy_sigmoid() -> None:
        s = 1 / (1 + np.exp(-a_np))
        _ = g_np * s * (1 - s)

    def timeit(fn, n: int) -> float:  # type: ignore[no-untyped-def]
        samples = []
        for _ in range(7):
            t0 = time.process_time()
            for _ in range(n):
                fn()
            samples.append((time.process_time() - t0) / n * 1e6)
        return statistics.median(samples)

    rows = []
    for name, eng, ref in (
        ("mul 4x4", engine_mul, numpy_mul),
        ("matmul 4x4", engine_matmul, numpy_matmul),
        ("sigmoid 4x4", engine_sigmoid, numpy_sigmoid),
    ):
        timeit(eng, 200)
        e, r = timeit(eng, reps), timeit(ref, reps)
        rows.append((name, e, r, e / r))
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    args = ap.parse_args(argv)
    steps, chain, reps = (10, 100_000, 500) if args.quick else (100, 1_000_000, 5000)

    print(f"python {sys.version.split()[0]}, numpy {np.__version__}, gc enabled: {gc.isenabled()}")
    m = bench_moons(steps)
    print(
        f"(a) moons, 2-16-16-1 Value MLP, {steps} steps: {m['seconds']:.2f} s, "
        f"{m['us_per_node']:.2f} µs/node ({m['nodes_per_step']} nodes/step), "
        f"loss {m['final_loss']:.4f}, accuracy {m['accuracy']:.0%}, "
        f"peak RSS {m['peak_rss_mb']:.0f} MB"
    )
    c = bench_chain(chain)
    print(
        f"(b) chain of {chain:,} tanh ops: forward {c['forward_s']:.2f} s, backward "
        f"{c['backward_s']:.2f} s, graph {c['graph_mb']:.0f} MB "
        f"({c['graph_mb'] * 2**20 / chain:.0f} B/node), recursion limit {sys.getrecursionlimit()}, "
        f"grad finite: {c['grad_finite']}"
    )
    print("(c) tiny Tensor op, forward+backward, median µs: engine / hand-written numpy")
    for name, e, r, ratio in bench_tensor_op(reps):
        print(f"    {name:<12} {e:7.2f} µs / {r:6.2f} µs = {ratio:4.1f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
