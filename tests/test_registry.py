"""Every registered op is gradchecked in float64 across the shapes its sampler draws, and no
differentiable op can exist without a registry entry."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from tinygrad_edu import Function, Tensor, Value, gradcheck, ops
from tinygrad_edu.graph import topo_sort
from tinygrad_edu.registry import REGISTRY, VALUE_OPS, OpCase, make_inputs


def _fn(case: OpCase, args: list, leaves: list):
    """fn(*leaves) that rebuilds the op with the given leaves in their argument slots."""
    slots = [i for i, a in enumerate(args) if any(a is leaf for leaf in leaves)]

    def fn(*nodes):
        full = list(args)
        for i, n in zip(slots, nodes):
            full[i] = n
        return case.build(*full)

    return fn


@pytest.mark.parametrize("case", REGISTRY, ids=[c.name for c in REGISTRY])
@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_registry_op_full_jacobian_float64(case: OpCase, seed: int) -> None:
    rng = np.random.default_rng(seed)
    leaves, args = make_inputs(case, case.sample(rng))
    assert leaves, f"{case.name}: sampler gave no differentiable input"
    gradcheck(_fn(case, args, leaves), leaves, mode="full")


@pytest.mark.parametrize(
    "case", [c for c in REGISTRY if c.carrier == "tensor"], ids=lambda c: c.name
)
def test_registry_op_random_direction_and_float32(case: OpCase) -> None:
    """Float32 inputs pass too: the finite differences run in float64 whatever the dtype."""
    for seed in range(5):
        rng = np.random.default_rng(1000 + seed)
        sample = case.sample(rng)
        leaves, args = make_inputs(case, sample, dtype=np.float32)
        out = _fn(case, args, leaves)(*leaves)
        assert out.data.dtype == np.float32, f"{case.name} upcast float32 to {out.data.dtype}"
        gradcheck(_fn(case, args, leaves), leaves, mode="random", seed=seed, atol=1e-4, rtol=1e-2)


def test_every_function_has_a_registry_entry() -> None:
    """An op cannot be added without being gradient-checked."""

    def subclasses(cls):
        out = set()
        stack = [cls]
        while stack:
            for sub in stack.pop().__subclasses__():
                if sub not in out:
                    out.add(sub)
                    stack.append(sub)
        return out

    defined = {c for c in subclasses(Function) if c.__module__.startswith("tinygrad_edu")}
    covered = {c for case in REGISTRY if case.carrier == "tensor" for c in case.covers}
    assert defined - covered == set(), f"ops without a registry entry: {defined - covered}"
    assert {ops.Add, ops.MatMul, ops.Linear, ops.CrossEntropy} <= defined


def test_every_value_op_has_a_registry_entry() -> None:
    covered = set()
    for case in REGISTRY:
        if case.carrier != "value":
            continue
        for c in case.covers:
            covered.add("**" if c.startswith("**") else "c**" if c.endswith("**") else c)
    assert set(VALUE_OPS) - covered == set()
    # and every op a Value method can record is listed in VALUE_OPS
    a, b = Value(1.5), Value(0.5)
    made = [
        a + b,
        a - b,
        a * b,
        a / b,
        -a,
        a**2,
        2**a,
        a.exp(),
        a.log(),
        a.sigmoid(),
        a.tanh(),
        a.relu(),
        Value.weighted_sum([a], [b], 1.0),
        Value.sum([a, b]),
    ]
    names = {
        "**" if m.op.startswith("**") else "c**" if m.op.endswith("**") else m.op for m in made
    }
    assert names == set(VALUE_OPS)


@pytest.mark.parametrize("case", REGISTRY, ids=[c.name for c in REGISTRY])
def test_registry_entry_exercises_what_it_covers(case: OpCase) -> None:
    rng = np.random.default_rng(7)
    leaves, args = make_inputs(case, case.sample(rng))
    out = _fn(case, args, leaves)(*leaves)
    nodes = topo_sort(out)
    if case.carrier == "tensor":
        used = {type(n._ctx) for n in nodes if isinstance(n, Tensor) and n._ctx is not None}
        assert set(case.covers) <= used
    else:
        assert set(case.covers) <= {n.op for n in nodes}


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
    gradcheck(fn, [a, b], mode="full" if out.size <= 64 else "random")
