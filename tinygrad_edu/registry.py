"""The registry of every differentiable op, each with a sampler of valid inputs.

The test suite gradchecks every entry across the shapes its sampler draws (`check`), and
fails if an op has no entry (`unregistered`): the ops are found by introspection, every
subclass of Function (tensor ops) and of ValueOp (scalar ops) defined in the package, so an
op cannot be added unchecked.
Samplers keep inputs away from kinks (relu at 0, max ties, clip bounds) and outside domains
(log of x ≤ 0), where finite differences do not measure the derivative.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import ops, value
from .gradcheck import gradcheck
from .graph import Node, topo_sort
from .tensor import Function, Tensor, concatenate, stack, where
from .value import Value, ValueOp

Sample = list[Any]  # float64 arrays (tensor ops) or floats (value ops), one per input


@dataclass(frozen=True)
class OpCase:
    """One registry entry: build the op from input nodes; sample valid inputs from an rng."""

    name: str
    carrier: str  # "tensor" or "value"
    build: Callable[..., Node]
    sample: Callable[[np.random.Generator], Sample]
    covers: tuple[type, ...]  # the op classes it exercises: Function or ValueOp subclasses


# -- shape samplers ------------------------------------------------------------------------------

# Pairs that broadcast across every kind of rank and size difference.
BROADCAST_PAIRS: tuple[tuple[tuple[int, ...], tuple[int, ...]], ...] = (
    ((3, 4), (3, 4)),
    ((3, 4), (4,)),
    ((4,), (3, 4)),
    ((2, 3, 4), (3, 1)),
    ((1, 4), (3, 1)),
    ((), (2, 3)),
    ((2, 1, 4), (5, 1)),
    ((5,), ()),
)
SHAPES: tuple[tuple[int, ...], ...] = ((), (5,), (3, 4), (2, 3, 4))


def _pair(rng: np.random.Generator, lo: float = -2.0, hi: float = 2.0) -> Sample:
    sa, sb = BROADCAST_PAIRS[rng.integers(len(BROADCAST_PAIRS))]
    return [rng.uniform(lo, hi, sa), rng.uniform(lo, hi, sb)]


def _away(rng: np.random.Generator, shape: tuple[int, ...], gap: float = 0.1) -> np.ndarray:
    """Uniform in ±[gap, 2]: keeps elements away from a kink at 0."""
    return rng.uniform(gap, 2.0, shape) * rng.choice([-1.0, 1.0], shape)


def _one(rng: np.random.Generator, lo: float = -2.0, hi: float = 2.0) -> Sample:
    return [rng.uniform(lo, hi, SHAPES[rng.integers(len(SHAPES))])]


def _distinct(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Values spaced ≥ 0.1 apart, so max has no ties within ±eps."""
    n = int(np.prod(shape))
    return (rng.permutation(n) * 0.1 + rng.uniform(-0.02, 0.02, n) - n * 0.05).reshape(shape)


def _axis_case(rng: np.random.Generator) -> tuple[np.ndarray, Any, bool]:
    shape = ((5,), (3, 4), (2, 3, 4))[rng.integers(3)]
    choices: list[Any] = [None, 0, -1]
    if len(shape) == 3:
        choices += [(0, 2), 1]
    return _distinct(rng, shape), choices[rng.integers(len(choices))], bool(rng.integers(2))


def _matmul_shapes(rng: np.random.Generator) -> Sample:
    sa, sb = (
        ((3, 4), (4, 2)),
        ((4,), (4, 2)),
        ((3, 4), (4,)),
        ((4,), (4,)),
        ((2, 3, 4), (4, 5)),
        ((2, 3, 4), (2, 4, 5)),
        ((3, 4), (2, 4, 5)),
        ((2, 1, 3, 4), (5, 4, 2)),
    )[rng.integers(8)]
    return [rng.normal(size=sa), rng.normal(size=sb)]


# -- the registry --------------------------------------------------------------------------------


def _t(
    name: str,
    build: Callable[..., Node],
    sample: Callable[[np.random.Generator], Sample],
    *covers: type,
) -> OpCase:
    return OpCase(name, "tensor", build, sample, covers)


def _v(
    name: str,
    build: Callable[..., Node],
    sample: Callable[[np.random.Generator], Sample],
    *covers: type,
) -> OpCase:
    return OpCase(name, "value", build, sample, covers)


