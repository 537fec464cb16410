"""Scalar graphs off the fused path (issue 15): the cyclic collector and backward's memory.

(a) micrograd's demo graph, built node for node with binary ops (no fused neuron): a 2-16-16-1
    ReLU MLP on 100 two-moons points, SVM max-margin loss + 1e-4 L2, SGD. Written here from the
    demo's description, not copied. Seconds per step (forward + backward + update), median of
    interleaved steps, for this engine as plain code (collector on) and with each step inside
    `with tinygrad_edu.collector_paused():` (the collector off for the step); and for micrograd
    itself on the same points and weights when it is installed (`pip install micrograd`).
(b) a chain of N tanh ops: forward and backward seconds (collector on and off, interleaved), the
    graph's memory (RSS growth while building it) and backward's peak above that (VmHWM).
(c) a 200,000-op mul chain: backward seconds, and micrograd's when installed.

    python bench/scalar.py              # full run (~2 minutes on a quiet machine)
    python bench/scalar.py --quick      # smaller sizes, a smoke run
Figures are CPU seconds of the measuring thread (the machine is shared, and wall time would
count the waits for a core), medians with [min–max] over the repeats; every timed part starts
after gc.collect(), so no part pays for another's garbage (micrograd's graphs are cycles that
only the collector frees). Compare the ratios printed in one run, not seconds across runs.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import random
import statistics
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from engine import make_moons  # bench/engine.py's two-moons points, the same here

from tinygrad_edu import Value, collector_paused


def clock() -> float:
    """CPU seconds of this thread: on a shared machine wall time also counts waiting for a core.
    All work here is single-threaded Python, and the collector's time is CPU time too."""
    return time.thread_time()


def spread(samples: list[float], scale: float = 1.0, fmt: str = ".3f") -> str:
    """median [min–max] of the samples, times scale."""
    med = statistics.median(samples) * scale
    lo, hi = min(samples) * scale, max(samples) * scale
    return f"{med:{fmt}} [{lo:{fmt}}–{hi:{fmt}}]"


def rss_mb(field: str = "VmRSS") -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux ≥ 4.0); False where that is not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


# -- (a) the demo graph, for any Value class with micrograd's operators ----------------------------
def initial_weights(sizes: list[int], seed: int) -> list[list[tuple[list[float], float]]]:
    """Per layer, per neuron: (weights uniform in [-1, 1], bias 0), as micrograd initialises."""
    r = random.Random(seed)
    return [
        [([r.uniform(-1, 1) for _ in range(n_in)], 0.0) for _ in range(n_out)]
        for n_in, n_out in zip(sizes, sizes[1:])
    ]


class DemoMLP:
    """micrograd's MLP as binary ops: act = b + w₁x₁ + w₂x₂ + …, ReLU except on the last layer."""

    def __init__(self, value: type, weights: list[list[tuple[list[float], float]]]) -> None:
        self.value = value
        self.layers = [[([value(w) for w in ws], value(b)) for ws, b in layer] for layer in weights]

    def parameters(self) -> list[Any]:
        return [p for layer in self.layers for ws, b in layer for p in (*ws, b)]

    def __call__(self, x: list[Any]) -> Any:
        for i, layer in enumerate(self.layers):
            last = i == len(self.layers) - 1
            out = []
            for ws, b in layer:
                act = sum((w * xi for w, xi in zip(ws, x)), b)
                out.append(act if last else act.relu())
            x = out
        return x[0]


