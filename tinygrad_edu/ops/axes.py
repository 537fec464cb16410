"""Axis arguments shared by the ops that take them (reductions, softmax, concatenate, stack)."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import BadIndexError, InputTypeError, ShapeError


def normalize_axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """Normalize numpy's axis= (None, int, negative, tuple) to sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    raw = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for ax in raw:
        if isinstance(ax, bool) or not isinstance(ax, (int, np.integer)):
            raise InputTypeError(f"'{op}': axis must be an int or a tuple of ints, got {ax!r}")
        if not -ndim <= ax < ndim:
            raise BadIndexError(
                f"'{op}': axis {ax!r} is out of range for a tensor with {ndim} dims"
            )
        out.append(int(ax) % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"'{op}': repeated axis in {axis!r}")
    return tuple(sorted(out))


def kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))