def _scalars(n: int, lo: float = -2.0, hi: float = 2.0) -> Callable[[np.random.Generator], Sample]:
    return lambda rng: [float(x) for x in rng.uniform(lo, hi, n)]


def _sum_case(rng: np.random.Generator) -> Sample:
    x, axis, keep = _axis_case(rng)
    return [x, axis, keep]


def _index_case(rng: np.random.Generator) -> Sample:
    indices: list[Any] = [
        1,
        (slice(None), 2),
        (slice(0, 2), slice(1, None)),
        np.array([0, 2, 0]),  # a repeated row: its gradient must accumulate
        (np.array([0, 1, 1]), np.array([3, 0, 0])),
        (Ellipsis, -1),
        np.array([True, False, True]),
    ]
    return [rng.normal(size=(3, 4)), indices[rng.integers(len(indices))]]


def _cat_case(rng: np.random.Generator) -> Sample:
    axis = int(rng.integers(2))
    shapes = [(2, 3), (1, 3), (4, 3)] if axis == 0 else [(3, 2), (3, 1), (3, 4)]
    return [rng.normal(size=s) for s in shapes] + [axis]


def _stack_case(rng: np.random.Generator) -> Sample:
    return [rng.normal(size=(2, 3)) for _ in range(3)] + [int(rng.integers(-1, 3))]


def _where_case(rng: np.random.Generator) -> Sample:
    a, b = _pair(rng)
    cond = rng.random(np.broadcast_shapes(a.shape, b.shape)) > 0.5
    return [a, b, cond]


def _ce_index_case(rng: np.random.Generator) -> Sample:
    n, k = int(rng.integers(1, 5)), int(rng.integers(2, 6))
    red = ("mean", "sum", "none")[rng.integers(3)]
    return [rng.normal(size=(n, k)) * 3, rng.integers(0, k, n), red]


def _ce_prob_case(rng: np.random.Generator) -> Sample:
    n, k = int(rng.integers(1, 5)), int(rng.integers(2, 6))
    y = rng.random((n, k))
    return [rng.normal(size=(n, k)), y / y.sum(axis=1, keepdims=True), "mean"]


def _bce_case(rng: np.random.Generator) -> Sample:
    shape = ((4,), (3, 2))[rng.integers(2)]
    red = ("mean", "sum", "none")[rng.integers(3)]
    return [rng.normal(size=shape) * 3, rng.random(shape), red]


def _bce_pos_weight_case(rng: np.random.Generator) -> Sample:
    z, y, red = _bce_case(rng)
    return [z, y, red, {"pos_weight": rng.uniform(0.2, 4.0, z.shape[-1:])}]


def _bce_prob_case(rng: np.random.Generator) -> Sample:
    shape = ((4,), (3, 2))[rng.integers(2)]
    red = ("mean", "sum", "none")[rng.integers(3)]
    return [rng.uniform(0.05, 0.95, shape), rng.random(shape), red]


def _linear_case(rng: np.random.Generator) -> Sample:
    xs = ((5, 3), (3,), (2, 4, 3))[rng.integers(3)]
    return [rng.normal(size=xs), rng.normal(size=(2, 3)), rng.normal(size=(2,))]


def _div_case(rng: np.random.Generator) -> Sample:
    a, b = _pair(rng)
    return [a, _away(rng, b.shape, 0.5)]


def _maximum_case(rng: np.random.Generator) -> Sample:
    b = rng.uniform(-2, 2, (4,))
    return [b + _away(rng, (3, 4)), b]  # a − b is never within 0.1 of a tie


def _clip_case(rng: np.random.Generator) -> Sample:
    x = rng.uniform(-2, 2, (3, 4))
    return [np.where(np.abs(np.abs(x) - 1) < 0.1, x * 0.5, x)]  # away from the bounds ±1


