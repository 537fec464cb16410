"""Losses with PyTorch's names, arguments and defaults: each as a function and as a module.

    F.cross_entropy(z, y)                        nn.CrossEntropyLoss()(z, y)
    F.nll_loss(log_p, y)                         nn.NLLLoss()
    F.binary_cross_entropy(p, y)                 nn.BCELoss()                 (probabilities)
    F.binary_cross_entropy_with_logits(z, y)     nn.BCEWithLogitsLoss()       (logits)
    F.mse_loss(ŷ, y)                             nn.MSELoss()
    F.l1_loss(ŷ, y)                              nn.L1Loss()
    F.huber_loss(ŷ, y, delta=1.0)                nn.HuberLoss(delta=1.0)
    F.smooth_l1_loss(ŷ, y, beta=1.0)             nn.SmoothL1Loss(beta=1.0)

Every loss takes the model's output and the targets (arrays, lists or Tensors: targets are
data, their graph is never followed) and returns one scalar node for reduction="mean" (the
default) or "sum", or the per-element losses for "none". As in torch, the class axis of
cross_entropy / nll_loss is axis 1 for inputs of three or more dims (N, C, d₁, …), and the only
axis of a 1-D input (C,); for (N, C) it is the last axis either way.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops as _ops
from ..errors import BadIndexError, InputError, InputTypeError, ShapeError
from ..graph import MODE, Node
from ..ops.loss import check_class_indices
from ..tensor import Tensor, as_float_array, where
from ..value import Value
from .module import Module, _check_finite

_REDUCTIONS = ("mean", "sum", "none")


def _pred(x: Any, what: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, Node):
        raise TypeError(f"{what}: predictions must be a Tensor, got a {type(x).__name__}")
    return Tensor(as_float_array(x, what=what))


def _target(t: Any, what: str) -> np.ndarray:
    """Targets are data: a Tensor's values are used, never its graph."""
    if isinstance(t, Tensor):
        return t.data
    if isinstance(t, Node):
        raise TypeError(f"{what}: targets must be an array or a Tensor, got a Value")
    arr = np.asarray(t)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: targets must be numbers, got an array of dtype {arr.dtype}")
    return arr


def _finite_targets(t: np.ndarray, what: str) -> None:
    if MODE.anomaly and t.dtype.kind == "f":
        _check_finite(t, f"{what} targets")


