"""The engine's semantics: values and gradients against hand-derived numbers and closed forms."""

from __future__ import annotations

import math
import sys
import warnings

import numpy as np
import pytest

from tinygrad_edu import (
    AnomalyError,
    BackwardError,
    InputError,
    ShapeError,
    Tensor,
    Value,
    concatenate,
    detect_anomaly,
    enable_grad,
    no_grad,
    stack,
    unbroadcast,
    where,
)

# -- Value ---------------------------------------------------------------------------------------


def test_lecture_neuron_forward_and_backward_by_hand() -> None:
    """z = w1·x1 + w2·x2 + b, a = σ(z), C = (a − 1)²: every number derived by hand."""
    x1, x2 = Value(1.0, label="x1"), Value(-1.0, label="x2")
    w1, w2, b = Value(1.0, label="w1"), Value(-2.0, label="w2"), Value(1.0, label="b")
    z = Value.weighted_sum([w1, w2], [x1, x2], b)
    a = z.sigmoid()
    c = (a - 1) ** 2
    c.backward()
    assert z.data == 4.0
    s = 1 / (1 + math.exp(-4))
    assert a.data == pytest.approx(s)
    # forward pass: ∂z/∂w is the input wired to w
    assert [g.value for g in z.local_grads] == [1.0, -1.0, 1.0, -2.0, 1.0]
    labels = [p.label for p in z.parents]
    assert [g.render("z", labels) for g in z.local_grads] == [
        "∂z/∂w1 = x1",
        "∂z/∂w2 = x2",
        "∂z/∂x1 = w1",
        "∂z/∂x2 = w2",
        "∂z/∂b = 1",
    ]
    # backward pass: ∂C/∂z = ∂a/∂z · ∂C/∂a
    dc_da = 2 * (s - 1)
    assert a.grad == pytest.approx(dc_da)
    assert z.grad == pytest.approx(s * (1 - s) * dc_da)
    assert w1.grad == pytest.approx(x1.data * z.grad)
    assert w2.grad == pytest.approx(x2.data * z.grad)
    assert b.grad == pytest.approx(z.grad)
    assert x1.grad == pytest.approx(w1.data * z.grad)


def test_value_ops_with_numbers_on_either_side() -> None:
    a = Value(3.0)
    assert (a + 2).data == 5 and (2 + a).data == 5
    assert (a - 2).data == 1 and (2 - a).data == -1
    assert (a * 2).data == 6 and (2 * a).data == 6
    assert (a / 2).data == 1.5 and (3 / a).data == 1
    assert (a**2).data == 9 and (2**a).data == pytest.approx(8)
    assert (-a).data == -3
    out = 2 / a + a * 3 - 1
    out.backward()
    assert a.grad == pytest.approx(-2 / 9 + 3)


def test_value_unary_closed_forms() -> None:
    for x in (-2.0, 0.3, 1.7):
        for fn, f, df in (
            (Value.exp, math.exp, math.exp),
            (Value.tanh, math.tanh, lambda t: 1 - math.tanh(t) ** 2),
            (
                Value.sigmoid,
                lambda t: 1 / (1 + math.exp(-t)),
                lambda t: math.exp(-t) / (1 + math.exp(-t)) ** 2,
            ),
            (Value.relu, lambda t: max(t, 0.0), lambda t: float(t > 0)),
        ):
            v = Value(x)
            y = fn(v)
            y.backward()
            assert y.data == pytest.approx(f(x)) and v.grad == pytest.approx(df(x))
    v = Value(2.0)
    v.log().backward()
    assert v.grad == 0.5


def test_value_sigmoid_is_stable_at_extremes() -> None:
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).exp().data == math.inf


def test_diamond_accumulates_gradients() -> None:
    """a used twice: ∂(a·a + a)/∂a = 2a + 1."""
    a = Value(3.0)
    b = a * a
    c = b + a
    c.backward()
    assert a.grad == 7.0
    t = Tensor([1.0, 2.0], requires_grad=True)
    (t * t + t).sum().backward()
    np.testing.assert_array_equal(t.grad, [3.0, 5.0])


