"""bench/cnn.py times the same step three ways; check here that they really are the same step
(same loss, same updated weights), so the benchmark compares like with like."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "cnn.py"


@pytest.fixture(scope="module")
def bench():
    if not BENCH.exists():
        pytest.skip("needs the source tree (bench/cnn.py)")
    spec = importlib.util.spec_from_file_location("bench_cnn", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_ours_hand_written_numpy_and_torch_take_the_same_step(bench):
    impls = [bench.Ours(), bench.HandNumpy()]
    try:
        impls.append(bench.Torch())
    except ImportError:
        pass
    assert [w.dtype for w in impls[1].weights()] == [np.float32] * 10
    assert bench.check_agreement(impls) == []


def test_check_agreement_can_fail(bench):
    other = bench.HandNumpy()
    other.params[2][0, 0, 0, 0] += 0.5  # one weight of the second convolution
    problems = bench.check_agreement([bench.Ours(), other])
    assert any("numpy" in p for p in problems)


def test_im2col_buffers_are_freed_with_the_graph(bench):
    assert bench.im2col_freed(4)
