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
from .tensor import Function, Tensor, cat, concatenate, einsum, stack, tensordot, where
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
    # PyTorch's counterpart, for tests/test_torch_ops.py: None means `build` itself runs on torch
    # tensors; a callable is called as torch(torch_module, *args); a string says why there is none.
    torch: Callable[..., Any] | str | None = None
    data_args: tuple[int, ...] = ()  # sample positions holding data (a loss target), not inputs


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
    torch: Callable[..., Any] | str | None = None,
    data_args: tuple[int, ...] = (),
) -> OpCase:
    return OpCase(name, "tensor", build, sample, covers, torch, data_args)


def _v(
    name: str,
    build: Callable[..., Node],
    sample: Callable[[np.random.Generator], Sample],
    *covers: type,
    torch: Callable[..., Any] | str | None = None,
) -> OpCase:
    return OpCase(name, "value", build, sample, covers, torch)


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
    {"kernel_size": 2, "stride": 3, "padding": 1},  # apart, with gaps: the disjoint path
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


# -- samplers of the ops PyTorch users reach for (issue 10) ----------------------------------------


def _pos(lo: float = 0.2, hi: float = 3.0) -> Callable[[np.random.Generator], Sample]:
    return lambda r: _one(r, lo, hi)


def _away_from_steps(rng: np.random.Generator) -> Sample:
    """k + u with u ∈ ±[0.1, 0.4] ∪ ±[0.6, 0.9]: away from integers and halves (the steps of
    floor, ceil, round and trunc)."""
    shape = SHAPES[rng.integers(len(SHAPES))]
    u = rng.uniform(0.1, 0.4, shape) + 0.5 * rng.integers(0, 2, shape)
    return [np.asarray(rng.integers(-3, 3, shape) + u, dtype=np.float64)]


def _pow_pair(rng: np.random.Generator) -> Sample:
    a, b = _pair(rng)
    return [np.abs(a) + 0.3, b]  # base > 0: ln a exists


def _relu6_case(rng: np.random.Generator) -> Sample:
    x = rng.uniform(-2, 8, (3, 4))
    return [np.where((np.abs(x) < 0.1) | (np.abs(x - 6) < 0.1), x + 0.3, x)]


def _softplus_case(rng: np.random.Generator) -> Sample:
    beta, threshold = ((1.0, 20.0), (2.0, 1.0), (0.5, 2.0))[rng.integers(3)]
    x = rng.uniform(-4, 4, (3, 4))
    near = np.abs(x * beta - threshold) < 0.1  # the switch to the linear branch is a kink
    return [np.where(near, x + 0.3 / beta, x), beta, threshold]


def _int_dim_case(rng: np.random.Generator) -> Sample:
    """Reductions that take one dim (or none): prod, cumsum, min(dim), max(dim)."""
    shape = ((5,), (3, 4), (2, 3, 4))[rng.integers(3)]
    dims: list[Any] = [None, 0, -1] + ([1, -2] if len(shape) == 3 else [])
    return [_distinct(rng, shape), dims[rng.integers(len(dims))], bool(rng.integers(2))]


def _prod_case(rng: np.random.Generator) -> Sample:
    x, dim, keep = _int_dim_case(rng)
    x = x + np.sign(x) * 0.3  # spaced values without zeros, then maybe a zero or two
    flat = x.reshape(-1)
    for i in rng.choice(flat.size, int(rng.integers(0, 3)), replace=False):
        flat[i] = 0.0  # Π_{j≠i} aⱼ must come out right where aᵢ = 0
    return [x, dim, keep]


def _var_case(rng: np.random.Generator) -> Sample:
    x, axis, keep = _axis_case(rng)
    return [x, axis, keep, int(rng.choice([0, 1]))]  # n ≥ 2 everywhere: n − 1 > 0


def _norm_case(rng: np.random.Generator) -> Sample:
    x, axis, keep = _axis_case(rng)
    return [x + np.sign(x) * 0.2, float(rng.choice([2, 1, 3, 0.5])), axis, keep]


def _squeeze_case(rng: np.random.Generator) -> Sample:
    dims: list[Any] = [None, 1, -1, (1, 3), 0]
    return [rng.normal(size=(2, 1, 3, 1)), dims[rng.integers(len(dims))]]


