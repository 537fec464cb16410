"""The functional interface (torch.nn.functional's names): activations, losses, dropout,
flatten, and the lecture's l2_penalty.

Activations work on Tensors and on Values (they call the carrier's own op). The losses live in
nn.losses, each beside its module, and are re-exported here.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError
from ..tensor import Tensor
from ..value import Value
from .activations import (
    elu,
    gelu,
    hardtanh,
    leaky_relu,
    logsigmoid,
    mish,
    relu6,
    silu,
    softplus,
    softsign,
)
from .conv import avg_pool2d as avg_pool2d  # re-exported: F.conv2d etc. as in torch
from .conv import conv1d as conv1d
from .conv import conv2d as conv2d
from .conv import max_pool2d as max_pool2d
from .layers import dropout, flatten
from .losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    huber_loss,
    l1_loss,
    mse,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
)
from .module import Module, _lift, _pick_dim

__all__ = [
    "avg_pool2d",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "cross_entropy",
    "dropout",
    "elu",
    "flatten",
    "gelu",
    "hardtanh",
    "huber_loss",
    "l1_loss",
    "l2_penalty",
    "leaky_relu",
    "log_softmax",
    "logsigmoid",
    "max_pool2d",
    "mish",
    "mse",
    "mse_loss",
    "nll_loss",
    "relu",
    "relu6",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "softsign",
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


def softmax(x: Any, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """sᵢ = e^zᵢ / Σⱼ e^zⱼ along dim (torch's name; axis= as numpy; default the last axis);
    ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ)"""
    return _lift(x, "softmax", tensor_only=True).softmax(_pick_dim(dim, axis, "softmax"))


def log_softmax(x: Any, dim: int | None = None, *, axis: int | None = None) -> Tensor:
    """yᵢ = zᵢ − log Σⱼ e^zⱼ along dim (stable: the max is subtracted first);
    ∂yᵢ/∂zⱼ = δᵢⱼ − sⱼ"""
    return _lift(x, "log_softmax", tensor_only=True).log_softmax(
        _pick_dim(dim, axis, "log_softmax")
    )


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
