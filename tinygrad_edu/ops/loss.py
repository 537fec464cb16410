"""Fused losses: one node each, stable, with the lecture's local derivative ŷ − y."""

from __future__ import annotations

import numpy as np

from ..errors import BadIndexError, InputError, ShapeError
from ..graph import LocalGrad
from ..tensor import Function


def _reduce_loss(per_item: np.ndarray, reduction: str, op: str) -> tuple[np.ndarray, float]:
    # add.reduce directly: what ndarray.mean/sum do, without their Python wrappers (a loss is
    # computed every step, so the wrappers are a visible part of a small batch's step).
    if reduction == "mean":
        n = per_item.size
        if n == 0:
            return np.asarray(per_item.mean()), 1.0
        return np.asarray(np.add.reduce(per_item, axis=None) / n), 1.0 / n
    if reduction == "sum":
        return np.asarray(np.add.reduce(per_item, axis=None)), 1.0
    if reduction == "none":
        return per_item, 1.0
    raise InputError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


class CrossEntropy(Function):
    """C = −Σₖ yₖ log softmax(z)ₖ from logits z (classes on the last axis).

    Targets are class indices (shape z.shape[:-1]) or probabilities (shape of z).
    ∂C/∂z = softmax(z) − y  (divided by the batch size for reduction="mean").
    """

    __slots__ = ("dz", "reduction")
    name = "CE"

    def forward(self, z: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        if z.ndim == 0:
            raise ShapeError("cross_entropy: logits must have a class axis, got a scalar")
        # Shifting by the row max makes the largest exponent e⁰: no overflow.
        shifted = z - np.maximum.reduce(z, axis=-1, keepdims=True)
        e = np.exp(shifted)
        se = np.add.reduce(e, axis=-1, keepdims=True)
        if target.dtype.kind in "iu":
            if target.shape != z.shape[:-1]:
                raise ShapeError(
                    f"cross_entropy: {_n(z.shape[:-1])} predictions but targets of shape "
                    f"{target.shape}; give one class index per row of logits {z.shape}"
                )
            k = z.shape[-1]
            if target.size and (target.min() < 0 or target.max() >= k):
                bad = (target < 0) | (target >= k)
                pos = tuple(int(i) for i in np.argwhere(bad)[0])
                v = int(target[pos])
                why = "negative" if v < 0 else f"out of range for {k} classes"
                raise BadIndexError(
                    f"cross_entropy: class index {v} at position {pos if len(pos) > 1 else pos[0]}"
                    f" is {why}; class indices run from 0 to {k - 1}"
                )
            t = target.reshape(-1)
            rows = np.arange(t.size)
            # Cⁿ = log Σⱼ e^zⱼ − z_y, both sides shifted by the same row max.
            nll = (np.log(se).reshape(-1) - shifted.reshape(-1, k)[rows, t]).reshape(target.shape)
            e /= se  # e is ours: softmax(z) in place
            e.reshape(-1, k)[rows, t] -= 1  # now softmax(z) − onehot(y)
            dz = e
        else:
            if target.shape != z.shape:
                raise ShapeError(
                    f"cross_entropy: probability targets of shape {target.shape} must match the "
                    f"logits {z.shape} (or give integer class indices of shape {z.shape[:-1]})"
                )
            logp = shifted - np.log(se)
            nll = -(target * logp).sum(axis=-1)
            e /= se
            dz = e * target.sum(axis=-1, keepdims=True) - target
        loss, scale = _reduce_loss(nll, reduction, "cross_entropy")
        if scale != 1.0:
            dz *= scale
        self.dz, self.reduction = dz, reduction
        return loss.astype(z.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        if self.reduction == "none":
            return (g[..., None] * self.dz,)
        return (g * self.dz,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = softmax({0}) − y", self.dz),)


def _binary_target(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Targets of a binary cross entropy: the predictions' shape, values in [0, 1]."""
    if target.shape != pred.shape:
        raise ShapeError(
            f"binary_cross_entropy: {pred.shape} predictions but targets of shape {target.shape}"
        )
    if np.any((target < 0) | (target > 1)):
        raise InputError("binary_cross_entropy: targets must lie in [0, 1]")
    return target.astype(pred.dtype, copy=False)


class BinaryCrossEntropy(Function):
    """C = −[y log σ(z) + (1−y) log(1−σ(z))] from logits z, computed stably as
    max(z,0) − z·y + log(1+e^−|z|);  ∂C/∂z = σ(z) − y"""

    __slots__ = ("dz", "reduction")
    name = "BCE"

    def forward(self, z: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        y = _binary_target(z, target)
        per = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        s = 0.5 * (1 + np.tanh(0.5 * z))
        loss, scale = _reduce_loss(per, reduction, "binary_cross_entropy")
        self.dz, self.reduction = (s - y) * scale, reduction
        return loss.astype(z.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.dz,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = σ({0}) − y", self.dz),)


class BinaryCrossEntropyProb(Function):
    """C = −[y log p + (1−y) log(1−p)] from probabilities p ∈ [0, 1], each log clamped at −100
    (as PyTorch) so p = 0 or 1 gives a finite loss;  ∂C/∂p = (p − y) / max(p(1−p), 1e−12)"""

    __slots__ = ("dp", "reduction")
    name = "BCE(p)"

    def forward(self, p: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        y = _binary_target(p, target)
        if not np.all((p >= 0) & (p <= 1)):
            raise InputError(
                f"binary_cross_entropy: predictions must be probabilities in [0, 1], got values "
                f"in [{np.nanmin(p):g}, {np.nanmax(p):g}] (or NaN); for raw scores (logits) use "
                "from_logits=True"
            )
        with np.errstate(divide="ignore"):  # log 0 = −inf, clamped just below
            logp = np.maximum(np.log(p), -100)
            log1mp = np.maximum(np.log1p(-p), -100)
        per = -(y * logp + (1 - y) * log1mp)
        loss, scale = _reduce_loss(per, reduction, "binary_cross_entropy")
        self.dp = (p - y) / np.maximum(p * (1 - p), 1e-12) * scale
        self.reduction = reduction
        return loss.astype(p.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.dp,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = ({0} − y)/({0}(1−{0}))", self.dp),)


def _n(shape: tuple[int, ...]) -> str:
    return str(int(np.prod(shape))) if shape else "1"