def _flatten_case(rng: np.random.Generator) -> Sample:
    se = ((0, -1), (1, 2), (0, 1), (-2, -1), (1, 1))[rng.integers(5)]
    return [rng.normal(size=(2, 3, 4)), *se]


def _expand_case(rng: np.random.Generator) -> Sample:
    shape, size = (((3, 1), (2, 3, 4)), ((1, 4), (3, -1)), ((4,), (2, 3, 4)), ((), (2, 2)))[
        rng.integers(4)
    ]
    return [rng.normal(size=shape), size]


def _permute_case(rng: np.random.Generator) -> Sample:
    dims = ((2, 0, 1), (0, 2, 1), (-1, -3, -2), (0, 1, 2))[rng.integers(4)]
    return [rng.normal(size=(2, 3, 4)), dims]


def _swap_case(rng: np.random.Generator) -> Sample:
    shape = ((3, 4), (2, 3, 4))[rng.integers(2)]
    d = ((0, 1), (-1, 0), (1, -1), (0, 0))[rng.integers(4)]
    return [rng.normal(size=shape), *d]


def _flip_case(rng: np.random.Generator) -> Sample:
    dims = ((0,), (-1,), (0, 2), (1, 0, 2))[rng.integers(4)]
    return [rng.normal(size=(2, 3, 4)), dims]


def _roll_case(rng: np.random.Generator) -> Sample:
    shifts, dims = ((1, 0), (-2, -1), ((1, 2), (0, 2)), (5, None))[rng.integers(4)]
    return [rng.normal(size=(2, 3, 4)), shifts, dims]


def _repeat_case(rng: np.random.Generator) -> Sample:
    shape, sizes = (((3,), (2,)), ((2, 3), (2, 1)), ((2, 3), (1, 2, 2)), ((), (3,)))[
        rng.integers(4)
    ]
    return [rng.normal(size=shape), sizes]


def _tile_case(rng: np.random.Generator) -> Sample:
    shape, dims = (((2, 3), (2,)), ((2, 3), (2, 1)), ((3,), (2, 2)))[rng.integers(3)]
    return [rng.normal(size=shape), dims]


def _pad_case(rng: np.random.Generator) -> Sample:
    shape, pad = (((3, 4), (1, 2)), ((2, 3, 4), (0, 1, 2, 0)), ((3,), (2, 2)))[rng.integers(3)]
    return [rng.normal(size=shape), pad, float(rng.choice([0.0, 0.5]))]


def _tri_case(rng: np.random.Generator) -> Sample:
    shape = ((3, 4), (2, 4, 3))[rng.integers(2)]
    return [rng.normal(size=shape), int(rng.integers(-1, 2))]


def _split_case(rng: np.random.Generator) -> Sample:
    size: Any = (1, 2, 3, (1, 3, 1), (4, 1))[rng.integers(5)]
    dim = int(rng.choice([1, -1])) if isinstance(size, tuple) else int(rng.integers(-2, 2))
    return [rng.normal(size=(5, 5)), size, dim]


def _chunk_case(rng: np.random.Generator) -> Sample:
    return [rng.normal(size=(5, 4)), int(rng.integers(1, 5)), int(rng.integers(-2, 2))]


def _gather_case(rng: np.random.Generator) -> Sample:
    dim = int(rng.integers(-2, 2))
    x = rng.normal(size=(3, 4))
    n = x.shape[dim]
    ishape = (4, 4) if dim in (0, -2) else (3, 5)  # longer than the gathered axis: repeats
    index = rng.integers(0, n, ishape)
    if dim in (0, -2):
        index = index[:, : rng.integers(1, 5)]  # smaller than the input along the other dim
    return [x, dim, index]


def _mask_case(rng: np.random.Generator) -> Sample:
    x = rng.normal(size=(3, 4))
    return [x, rng.random((3, 4)) > 0.5]


def _mixed_index_case(rng: np.random.Generator) -> Sample:
    indices: list[Any] = [
        (0, slice(None), np.array([0, 1, 1])),  # numpy: (3, 3); torch: (3, 3) with axes swapped
        (slice(None), 1, np.array([2, 0])),
        (np.array([1, 0]), slice(None), 2),
        (1, np.array([True, False, True])),
        (Ellipsis, np.array([0, 0]), 1),
    ]
    return [rng.normal(size=(2, 3, 4)), indices[rng.integers(len(indices))]]


