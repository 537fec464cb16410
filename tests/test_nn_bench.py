"""bench/mlp.py measures the same step three ways; check here that they really are the same
step (same loss, same updated weights), so the benchmark compares like with like."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "mlp.py"


@pytest.fixture(scope="module")
def bench():
    if not BENCH.exists():
        pytest.skip("needs the source tree (bench/mlp.py)")
    spec = importlib.util.spec_from_file_location("bench_mlp", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_ours_and_hand_written_numpy_take_the_same_step(bench):
    w = bench.initial_weights()
    assert [a.dtype for wb in w for a in wb] == [np.float32] * 6
    impls = [bench.Ours(w), bench.HandNumpy(w)]
    try:
        impls.append(bench.Torch(w))
    except ImportError:
        pass
    assert bench.check_agreement(impls) == []


def test_check_agreement_can_fail(bench):
    w = bench.initial_weights()
    other = bench.HandNumpy(w)
    other.params[0][0, 0] += 0.5
    problems = bench.check_agreement([bench.Ours(w), other])
    assert any("parameter #0 differs after one step by 0.5" in p for p in problems)


def test_step_reduces_the_loss(bench):
    impl = bench.Ours(bench.initial_weights())
    x, y = bench.data(64)
    first = impl.step(x, y)
    for _ in range(20):
        last = impl.step(x, y)
    assert last < first
