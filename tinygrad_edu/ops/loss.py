"""Fused losses: one node each, stable, with the lecture's local derivative ŷ − y."""

from __future__ import annotations

import numpy as np

from ..errors import BadIndexError, InputError, ShapeError
from ..graph import LocalGrad
from ..tensor import Function


def _reduce_loss(per_item: np.ndarray, reduction: str, op: str) -> tuple[np.ndarray, float]:
    """The reduced loss and the factor its gradient gets (1/n for the mean over n items)."""
    # (np.add.reduce without ndarray.mean's wrapper was no faster: bench/mlp.py's step within
    # ±0.3% at batch 1 and 32.)
    if reduction == "mean":
        n = per_item.size
        return np.asarray(per_item.mean()), 1.0 / n if n else 1.0
    if reduction == "sum":
        return np.asarray(per_item.sum()), 1.0
    if reduction == "none":
        return per_item, 1.0
    raise InputError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def check_class_indices(target: np.ndarray, k: int, op: str) -> None:
    """Class labels must run from 0 to k − 1: BadIndexError naming the first one that does not."""
    if target.size and (target.min() < 0 or target.max() >= k):
        bad = (target < 0) | (target >= k)
        pos = tuple(int(i) for i in np.argwhere(bad)[0])
        v = int(target[pos])
        why = "negative" if v < 0 else f"out of range for {k} classes"
        raise BadIndexError(
            f"{op}: class index {v} at position {pos if len(pos) > 1 else pos[0]}"
            f" is {why}; class indices run from 0 to {k - 1}"
        )


class CrossEntropy(Function):
    """z = −Σₖ yₖ log softmax(a)ₖ: the cost C of logits a (classes on the last axis).

    Targets y are class indices (shape a.shape[:-1]) or probabilities (shape of a).
    ∂z/∂a = softmax(a) − y  (divided by the batch size for reduction="mean").
    """

    __slots__ = ("da", "reduction")
    name = "CE"

    def forward(self, a: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        if a.ndim == 0:
            raise ShapeError("cross_entropy: logits must have a class axis, got a scalar")
        # Shifting by the row max makes the largest exponent e⁰: no overflow.
        shifted = a - a.max(axis=-1, keepdims=True)
        e = np.exp(shifted)
        se = e.sum(axis=-1, keepdims=True)
        if target.dtype.kind in "iu":
            if target.shape != a.shape[:-1]:
                raise ShapeError(
                    f"cross_entropy: {_n(a.shape[:-1])} predictions but targets of shape "
                    f"{target.shape}; give one class index per row of logits {a.shape}"
                )
            k = a.shape[-1]
            check_class_indices(target, k, "cross_entropy")
            t = target.reshape(-1)
            rows = np.arange(t.size)
            # Cⁿ = log Σⱼ e^aⱼ − a_y, both sides shifted by the same row max.
            nll = (np.log(se).reshape(-1) - shifted.reshape(-1, k)[rows, t]).reshape(target.shape)
            e /= se  # e is ours: softmax(a) in place
            e.reshape(-1, k)[rows, t] -= 1  # now softmax(a) − onehot(y)
            da = e
        else:
            if target.shape != a.shape:
                raise ShapeError(
                    f"cross_entropy: probability targets of shape {target.shape} must match the "
                    f"logits {a.shape} (or give integer class indices of shape {a.shape[:-1]})"
                )
            logp = shifted - np.log(se)
            nll = -(target * logp).sum(axis=-1)
            e /= se
            da = e * target.sum(axis=-1, keepdims=True) - target
        loss, scale = _reduce_loss(nll, reduction, "cross_entropy")
        if scale != 1.0:
            da *= scale
        self.da, self.reduction = da, reduction
        return loss.astype(a.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        if self.reduction == "none":
            return (g[..., None] * self.da,)
        return (g * self.da,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = softmax({0}) − y", self.da),)


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
    """z = −[y log σ(a) + (1−y) log(1−σ(a))]: the cost C of logits a, computed stably as
    max(a,0) − a·y + log(1+e^−|a|);  ∂z/∂a = σ(a) − y.

    pos_weight w₊ (broadcast against a, e.g. one per class) weighs the positive term:
    z = −[w₊ y log σ(a) + (1−y) log(1−σ(a))] = (1−y) a + l·log(1+e^−a) with l = 1 + (w₊−1) y;
    ∂z/∂a = (1−y) − l (1−σ(a)).
    """

    __slots__ = ("da", "reduction")
    name = "BCE"

    def forward(
        self,
        a: np.ndarray,
        target: np.ndarray,
        reduction: str = "mean",
        pos_weight: np.ndarray | None = None,
    ) -> np.ndarray:
        y = _binary_target(a, target)
        s = 0.5 * (1 + np.tanh(0.5 * a))
        if pos_weight is None:
            per = np.maximum(a, 0) - a * y + np.log1p(np.exp(-np.abs(a)))
            da = s - y
        else:
            l = 1 + (pos_weight - 1) * y
            # log(1+e^−a) = max(−a, 0) + log(1+e^−|a|): no overflow for either sign of a
            per = (1 - y) * a + l * (np.maximum(-a, 0) + np.log1p(np.exp(-np.abs(a))))
            da = (1 - y) - l * (1 - s)
            per, da = per.astype(a.dtype, copy=False), da.astype(a.dtype, copy=False)
        loss, scale = _reduce_loss(per, reduction, "binary_cross_entropy")
        self.da, self.reduction = da * scale, reduction
        return loss.astype(a.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.da,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = σ({0}) − y", self.da),)


class BinaryCrossEntropyProb(Function):
    """z = −[y log a + (1−y) log(1−a)]: the cost C of probabilities a ∈ [0, 1], each log clamped
    at −100 (as PyTorch) so a = 0 or 1 gives a finite loss;  ∂z/∂a = (a − y) / max(a(1−a), 1e−12)"""

    __slots__ = ("da", "reduction")
    name = "BCE(a)"

    def forward(self, a: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        y = _binary_target(a, target)
        if not np.all((a >= 0) & (a <= 1)):
            raise InputError(
                f"binary_cross_entropy: predictions must be probabilities in [0, 1], got values "
                f"in [{np.nanmin(a):g}, {np.nanmax(a):g}] (or NaN); for raw scores (logits) use "
                "binary_cross_entropy_with_logits (nn.BCEWithLogitsLoss)"
            )
        with np.errstate(divide="ignore"):  # log 0 = −inf, clamped just below
            log_a = np.maximum(np.log(a), -100)
            log_1ma = np.maximum(np.log1p(-a), -100)
        per = -(y * log_a + (1 - y) * log_1ma)
        loss, scale = _reduce_loss(per, reduction, "binary_cross_entropy")
        self.da = (a - y) / np.maximum(a * (1 - a), 1e-12) * scale
        self.reduction = reduction
        return loss.astype(a.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.da,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = ({0} − y)/({0}(1−{0}))", self.da),)


def _n(shape: tuple[int, ...]) -> str:
    return str(int(np.prod(shape))) if shape else "1"