def test_second_backward_accumulates_into_leaves_and_recomputes_intermediates() -> None:
    x = Value(2.0)
    h = x * x
    y = h * 3
    y.backward()
    assert (x.grad, h.grad) == (12.0, 3.0)
    y.backward()  # documented: leaves accumulate, intermediates are recomputed
    assert (x.grad, h.grad) == (24.0, 3.0)
    x.zero_grad()
    y.backward()
    assert x.grad == 12.0
    t = Tensor([1.0, -1.0], requires_grad=True)
    s = (t * 2).sum()
    s.backward()
    s.backward()
    np.testing.assert_array_equal(t.grad, [4.0, 4.0])


def test_million_op_chain_backprops_iteratively() -> None:
    assert sys.getrecursionlimit() <= 10_000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y * 1.0
    y.backward()
    assert x.grad == 1.0
    assert len(y.walk()) == 2_000_001  # each link: the op and its constant 1.0


def test_value_errors_name_the_op() -> None:
    with pytest.raises(TypeError, match="real number"):
        Value("3")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="log: input must be > 0"):
        Value(-1.0).log()
    with pytest.raises(ZeroDivisionError, match="'/'"):
        Value(1.0) / 0
    with pytest.raises(TypeError, match="exponent must be a number or a Value"):
        Value(2.0) ** "3"  # type: ignore[operator]
    with pytest.raises(ValueError, match="negative base"):
        Value(-2.0) ** 0.5
    with pytest.raises(TypeError, match="Tensor"):
        Value(1.0) + Tensor([1.0])  # type: ignore[operator]
    with pytest.raises(ValueError, match="one weight per input"):
        Value.weighted_sum([Value(1.0)], [1.0, 2.0])


def test_no_grad_and_detach_record_nothing() -> None:
    a = Value(2.0)
    with no_grad():
        b = a * 3
    assert b.parents == () and not b.requires_grad
    c = (a * 3).detach()
    assert c.is_leaf and c.data == 6.0
    t = Tensor([1.0], requires_grad=True)
    with no_grad():
        u = t * 2
    assert u.parents == () and not u.requires_grad
    with pytest.raises(BackwardError, match="does not require grad"):
        u.sum().backward()


def test_no_grad_and_enable_grad_as_decorators() -> None:
    @no_grad()
    def frozen(v: Value) -> Value:
        return v * 3

    @enable_grad()
    def recorded(v: Value) -> Value:
        return v * 3

    a = Value(2.0)
    assert frozen(a).parents == ()
    with no_grad():
        b = recorded(a)  # enable_grad wins inside a no_grad block, as in PyTorch
    assert b.parents[0] is a and b.requires_grad


def test_constants_do_not_receive_gradients() -> None:
    x = Value(1.0, requires_grad=False)
    w = Value(2.0)
    (w * x).backward()
    assert x.grad == 0.0 and w.grad == 1.0


# -- Tensor --------------------------------------------------------------------------------------


def test_tensor_dtypes() -> None:
    assert Tensor(np.ones(2, np.float32)).dtype == np.float32
    assert Tensor(np.ones(2)).dtype == np.float64
    assert Tensor([1, 2]).dtype == np.float64
    assert Tensor([True, False]).dtype == np.float64
    assert Tensor([1, 2], dtype=np.float32).dtype == np.float32
    with pytest.raises(TypeError, match="real numbers"):
        Tensor(["a", "b"])
    with pytest.raises(TypeError, match="real numbers"):
        Tensor([1 + 2j])
    with pytest.raises(TypeError, match="float16 is not supported"):
        Tensor(np.ones(2, np.float16))
    x = Tensor(np.ones((2, 3), np.float32), requires_grad=True)
    y = (x * 2.0 + 1).sigmoid().sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


def test_requires_grad_copies_so_parameter_updates_do_not_touch_user_arrays() -> None:
    arr = np.zeros(3)
    p = Tensor(arr, requires_grad=True)
    p.data -= 1
    assert arr.tolist() == [0, 0, 0]


def _numeric_grad(f, x: np.ndarray) -> np.ndarray:
    """Central differences of a numpy function, one entry at a time (exact for f linear in x)."""
    g = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[i] = 1.0
        g[i] = (f(x + e) - f(x - e)) / 2
    return g


