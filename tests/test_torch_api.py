"""The engine's PyTorch habits with literal expectations: the silent differences of issue 10
(each test fails on the old behaviour), constructors, seeds, dtypes, numpy interop."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu as tg
from tinygrad_edu import Tensor, Value

# -- the silent differences ----------------------------------------------------------------------


def test_equality_is_elementwise_not_identity() -> None:
    """Was `False` (identity): two tensors holding 1.0 compare equal elementwise."""
    eq = Tensor([1.0]) == Tensor([1.0])
    assert isinstance(eq, Tensor) and eq.dtype == np.bool_ and eq.tolist() == [True]
    assert (Tensor([1.0, 2.0]) != Tensor([1.0, 3.0])).tolist() == [False, True]
    assert (Tensor([1.0, 2.0]) < 2).tolist() == [True, False]
    assert (Tensor([[1.0], [3.0]]) >= Tensor([1.0, 2.0])).tolist() == [[True, False], [True, True]]
    t = Tensor([1.0])
    assert len({t, Tensor([1.0])}) == 2  # hashed by identity, as torch
    assert (t == None) is False and (t != None) is True  # noqa: E711 (what `x == None` asks)
    assert 1.0 in Tensor([[0.0, 1.0]]) and 2.0 not in Tensor([[0.0, 1.0]])
    with pytest.raises(TypeError, match="cannot compare"):
        _ = t < "a"


def test_comparisons_carry_no_gradient() -> None:
    x = Tensor([1.0, -2.0], requires_grad=True)
    m = x > 0
    assert not m.requires_grad and m.parents == ()


def test_transpose_swaps_two_axes() -> None:
    """Was numpy's transpose(axes): transpose(0, 1) was the identity on 2-D tensors."""
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.transpose(0, 1).tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]
    y = Tensor(np.zeros((2, 3, 4)))
    assert y.transpose(0, 1).shape == (3, 2, 4) and y.transpose(-1, 0).shape == (4, 3, 2)
    with pytest.raises(TypeError):
        y.transpose(2, 0, 1)  # a permutation is permute()


def test_indexing_ints_with_arrays_gives_torchs_shape() -> None:
    """numpy gives (2, 3) for x[0, :, [0, 1]] (the advanced axes go first); torch (3, 2)."""
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    z = x[0, :, [0, 1]]
    assert z.shape == (3, 2) and z.tolist() == [[0.0, 1.0], [4.0, 5.0], [8.0, 9.0]]
    z.sum().backward()
    assert x.grad[0, :, :2].tolist() == [[1.0, 1.0]] * 3 and x.grad.sum() == 6.0


def test_a_float_array_is_not_an_index() -> None:
    """A float 0/1 mask used to be read as the indices 0 and 1."""
    x = Tensor([10.0, 20.0, 30.0])
    with pytest.raises(IndexError, match="integers or bools"):
        x[np.array([1.0, 0.0, 1.0])]
    assert x[Tensor([1.0, 0.0, 1.0]) > 0].tolist() == [10.0, 30.0]


# -- dtypes ----------------------------------------------------------------------------------------


def test_int_and_bool_tensors_are_data_and_refuse_grad() -> None:
    t = Tensor([1, 2], dtype=np.int64)
    assert t.dtype == np.int64 and (t * 2).tolist() == [2, 4] and (t * 0.5).tolist() == [0.5, 1.0]
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        Tensor([1, 2], dtype=int, requires_grad=True)
    with pytest.raises(TypeError, match="only floating-point tensors can require grad"):
        tg.arange(3).requires_grad_()
    x = Tensor([1.0, 2.0], dtype=np.float32)
    assert (x * Tensor([1, 1], dtype=int)).dtype == np.float32  # torch's promotion


def test_conversions() -> None:
    x = Tensor([1.5, -2.5], requires_grad=True)
    f = x.float()
    assert f.dtype == np.float32 and x.double().dtype == np.float64
    (f * 2).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [2.0, 2.0]
    assert x.long().tolist() == [1, -2] and not x.long().requires_grad
    assert x.to(np.float32).dtype == np.float32 and x.bool().tolist() == [True, True]
    c = x.clone()
    assert c.data is not x.data and c.tolist() == [1.5, -2.5]
    assert float(Tensor([2.5])) == 2.5 and int(Tensor(3.0)) == 3
    with pytest.raises(ValueError, match="not one element"):
        float(x)


# -- constructors and seeds ------------------------------------------------------------------------


def test_constructors_take_tuples_or_varargs() -> None:
    assert tg.zeros((2, 3)).shape == tg.zeros(2, 3).shape == Tensor.zeros((2, 3)).shape == (2, 3)
    assert Tensor.empty(2).shape == (2,) and Tensor.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    assert Tensor.randint(0, 3, (4,)).dtype == np.int64 and Tensor.eye(2).tolist()[1] == [0, 1]
    assert tg.zeros(2).dtype == np.float64 and tg.ones(1, dtype=np.float32).dtype == np.float32
    assert tg.full((2,), 3).tolist() == [3, 3] and tg.full((2,), 3).dtype == np.int64
    assert tg.arange(1, 7, 2).tolist() == [1, 3, 5] and tg.arange(0.0, 1.0, 0.5).tolist() == [
        0,
        0.5,
    ]
    assert tg.linspace(-1, 1, 3).tolist() == [-1.0, 0.0, 1.0]
    assert tg.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert tg.empty(2, 2).tolist() == [[0.0, 0.0], [0.0, 0.0]]
    assert tg.zeros(3, requires_grad=True).requires_grad
    assert tg.ones_like(Tensor([[1, 2]], dtype=int)).tolist() == [[1, 1]]
    r = tg.randint_like(tg.zeros(2, 3), 5, generator=np.random.default_rng(0))
    assert r.shape == (2, 3) and r.dtype == np.int64
    assert r.tolist() == np.random.default_rng(0).integers(0, 5, (2, 3)).tolist()
    assert tg.tensor([True, False]).dtype == np.bool_ and tg.tensor([1, 2]).dtype == np.int64
    with pytest.raises(TypeError, match="shape"):
        tg.zeros(2.5)


