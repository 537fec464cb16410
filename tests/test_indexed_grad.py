"""Indexing gradients are accumulated in place, one buffer per backward (issue 15)."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor


def test_row_loop_gradient_is_one_per_element() -> None:
    x = Tensor(np.arange(15.0).reshape(5, 3), requires_grad=True)
    s = x[0]
    for i in range(1, 5):
        s = s + x[i] * float(i)
    s.sum().backward()
    expected = np.repeat(np.array([[0.0], [1.0], [2.0], [3.0], [4.0]]), 3, axis=1)
    expected[0] = 1.0
    np.testing.assert_array_equal(x.grad, expected)


def test_repeated_integer_indices_accumulate() -> None:
    a = Tensor([10.0, 20.0, 30.0], requires_grad=True)
    a[[0, 0, 2]].sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 0.0, 1.0])
    m = Tensor(np.zeros((3, 2)), requires_grad=True)
    (m[np.array([2, 2, 0, -1])] * Tensor([[1.0, 2.0]])).sum().backward()
    np.testing.assert_array_equal(m.grad, [[1.0, 2.0], [0.0, 0.0], [3.0, 6.0]])


def test_row_and_column_arrays_pick_one_element_each() -> None:
    logits = Tensor(np.zeros((3, 4)), requires_grad=True)
    rows, cols = np.array([0, 1, 2, 2]), np.array([3, 0, 1, 1])
    logits[rows, cols].sum().backward()
    expected = np.zeros((3, 4))
    expected[0, 3] = expected[1, 0] = 1.0
    expected[2, 1] = 2.0
    np.testing.assert_array_equal(logits.grad, expected)


def test_boolean_masks_select_as_in_numpy() -> None:
    data = np.arange(6.0).reshape(2, 3)
    mask = np.array([[True, False, True], [False, False, True]])
    x = Tensor(data, requires_grad=True)
    y = x[mask]
    np.testing.assert_array_equal(y.data, [0.0, 2.0, 5.0])
    (y * Tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad, [[1.0, 0.0, 2.0], [0.0, 0.0, 3.0]])
    z = Tensor(data, requires_grad=True)
    z[np.array([True, False]), np.array([2])].sum().backward()  # a mask beside an array
    np.testing.assert_array_equal(z.grad, [[0.0, 0.0, 1.0], [0.0, 0.0, 0.0]])


def test_a_slice_beside_an_index_array() -> None:
    x = Tensor(np.zeros((2, 3)), requires_grad=True)
    x[:, [1, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad, [[0.0, 2.0, 0.0], [0.0, 2.0, 0.0]])


def test_in_place_accumulation_never_writes_into_a_shared_array() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    c = a + b  # Add hands the same upstream array to a and to b
    (c * 2.0 + a * 3.0 + a[0] * 5.0).sum().backward()  # a[0]·5 broadcasts to both elements
    np.testing.assert_array_equal(a.grad, [2.0 + 3.0 + 10.0, 5.0])
    np.testing.assert_array_equal(b.grad, [2.0, 2.0])
    a.zero_grad()
    b.zero_grad()
    # (a + b) hands one array to both a and b first; then a[1]'s scatter must not write into it
    (a[1] + (a + b).sum()).backward()
    np.testing.assert_array_equal(a.grad, [1.0, 2.0])
    np.testing.assert_array_equal(b.grad, [1.0, 1.0])
    held = a.grad
    (a * 1.0 + a * 1.0).sum().backward()  # leaves accumulate across calls
    np.testing.assert_array_equal(a.grad, [3.0, 4.0])
    np.testing.assert_array_equal(held, [1.0, 2.0])  # the array handed out is not touched


def test_gather_backward_matches_torch() -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    table = rng.normal(size=(7, 5))
    idx = rng.integers(0, 7, size=(4, 6))
    g = rng.normal(size=(4, 6, 5))
    t = Tensor(table, requires_grad=True)
    t[idx].backward(g)
    tt = torch.tensor(table, requires_grad=True)
    tt[torch.tensor(idx)].backward(torch.tensor(g))
    np.testing.assert_allclose(t.grad, tt.grad.numpy(), rtol=1e-12, atol=1e-12)
