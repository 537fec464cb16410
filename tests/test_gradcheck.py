"""gradcheck itself: it passes correct gradients and catches each kind of wrong one."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Function, GradcheckError, LocalGrad, Tensor, Value, gradcheck


class WrongSquare(Function):
    """z = a²; backward deliberately returns a (not 2a)."""

    __slots__ = ("a",)
    name = "wrongsq"

    def forward(self, a):
        self.a = a
        return a * a

    def backward(self, g):
        return (g * self.a,)

    def local_grads(self):
        return (LocalGrad("wrong", self.a),)


class MutatingSquare(Function):
    """Correct the first time, but backward scales its saved array in place."""

    __slots__ = ("two_a",)
    name = "mutsq"

    def forward(self, a):
        self.two_a = 2 * a
        return a * a

    def backward(self, g):
        out = g * self.two_a
        self.two_a *= 0.5  # the bug: a second backward on this graph gives half
        return (out,)


class OneWrongElement(Function):
    """z = 3a, but the gradient of element (1, 2) is off by 1."""

    __slots__ = ()
    name = "onewrong"

    def forward(self, a):
        return 3 * a

    def backward(self, g):
        out = 3 * g
        out[1, 2] += 1.0
        return (out,)


def test_passes_a_correct_function_in_both_modes() -> None:
    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(3, 4)), requires_grad=True, label="x")
    w = Tensor(rng.normal(size=(4, 2)), requires_grad=True, label="w")
    for mode in ("full", "random", "auto"):
        res = gradcheck(lambda a, b: (a @ b).tanh(), [x, w], mode=mode)
        assert res.ok and bool(res) and len(res.inputs) == 2


def test_failure_names_input_worst_element_values_and_count() -> None:
    a = Tensor(np.arange(12.0).reshape(3, 4) / 10, requires_grad=True, label="weights")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda t: OneWrongElement.apply(t).sum(), [a], mode="full")
    msg = str(info.value)
    assert "input 'weights' (shape (3, 4))" in msg
    assert "1 of 12 elements mismatch" in msg
    assert "worst at index (1, 2)" in msg
    assert "numerical 3, analytical 4" in msg
    assert "abs err 1" in msg and "rel err 0.333" in msg


def test_wrong_derivative_is_caught_in_random_mode_and_located() -> None:
    a = Tensor(np.linspace(0.5, 2.0, 6), requires_grad=True, label="a")
    res = gradcheck(lambda t: WrongSquare.apply(t).sum(), [a], mode="random", raise_exception=False)
    assert not res.ok
    rep = res.inputs[0]
    assert rep.name == "a" and rep.n_mismatch == 6 and rep.worst_index is not None
    # the worst relative error of a vs 2a is at every element the same 50%: check the value
    assert rep.max_rel_err == pytest.approx(0.5, rel=1e-6)
    assert rep.numerical == pytest.approx(2 * rep.analytical, rel=1e-6)


def test_mutating_backward_is_caught_by_the_repeat_check() -> None:
    a = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(GradcheckError, match="second backward\\(\\) on the same graph"):
        gradcheck(lambda t: MutatingSquare.apply(t).sum(), [a])
    # the numerical part alone passes: the first backward is right
    res = gradcheck(lambda t: MutatingSquare.apply(t).sum(), [a], check_repeat=False)
    assert res.ok


def test_float32_inputs_use_float64_differences() -> None:
    """A float32 central difference with eps=1e-6 is pure rounding noise; ours is not."""
    x = Tensor(np.linspace(-1, 1, 5).astype(np.float32), requires_grad=True)
    res = gradcheck(lambda t: (t * t * 3).sigmoid().sum(), [x], mode="full", raise_exception=False)
    assert res.ok, str(res)
    assert x.data.dtype == np.float32  # inputs are restored as they were


def test_values_and_named_parameter_objects() -> None:
    w, b = Value(0.7, label="w"), Value(-0.2, label="b")
    assert gradcheck(lambda w_, b_: (w_ * 2.0 + b_).tanh(), [w, b]).ok

    class Model:
        def __init__(self) -> None:
            self.W = Tensor(np.eye(2) * 0.5, requires_grad=True)

        def named_parameters(self):
            return [("layers.0.weight", self.W)]

    m = Model()
    x = np.array([[1.0, 2.0]])
    bad = lambda: WrongSquare.apply(Tensor(x) @ m.W).sum()  # noqa: E731
    with pytest.raises(GradcheckError, match="input 'layers.0.weight'"):
        gradcheck(bad, m)


def test_gradcheck_restores_grads_and_data() -> None:
    x = Tensor([1.0, 2.0], requires_grad=True)
    x.grad = np.array([5.0, 5.0])
    before = x.data.copy()
    gradcheck(lambda t: (t * t).sum(), [x])
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])
    np.testing.assert_array_equal(x.data, before)


def test_gradcheck_input_errors() -> None:
    with pytest.raises(ValueError, match="requires_grad=True"):
        gradcheck(lambda t: t.sum(), [Tensor([1.0])])
    with pytest.raises(ValueError, match="mode must be"):
        gradcheck(lambda t: t.sum(), [Tensor([1.0], requires_grad=True)], mode="fast")
    with pytest.raises(TypeError, match="must return a Value or Tensor"):
        gradcheck(lambda t: 3.0, [Tensor([1.0], requires_grad=True)])