ConvCase = tuple[tuple[int, ...], tuple[int, ...], dict[str, Any]]
# (input shape, weight shape, options): plain, padded+strided+dilated, grouped, depthwise,
# asymmetric 'same' padding (even kernel).
_CONV2D_CASES: tuple[ConvCase, ...] = (
    ((2, 3, 5, 4), (2, 3, 3, 2), {}),
    ((1, 2, 6, 5), (3, 2, 2, 3), {"stride": 2, "padding": 1, "dilation": (2, 1)}),
    ((2, 4, 4, 4), (4, 2, 3, 3), {"padding": 1, "groups": 2}),
    ((1, 3, 5, 5), (6, 1, 3, 3), {"stride": (1, 2), "groups": 3}),
    ((1, 2, 4, 5), (2, 2, 2, 2), {"padding": "same"}),
)
_CONV1D_CASES: tuple[ConvCase, ...] = (
    ((2, 2, 7), (3, 2, 3), {"stride": 2, "padding": 1}),
    ((1, 4, 6), (4, 2, 2), {"dilation": 2, "groups": 2, "padding": "same"}),
)


def _conv_sampler(cases: tuple[ConvCase, ...]) -> Callable[[np.random.Generator], Sample]:
    def sample(rng: np.random.Generator) -> Sample:
        xs, ws, opts = cases[rng.integers(len(cases))]
        bias = rng.normal(size=ws[0]) if rng.integers(2) else None
        return [rng.normal(size=xs), rng.normal(size=ws), bias, opts]

    return sample


def _conv(x: Tensor, w: Tensor, b: Tensor | None, opts: dict[str, Any]) -> Tensor:
    op = ops.Conv1d if x.ndim == 3 else ops.Conv2d
    return op.apply(x, w, **opts) if b is None else op.apply(x, w, b, **opts)


_POOL_OPTIONS: tuple[dict[str, Any], ...] = (
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": (2, 3), "stride": 1},  # overlapping windows: gradients add up
    {"kernel_size": 2, "stride": 1, "dilation": 2},
)


def _pool_case(rng: np.random.Generator) -> Sample:
    shape = ((2, 3, 6, 6), (1, 2, 5, 7))[rng.integers(2)]
    return [_distinct(rng, shape), _POOL_OPTIONS[rng.integers(len(_POOL_OPTIONS))]]


def _avg_pool_case(rng: np.random.Generator) -> Sample:
    x, opts = _pool_case(rng)
    opts = {k: v for k, v in opts.items() if k != "dilation"}
    if "padding" in opts and rng.integers(2):
        opts["count_include_pad"] = False
    return [x, opts]


