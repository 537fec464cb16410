"""Movement ops: reshape, transpose, indexing, concatenate, stack."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import BadIndexError, ShapeError
from ..graph import LocalGrad
from ..tensor import Function
from .axes import normalize_axes


class Reshape(Function):
    """z = a viewed with a new shape; the gradient is reshaped back"""

    __slots__ = ("shape",)
    name = "reshape"

    def forward(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        self.shape = a.shape
        try:
            return a.reshape(shape)
        except (ValueError, TypeError):
            raise ShapeError(
                f"'reshape': cannot reshape {a.shape} ({a.size} elements) into {tuple(shape)}"
            ) from None

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g.reshape(self.shape),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad(f"∂{{z}}/∂{{0}}: reshape back to {self.shape}", None),)


class Transpose(Function):
    """z = a with axes permuted (reversed by default); the gradient is permuted back"""

    __slots__ = ("inverse",)
    name = "transpose"

    def forward(self, a: np.ndarray, axes: tuple[int, ...] | None) -> np.ndarray:
        perm = tuple(range(a.ndim))[::-1] if axes is None else _axes_perm(axes, a.ndim)
        self.inverse = tuple(np.argsort(perm))
        return a.transpose(perm)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g.transpose(self.inverse),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}: transpose back", None),)


def _axes_perm(axes: Any, ndim: int) -> tuple[int, ...]:
    perm = tuple(int(a) % ndim if -ndim <= int(a) < ndim else -1 for a in axes)
    if sorted(perm) != list(range(ndim)):
        raise ShapeError(f"'transpose': axes {tuple(axes)} are not a permutation of {ndim} dims")
    return perm


def _index(index: Any) -> tuple[Any, bool]:
    """Turn Tensor/list/bool indices into numpy ones; report whether it is basic indexing."""
    items = index if isinstance(index, tuple) else (index,)
    out, basic = [], True
    for it in items:
        if hasattr(it, "data") and isinstance(it.data, np.ndarray):  # a Tensor
            it = it.data
        if isinstance(it, (list, np.ndarray)):
            arr = np.asarray(it)
            if arr.dtype == np.bool_:
                out.extend(np.nonzero(arr))
            elif arr.dtype.kind in "iu":
                out.append(arr)
            elif arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
                out.append(arr.astype(np.intp))
            else:
                raise BadIndexError(
                    f"'getitem': index arrays must hold integers, got {arr.dtype}"
                )
            basic = False
        else:
            out.append(it)
    return (tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]), basic


class GetItem(Function):
    """z = a[index] (ints, slices, integer arrays); ∂C/∂a scatters g back, repeats accumulate"""

    __slots__ = ("shape", "index", "basic")
    name = "[]"

    def forward(self, a: np.ndarray, index: Any) -> np.ndarray:
        idx, basic = _index(index)
        self.shape, self.index, self.basic = a.shape, idx, basic
        try:
            return np.asarray(a[idx])
        except IndexError as e:
            raise BadIndexError(f"'getitem': {e} (tensor shape {a.shape})") from None

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        out = np.zeros(self.shape, dtype=g.dtype)
        if self.basic:
            out[self.index] = g
        else:  # add.at accumulates where an index repeats (a[[0, 0]] uses a[0] twice)
            np.add.at(out, self.index, g)
        return (out,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}: scatter back into the selected positions", None),)


class Concatenate(Function):
    """z = [a₁ a₂ …] along `axis`; the gradient is split back into the pieces"""

    __slots__ = ("axis", "cuts")
    name = "concat"

    def forward(self, *arrays: np.ndarray, axis: int) -> np.ndarray:
        self.axis = normalize_axes(axis, arrays[0].ndim, "concat")[0]
        self.cuts = np.cumsum([a.shape[self.axis] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=self.axis)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(g, self.cuts, axis=self.axis))

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return tuple(
            LocalGrad(f"∂{{z}}/∂{{{i}}}: split back", None) for i in range(len(self.cuts) + 1)
        )


class Stack(Function):
    """z = stack(a₁, a₂, …) along a new `axis`; the gradient is unstacked"""

    __slots__ = ("axis", "n")
    name = "stack"

    def forward(self, *arrays: np.ndarray, axis: int) -> np.ndarray:
        self.axis = normalize_axes(axis, arrays[0].ndim + 1, "stack")[0]
        self.n = len(arrays)
        return np.stack(arrays, axis=self.axis)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.moveaxis(g, self.axis, 0))

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return tuple(LocalGrad(f"∂{{z}}/∂{{{i}}}: unstack", None) for i in range(self.n))
