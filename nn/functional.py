"""Activations and losses as functions.

Activations work on Tensors and on Values (they call the carrier's own op). Losses take the
model's output and the targets (numpy arrays, lists or Tensors that need no gradient) and
return one scalar Tensor node (reduction="mean" or "sum") or the per-example losses ("none").
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops as _ops
from ..errors import InputError, ShapeError
from ..graph import MODE, Node
from ..tensor import Tensor, as_float_array
from ..value import Value
from .conv import avg_pool2d as avg_pool2d  # re-exported: F.conv2d etc. as in torch
from .conv import conv1d as conv1d
from .conv import conv2d as conv2d
from .conv import max_pool2d as max_pool2d
from .layers import dropout, flatten
from .module import Module, _check_finite, _lift

__all__ = [
    "binary_cross_entropy",
    "cross_entropy",
    "dropout",
    "flatten",
    "l2_penalty",
    "log_softmax",
    "mse",
    "relu",
    "sigmoid",
    "softmax",
    "tanh",
]


def sigmoid(x: Any) -> Any:
    """σ(z) = 1/(1+e⁻ᶻ); ∂σ/∂z = σ(1−σ)"""
    return _lift(x, "sigmoid").sigmoid()


def tanh(x: Any) -> Any:
    """a = tanh z; ∂a/∂z = 1 − a²"""
    return _lift(x, "tanh").tanh()


def relu(x: Any) -> Any:
    """a = max(0, z); ∂a/∂z = 1[z>0]"""
    return _lift(x, "relu").relu()


def softmax(x: Any, axis: int = -1) -> Tensor:
    """sᵢ = e^zᵢ / Σⱼ e^zⱼ; ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ)"""
    return _lift(x, "softmax", tensor_only=True).softmax(axis=axis)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """yᵢ = zᵢ − log Σⱼ e^zⱼ (stable: the max is subtracted first); ∂yᵢ/∂zⱼ = δᵢⱼ − sⱼ"""
    return _lift(x, "log_softmax", tensor_only=True).log_softmax(axis=axis)


# ---------------------------------------------------------------------------------------------
# losses


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


def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Cⁿ = −Σₖ yₖⁿ log softmax(zⁿ)ₖ from logits z (classes on the last axis), computed stably
    through log-softmax; ∂Cⁿ/∂zⁿ = softmax(zⁿ) − yⁿ.

    target: class indices (ints of shape z.shape[:-1]; whole-number floats are accepted) or
    one-hot / probability rows (the shape of z). reduction: "mean" (default, (1/N) Σₙ Cⁿ),
    "sum" (the lecture's total loss L = Σₙ Cⁿ) or "none" (the Cⁿ).
    """
    z = _pred(logits, "cross_entropy")
    t = _target(target, "cross_entropy")
    if t.dtype.kind == "b":
        t = t.astype(z.data.dtype)
    if t.dtype.kind == "f" and z.data.ndim >= 1 and t.shape == z.data.shape[:-1]:
        # Labels stored as floats (e.g. a Tensor of labels): indices if they are whole numbers.
        _finite_targets(t, "cross_entropy")
        if not np.all(t == np.round(t)):
            raise InputError(
                f"cross_entropy: targets of shape {t.shape} (one per row of logits "
                f"{z.data.shape}) must be whole class indices; got e.g. "
                f"{t[t != np.round(t)].flat[0]}. Probability targets need the logits' shape."
            )
        t = t.astype(np.intp)
    elif t.dtype.kind == "f":
        _finite_targets(t, "cross_entropy")
        t = t.astype(z.data.dtype, copy=False)  # float64 targets must not upcast float32 logits
    return _ops.CrossEntropy.apply(z, target=t, reduction=reduction)


def binary_cross_entropy(
    pred: Any, target: Any, from_logits: bool = True, reduction: str = "mean"
) -> Tensor:
    """Cⁿ = −[y log p + (1−y) log(1−p)] for a two-class output.

    from_logits=True (default): pred is z and p = σ(z), computed stably as
    max(z,0) − z·y + log(1+e^−|z|); ∂C/∂z = σ(z) − y.
    from_logits=False: pred is p ∈ [0, 1] (e.g. after a sigmoid); each log is clamped at −100
    so p = 0 or 1 stays finite; ∂C/∂p = (p − y)/(p(1−p)). Prefer logits: a float32 sigmoid
    rounds to exactly 1 beyond z ≈ 17, where only the logit still carries the information.
    """
    p = _pred(pred, "binary_cross_entropy")
    t = _target(target, "binary_cross_entropy")
    _finite_targets(t, "binary_cross_entropy")
    t = t.astype(p.data.dtype, copy=False)
    if from_logits:
        return _ops.BinaryCrossEntropy.apply(p, target=t, reduction=reduction)
    return _ops.BinaryCrossEntropyProb.apply(p, target=t, reduction=reduction)


def mse(pred: Any, target: Any, reduction: str = "mean") -> Any:
    """Cⁿ = (ŷⁿ − yⁿ)² per element; "mean" divides Σ by the number of elements, "sum" is the
    lecture's L = Σₙ (ŷⁿ − yⁿ)². ∂C/∂ŷ = 2(ŷ − y) (÷ n for "mean").

    For a Value prediction and a number target it returns the Value (ŷ − y)².
    """
    if reduction not in ("mean", "sum", "none"):
        raise InputError(f"mse: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")
    if isinstance(pred, Value):
        if isinstance(target, Node):
            raise TypeError("mse: the target of a Value prediction must be a number")
        return (pred - float(target)) ** 2
    y = _pred(pred, "mse")
    t = _target(target, "mse")
    if t.shape != y.data.shape:
        hint = ""
        if t.shape == y.data.shape[:1] and y.data.shape[1:] == (1,):
            hint = "; reshape the targets with .reshape(-1, 1)"
        raise ShapeError(
            f"mse: predictions of shape {y.data.shape} but targets of shape {t.shape}; "
            f"they must match element for element{hint}"
        )
    _finite_targets(t, "mse")
    d = y - t.astype(y.data.dtype, copy=False)
    sq = d * d
    if reduction == "mean":
        return sq.mean()
    return sq.sum() if reduction == "sum" else sq


def _is_bias(name: str) -> bool:
    return name.rsplit(".", 1)[-1] in ("bias", "b")


def l2_penalty(model: Module, lam: float, include_bias: bool = False) -> Any:
    """The regularization term λ Σ w² over the model's weights (biases left out by default:
    they do not make the function steeper); ∂/∂w = 2λw. Add it to the loss.

    Returns a Tensor for a Tensor model, a Value for the scalar twin.
    """
    if not isinstance(model, Module):
        raise TypeError(
            f"l2_penalty: give the model (a Module), got {type(model).__name__}; the parameter "
            "names are needed to leave the biases out"
        )
    lam = float(lam)
    if not lam >= 0:
        raise InputError(f"l2_penalty: λ must be ≥ 0, got {lam}")
    ws = [p for n, p in model.named_parameters() if include_bias or not _is_bias(n)]
    values = [w for w in ws if isinstance(w, Value)]
    if values:
        if len(values) != len(ws):
            raise TypeError("l2_penalty: the model mixes Value and Tensor parameters")
        return Value.sum([w * w for w in values]) * lam
    if not ws:
        return Tensor(np.zeros(()))
    total = None
    for w in ws:
        sq = (w * w).sum()
        total = sq if total is None else total + sq
    return total * lam