def _tensordot_case(rng: np.random.Generator) -> Sample:
    sa, sb, dims = (
        ((3, 4), (4, 2), 1),
        ((2, 3, 4), (3, 4, 5), 2),
        ((3, 4), (2, 3), ([0], [1])),
        ((2, 3), (3, 2), 0),
    )[rng.integers(4)]
    return [rng.normal(size=sa), rng.normal(size=sb), dims]


EINSUM_CASES: tuple[tuple[str, tuple[tuple[int, ...], ...]], ...] = (
    ("ij,jk->ik", ((3, 4), (4, 2))),
    ("bij,bjk->bik", ((2, 3, 4), (2, 4, 5))),
    ("i,i->", ((4,), (4,))),
    ("i,j->ij", ((3,), (4,))),
    ("ij->ji", ((3, 4),)),
    ("ijk->j", ((2, 3, 4),)),
    ("ij,k->ik", ((3, 4), (2,))),  # j only in a: its gradient is broadcast back along j
    ("ij,jk", ((3, 4), (4, 2))),  # implicit output: ik
    ("...ij,...jk->...ik", ((2, 1, 3, 4), (5, 4, 2))),  # broadcast batch axes: summed back
    ("bhqd,bhkd->bhqk", ((2, 2, 3, 4), (2, 2, 5, 4))),  # attention scores
)


def _einsum_case(rng: np.random.Generator) -> Sample:
    spec, shapes = EINSUM_CASES[rng.integers(len(EINSUM_CASES))]
    return [spec, *[rng.normal(size=s) for s in shapes]]


def _keep_all(total: Any, a: Any, keep: bool) -> Any:
    """A full reduction with keepdim=True: every axis kept with size 1 (torch's prod() cannot)."""
    return total.reshape((1,) * a.ndim) if keep else total


def _reduce_dims(a: Any, dim: Any) -> Any:
    """torch's amax/logsumexp/... need explicit dims where ours take None for all."""
    return tuple(range(a.ndim)) if dim is None else dim