REGISTRY: tuple[OpCase, ...] = (
    # Tensor: elementwise with broadcasting
    _t("add", lambda a, b: a + b, _pair, ops.Add),
    _t("sub", lambda a, b: a - b, _pair, ops.Sub),
    _t("mul", lambda a, b: a * b, _pair, ops.Mul),
    _t("div", lambda a, b: a / b, _div_case, ops.Div),
    _t("rsub-number", lambda a: 3.0 - a, _one, ops.Sub),
    _t("rdiv-number", lambda a: 2.0 / a, lambda r: [_away(r, (3, 4), 0.5)], ops.Div),
    _t("maximum", lambda a, b: a.maximum(b), _maximum_case, ops.Maximum),
    _t("where", lambda a, b, cond: where(cond, a, b), _where_case, ops.Where),
    _t("neg", lambda a: -a, _one, ops.Neg),
    _t(
        "pow",
        lambda a, k: a**k,
        lambda r: [r.uniform(0.5, 2, (3, 4)), float(r.choice([2, 3, -1, 0.5, 1.5]))],
        ops.Pow,
    ),
    _t("rpow", lambda a: 2.0**a, _one, ops.Mul, ops.Exp),
    _t("exp", lambda a: a.exp(), _one, ops.Exp),
    _t("log", lambda a: a.log(), lambda r: _one(r, 0.2, 3.0), ops.Log),
    _t("sigmoid", lambda a: a.sigmoid(), lambda r: _one(r, -4, 4), ops.Sigmoid),
    _t("tanh", lambda a: a.tanh(), _one, ops.Tanh),
    _t("relu", lambda a: a.relu(), lambda r: [_away(r, (3, 4))], ops.ReLU),
    _t("clip", lambda a: a.clip(-1.0, 1.0), _clip_case, ops.Clip),
    # reductions
    _t("sum", lambda a, axis, keep: a.sum(axis=axis, keepdims=keep), _sum_case, ops.Sum),
    _t("mean", lambda a, axis, keep: a.mean(axis=axis, keepdims=keep), _sum_case, ops.Mean),
    _t("max", lambda a, axis, keep: a.max(axis=axis, keepdims=keep), _sum_case, ops.Max),
    _t(
        "softmax",
        lambda a, ax: a.softmax(axis=ax),
        lambda r: [r.normal(size=(3, 4)) * 2, int(r.integers(-2, 2))],
        ops.Softmax,
    ),
    _t(
        "log_softmax",
        lambda a, ax: a.log_softmax(axis=ax),
        lambda r: [r.normal(size=(3, 4)) * 2, int(r.integers(-2, 2))],
        ops.LogSoftmax,
    ),
    # movement
    _t("reshape", lambda a: a.reshape(2, -1), lambda r: [r.normal(size=(3, 4))], ops.Reshape),
    _t(
        "transpose",
        lambda a: a.T,
        lambda r: [r.normal(size=SHAPES[r.integers(1, 4)])],
        ops.Transpose,
    ),
    _t(
        "transpose-axes",
        lambda a: a.transpose(1, 2, 0),
        lambda r: [r.normal(size=(2, 3, 4))],
        ops.Transpose,
    ),
    _t("getitem", lambda a, idx: a[idx], _index_case, ops.GetItem),
    _t("concatenate", lambda *a: concatenate(a[:-1], axis=a[-1]), _cat_case, ops.Concatenate),
    _t("stack", lambda *a: stack(a[:-1], axis=a[-1]), _stack_case, ops.Stack),
    # linear algebra and fused layers / losses
    _t("matmul", lambda a, b: a @ b, _matmul_shapes, ops.MatMul),
    _t("linear", lambda x, w, b: ops.Linear.apply(x, w, b), _linear_case, ops.Linear),
    _t(
        "linear-nobias",
        lambda x, w: ops.Linear.apply(x, w),
        lambda r: _linear_case(r)[:2],
        ops.Linear,
    ),
    _t(
        "cross_entropy-index",
        lambda z, y, red: ops.CrossEntropy.apply(z, target=y, reduction=red),
        _ce_index_case,
        ops.CrossEntropy,
    ),
    _t(
        "cross_entropy-prob",
        lambda z, y, red: ops.CrossEntropy.apply(z, target=y, reduction=red),
        _ce_prob_case,
        ops.CrossEntropy,
    ),
    _t(
        "binary_cross_entropy",
        lambda z, y, red: ops.BinaryCrossEntropy.apply(z, target=y, reduction=red),
        _bce_case,
        ops.BinaryCrossEntropy,
    ),
    _t(
        "binary_cross_entropy-pos_weight",
        lambda z, y, red, o: ops.BinaryCrossEntropy.apply(z, target=y, reduction=red, **o),
        _bce_pos_weight_case,
        ops.BinaryCrossEntropy,
    ),
    _t(
        "binary_cross_entropy-prob",
        lambda p, y, red: ops.BinaryCrossEntropyProb.apply(p, target=y, reduction=red),
        _bce_prob_case,
        ops.BinaryCrossEntropyProb,
    ),
    # convolution and pooling
    _t("conv2d", _conv, _conv_sampler(_CONV2D_CASES), ops.Conv2d),
    _t("conv1d", _conv, _conv_sampler(_CONV1D_CASES), ops.Conv1d),
    _t("max_pool2d", lambda x, o: ops.MaxPool2d.apply(x, **o), _pool_case, ops.MaxPool2d),
    _t("avg_pool2d", lambda x, o: ops.AvgPool2d.apply(x, **o), _avg_pool_case, ops.AvgPool2d),
    # Value ops, numbers on either side
    _v("v-add", lambda a, b: a + b + 2.0 + (1.5 + a), _scalars(2), value.Add),
    _v("v-sub", lambda a, b: a - b - 1.0 + (3.0 - b), _scalars(2), value.Sub),
    _v("v-mul", lambda a, b: a * b * 2.0 + 0.5 * a, _scalars(2), value.Mul),
    _v(
        "v-div",
        lambda a, b: a / b + 2.0 / b + a / 4.0,
        lambda r: [float(r.uniform(-2, 2)), float(_away(r, (), 0.5))],
        value.Div,
    ),
    _v("v-neg", lambda a: -a, _scalars(1), value.Neg),
    _v("v-pow", lambda a: a**3 + a**-1 + a**0.5, _scalars(1, 0.5, 2.0), value.Pow),
    _v("v-rpow", lambda a: 2.0**a, _scalars(1), value.RPow),
    _v("v-exp", lambda a: a.exp(), _scalars(1), value.Exp),
    _v("v-log", lambda a: a.log(), _scalars(1, 0.2, 3.0), value.Log),
    _v("v-sigmoid", lambda a: a.sigmoid(), _scalars(1, -6, 6), value.Sigmoid),
    _v("v-tanh", lambda a: a.tanh(), _scalars(1), value.Tanh),
    _v("v-relu", lambda a: a.relu(), lambda r: [float(_away(r, ()))], value.ReLU),
    _v(
        "v-weighted_sum",
        lambda w1, w2, x1, x2, b: Value.weighted_sum([w1, w2], [x1, x2], b),
        _scalars(5),
        value.WeightedSum,
    ),
    _v("v-sum", lambda a, b, c: Value.sum([a, b, c, 1.0]), _scalars(3), value.Sum),
)


