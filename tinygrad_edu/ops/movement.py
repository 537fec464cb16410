"""Movement ops: reshape, transpose, indexing, concatenate, stack."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import BadIndexError, InputError, ShapeError
from ..graph import LocalGrad
from ..tensor import Function, IndexedGrad, unbroadcast
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
    """Turn Tensor/list/bool indices into numpy ones; report whether each position of the
    input is selected at most once (ints, slices and boolean masks, kept as masks)."""
    items = index if isinstance(index, tuple) else (index,)
    out, unique = [], True
    for it in items:
        if hasattr(it, "data") and isinstance(it.data, np.ndarray):  # a Tensor
            it = it.data
        if isinstance(it, (list, np.ndarray)):
            arr = np.asarray(it)
            if arr.dtype == np.bool_:
                out.append(arr)
            elif arr.dtype.kind in "iu":
                out.append(arr)
                unique = False
            elif arr.size == 0 and arr.dtype.kind == "f":  # [] is an empty selection
                out.append(arr.astype(np.intp))
            else:  # a float 0/1 mask would silently be read as the indices 0 and 1
                raise BadIndexError(
                    f"'getitem': index arrays must hold integers or bools, got {arr.dtype}; "
                    "for a mask compare (x > 0), for indices convert with .long()"
                )
        else:
            out.append(it)
    return (tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]), unique


class GetItem(Function):
    """z = a[index] (ints, slices, boolean masks, integer arrays); ∂C/∂a is g scattered back
    into the selected positions, repeats accumulating (a[[0, 0]] uses a[0] twice)"""

    __slots__ = ("index", "unique")
    name = "[]"

    def forward(self, a: np.ndarray, index: Any) -> np.ndarray:
        self.index, self.unique = _index(index)
        try:
            return np.asarray(a[self.index])
        except IndexError as e:
            raise BadIndexError(f"'getitem': {e} (tensor shape {a.shape})") from None

    def backward(self, g: np.ndarray) -> tuple[IndexedGrad]:
        # Indexed, not a full-size array: a loop over rows then costs O(row) per row.
        return (IndexedGrad(self.index, g, self.unique),)

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


class Expand(Function):
    """z = a broadcast to `shape` (−1 keeps an axis, new axes go in front); the gradient sums
    over the copies (unbroadcast)"""

    __slots__ = ("shape",)
    name = "expand"

    def forward(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        if len(shape) < a.ndim:
            raise ShapeError(f"'expand': {shape} has fewer dims than the tensor's {a.shape}")
        lead = len(shape) - a.ndim
        target = tuple(
            (a.shape[i - lead] if n == -1 and i >= lead else n) for i, n in enumerate(shape)
        )
        bad = [i for i in range(lead, len(shape)) if a.shape[i - lead] not in (1, target[i])]
        if bad or any(n < 0 for n in target):
            raise ShapeError(
                f"'expand': cannot expand {a.shape} to {shape}; only axes of size 1 can grow"
            )
        self.shape = a.shape
        return np.broadcast_to(a, target).copy()  # a copy: results are writable, as every op's

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (unbroadcast(g, self.shape),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}: sum over the copies", None),)


class Flip(Function):
    """z = a reversed along `axis`; the gradient is reversed back"""

    __slots__ = ("axes",)
    name = "flip"

    def forward(self, a: np.ndarray, axis: Any) -> np.ndarray:
        self.axes = normalize_axes(tuple(axis), a.ndim, "flip")
        return np.flip(a, self.axes).copy()

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (np.flip(g, self.axes).copy(),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}: flip back", None),)


class Roll(Function):
    """z = a shifted cyclically by `shift` along `axis`; the gradient is shifted back"""

    __slots__ = ("shift", "axis")
    name = "roll"

    def forward(self, a: np.ndarray, shift: Any, axis: Any) -> np.ndarray:
        shifts = tuple(shift) if isinstance(shift, (tuple, list)) else (shift,)
        axes = tuple(axis) if isinstance(axis, (tuple, list)) else (axis,)
        if len(shifts) != len(axes):
            raise ShapeError(f"'roll': {len(shifts)} shifts for {len(axes)} dims")
        for ax in axes:
            normalize_axes(ax, a.ndim, "roll")
        self.shift, self.axis = shifts, axes
        return np.roll(a, shifts, axes)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (np.roll(g, tuple(-s for s in self.shift), self.axis),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}: roll back", None),)


class Pad(Function):
    """z = a with `value` added around it; pad = (left, right) of the last axis, then of the
    one before, … (torch.nn.functional.pad, constant mode); the gradient is the inner part"""

    __slots__ = ("inner",)
    name = "pad"

    def forward(self, a: np.ndarray, pad: tuple[int, ...], value: float) -> np.ndarray:
        if len(pad) % 2 or len(pad) > 2 * a.ndim:
            raise ShapeError(
                f"'pad': pad must hold (before, after) pairs for at most {a.ndim} dims, got {pad}"
            )
        if any(not isinstance(p, (int, np.integer)) or p < 0 for p in pad):
            raise InputError(f"'pad': padding sizes must be ints ≥ 0, got {pad}")
        widths = [(0, 0)] * a.ndim
        for i in range(len(pad) // 2):
            widths[a.ndim - 1 - i] = (int(pad[2 * i]), int(pad[2 * i + 1]))
        self.inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, a.shape))
        return np.pad(a, widths, constant_values=value)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g[self.inner],)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}: the inner part", None),)


class Gather(Function):
    """z[i][j] = a[index[i][j]][j] (dim 0; likewise for any dim), as torch.gather; ∂C/∂a
    scatters g back to the gathered positions, repeated indices accumulating"""

    __slots__ = ("shape", "where")
    name = "gather"

    def forward(self, a: np.ndarray, dim: int, index: np.ndarray) -> np.ndarray:
        if index.dtype.kind not in "iu":
            raise InputError(f"'gather': index must hold integers, got {index.dtype} (use .long())")
        d = normalize_axes(dim, a.ndim, "gather")[0]
        if index.ndim != a.ndim or any(
            index.shape[i] > a.shape[i] for i in range(a.ndim) if i != d
        ):
            raise ShapeError(
                f"'gather': index of shape {index.shape} must have the tensor's {a.ndim} dims "
                f"and be no larger than {a.shape} except along dim {dim}"
            )
        if index.size and (index.min() < -a.shape[d] or index.max() >= a.shape[d]):
            raise InputError(
                f"'gather': index out of range for dim {dim} of size {a.shape[d]} "
                f"(found {index.min()} … {index.max()})"
            )
        grids = list(np.indices(index.shape, sparse=True))
        grids[d] = index
        self.shape, self.where = a.shape, tuple(grids)
        return a[self.where]

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        out = np.zeros(self.shape, dtype=g.dtype)
        np.add.at(out, self.where, g)
        return (out,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}: scatter back into the gathered positions", None),)