def test_broadcast_gradients_by_hand() -> None:
    # a (2, 3) * b (3,): ∂Σ/∂a[i, j] = b[j]; ∂Σ/∂b[j] = Σᵢ a[i, j] (one copy per row of a).
    a = Tensor(np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]), requires_grad=True)
    b = Tensor(np.array([10.0, 20.0, 30.0]), requires_grad=True)
    (a * b).sum().backward()
    assert a.grad.tolist() == [[10.0, 20.0, 30.0], [10.0, 20.0, 30.0]]
    assert b.grad.tolist() == [5.0, 7.0, 9.0]
    # c (2, 1) + d (1, 2) broadcast to (2, 2): each input is copied twice.
    c = Tensor(np.array([[1.0], [2.0]]), requires_grad=True)
    d = Tensor(np.array([[3.0, 4.0]]), requires_grad=True)
    (c + d).sum().backward()
    assert c.grad.tolist() == [[2.0], [2.0]] and d.grad.tolist() == [[2.0, 2.0]]
    # A scalar times a (2, 3): ∂Σ/∂s = Σ of the six entries.
    s = Tensor(np.array(2.0), requires_grad=True)
    (s * a.detach()).sum().backward()
    assert s.grad.shape == () and s.grad.item() == 21.0


def test_broadcast_gradients_reduce_to_each_input_shape() -> None:
    for sa, sb in [
        ((2, 3, 4), (4,)),
        ((2, 1, 4), (3, 1)),
        ((), (2, 3)),
        ((5, 1), (1, 6)),
        ((4,), (3, 2, 4)),
    ]:
        a = Tensor(np.random.default_rng(0).normal(size=sa), requires_grad=True)
        b = Tensor(np.random.default_rng(1).normal(size=sb), requires_grad=True)
        (a * b).sum().backward()
        # Reference: numpy's own broadcasting, differentiated numerically entry by entry.
        np.testing.assert_allclose(a.grad, _numeric_grad(lambda x, b=b: np.sum(x * b.data), a.data))
        np.testing.assert_allclose(b.grad, _numeric_grad(lambda x, a=a: np.sum(a.data * x), b.data))
        assert a.grad.shape == sa and b.grad.shape == sb


def test_unbroadcast_handles_any_rank_difference() -> None:
    g = np.ones((2, 3, 4, 5))
    assert unbroadcast(g, (5,)).tolist() == [24.0] * 5
    assert unbroadcast(g, (3, 1, 1)).shape == (3, 1, 1)
    assert unbroadcast(g, (3, 1, 1))[0, 0, 0] == 40
    assert unbroadcast(g, ()).item() == 120


def test_matmul_forms_match_numpy() -> None:
    rng = np.random.default_rng(0)
    for sa, sb in [
        ((3, 4), (4, 2)),
        ((4,), (4, 2)),
        ((3, 4), (4,)),
        ((4,), (4,)),
        ((2, 3, 4), (4, 5)),
    ]:
        a, b = rng.normal(size=sa), rng.normal(size=sb)
        ta, tb = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
        out = ta @ tb
        np.testing.assert_allclose(out.data, a @ b)
        out.sum().backward()
        g = np.ones(np.shape(a @ b))
        # closed form for the 2-D case: ∂Σ(AB)/∂A = 1·Bᵀ
        if len(sa) == 2 and len(sb) == 2:
            np.testing.assert_allclose(ta.grad, g @ b.T)
            np.testing.assert_allclose(tb.grad, a.T @ g)
        assert ta.grad.shape == sa and tb.grad.shape == sb


def test_matmul_local_grads_are_named_by_the_derivative() -> None:
    x = Tensor(np.ones((2, 3)))
    w = Tensor(np.ones((3, 4)), requires_grad=True)
    z = x @ w
    names = [lg.name for lg in z.local_grads]
    assert names == ["∂{z}/∂{0} = {1}ᵀ", "∂{z}/∂{1} = {0}ᵀ"]
    assert [lg.render("z", ["x", "W"]) for lg in z.local_grads] == ["∂z/∂x = Wᵀ", "∂z/∂W = xᵀ"]
    assert np.shares_memory(z.local_grads[1].value, x.data)  # saved, not copied
    s = z.sigmoid()
    assert s.local_grads[0].render("a", ["z"]) == "∂a/∂z = a(1−a)"
    assert np.shares_memory(s.local_grads[0].value, s.data)


