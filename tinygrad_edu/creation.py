"""Constructors, as in torch: zeros, ones, full, empty, arange, linspace, eye, rand, randn,
randint, the *_like forms and tensor(). Shapes are a tuple or varargs (zeros(2, 3) ==
zeros((2, 3))); every one takes dtype= and requires_grad=; random ones take generator=.

The default dtype is float64 (the engine's; torch's is float32). Only floating-point tensors
can require grad. `empty` returns zeros: numpy's uninitialised memory would make a program's
results depend on chance.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .random import generator_or_default
from .tensor import Tensor, check_dtype

Shape = tuple[int, ...]


def _shape(size: Sequence[Any], what: str) -> Shape:
    """(2, 3), ((2, 3),) and ([2, 3],) all mean the shape (2, 3)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    if not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 0 for n in size
    ):
        raise TypeError(f"{what}: a shape is ints ≥ 0 (a tuple or varargs), got {tuple(size)!r}")
    return tuple(int(n) for n in size)


def _float_dtype(dtype: Any, what: str) -> np.dtype:
    dt = check_dtype(np.float64 if dtype is None else dtype, what)
    if dt.kind != "f":
        raise TypeError(f"{what}: dtype must be float32 or float64, got {dt}")
    return dt


def _wrap(arr: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(arr, requires_grad=requires_grad, dtype=arr.dtype)


def tensor(data: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """torch.tensor: the dtype is inferred from the data (bool → bool, int → int64, float →
    float64, float32 arrays stay float32) unless dtype= says otherwise."""
    if isinstance(data, Tensor):
        data = data.data
    arr = np.asarray(data)
    if dtype is None and arr.dtype.kind in "iu":
        dtype = np.int64
    return Tensor(
        np.array(arr),
        requires_grad=requires_grad,
        dtype=dtype if dtype is not None else (arr.dtype if arr.dtype.kind in "bf" else None),
    )


def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of 0s with the given shape."""
    return full(
        _shape(size, "zeros"),
        0,
        dtype=_float_dtype(dtype, "zeros") if dtype is None else dtype,
        requires_grad=requires_grad,
    )


def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of 1s with the given shape."""
    return full(
        _shape(size, "ones"),
        1,
        dtype=_float_dtype(dtype, "ones") if dtype is None else dtype,
        requires_grad=requires_grad,
    )


def empty(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """As torch.empty, but filled with 0s (never uninitialised memory)."""
    return full(
        _shape(size, "empty"),
        0,
        dtype=_float_dtype(dtype, "empty") if dtype is None else dtype,
        requires_grad=requires_grad,
    )


def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """A tensor of the given shape filled with fill_value (dtype inferred as torch does:
    a bool fill gives bool, an int fill int64, else float64)."""
    shape = _shape((size,) if isinstance(size, (tuple, list)) else (size,), "full")
    if dtype is None:
        kind = np.asarray(fill_value).dtype.kind
        dtype = np.bool_ if kind == "b" else np.int64 if kind in "iu" else np.float64
    dt = check_dtype(dtype, "full")
    return _wrap(np.full(shape, fill_value, dtype=dt), requires_grad)


def arange(
    start: float,
    end: float | None = None,
    step: float = 1,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """[start, start+step, …) up to but excluding end; arange(n) is 0 … n−1. Ints give int64
    (as torch), any float argument float64."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise ValueError("arange: step must be nonzero")
    if dtype is None:
        ints = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if ints else np.float64
    return _wrap(np.arange(start, end, step, dtype=check_dtype(dtype, "arange")), requires_grad)


def linspace(
    start: float, end: float, steps: int, dtype: Any = None, requires_grad: bool = False
) -> Tensor:
    """`steps` evenly spaced points from start to end, both included."""
    if not isinstance(steps, (int, np.integer)) or steps < 0:
        raise TypeError(f"linspace: steps must be an int ≥ 0, got {steps!r}")
    arr = np.linspace(start, end, int(steps), dtype=_float_dtype(dtype, "linspace"))
    return _wrap(arr, requires_grad)


def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """The n×m identity matrix (m = n by default)."""
    return _wrap(np.eye(n, m, dtype=_float_dtype(dtype, "eye")), requires_grad)


def rand(
    *size: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Uniform on [0, 1), drawn from `generator` or the default one (see manual_seed)."""
    rng = generator_or_default(generator, "rand")
    arr = rng.random(_shape(size, "rand"), dtype=_float_dtype(dtype, "rand"))
    return _wrap(arr, requires_grad)


def randn(
    *size: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Standard normal N(0, 1), drawn from `generator` or the default one (see manual_seed)."""
    rng = generator_or_default(generator, "randn")
    arr = rng.standard_normal(_shape(size, "randn"), dtype=_float_dtype(dtype, "randn"))
    return _wrap(arr, requires_grad)


def randint(
    low: int,
    high: int | None = None,
    size: Any = (),
    generator: np.random.Generator | None = None,
    dtype: Any = None,
) -> Tensor:
    """Integers uniform on [low, high) (randint(high, size) means low = 0), int64 by default."""
    if high is None:
        low, high = 0, low
    if high <= low:
        raise ValueError(f"randint: high={high} must be greater than low={low}")
    rng = generator_or_default(generator, "randint")
    shape = _shape(size if isinstance(size, (tuple, list)) else (size,), "randint")
    dt = check_dtype(np.int64 if dtype is None else dtype, "randint")
    return _wrap(rng.integers(low, high, shape).astype(dt), False)


# -- *_like: the shape (and by default the dtype) of another tensor -------------------------------


def _like(t: Any, dtype: Any) -> tuple[Shape, np.dtype]:
    """t's shape, and dtype if given, else t's dtype."""
    arr = t.data if isinstance(t, Tensor) else np.asarray(t)
    return arr.shape, arr.dtype if dtype is None else dtype


def zeros_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """zeros of t's shape and dtype."""
    shape, dt = _like(t, dtype)
    return full(shape, 0, dtype=dt, requires_grad=requires_grad)


def ones_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """ones of t's shape and dtype."""
    shape, dt = _like(t, dtype)
    return full(shape, 1, dtype=dt, requires_grad=requires_grad)


def empty_like(t: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """As zeros_like (see empty)."""
    return zeros_like(t, dtype=dtype, requires_grad=requires_grad)


def full_like(t: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """fill_value in t's shape and dtype."""
    shape, dt = _like(t, dtype)
    return full(shape, fill_value, dtype=dt, requires_grad=requires_grad)


def rand_like(
    t: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """rand of t's shape (and float dtype)."""
    shape, dt = _like(t, dtype)
    return rand(shape, generator=generator, dtype=dt, requires_grad=requires_grad)


def randn_like(
    t: Any,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """randn of t's shape (and float dtype)."""
    shape, dt = _like(t, dtype)
    return randn(shape, generator=generator, dtype=dt, requires_grad=requires_grad)


def randint_like(
    t: Any,
    low: int,
    high: int | None = None,
    generator: np.random.Generator | None = None,
    dtype: Any = None,
) -> Tensor:
    """randint of t's shape (int64 unless dtype= says otherwise, as torch's)."""
    shape, _ = _like(t, None)
    return randint(low, high, shape, generator=generator, dtype=dtype)
