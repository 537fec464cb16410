"""Every registered op is gradchecked in float64 across the shapes its sampler draws, and no
differentiable op can exist without a registry entry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Function, GradcheckError, LocalGrad, Tensor, Value, gradcheck, ops
from tinygrad_edu.registry import (
    REGISTRY,
    OpCase,
    build_fn,
    check,
    defined_ops,
    make_inputs,
    ops_used,
    unregistered,
)
from tinygrad_edu.value import ValueOp, _node


@pytest.mark.parametrize("case", REGISTRY, ids=[c.name for c in REGISTRY])
@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_registry_op_full_jacobian_float64(case: OpCase, seed: int) -> None:
    check(case, seed, mode="full")


@pytest.mark.parametrize(
    "case", [c for c in REGISTRY if c.carrier == "tensor"], ids=lambda c: c.name
)
def test_registry_op_random_direction_and_float32(case: OpCase) -> None:
    """Float32 inputs pass too: the finite differences run in float64 whatever the dtype."""
    for seed in range(5):
        rng = np.random.default_rng(1000 + seed)
        leaves, args = make_inputs(case, case.sample(rng), dtype=np.float32)
        fn = build_fn(case, args, leaves)
        out = fn(*leaves)
        assert out.data.dtype == np.float32, f"{case.name} upcast float32 to {out.data.dtype}"
        gradcheck(fn, leaves, mode="random", seed=seed, atol=1e-4, rtol=1e-2)


def test_every_op_has_a_registry_entry() -> None:
    """An op (a Function or ValueOp subclass in the package) cannot be added unchecked."""
    assert unregistered() == set()


def test_discovery_finds_the_ops_of_both_carriers() -> None:
    from tinygrad_edu import value

    found = defined_ops()
    assert {ops.Add, ops.MatMul, ops.Linear, ops.CrossEntropy} <= found
    assert {value.Mul, value.Pow, value.WeightedSum, value.Sum} <= found


@pytest.mark.parametrize("case", REGISTRY, ids=[c.name for c in REGISTRY])
def test_registry_entry_exercises_what_it_covers(case: OpCase) -> None:
    rng = np.random.default_rng(7)
    leaves, args = make_inputs(case, case.sample(rng))
    out = build_fn(case, args, leaves)(*leaves)
    assert set(case.covers) <= ops_used(out)


# -- the guard works: a wrong op added without an entry is caught twice --------------------------


class WrongSquare(ValueOp):
    """z = a² with the slope a instead of 2a: the bug the registry must catch."""

    __slots__ = ()
    name = "square"
    templates = ("∂{z}/∂{0} = 2{0}",)

    def apply(self, a: Value) -> Value:
        return _node(a.data * a.data, (a,), (a.data,), self)


class WrongCube(Function):
    """z = a³ with the backward 3a·g instead of 3a²·g."""

    __slots__ = ("a",)
    name = "cube"

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return a**3

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (3 * self.a * g,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = 3{0}²", self.a),)


def test_an_unregistered_wrong_op_fails_the_coverage_check_and_gradcheck() -> None:
    # As if this module were the package: both injected ops are found, and none has an entry.
    assert unregistered(REGISTRY, package=__name__) == {WrongSquare, WrongCube}
    square = OpCase(
        "square", "value", lambda a: WrongSquare().apply(a), lambda r: [1.5], (WrongSquare,)
    )
    cube = OpCase(
        "cube", "tensor", WrongCube.apply, lambda r: [np.array([1.5, -2.0])], (WrongCube,)
    )
    # With entries the coverage check passes, and the gradcheck of each entry fails.
    assert unregistered((*REGISTRY, square, cube), package=__name__) == set()
    for case in (square, cube):
        with pytest.raises(GradcheckError):
            check(case, seed=0)
    # The entries really build the injected ops (so the coverage they claim is true).
    assert ops_used(WrongSquare().apply(Value(1.5))) == {WrongSquare}


def test_check_passes_a_right_op_so_the_failure_above_is_the_slope() -> None:
    from tinygrad_edu import value

    right = OpCase("square", "value", lambda a: a * a, lambda r: [1.5], (value.Mul,))
    check(right, seed=0)


@given(
    shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=3),
    seed=st.integers(0, 2**16),
    op=st.sampled_from(["add", "sub", "mul", "div", "maximum"]),
)
@settings(max_examples=60, deadline=None)
def test_binary_ops_gradcheck_on_any_broadcastable_shapes(shapes, seed: int, op: str) -> None:
    """Shapes drawn by hypothesis: every rank difference and every stretched 1."""
    sa, sb = shapes.input_shapes
    rng = np.random.default_rng(seed)
    a = Tensor(rng.uniform(0.5, 2.0, sa), requires_grad=True)
    b = Tensor(rng.uniform(-2.0, -0.5, sb), requires_grad=True)  # a > b: no maximum ties
    fn = {
        "add": lambda x, y: x + y,
        "sub": lambda x, y: x - y,
        "mul": lambda x, y: x * y,
        "div": lambda x, y: x / y,
        "maximum": lambda x, y: x.maximum(y),
    }[op]
    out = fn(a, b)
    assert out.shape == shapes.result_shape
    gradcheck(fn, [a, b], mode="full" if out.numel() <= 64 else "random")