def test_manual_seed_and_generator() -> None:
    tg.manual_seed(3)
    a = tg.randn(4).tolist(), tg.rand(2).tolist(), tg.randint(0, 9, (3,)).tolist()
    tg.manual_seed(3)
    b = tg.randn(4).tolist(), tg.rand(2).tolist(), tg.randint(0, 9, (3,)).tolist()
    assert a == b and tg.initial_seed() == 3
    # generator= draws from the given numpy Generator: numpy's own numbers, literally
    g = tg.randn(3, generator=np.random.default_rng(5)).tolist()
    assert g == np.random.default_rng(5).standard_normal(3).tolist()
    with pytest.raises(TypeError, match="numpy Generator"):
        tg.rand(2, generator=5)
    with pytest.raises(TypeError, match="seed must be an int"):
        tg.manual_seed(-1)


# -- numpy interop --------------------------------------------------------------------------------


def test_numpy_sees_the_data_and_reductions_dispatch() -> None:
    x = Tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    assert np.shares_memory(np.asarray(x), x.data)  # the data itself, not a copy
    assert np.sum(x).item() == 11.0 and np.mean(x, axis=0).tolist() == [2.0, 3.5]
    assert np.max(x).item() == 5.0 and np.argmax(x).item() == 3
    assert np.std(Tensor([1.0, 3.0])).item() == 1.0  # numpy's ddof=0
    assert Tensor([1.0, 3.0]).std().item() == pytest.approx(np.sqrt(2.0))  # torch's unbiased
    with pytest.raises(TypeError, match="out= is not supported"):
        np.sum(x, out=np.zeros(()))
    with pytest.raises(TypeError, match="does not support ufuncs"):
        np.exp(x)  # ufuncs are refused, not silently turned into detached arrays


def test_reductions_take_dim_and_axis() -> None:
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x.sum(dim=1).tolist() == [3.0, 12.0] == x.sum(axis=1).tolist() == x.sum(1).tolist()
    assert x.mean(dim=0, keepdim=True).tolist() == [[1.5, 2.5, 3.5]]
    assert x.max(dim=1).values.tolist() == [2.0, 5.0] and x.max(dim=1).indices.tolist() == [2, 2]
    assert x.max().item() == 5.0 and x.min().item() == 0.0
    assert x.prod(dim=1).tolist() == [0.0, 60.0] and x.cumsum(dim=1).tolist()[1] == [3, 7, 12]
    assert x.var(dim=1).tolist() == [1.0, 1.0] and x.var(dim=1, unbiased=False).tolist() == [
        2 / 3,
        2 / 3,
    ]
    assert x.norm().item() == pytest.approx(np.sqrt(55.0))
    with pytest.raises(TypeError, match="not both"):
        x.sum(dim=0, axis=1)


def test_the_torch_table_in_the_engine_docs_names_every_tensor_op() -> None:
    """docs/engine.md's "torch name → ours" table is hand-written: this keeps it complete."""
    from pathlib import Path

    from tinygrad_edu import Function
    from tinygrad_edu.registry import defined_ops

    text = (Path(__file__).resolve().parents[1] / "docs" / "engine.md").read_text(encoding="utf-8")
    table = text[text.index("### torch name → ours") :]
    missing = sorted(
        c.__name__
        for c in defined_ops()
        if issubclass(c, Function) and f"`{c.__name__}`" not in table
    )
    assert not missing, f"add these ops to the table in docs/engine.md: {missing}"


def test_value_comparisons_are_bools_of_the_values() -> None:
    a, b = Value(1.0), Value(1.0)
    assert (a == b) is True and (a != b) is False and a is not b
    assert (a < 2) is True and (Value(3.0) >= b) is True and (a > b) is False and a <= 1.0
    assert len({a, b}) == 2  # hashed by identity: the graph walk keeps nodes in sets
    with pytest.raises(TypeError, match="cannot compare"):
        _ = a < "x"


def test_value_to_a_value_power() -> None:
    """z = aᵇ: ∂z/∂a = b·aᵇ⁻¹ = 3·2² = 12, ∂z/∂b = z·ln a = 8 ln 2."""
    a, b = Value(2.0), Value(3.0)
    z = a**b
    z.backward()
    assert z.data == 8.0 and a.grad == 12.0 and b.grad == pytest.approx(8 * np.log(2.0))
    with pytest.raises(ValueError, match="base > 0"):
        Value(-1.0) ** b


def test_hardtanh_and_relu6_have_torchs_slope_at_the_bounds() -> None:
    """torch: hardtanh's gradient is 0 at min_val and max_val (clamp's is 1 there)."""
    x = Tensor([-1.0, 0.0, 1.0, 2.0], requires_grad=True)
    x.hardtanh().sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0, 0.0]
    y = Tensor([0.0, 3.0, 6.0, 7.0], requires_grad=True)
    y.relu6().sum().backward()
    assert y.grad.tolist() == [0.0, 1.0, 0.0, 0.0] and y.relu6().tolist() == [0.0, 3.0, 6.0, 6.0]
    z = Tensor([-1.0, 1.0], requires_grad=True)
    z.clamp(-1.0, 1.0).sum().backward()
    assert z.grad.tolist() == [1.0, 1.0]  # clamp's slope at its bounds, as torch's clamp
