"""Reductions along axes, and the softmax family."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ShapeError
from ..graph import LocalGrad
from ..tensor import Function
from .axes import kept_shape, normalize_axes


def _spread(g: np.ndarray, kept: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Copy a reduced gradient back over every element that was reduced (a writable array)."""
    out = np.empty(shape, dtype=g.dtype)
    out[...] = g.reshape(kept)
    return out


class Sum(Function):
    """z = Σᵢ aᵢ over `axis`; ∂z/∂aᵢ = 1"""

    __slots__ = ("shape", "kept")
    name = "sum"

    def forward(self, a: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        axes = normalize_axes(axis, a.ndim, "sum")
        self.shape, self.kept = a.shape, kept_shape(a.shape, axes)
        return np.asarray(a.sum(axis=axes, keepdims=keepdims))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (_spread(g, self.kept, self.shape),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}ᵢ = 1", None),)


class Mean(Function):
    """z = (1/n) Σᵢ aᵢ over `axis`; ∂z/∂aᵢ = 1/n"""

    __slots__ = ("shape", "kept", "n")
    name = "mean"

    def forward(self, a: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        axes = normalize_axes(axis, a.ndim, "mean")
        self.shape, self.kept = a.shape, kept_shape(a.shape, axes)
        self.n = int(np.prod([a.shape[i] for i in axes])) if axes else 1
        if self.n == 0:
            raise ShapeError(f"'mean': mean over an empty axis of a tensor of shape {a.shape}")
        return np.asarray(a.mean(axis=axes, keepdims=keepdims))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (_spread(g / self.n, self.kept, self.shape),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad(f"∂{{z}}/∂{{0}}ᵢ = 1/{self.n}", None),)


class Max(Function):
    """z = maxᵢ aᵢ over `axis`; ∂z/∂aᵢ = 1[aᵢ = z] (shared equally between ties)"""

    __slots__ = ("w", "kept")
    name = "max"

    def forward(self, a: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        axes = normalize_axes(axis, a.ndim, "max")
        if a.size == 0:
            raise ShapeError(f"'max': max of an empty tensor of shape {a.shape}")
        self.kept = kept_shape(a.shape, axes)
        z = a.max(axis=axes, keepdims=True)
        mask = a == z
        self.w = mask / mask.sum(axis=axes, keepdims=True, dtype=a.dtype)
        return z if keepdims else z.reshape([n for i, n in enumerate(a.shape) if i not in axes])

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (self.w * g.reshape(self.kept),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}ᵢ = 1[{0}ᵢ = {z}]", self.w),)


class LogSoftmax(Function):
    """zᵢ = aᵢ − log Σⱼ e^aⱼ along `axis` (an int, a tuple: jointly over those axes, or None:
    over all); ∂z/∂a = I − softmax(a) (VJP: g − s·Σg, s = softmax(a))"""

    __slots__ = ("s", "axis")
    name = "log_softmax"

    def forward(self, a: np.ndarray, axis: int) -> np.ndarray:
        self.axis = normalize_axes(axis, a.ndim, "log_softmax")
        shifted = a - a.max(axis=self.axis, keepdims=True)  # largest exponent is e⁰: no overflow
        e = np.exp(shifted)
        se = e.sum(axis=self.axis, keepdims=True)
        self.s = e / se
        return shifted - np.log(se)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g - self.s * g.sum(axis=self.axis, keepdims=True),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = I − softmax({0})", self.s),)


class Softmax(Function):
    """zᵢ = e^aᵢ / Σⱼ e^aⱼ along `axis` (an int, a tuple: jointly over those axes, or None:
    over all); ∂z/∂a = diag(z) − zzᵀ (VJP: z·(g − Σ g·z))"""

    __slots__ = ("z", "axis")
    name = "softmax"

    def forward(self, a: np.ndarray, axis: int) -> np.ndarray:
        self.axis = normalize_axes(axis, a.ndim, "softmax")
        e = np.exp(a - a.max(axis=self.axis, keepdims=True))
        e /= e.sum(axis=self.axis, keepdims=True)
        self.z = e
        return e

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        z = self.z
        return (z * (g - (g * z).sum(axis=self.axis, keepdims=True)),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = diag({z}) − {z}{z}ᵀ", self.z),)


class Prod(Function):
    """z = Πᵢ aᵢ over `axis`; ∂z/∂aᵢ = Π_{j≠i} aⱼ (from prefix and suffix products, so a zero
    element gets the right gradient: no division by aᵢ)"""

    __slots__ = ("w", "kept")
    name = "prod"

    def forward(self, a: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        axes = normalize_axes(axis, a.ndim, "prod")
        self.kept = kept_shape(a.shape, axes)
        k = len(axes)
        moved = np.moveaxis(a, axes, tuple(range(a.ndim - k, a.ndim)))
        flat = moved.reshape(moved.shape[: a.ndim - k] + (-1,))
        one = np.ones(flat.shape[:-1] + (1,), dtype=a.dtype)
        before = np.cumprod(np.concatenate([one, flat[..., :-1]], axis=-1), axis=-1)
        after = np.cumprod(np.concatenate([one, flat[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        w = (before * after).reshape(moved.shape)
        self.w = np.moveaxis(w, tuple(range(a.ndim - k, a.ndim)), axes)
        return np.asarray(a.prod(axis=axes, keepdims=keepdims))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (self.w * g.reshape(self.kept),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0}ᵢ = Π_(j≠i) {0}ⱼ", self.w),)


class CumSum(Function):
    """zᵢ = Σ_{j≤i} aⱼ along `axis`; ∂C/∂aⱼ = Σ_{i≥j} gᵢ (the reversed cumulative sum)"""

    __slots__ = ("axis",)
    name = "cumsum"

    def forward(self, a: np.ndarray, axis: int) -> np.ndarray:
        self.axis = normalize_axes(axis, a.ndim, "cumsum")[0]
        return np.cumsum(a, axis=self.axis)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        ax = self.axis
        return (np.flip(np.cumsum(np.flip(g, ax), axis=ax), ax),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}ᵢ/∂{0}ⱼ = 1[j ≤ i]", None),)