def _subclasses(base: type) -> set[type]:
    """Every subclass of base, at any depth (an op may subclass another op)."""
    found: set[type] = set()
    todo = [base]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in found:
                found.add(sub)
                todo.append(sub)
    return found


def defined_ops(package: str = "tinygrad_edu") -> set[type]:
    """The op classes defined in `package` (a module name prefix), found by introspection:
    every Function (tensor op) and every ValueOp (scalar op) subclass."""
    ops_ = _subclasses(Function) | _subclasses(ValueOp)
    return {c for c in ops_ if c.__module__ == package or c.__module__.startswith(package + ".")}


def unregistered(cases: Sequence[OpCase] = REGISTRY, package: str = "tinygrad_edu") -> set[type]:
    """The ops defined in `package` that no entry of `cases` covers (the suite wants none)."""
    covered = {c for case in cases for c in case.covers}
    return defined_ops(package) - covered


def ops_used(node: Node) -> set[type]:
    """The op classes of every node in node's graph (what a registry entry really exercises)."""
    used: set[type] = set()
    for n in topo_sort(node):
        op = n._ctx if isinstance(n, Tensor) else n._op if isinstance(n, Value) else None
        if op is not None:
            used.add(type(op))
    return used


def check(case: OpCase, seed: int, mode: str = "full", dtype: Any = np.float64, **tol: Any) -> None:
    """Gradcheck one entry on the inputs its sampler draws from `seed` (raises GradcheckError)."""
    leaves, args = make_inputs(case, case.sample(np.random.default_rng(seed)), dtype)
    if not leaves:
        raise ValueError(f"{case.name}: the sampler gave no differentiable input")
    gradcheck(build_fn(case, args, leaves), leaves, mode=mode, seed=seed, **tol)


def build_fn(case: OpCase, args: list[Any], leaves: list[Node]) -> Callable[..., Node]:
    """fn(*leaves) that rebuilds the op with the given leaves in their argument slots."""
    slots = [i for i, a in enumerate(args) if any(a is leaf for leaf in leaves)]

    def fn(*nodes: Node) -> Node:
        full = list(args)
        for i, n in zip(slots, nodes):
            full[i] = n
        return case.build(*full)

    return fn


def make_inputs(
    case: OpCase, sample: Sample, dtype: Any = np.float64
) -> tuple[list[Node], list[Any]]:
    """Turn a sample into (differentiable leaves, all build arguments in order)."""
    leaves: list[Node] = []
    args: list[Any] = []
    for i, s in enumerate(sample):
        differentiable = (case.carrier == "value" and isinstance(s, float)) or (
            case.carrier == "tensor"
            and isinstance(s, np.ndarray)
            and s.dtype.kind == "f"
            and not _is_target(case, i)
        )
        if differentiable:
            node: Node = (
                Value(s, label=f"x{i}")
                if case.carrier == "value"
                else Tensor(s.astype(dtype), requires_grad=True, label=f"x{i}")
            )
            leaves.append(node)
            args.append(node)
        else:
            args.append(s)
    return leaves, args


def _is_target(case: OpCase, i: int) -> bool:
    """The second sample of a loss is its target: data, not a differentiable input."""
    return case.name.startswith(("cross_entropy", "binary_cross_entropy")) and i == 1