def test_one_template_for_value_and_tensor_and_placeholder_names() -> None:
    """The same op names its derivative with the same text on both carriers."""
    v, t = Value(0.3), Tensor(np.array([0.3]), requires_grad=True)
    for name in ("sigmoid", "tanh", "relu", "exp", "log"):
        assert getattr(v, name)().local_grads[0].name == getattr(t, name)().local_grads[0].name
    assert (v * v).local_grads[1].name == (t * t).local_grads[1].name == "∂{z}/∂{1} = {0}"
    assert (v**3).local_grads[0].name == (t**3).local_grads[0].name == "∂{z}/∂{0} = 3·{0}^2"
    assert v.sigmoid().local_grads[0].name == "∂{z}/∂{0} = {z}(1−{z})"
    # inputs without a given name are a, b, … (z is the output), then a25, a26, …
    assert (v / v).local_grads[1].render() == "∂z/∂b = −a/b²"
    assert (v / v).local_grads[1].render("q", ["x"]) == "∂q/∂b = −x/b²"
    big = Value.sum([v] * 27)
    assert big.local_grads[24].render() == "∂z/∂y = 1"
    assert big.local_grads[26].render() == "∂z/∂a26 = 1"


def test_reductions_with_axis_and_keepdims() -> None:
    x = np.arange(24.0).reshape(2, 3, 4)
    t = Tensor(x, requires_grad=True)
    assert t.sum(axis=(0, 2)).shape == (3,)
    assert t.mean(axis=1, keepdims=True).shape == (2, 1, 4)
    np.testing.assert_array_equal(t.max(axis=-1).data, x.max(axis=-1))
    t.max(axis=-1).sum().backward()
    expected = np.zeros_like(x)
    expected[..., -1] = 1
    np.testing.assert_array_equal(t.grad, expected)
    t.zero_grad()
    t.mean().backward()
    np.testing.assert_allclose(t.grad, np.full(x.shape, 1 / 24))
    m = Tensor([2.0, 2.0, 1.0], requires_grad=True)
    m.max().backward()  # a tie shares the gradient
    np.testing.assert_array_equal(m.grad, [0.5, 0.5, 0.0])


def test_indexing_scatters_back_and_repeats_accumulate() -> None:
    t = Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True)
    t[np.array([0, 2, 0])].sum().backward()
    assert t.grad[:, 0].tolist() == [2.0, 0.0, 1.0]
    t.zero_grad()
    t[1, 1:3].sum().backward()
    assert t.grad.sum() == 2 and t.grad[1, 1] == 1 and t.grad[1, 2] == 1
    with pytest.raises(ShapeError, match="getitem.*out of bounds"):
        t[5]


def test_concatenate_stack_where_clip_maximum() -> None:
    a = Tensor([[1.0, 2.0]], requires_grad=True)
    b = Tensor([[3.0, 4.0], [5.0, 6.0]], requires_grad=True)
    c = concatenate([a, b], axis=0)
    assert c.shape == (3, 2)
    (c * Tensor([[1.0], [2.0], [3.0]])).sum().backward()
    assert a.grad.tolist() == [[1.0, 1.0]] and b.grad.tolist() == [[2.0, 2.0], [3.0, 3.0]]
    s = stack([a[0], b[0]], axis=1)
    assert s.shape == (2, 2) and s.data.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    x = Tensor([-2.0, 0.5, 3.0], requires_grad=True)
    y = where(x.data > 0, x * 2, x * -1)
    y.sum().backward()
    assert x.grad.tolist() == [-1.0, 2.0, 2.0]
    x.zero_grad()
    x.clip(-1, 1).sum().backward()
    assert x.grad.tolist() == [0.0, 1.0, 0.0]
    x.zero_grad()
    x.maximum(0.5).sum().backward()
    assert x.grad.tolist() == [0.0, 0.5, 1.0]  # the tie at 0.5 shares