def _check_reduction(reduction: str, what: str) -> None:
    if reduction not in _REDUCTIONS:
        raise InputError(f"{what}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _weight(weight: Any, n: int | None, dtype: np.dtype, what: str) -> np.ndarray | None:
    """A weight is data (an array, or a Tensor's values); `n`: the number of classes it needs."""
    if weight is None:
        return None
    w = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
    if w.dtype.kind not in "biuf":
        raise InputTypeError(f"{what}: weight must hold numbers, got dtype {w.dtype}")
    if n is not None and w.shape != (n,):
        raise ShapeError(
            f"{what}: weight must have one entry per class, shape ({n},), got {w.shape}"
        )
    return w.astype(dtype, copy=False)


def _reduce(per: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return per.mean()
    return per.sum() if reduction == "sum" else per


def _classes_last(z: Tensor, what: str) -> Tensor:
    """torch's class axis is 1 for (N, C, d₁, …): move it last, where the fused op wants it."""
    if z.data.ndim == 0:
        raise ShapeError(f"{what}: input must have a class axis, got a scalar")
    if z.data.ndim < 3:
        return z
    nd = z.data.ndim
    return _ops.Transpose.apply(z, axes=(0, *range(2, nd), 1))


def _class_indices(t: np.ndarray, z: Tensor, what: str) -> np.ndarray | None:
    """Integer class labels of shape z.shape[:-1] (whole-number floats and bools accepted), or
    None if `t` holds probability rows (the shape of z)."""
    if t.dtype.kind == "b":
        t = t.astype(np.intp)
    if t.dtype.kind in "iu":
        return t
    if t.shape == z.data.shape[:-1]:
        # Labels stored as floats (e.g. a Tensor of labels): indices if they are whole numbers.
        _finite_targets(t, what)
        if not np.all(t == np.round(t)):
            raise InputError(
                f"{what}: targets of shape {t.shape} (one per row of logits "
                f"{z.data.shape}) must be whole class indices; got e.g. "
                f"{t[t != np.round(t)].flat[0]}. Probability targets need the logits' shape."
            )
        return t.astype(np.intp)
    return None


def _check_label_shape(t: np.ndarray, z: Tensor, what: str) -> None:
    if t.shape != z.data.shape[:-1]:
        n = int(np.prod(z.data.shape[:-1]))
        raise ShapeError(
            f"{what}: {n} predictions but targets of shape {t.shape}; give one class index per "
            f"row of logits {z.data.shape}"
        )


# ---------------------------------------------------------------------------------------------
# classification


def cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Cⁿ = −Σₖ qₖⁿ log softmax(zⁿ)ₖ from logits z, stable through log-softmax (one fused
    node); ∂Cⁿ/∂zⁿ = softmax(zⁿ)·Σₖqₖⁿ − qⁿ, which is softmax(zⁿ) − yⁿ for a one-hot y.

    target: class indices (ints; whole-number floats are accepted) or probability rows (the
    shape of z). As in torch, with class indices and C classes:
      label_smoothing ε: q = (1−ε)·onehot(y) + ε/C;
      weight w (one per class): the row's terms weighted, qₖ = w_k·(…), and "mean" divides by
      Σₙ w_{yⁿ} instead of N;
      ignore_index: rows whose label equals it add 0 and are left out of the mean.
    With probability targets, ε mixes them with the uniform distribution and "mean" divides by N.
    reduction: "mean" (default), "sum" (the lecture's total loss L = Σₙ Cⁿ) or "none" (the Cⁿ).
    """
    what = "cross_entropy"
    _check_reduction(reduction, what)
    eps = float(label_smoothing)
    if not 0 <= eps <= 1:
        raise InputError(f"{what}: label_smoothing must be in [0, 1], got {label_smoothing}")
    z0 = _pred(input, what)
    t = _target(target, what)
    z = _classes_last(z0, what)
    dtype, k = z.data.dtype, z.data.shape[-1]
    w = _weight(weight, k, dtype, what)
    labels = _class_indices(t, z, what)
    if labels is None:  # probability rows
        _finite_targets(t, what)
        if z0.data.ndim >= 3 and t.shape == z0.data.shape:
            t = np.moveaxis(t, 1, -1)
        q = t.astype(dtype, copy=False)  # float64 targets must not upcast float32 logits
        if eps:
            q = q * (1 - eps) + eps / k
        if w is not None:
            q = q * w
        return _ops.CrossEntropy.apply(z, target=q, reduction=reduction)
    _check_label_shape(labels, z, what)
    if w is None and not eps and not 0 <= ignore_index < k:
        # The fast path, with no test for ignore_index (its ==/any() took 2 of the loss's
        # 20 µs CPU at batch 1, /tmp A/B interleaved): a label equal to it is out of range, so
        # the op refuses it, and only then do we look.
        try:
            return _ops.CrossEntropy.apply(z, target=labels, reduction=reduction)
        except BadIndexError:
            if not (labels == ignore_index).any():
                raise
    ignored = labels == ignore_index
    # The general case is the same fused node with soft targets
    # qⁿ = (1−ε)·w_{yⁿ}·onehot(yⁿ) + (ε/C)·w (zero rows where ignored).
    keep = ~ignored
    y = np.where(keep, labels, 0)
    check_class_indices(y, k, what)
    w = np.ones(k, dtype) if w is None else w
    wy = w[y] * keep
    onehot = np.arange(k) == y[..., None]
    q = ((eps / k) * w * keep[..., None] + (1 - eps) * wy[..., None] * onehot).astype(dtype)
    per = _ops.CrossEntropy.apply(z, target=q, reduction="none")
    if reduction == "none":
        return per
    total = per.sum()
    return total if reduction == "sum" else total / dtype.type(wy.sum())


def nll_loss(
    input: Any,
    target: Any,
    weight: Any = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Tensor:
    """Cⁿ = −w_{yⁿ} xⁿ_{yⁿ} from log-probabilities x (e.g. log_softmax's output): it picks each
    row's entry at its label; ∂Cⁿ/∂xⁿₖ = −w_{yⁿ} [k = yⁿ]. "mean" divides by Σₙ w_{yⁿ} (N without
    weights); rows labelled ignore_index add 0 and are left out. nll_loss(log_softmax(z), y)
    equals cross_entropy(z, y).
    """
    what = "nll_loss"
    _check_reduction(reduction, what)
    x = _classes_last(_pred(input, what), what)
    t = _target(target, what)
    dtype, k = x.data.dtype, x.data.shape[-1]
    labels = _class_indices(t, x, what)
    if labels is None:
        raise ShapeError(
            f"{what}: targets must be class indices of shape {x.data.shape[:-1]}, got shape "
            f"{t.shape}; for probability targets use cross_entropy"
        )
    _check_label_shape(labels, x, what)
    keep = labels != ignore_index
    y = np.where(keep, labels, 0)
    check_class_indices(y, k, what)
    w = _weight(weight, k, dtype, what)
    wy = (np.ones(y.shape, dtype) if w is None else w[y]) * keep
    picked = x.reshape(-1, k)[np.arange(y.size), y.reshape(-1)]
    per = (picked * (-wy.reshape(-1))).reshape(y.shape)
    if reduction == "none":
        return per
    total = per.sum()
    return total if reduction == "sum" else total / dtype.type(wy.sum())


def _broadcasts_to(shape: tuple[int, ...], target: tuple[int, ...]) -> bool:
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


def _binary(input: Any, target: Any, weight: Any, what: str) -> tuple[Tensor, np.ndarray, Any]:
    p = _pred(input, what)
    t = _target(target, what)
    _finite_targets(t, what)
    dtype = p.data.dtype
    w = _weight(weight, None, dtype, what)
    if w is not None and not _broadcasts_to(w.shape, p.data.shape):
        raise ShapeError(f"{what}: weight of shape {w.shape} does not broadcast to {p.shape}")
    return p, t.astype(dtype, copy=False), w


def _weighted(
    op: type, x: Tensor, t: np.ndarray, w: np.ndarray | None, reduction: str, **options: Any
) -> Tensor:
    """The fused op alone without a weight; else its per-element losses · w, then reduced."""
    if w is None:
        return op.apply(x, target=t, reduction=reduction, **options)
    return _reduce(op.apply(x, target=t, reduction="none", **options) * Tensor(w), reduction)


def binary_cross_entropy(
    input: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    *,
    from_logits: bool = False,
) -> Tensor:
    """Cⁿ = −wⁿ[y log p + (1−y) log(1−p)] from probabilities p ∈ [0, 1] (torch's
    F.binary_cross_entropy: e.g. after a sigmoid); each log is clamped at −100, so p = 0 or 1
    stays finite; ∂C/∂p = (p − y)/(p(1−p)).

    weight: broadcast against p (each element's rescaling; "mean" still divides by the count).
    For logits use binary_cross_entropy_with_logits (stable, and a float32 sigmoid rounds to
    exactly 1 beyond z ≈ 17, where only the logit still carries the information).
    from_logits=True is that function (kept for code written before torch's default was
    followed).
    """
    if from_logits:
        return binary_cross_entropy_with_logits(input, target, weight, reduction)
    what = "binary_cross_entropy"
    _check_reduction(reduction, what)
    p, t, w = _binary(input, target, weight, what)
    return _weighted(_ops.BinaryCrossEntropyProb, p, t, w, reduction)


def binary_cross_entropy_with_logits(
    input: Any,
    target: Any,
    weight: Any = None,
    reduction: str = "mean",
    pos_weight: Any = None,
) -> Tensor:
    """Cⁿ = −wⁿ[w₊ y log σ(z) + (1−y) log(1−σ(z))] from logits z, one stable fused node
    (max(z,0) − z·y + log(1+e^−|z|) without pos_weight); ∂C/∂z = σ(z) − y.

    weight: broadcast against z; pos_weight w₊: weighs the positive term (one per class on the
    last axis, as torch), ∂C/∂z = (1−y) − (1 + (w₊−1)y)(1 − σ(z)).
    """
    what = "binary_cross_entropy_with_logits"
    _check_reduction(reduction, what)
    z, t, w = _binary(input, target, weight, what)
    pw = _weight(pos_weight, None, z.data.dtype, what)
    if pw is not None and not _broadcasts_to(pw.shape, z.data.shape):
        raise ShapeError(
            f"{what}: pos_weight of shape {pw.shape} does not broadcast to the logits {z.shape}"
        )
    return _weighted(_ops.BinaryCrossEntropy, z, t, w, reduction, pos_weight=pw)


# ---------------------------------------------------------------------------------------------
# regression


def _difference(input: Any, target: Any, what: str) -> Tensor:
    y = _pred(input, what)
    t = _target(target, what)
    if t.shape != y.data.shape:
        hint = ""
        if t.shape == y.data.shape[:1] and y.data.shape[1:] == (1,):
            hint = "; reshape the targets with .reshape(-1, 1)"
        raise ShapeError(
            f"{what}: predictions of shape {y.data.shape} but targets of shape {t.shape}; "
            f"they must match element for element{hint}"
        )
    _finite_targets(t, what)
    return y - t.astype(y.data.dtype, copy=False)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Any:
    """Cⁿ = (ŷⁿ − yⁿ)² per element; "mean" divides Σ by the number of elements, "sum" is the
    lecture's L = Σₙ (ŷⁿ − yⁿ)². ∂C/∂ŷ = 2(ŷ − y) (÷ n for "mean").

    For a Value prediction and a number target it returns the Value (ŷ − y)².
    """
    what = "mse"
    _check_reduction(reduction, what)
    if isinstance(input, Value):
        if isinstance(target, Node):
            raise TypeError("mse: the target of a Value prediction must be a number")
        return (input - float(target)) ** 2
    d = _difference(input, target, what)
    return _reduce(d * d, reduction)


mse = mse_loss


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Cⁿ = |ŷⁿ − yⁿ| per element; ∂C/∂ŷ = sign(ŷ − y) (0 where they are equal, as torch)."""
    _check_reduction(reduction, "l1_loss")
    return _reduce(_difference(input, target, "l1_loss").abs(), reduction)


def _huber(d: Tensor, delta: float) -> Tensor:
    a = d.abs()
    return where(a.data < delta, d * d * 0.5, (a - 0.5 * delta) * delta)


def _positive(v: Any, name: str, what: str) -> float:
    v = float(v)
    if not v > 0:
        raise InputError(f"{what}: {name} must be > 0, got {v}")
    return v


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Cⁿ = ½d² if |d| < δ else δ(|d| − ½δ), d = ŷ − y: squared near 0, linear (robust to
    outliers) beyond δ; ∂C/∂ŷ = d clipped to [−δ, δ]."""
    what = "huber_loss"
    _check_reduction(reduction, what)
    delta = _positive(delta, "delta", what)
    return _reduce(_huber(_difference(input, target, what), delta), reduction)


def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean", beta: float = 1.0) -> Tensor:
    """Cⁿ = ½d²/β if |d| < β else |d| − ½β (= huber_loss with δ = β, divided by β); β = 0 is
    l1_loss. ∂C/∂ŷ = d/β clipped to [−1, 1]."""
    what = "smooth_l1_loss"
    _check_reduction(reduction, what)
    beta = float(beta)
    if beta < 0:
        raise InputError(f"{what}: beta must be ≥ 0, got {beta}")
    d = _difference(input, target, what)
    if beta == 0:
        return _reduce(d.abs(), reduction)
    return _reduce(_huber(d, beta) * (1 / beta), reduction)


# ---------------------------------------------------------------------------------------------
# modules


class _Loss(Module):
    """A loss as a module: loss_fn(input, target) calls the function with the stored options.
    A weight (and pos_weight) is a buffer, as torch's: in state_dict() under "weight"."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        _check_reduction(reduction, type(self).__name__)
        self.reduction = reduction

    def _weight_buffer(self, key: str, weight: Any) -> None:
        if weight is None:
            object.__setattr__(self, key, None)
            return
        w = weight.data if isinstance(weight, Tensor) else np.asarray(weight)
        if w.dtype.kind not in "biuf":
            raise InputTypeError(f"{type(self).__name__}: {key} must hold numbers, got {w.dtype}")
        self.register_buffer(key, np.array(w, dtype=np.float64))

    def extra_repr(self) -> str:
        return "" if self.reduction == "mean" else f"reduction={self.reduction!r}"


class CrossEntropyLoss(_Loss):
    """CrossEntropyLoss(weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    softmax + cross entropy from logits (see cross_entropy)."""

    def __init__(
        self,
        weight: Any = None,
        *,
        ignore_index: int = -100,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        super().__init__(reduction)
        self._weight_buffer("weight", weight)
        self.ignore_index, self.label_smoothing = ignore_index, label_smoothing

    def forward(self, input: Any, target: Any) -> Tensor:
        return cross_entropy(
            input, target, self.weight, self.ignore_index, self.reduction, self.label_smoothing
        )


class NLLLoss(_Loss):
    """NLLLoss(weight=None, ignore_index=-100, reduction="mean") of log-probabilities."""

    def __init__(
        self, weight: Any = None, *, ignore_index: int = -100, reduction: str = "mean"
    ) -> None:
        super().__init__(reduction)
        self._weight_buffer("weight", weight)
        self.ignore_index = ignore_index

    def forward(self, input: Any, target: Any) -> Tensor:
        return nll_loss(input, target, self.weight, self.ignore_index, self.reduction)


class BCELoss(_Loss):
    """BCELoss(weight=None, reduction="mean") of probabilities p ∈ [0, 1]."""

    def __init__(self, weight: Any = None, *, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self._weight_buffer("weight", weight)

    def forward(self, input: Any, target: Any) -> Tensor:
        return binary_cross_entropy(input, target, self.weight, self.reduction)


class BCEWithLogitsLoss(_Loss):
    """BCEWithLogitsLoss(weight=None, reduction="mean", pos_weight=None) of logits."""

    def __init__(
        self, weight: Any = None, *, reduction: str = "mean", pos_weight: Any = None
    ) -> None:
        super().__init__(reduction)
        self._weight_buffer("weight", weight)
        self._weight_buffer("pos_weight", pos_weight)

    def forward(self, input: Any, target: Any) -> Tensor:
        return binary_cross_entropy_with_logits(
            input, target, self.weight, self.reduction, self.pos_weight
        )


class MSELoss(_Loss):
    """MSELoss(reduction="mean"): the mean squared error."""

    def forward(self, input: Any, target: Any) -> Any:
        return mse_loss(input, target, self.reduction)


class L1Loss(_Loss):
    """L1Loss(reduction="mean"): the mean absolute error."""

    def forward(self, input: Any, target: Any) -> Tensor:
        return l1_loss(input, target, self.reduction)


class HuberLoss(_Loss):
    """HuberLoss(reduction="mean", delta=1.0)."""

    def __init__(self, *, reduction: str = "mean", delta: float = 1.0) -> None:
        super().__init__(reduction)
        self.delta = _positive(delta, "delta", "HuberLoss")

    def forward(self, input: Any, target: Any) -> Tensor:
        return huber_loss(input, target, self.reduction, self.delta)


class SmoothL1Loss(_Loss):
    """SmoothL1Loss(reduction="mean", beta=1.0)."""

    def __init__(self, *, reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(reduction)
        self.beta = float(beta)

    def forward(self, input: Any, target: Any) -> Tensor:
        return smooth_l1_loss(input, target, self.reduction, self.beta)