def demo_step(model: DemoMLP, xs: list[list[float]], ys: list[float], k: int) -> tuple[Any, int]:
    """One step of the demo: loss, zero_grad, backward, SGD. Returns (loss node, #nodes)."""
    value = model.value
    inputs = [[value(a) for a in row] for row in xs]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * s).relu() for yi, s in zip(ys, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = 1e-4 * sum(p * p for p in model.parameters())
    total = data_loss + reg_loss
    for p in model.parameters():
        p.grad = 0
    total.backward()
    lr = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= lr * p.grad
    return total, len(inputs)


def bench_demo(steps: int, micrograd_steps: int) -> None:
    xs, ys = make_moons(100, 0.1, seed=0)
    w0 = initial_weights([2, 16, 16, 1], seed=1337)
    ours_on, ours_off = DemoMLP(Value, w0), DemoMLP(Value, w0)
    t_on: list[float] = []
    t_off: list[float] = []
    for k in range(steps):  # interleaved: on, off, on, off, …
        gc.collect()
        t0 = clock()
        loss_on, _ = demo_step(ours_on, xs, ys, k)
        t_on.append(clock() - t0)
        del loss_on
        gc.collect()
        with collector_paused():
            t0 = clock()
            loss_off, _ = demo_step(ours_off, xs, ys, k)
            t_off.append(clock() - t0)
            del loss_off
    total, _ = demo_step(DemoMLP(Value, w0), xs, ys, 0)
    nodes = len(total.walk())
    del total
    on, off = statistics.median(t_on), statistics.median(t_off)
    print(
        f"(a) micrograd's demo graph, binary ops, {nodes:,} nodes/step, {steps} steps each:\n"
        f"    ours, collector on   {spread(t_on, 1e3, '.1f')} ms/step\n"
        f"    ours, step inside `with collector_paused():`  {spread(t_off, 1e3, '.1f')} ms/step\n"
        f"    on/off = {on / off:.2f}  (target ≤ 1.25)"
    )
    try:
        from micrograd.engine import Value as MGValue
    except ImportError:
        print("    micrograd: not installed (pip install micrograd) — skipped")
        return
    mg = DemoMLP(MGValue, w0)
    ours = DemoMLP(Value, w0)
    t_mg: list[float] = []
    t_ours: list[float] = []
    same = True
    for k in range(micrograd_steps):
        gc.collect()
        t0 = clock()
        mg_loss = demo_step(mg, xs, ys, k)[0].data  # the float only: the graph goes now
        t_mg.append(clock() - t0)
        gc.collect()
        t0 = clock()
        our_loss = demo_step(ours, xs, ys, k)[0].data
        t_ours.append(clock() - t0)
        same = same and math.isclose(mg_loss, our_loss, rel_tol=1e-9)
    mgm, oursm = statistics.median(t_mg), statistics.median(t_ours)
    print(
        f"    micrograd            {spread(t_mg, 1e3, '.1f')} ms/step ({micrograd_steps} steps, "
        f"interleaved with ours {spread(t_ours, 1e3, '.1f')}; same loss: {same})\n"
        f"    micrograd/ours = {mgm / oursm:.1f}× as plain code, {mgm / off:.1f}× with the step "
        f"inside collector_paused() (target ≥ 15)"
    )


# -- (b) a long chain: collector and memory -----------------------------------------------------
def build_chain(n: int) -> tuple[Value, Value]:
    x = Value(0.5, label="x")
    y = x
    for _ in range(n):
        y = y.tanh()
    return x, y


def bench_chain(n: int, repeats: int) -> None:
    times: dict[str, list[float]] = {"fwd on": [], "bwd on": [], "fwd off": [], "bwd off": []}
    graph_mb: list[float] = []
    peak_mb: list[float] = []
    peak_ok = True
    for _ in range(repeats):
        for mode in ("on", "off"):
            ctx: Any = collector_paused() if mode == "off" else contextlib.nullcontext()
            gc.collect()
            before = rss_mb()
            with ctx:
                t0 = clock()
                x, y = build_chain(n)
                times[f"fwd {mode}"].append(clock() - t0)
                graph = rss_mb() - before
                peak_ok = reset_peak() and peak_ok
                t0 = clock()
                y.backward()
                times[f"bwd {mode}"].append(clock() - t0)
                peak = rss_mb("VmHWM") - before
            assert math.isfinite(x.grad)
            if mode == "on":
                graph_mb.append(graph)
                peak_mb.append(peak)
            del x, y
    g, p = statistics.median(graph_mb), statistics.median(peak_mb)
    print(
        f"(b) chain of {n:,} tanh ops, {repeats} repeats, seconds:\n"
        f"    forward  collector on {spread(times['fwd on'])}, off {spread(times['fwd off'])}\n"
        f"    backward collector on {spread(times['bwd on'])}, off {spread(times['bwd off'])}"
        f"  (target ≤ 1.2 s at 1M ops, collector on)\n"
        f"    graph {spread(graph_mb, 1, '.0f')} MB ({g * 2**20 / n:.0f} B/node); backward peak "
        f"{spread(peak_mb, 1, '.0f')} MB = {p / g:.2f}× the graph (target ≤ 1.2)"
        + ("" if peak_ok else "  [VmHWM could not be reset: peak includes earlier use]")
    )


# -- (c) a mul chain's backward, against micrograd ----------------------------------------------
def mul_chain(value: type, n: int) -> tuple[Any, Any]:
    x = value(1.0)
    y = x
    for _ in range(n):
        y = y * 1.0000001
    return x, y


def in_big_stack(fn: Callable[[], None]) -> None:
    """Run fn in a thread with a large stack: micrograd's topological sort is recursive."""
    old_limit = sys.getrecursionlimit()
    sys.setrecursionlimit(10**7)
    threading.stack_size(1 << 30)
    try:
        t = threading.Thread(target=fn)
        t.start()
        t.join()
    finally:
        threading.stack_size(0)
        sys.setrecursionlimit(old_limit)


def bench_mul_chain(n: int, repeats: int) -> None:
    ours: list[float] = []
    mg: list[float] = []
    try:
        from micrograd.engine import Value as MGValue
    except ImportError:
        MGValue = None
    for _ in range(repeats):
        _, y = mul_chain(Value, n)
        gc.collect()
        t0 = clock()
        y.backward()
        ours.append(clock() - t0)
        del y
        if MGValue is not None:
            _, ym = mul_chain(MGValue, n)
            gc.collect()

            def run(ym: Any = ym) -> None:
                t0 = clock()
                ym.backward()
                mg.append(clock() - t0)

            in_big_stack(run)
            del ym
    line = f"(c) {n:,}-op mul chain, backward seconds: ours {spread(ours)}"
    if mg:
        line += (
            f", micrograd {spread(mg)}; ours/micrograd = "
            f"{statistics.median(ours) / statistics.median(mg):.2f}"
        )
    print(line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--quick", action="store_true", help="small sizes for a smoke run")
    ap.add_argument("--skip", default="", help="comma-separated parts to skip: a,b,c")
    args = ap.parse_args(argv)
    q = args.quick
    skip = set(args.skip.split(","))
    print(
        f"python {sys.version.split()[0]}, numpy {np.__version__}, gc thresholds "
        f"{gc.get_threshold()}, collector enabled: {gc.isenabled()}"
    )
    if "a" not in skip:
        bench_demo(steps=4 if q else 10, micrograd_steps=1 if q else 3)
    if "b" not in skip:
        bench_chain(100_000 if q else 1_000_000, repeats=2 if q else 3)
    if "c" not in skip:
        bench_mul_chain(20_000 if q else 200_000, repeats=2 if q else 5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
