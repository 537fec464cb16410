"""PyTorch's free functions on tensors (cat, stack, where, maximum, minimum, einsum,
tensordot) and the argument helpers of Tensor's torch-style methods (dim=/axis=, index steps).

Kept out of tensor.py, which holds the Tensor class itself; tensor.py re-exports the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from . import ops
from .errors import BadIndexError, ShapeError
from .tensor import Tensor, _as_tensors
from .tensor import _make as make


def cat(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along an existing dim; the gradient is split back into the pieces."""
    return ops.Concatenate.apply(*_as_tensors(tensors, "cat"), axis=dim if axis is None else axis)


def concatenate(tensors: Sequence[Any], axis: int = 0) -> Tensor:
    """numpy's name for cat."""
    return cat(tensors, axis)


def stack(tensors: Sequence[Any], dim: int = 0, *, axis: int | None = None) -> Tensor:
    """Join tensors along a new dim; the gradient is unstacked back into the pieces."""
    return ops.Stack.apply(*_as_tensors(tensors, "stack"), axis=dim if axis is None else axis)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """z = x where condition else y (condition is not differentiated)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {cond.dtype}")
    xt = x if isinstance(x, Tensor) else None
    yt = y if isinstance(y, Tensor) else None
    ref = xt if xt is not None else yt if yt is not None else Tensor(x)
    xt = xt if xt is not None else ref._lift(x)
    yt = yt if yt is not None else ref._lift(y)
    return ops.Where.apply(xt, yt, condition=cond)


def maximum(x: Tensor, y: Any) -> Tensor:
    """Elementwise max; at ties each side gets half the gradient."""
    return x.maximum(y)


def minimum(x: Tensor, y: Any) -> Tensor:
    """Elementwise min; at ties each side gets half the gradient."""
    return x.minimum(y)


def einsum(subscripts: str, *operands: Any) -> Tensor:
    """Einstein summation of one or two tensors, e.g. einsum("bij,bjk->bik", a, b); the
    gradient of each operand is the einsum with the output and the other operand swapped in."""
    return ops.Einsum.apply(*_as_tensors(operands, "einsum"), subscripts=subscripts)


def tensordot(a: Tensor, b: Any, dims: Any = 2) -> Tensor:
    """Σ over the last `dims` axes of a and the first `dims` of b (or the listed axes), as an
    einsum."""
    b = a._lift(b)
    if isinstance(dims, (int, np.integer)):
        da, db = list(range(a.ndim - int(dims), a.ndim)), list(range(int(dims)))
    else:
        da, db = [list(d) if isinstance(d, (list, tuple)) else [d] for d in dims]
    da = [axis_index(d, a.ndim, "tensordot") for d in da]
    db = [axis_index(d, b.ndim, "tensordot") for d in db]
    if len(da) != len(db):
        raise ShapeError(f"'tensordot': {len(da)} axes of a but {len(db)} of b")
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    sa = [next(letters) for _ in range(a.ndim)]
    sb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(da, db):
        sb[j] = sa[i]
    out = [c for i, c in enumerate(sa) if i not in da] + [
        c for j, c in enumerate(sb) if j not in db
    ]
    return einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


# -- argument helpers for the methods above -------------------------------------------------------


def axis_index(d: Any, ndim: int, what: str) -> int:
    if not isinstance(d, (int, np.integer)) or not -ndim <= d < max(ndim, 1):
        raise BadIndexError(f"'{what}': dim {d!r} is out of range for a tensor with {ndim} dims")
    return int(d) % max(ndim, 1)


def resolve_dims(dim: Any, keepdim: bool, numpy_kw: dict[str, Any], what: str) -> tuple[Any, bool]:
    """Resolve torch's dim=/keepdim= and numpy's axis=/keepdims= (one of each pair).
    numpy's reductions call methods with out=None and dtype=None: accepted, others refused."""
    axis = numpy_kw.pop("axis", None)
    keepdims = numpy_kw.pop("keepdims", None)
    if numpy_kw.pop("out", None) is not None:
        raise TypeError(f"{what}: out= is not supported (ops return new tensors)")
    if numpy_kw.pop("dtype", None) is not None:
        raise TypeError(f"{what}: dtype= is not supported; convert with .to(dtype) first")
    if numpy_kw:
        raise TypeError(f"{what}: unexpected argument(s) {', '.join(map(repr, numpy_kw))}")
    if axis is not None:
        if dim is not None:
            raise TypeError(f"{what}: give dim= or axis=, not both")
        dim = axis
    if isinstance(dim, list):
        dim = tuple(dim)
    return dim, bool(keepdim if keepdims is None else keepdims)


def count_over(shape: tuple[int, ...], dims: Any) -> int:
    if dims is None:
        return int(np.prod(shape))
    raw = dims if isinstance(dims, tuple) else (dims,)
    return int(np.prod([shape[axis_index(d, len(shape), "var")] for d in raw]))


def drop_dims(shape: tuple[int, ...], dims: Any, ndim: int) -> tuple[int, ...]:
    """`shape` (keepdim form) without the reduced axes."""
    if dims is None:
        return ()
    raw = dims if isinstance(dims, tuple) else (dims,)
    gone = {axis_index(d, ndim, "reduce") for d in raw}
    return tuple(n for i, n in enumerate(shape) if i not in gone)


def arg_reduce(
    a: np.ndarray, fn: Any, dim: Any, keepdim: bool, kw: dict[str, Any], what: str
) -> Tensor:
    dim, keep = resolve_dims(dim, keepdim, kw, what)
    if a.size == 0:
        raise ShapeError(f"'{what}' of an empty tensor of shape {a.shape}")
    if dim is None:
        out = np.asarray(fn(a.reshape(-1)))
        out = out.reshape((1,) * a.ndim) if keep else out
    else:
        out = fn(a, axis=axis_index(dim, a.ndim, what), keepdims=keep)
    return make(np.asarray(out, dtype=np.int64), (), None, False)


def torch_index_steps(index: Any) -> list[Any]:
    """torch applies integer indices before index arrays (numpy mixes them into one advanced
    index, which moves axes: x[0, :, [0, 1]] is (2, n) in numpy, (n, 2) in torch). So such an
    index becomes two steps: the ints (with slices elsewhere), then the rest."""
    if not isinstance(index, tuple):
        return [index]

    def is_int(it: Any) -> bool:
        return isinstance(it, (int, np.integer)) and not isinstance(it, (bool, np.bool_))

    def is_array(it: Any) -> bool:
        return isinstance(it, (list, np.ndarray, Tensor))

    if not (any(map(is_int, index)) and any(map(is_array, index))):
        return [index]
    first, rest = [], []
    for it in index:
        if is_int(it):
            first.append(it)
        elif it is None:
            rest.append(it)
        elif it is Ellipsis:
            first.append(it)
            rest.append(it)
        else:
            arr = it.data if isinstance(it, Tensor) else it
            dims = np.asarray(arr).ndim if np.asarray(arr).dtype == np.bool_ else 1
            first.extend([slice(None)] * dims)
            rest.append(it)
    return [tuple(first), tuple(rest)]