REGISTRY: tuple[OpCase, ...] = (
    # Tensor: elementwise with broadcasting
    _t("add", lambda a, b: a + b, _pair, ops.Add),
    _t("sub", lambda a, b: a - b, _pair, ops.Sub),
    _t("mul", lambda a, b: a * b, _pair, ops.Mul),
    _t("div", lambda a, b: a / b, _div_case, ops.Div),
    _t("rsub-number", lambda a: 3.0 - a, _one, ops.Sub),
    _t("rdiv-number", lambda a: 2.0 / a, lambda r: [_away(r, (3, 4), 0.5)], ops.Div),
    _t("maximum", lambda a, b: a.maximum(b), _maximum_case, ops.Maximum),
    _t(
        "where",
        lambda a, b, cond: where(cond, a, b),
        _where_case,
        ops.Where,
        torch=lambda t, a, b, cond: t.where(cond, a, b),
    ),
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
    _t(
        "max",
        lambda a, axis, keep: a.max(axis=axis, keepdims=keep),
        _sum_case,
        ops.Max,
        torch=lambda t, a, axis, keep: t.amax(a, _reduce_dims(a, axis), keep),
    ),
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
        lambda a: a.permute(1, 2, 0),
        lambda r: [r.normal(size=(2, 3, 4))],
        ops.Transpose,
    ),
    _t("getitem", lambda a, idx: a[idx], _index_case, ops.GetItem),
    _t(
        "concatenate",
        lambda *a: concatenate(a[:-1], axis=a[-1]),
        _cat_case,
        ops.Concatenate,
        torch=lambda t, *a: t.cat(a[:-1], dim=a[-1]),
    ),
    _t(
        "stack",
        lambda *a: stack(a[:-1], axis=a[-1]),
        _stack_case,
        ops.Stack,
        torch=lambda t, *a: t.stack(a[:-1], dim=a[-1]),
    ),
    # linear algebra and fused layers / losses
    _t("matmul", lambda a, b: a @ b, _matmul_shapes, ops.MatMul),
    _t(
        "linear",
        lambda x, w, b: ops.Linear.apply(x, w, b),
        _linear_case,
        ops.Linear,
        torch=lambda t, x, w, b: t.nn.functional.linear(x, w, b),
    ),
    _t(
        "linear-nobias",
        lambda x, w: ops.Linear.apply(x, w),
        lambda r: _linear_case(r)[:2],
        ops.Linear,
        torch=lambda t, x, w: t.nn.functional.linear(x, w),
    ),
    _t(
        "cross_entropy-index",
        lambda z, y, red: ops.CrossEntropy.apply(z, target=y, reduction=red),
        _ce_index_case,
        ops.CrossEntropy,
        torch=lambda t, z, y, red: t.nn.functional.cross_entropy(z, y, reduction=red),
        data_args=(1,),
    ),
    _t(
        "cross_entropy-prob",
        lambda z, y, red: ops.CrossEntropy.apply(z, target=y, reduction=red),
        _ce_prob_case,
        ops.CrossEntropy,
        torch=lambda t, z, y, red: t.nn.functional.cross_entropy(z, y, reduction=red),
        data_args=(1,),
    ),
    _t(
        "binary_cross_entropy",
        lambda z, y, red: ops.BinaryCrossEntropy.apply(z, target=y, reduction=red),
        _bce_case,
        ops.BinaryCrossEntropy,
        torch=lambda t, z, y, red: t.nn.functional.binary_cross_entropy_with_logits(
            z, y, reduction=red
        ),
        data_args=(1,),
    ),
    _t(
        "binary_cross_entropy-pos_weight",
        lambda z, y, red, o: ops.BinaryCrossEntropy.apply(z, target=y, reduction=red, **o),
        _bce_pos_weight_case,
        ops.BinaryCrossEntropy,
        torch=lambda t, z, y, red, o: t.nn.functional.binary_cross_entropy_with_logits(
            z, y, reduction=red, pos_weight=t.from_numpy(o["pos_weight"])
        ),
        data_args=(1,),
    ),
    _t(
        "binary_cross_entropy-prob",
        lambda p, y, red: ops.BinaryCrossEntropyProb.apply(p, target=y, reduction=red),
        _bce_prob_case,
        ops.BinaryCrossEntropyProb,
        torch=lambda t, p, y, red: t.nn.functional.binary_cross_entropy(p, y, reduction=red),
        data_args=(1,),
    ),
    # convolution and pooling
    _t(
        "conv2d",
        _conv,
        _conv_sampler(_CONV2D_CASES),
        ops.Conv2d,
        torch=lambda t, x, w, b, o: t.nn.functional.conv2d(x, w, b, **o),
    ),
    _t(
        "conv1d",
        _conv,
        _conv_sampler(_CONV1D_CASES),
        ops.Conv1d,
        torch=lambda t, x, w, b, o: t.nn.functional.conv1d(x, w, b, **o),
    ),
    _t(
        "max_pool2d",
        lambda x, o: ops.MaxPool2d.apply(x, **o),
        _pool_case,
        ops.MaxPool2d,
        torch=lambda t, x, o: t.nn.functional.max_pool2d(x, **o),
    ),
    _t(
        "avg_pool2d",
        lambda x, o: ops.AvgPool2d.apply(x, **o),
        _avg_pool_case,
        ops.AvgPool2d,
        torch=lambda t, x, o: t.nn.functional.avg_pool2d(x, **o),
    ),
    # elementwise functions (issue 10)
    _t("sqrt", lambda a: a.sqrt(), _pos(), ops.Sqrt),
    _t("rsqrt", lambda a: a.rsqrt(), _pos(), ops.Pow),
    _t("reciprocal", lambda a: a.reciprocal(), lambda r: [_away(r, (3, 4), 0.5)], ops.Div),
    _t("square", lambda a: a.square(), _one, ops.Mul),
    _t("abs", lambda a: a.abs(), lambda r: [_away(r, (3, 4))], ops.Abs),
    _t("sign", lambda a: a.sign(), lambda r: [_away(r, (3, 4))], ops.Sign),
    _t("pow-tensor", lambda a, b: a**b, _pow_pair, ops.Power),
    _t(
        "minimum",
        lambda a, b: a.minimum(b),
        _maximum_case,
        ops.Maximum,
        ops.Neg,
        torch=lambda t, a, b: t.minimum(a, b),
    ),
    _t("clamp", lambda a: a.clamp(-1.0, 1.0), _clip_case, ops.Clip),
    _t("log1p", lambda a: a.log1p(), lambda r: _one(r, -0.8, 3.0), ops.Log1p),
    _t("expm1", lambda a: a.expm1(), _one, ops.Expm1),
    _t("log2", lambda a: a.log2(), _pos(), ops.Log, ops.Mul),
    _t("exp2", lambda a: a.exp2(), _one, ops.Exp),
    _t("sin", lambda a: a.sin(), lambda r: _one(r, -4, 4), ops.Sin),
    _t("cos", lambda a: a.cos(), lambda r: _one(r, -4, 4), ops.Cos),
    _t("tan", lambda a: a.tan(), lambda r: _one(r, -1.2, 1.2), ops.Sin, ops.Cos, ops.Div),
    _t("erf", lambda a: a.erf(), _one, ops.Erf),
    _t("floor", lambda a: a.floor(), _away_from_steps, ops.Floor),
    _t("ceil", lambda a: a.ceil(), _away_from_steps, ops.Ceil),
    _t("round", lambda a: a.round(), _away_from_steps, ops.Round),
    _t("trunc", lambda a: a.trunc(), _away_from_steps, ops.Trunc),
    # activations: compositions (softplus is one op)
    _t(
        "leaky_relu",
        lambda a: a.leaky_relu(0.1),
        lambda r: [_away(r, (3, 4))],
        ops.Where,
        torch=lambda t, a: t.nn.functional.leaky_relu(a, 0.1),
    ),
    _t(
        "elu",
        lambda a: a.elu(1.5),
        lambda r: [_away(r, (3, 4)) * 3],
        ops.Where,
        ops.Expm1,
        torch=lambda t, a: t.nn.functional.elu(a, 1.5),
    ),
    _t(
        "gelu",
        lambda a: a.gelu(),
        lambda r: _one(r, -3, 3),
        ops.Erf,
        torch=lambda t, a: t.nn.functional.gelu(a),
    ),
    _t(
        "gelu-tanh",
        lambda a: a.gelu(approximate="tanh"),
        lambda r: _one(r, -3, 3),
        ops.Tanh,
        torch=lambda t, a: t.nn.functional.gelu(a, approximate="tanh"),
    ),
    _t("silu", lambda a: a.silu(), _one, ops.Sigmoid, torch=lambda t, a: t.nn.functional.silu(a)),
    _t(
        "softplus",
        lambda a, beta, th: a.softplus(beta, th),
        _softplus_case,
        ops.Softplus,
        torch=lambda t, a, beta, th: t.nn.functional.softplus(a, beta, th),
    ),
    _t(
        "hardtanh",
        lambda a: a.hardtanh(),
        _clip_case,
        ops.Where,
        torch=lambda t, a: t.nn.functional.hardtanh(a),
    ),
    _t(
        "relu6",
        lambda a: a.relu6(),
        _relu6_case,
        ops.Where,
        torch=lambda t, a: t.nn.functional.relu6(a),
    ),
    _t(
        "softsign",
        lambda a: a.softsign(),
        lambda r: [_away(r, (3, 4))],
        ops.Abs,
        ops.Div,
        torch=lambda t, a: t.nn.functional.softsign(a),
    ),
    _t(
        "mish",
        lambda a: a.mish(),
        lambda r: _one(r, -4, 4),
        ops.Softplus,
        ops.Tanh,
        torch=lambda t, a: t.nn.functional.mish(a),
    ),
    _t(
        "logsigmoid",
        lambda a: a.logsigmoid(),
        lambda r: _one(r, -6, 6),
        ops.Softplus,
        torch=lambda t, a: t.nn.functional.logsigmoid(a),
    ),
    # reductions with torch's dim=/keepdim=
    _t("sum-dim", lambda a, d, k: a.sum(dim=d, keepdim=k), _sum_case, ops.Sum),
    _t("mean-dim", lambda a, d, k: a.mean(d, k), _sum_case, ops.Mean),
    _t(
        "amin",
        lambda a, d, k: a.amin(d, k),
        _sum_case,
        ops.Max,
        torch=lambda t, a, d, k: t.amin(a, _reduce_dims(a, d), k),
    ),
    _t(
        "max-dim",
        lambda a, d, k: a.max(d, k)[0] if d is not None else a.max(),
        _int_dim_case,
        ops.Max,
    ),
    _t(
        "min-dim",
        lambda a, d, k: a.min(d, keepdim=k).values if d is not None else a.min(),
        _int_dim_case,
        ops.Max,
        ops.Neg,
    ),
    _t(
        "prod",
        lambda a, d, k: a.prod(d, k),
        _prod_case,
        ops.Prod,
        torch=lambda t, a, d, k: a.prod(d, k) if d is not None else _keep_all(a.prod(), a, k),
    ),
    _t(
        "cumsum",
        lambda a, d, k: a.cumsum(d),
        _int_dim_case,
        ops.CumSum,
        torch=lambda t, a, d, k: a.reshape(-1).cumsum(0) if d is None else a.cumsum(d),
    ),
    _t(
        "var",
        lambda a, d, k, c: a.var(d, keepdim=k, correction=c),
        _var_case,
        ops.Mean,
        ops.Sum,
        ops.Mul,
    ),
    _t(
        "std",
        lambda a, d, k, c: a.std(d, keepdim=k, correction=c),
        _var_case,
        ops.Sqrt,
    ),
    _t(
        "std-unbiased-false",
        lambda a, d, k: a.std(d, False, k),
        _sum_case,
        ops.Sqrt,
        torch=lambda t, a, d, k: a.std(d, correction=0, keepdim=k),
    ),
    _t(
        "logsumexp",
        lambda a, d, k: a.logsumexp(d, k),
        _sum_case,
        ops.Exp,
        ops.Log,
        torch=lambda t, a, d, k: t.logsumexp(a, _reduce_dims(a, d), k),
    ),
    _t(
        "norm",
        lambda a, p, d, k: a.norm(p, d, k),
        _norm_case,
        ops.Sum,
        torch=lambda t, a, p, d, k: t.linalg.vector_norm(a, p, d, k),
    ),
    _t(
        "norm-inf",
        lambda a, d, k: a.norm(float("inf"), d, k),
        _sum_case,
        ops.Abs,
        ops.Max,
        torch=lambda t, a, d, k: t.linalg.vector_norm(a, float("inf"), d, k),
    ),
    # movement (torch's semantics: transpose swaps two dims)
    _t("view", lambda a: a.view(2, -1), lambda r: [r.normal(size=(3, 4))], ops.Reshape),
    _t(
        "reshape-tuple", lambda a: a.reshape((4, 3)), lambda r: [r.normal(size=(3, 4))], ops.Reshape
    ),
    _t("flatten", lambda a, s, e: a.flatten(s, e), _flatten_case, ops.Reshape),
    _t(
        "squeeze",
        lambda a, d: a.squeeze() if d is None else a.squeeze(d),
        _squeeze_case,
        ops.Reshape,
    ),
    _t(
        "unsqueeze",
        lambda a, d: a.unsqueeze(d),
        lambda r: [r.normal(size=(3, 4)), int(r.integers(-3, 3))],
        ops.Reshape,
    ),
    _t("expand", lambda a, s: a.expand(*s), _expand_case, ops.Expand),
    _t(
        "expand_as",
        lambda a, b: a.expand_as(b),
        lambda r: [r.normal(size=(3, 1)), r.normal(size=(2, 3, 4))],
        ops.Expand,
    ),
    _t("permute", lambda a, d: a.permute(*d), _permute_case, ops.Transpose),
    _t("transpose-swap", lambda a, i, j: a.transpose(i, j), _swap_case, ops.Transpose),
    _t("mT", lambda a: a.mT, lambda r: [r.normal(size=(2, 3, 4))], ops.Transpose),
    _t("flip", lambda a, d: a.flip(d), _flip_case, ops.Flip),
    _t("roll", lambda a, s, d: a.roll(s, d), _roll_case, ops.Roll),
    _t("repeat", lambda a, s: a.repeat(*s), _repeat_case, ops.Expand, ops.Reshape),
    _t("tile", lambda a, d: a.tile(d), _tile_case, ops.Expand),
    _t(
        "pad",
        lambda a, p, v: a.pad(p, v),
        _pad_case,
        ops.Pad,
        torch=lambda t, a, p, v: t.nn.functional.pad(a, p, value=v),
    ),
    _t("tril", lambda a, k: a.tril(k), _tri_case, ops.Where),
    _t("triu", lambda a, k: a.triu(k), _tri_case, ops.Where),
    _t(
        "split",
        lambda a, s, d: cat([p * (i + 1.0) for i, p in enumerate(a.split(s, d))], dim=d),
        _split_case,
        ops.GetItem,
        ops.Concatenate,
        torch=lambda t, a, s, d: t.cat([p * (i + 1.0) for i, p in enumerate(a.split(s, d))], d),
    ),
    _t(
        "chunk",
        lambda a, c, d: cat([p * (i + 1.0) for i, p in enumerate(a.chunk(c, d))], dim=d),
        _chunk_case,
        ops.GetItem,
        torch=lambda t, a, c, d: t.cat([p * (i + 1.0) for i, p in enumerate(a.chunk(c, d))], d),
    ),
    _t(
        "cat-dim",
        lambda a, b: cat([a, b], dim=-1),
        lambda r: [r.normal(size=(2, 3)), r.normal(size=(2, 2))],
        ops.Concatenate,
        torch=lambda t, a, b: t.cat([a, b], dim=-1),
    ),
    _t(
        "cat-method",
        lambda a, b, c: a.cat(b, c, dim=0),
        lambda r: [r.normal(size=(1, 3)), r.normal(size=(2, 3)), r.normal(size=(3,))[None]],
        ops.Concatenate,
        torch=lambda t, a, b, c: t.cat([a, b, c], dim=0),
    ),
    _t(
        "stack-method",
        lambda a, b: a.stack(b, dim=-1),
        lambda r: [r.normal(size=(2, 3)), r.normal(size=(2, 3))],
        ops.Stack,
        torch=lambda t, a, b: t.stack([a, b], dim=-1),
    ),
    _t(
        "where-method",
        lambda a, b, cond: Tensor(cond).bool().where(a, b),
        _where_case,
        ops.Where,
        torch=lambda t, a, b, cond: t.where(cond, a, b),
    ),
    _t(
        "where-torch-method",
        lambda a, b, cond: a.where(Tensor(cond).bool(), b),
        _where_case,
        ops.Where,
        torch=lambda t, a, b, cond: a.where(cond, b),
    ),
    _t(
        "gather",
        lambda a, d, i: a.gather(d, i),
        _gather_case,
        ops.Gather,
        torch=lambda t, a, d, i: a.gather(d, i),
    ),
    _t(
        "getitem-mask",
        lambda a, m: a[Tensor(m).bool()],
        _mask_case,
        ops.GetItem,
        torch=lambda t, a, m: a[m],
    ),
    _t("getitem-mixed", lambda a, idx: a[idx], _mixed_index_case, ops.GetItem),
    _t(
        "masked_fill",
        lambda a, m: a.masked_fill(Tensor(m).bool(), 0.5),
        _mask_case,
        ops.Where,
        torch=lambda t, a, m: a.masked_fill(m, 0.5),
    ),
    # linear algebra
    _t(
        "dot",
        lambda a, b: a.dot(b),
        lambda r: [r.normal(size=4), r.normal(size=4)],
        ops.MatMul,
    ),
    _t(
        "outer",
        lambda a, b: a.outer(b),
        lambda r: [r.normal(size=3), r.normal(size=4)],
        ops.Mul,
    ),
    _t(
        "tensordot",
        lambda a, b, d: tensordot(a, b, d),
        _tensordot_case,
        ops.Einsum,
        torch=lambda t, a, b, d: t.tensordot(a, b, d),
    ),
    _t(
        "einsum",
        lambda spec, *xs: einsum(spec, *xs),
        _einsum_case,
        ops.Einsum,
        torch=lambda t, spec, *xs: t.einsum(spec, *xs),
    ),
    # conversion
    _t("to", lambda a: a.to(a.dtype), _one, ops.Cast),
    _t("clone", lambda a: a.clone(), _one, ops.Clone),
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
    _v(
        "v-pow-value",
        lambda a, b: a**b,
        lambda r: [float(r.uniform(0.3, 2.5)), float(r.uniform(-2, 2))],
        value.Power,
    ),
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
        torch=lambda t, w1, w2, x1, x2, b: w1 * x1 + w2 * x2 + b,
    ),
    _v(
        "v-sum",
        lambda a, b, c: Value.sum([a, b, c, 1.0]),
        _scalars(3),
        value.Sum,
        torch=lambda t, a, b, c: a + b + c + 1.0,
    ),
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
            and i not in case.data_args
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