def test_softmax_and_log_softmax_are_stable_at_plus_minus_1000() -> None:
    z = Tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any overflow RuntimeWarning fails the test
        s = z.softmax(axis=-1)
        ls = z.log_softmax(axis=-1)
        (ls * Tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])).sum().backward()
    np.testing.assert_allclose(s.data[0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(s.data[1], [1 / 3] * 3)
    assert ls.data[0, 0] == 0.0 and ls.data[0, 1] == -2000.0
    np.testing.assert_allclose(ls.data[1], [-math.log(3)] * 3)
    assert np.isfinite(z.grad).all()
    np.testing.assert_allclose(z.grad[1], [-1 / 3, 2 / 3, -1 / 3])


def test_backward_errors_name_shape_and_remedy() -> None:
    t = Tensor(np.ones((3, 4)), requires_grad=True)
    out = t * 2
    with pytest.raises(
        BackwardError, match=r"shape \(3, 4\), not a scalar.*\.sum\(\).*\.mean\(\).*grad="
    ):
        out.backward()
    with pytest.raises(
        ShapeError, match=r"grad has shape \(4,\) but the output has shape \(3, 4\)"
    ):
        out.backward(np.ones(4))
    out.backward(np.ones((3, 4)))
    np.testing.assert_array_equal(t.grad, np.full((3, 4), 2.0))


def test_op_shape_errors_name_op_and_shapes() -> None:
    a, b = Tensor(np.ones((2, 3))), Tensor(np.ones((4,)))
    with pytest.raises(ShapeError, match=r"'\+'.*\(2, 3\).*\(4,\)"):
        a + b
    with pytest.raises(
        ShapeError, match=r"'@': inner dimensions differ: \(2, 3\) @ \(4,\) \(3 ≠ 4\)"
    ):
        a @ b
    with pytest.raises(ShapeError, match=r"cannot reshape \(2, 3\) \(6 elements\) into \(4, 2\)"):
        a.reshape(4, 2)
    with pytest.raises(ShapeError, match="axis 2 is out of range"):
        a.sum(axis=2)
    with pytest.raises(InputError, match="clip: low=1 is greater than high=0"):
        a.clip(1, 0)


def test_detect_anomaly_names_the_op_forward_and_backward() -> None:
    with detect_anomaly():
        x = Tensor([1.0, -1.0], requires_grad=True, label="x")
        with (
            pytest.raises(AnomalyError, match="forward of op 'log'.*label='x'"),
            np.errstate(invalid="ignore"),
        ):
            x.log()
        v = Value(0.0, label="v")
        y = v**0.5  # finite forward, infinite slope at 0
        with pytest.raises(AnomalyError, match=r"backward of op '\*\*0.5'.*'v'"):
            y.backward()
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.log().data[1])  # outside the context: numpy semantics, no error


def test_walk_and_inspection() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = (x * 3).sum()
    order = y.walk()
    position = [id(n) for n in order].index  # by identity: == is elementwise on tensors
    assert order[-1] is y and position(id(x)) < position(id(y))
    assert y.op == "sum" and x.op == "" and x.is_leaf
    assert y.parents[0].parents[0] is x


def test_tensor_iteration_truth_and_len() -> None:
    t = Tensor(np.arange(6.0).reshape(3, 2), requires_grad=True)
    rows = list(t)
    assert len(rows) == 3 and rows[2].data.tolist() == [4.0, 5.0]
    sum(r.sum() for r in rows).backward()  # Python's sum starts at 0: number + Tensor works
    np.testing.assert_array_equal(t.grad, np.ones((3, 2)))
    assert bool(Tensor([2.0])) and not bool(Tensor(0.0))
    with pytest.raises(ShapeError, match=r"truth value of a tensor of shape \(3, 2\)"):
        bool(t)
    with pytest.raises(TypeError, match="0-d tensor"):
        len(Tensor(1.0))


def test_relu_of_negatives_is_plus_zero() -> None:
    out = Tensor([-1.0, 2.0]).relu().data
    assert out.tolist() == [0.0, 2.0] and not np.signbit(out[0])


def test_backward_on_a_leaf_accumulates_like_every_leaf() -> None:
    v = Value(3.0)
    v.backward()
    v.backward()
    assert v.grad == 2.0  # ∂v/∂v = 1, twice
    t = Tensor([5.0], requires_grad=True)
    t.backward()
    t.backward(np.array([2.0]))
    assert t.grad.tolist() == [3.0]
