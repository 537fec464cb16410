"""Layers without parameters that change with the mode or the shape: Dropout, Flatten.

    net = Sequential(Flatten(), Linear(784, 256), ReLU(), Dropout(0.2, seed=0), Linear(256, 10))
    net.train()   # Dropout zeroes a random 20% and scales the rest by 1/0.8
    net.eval()    # Dropout is the identity
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError
from ..tensor import Tensor
from .activations import _no_inplace
from .init import Seed, make_rng
from .module import Module, _lift


def _check_p(p: Any, what: str) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise InputTypeError(f"{what}: p must be a number in [0, 1], got {type(p).__name__}")
    if not 0 <= p <= 1:
        raise InputError(f"{what}: dropout probability has to be between 0 and 1, but got {p}")
    return float(p)


def dropout(
    x: Any,
    p: float = 0.5,
    training: bool = True,
    inplace: bool = False,
    *,
    generator: Seed = None,
) -> Tensor:
    """Inverted dropout: zᵢ = xᵢ·mᵢ/(1−p) with mᵢ ~ Bernoulli(1−p), so E[zᵢ] = xᵢ;
    ∂zᵢ/∂xᵢ = mᵢ/(1−p). training=False (or p = 0) returns x itself; p = 1 gives zeros.

    generator: an int seed, a numpy Generator (drawn from in turn) or None (tinygrad_edu's
    default generator, seeded by tinygrad_edu.manual_seed).
    """
    p = _check_p(p, "dropout")
    _no_inplace(inplace, "dropout")
    x = _lift(x, "dropout", tensor_only=True)
    if not training or p == 0:
        return x
    shape, dtype = x.data.shape, x.data.dtype
    if p == 1:
        scale = np.zeros(shape, dtype)
    else:
        keep = make_rng(generator, "dropout").random(shape) >= p  # P(keep) = 1 − p
        scale = keep.astype(dtype) * dtype.type(1 / (1 - p))
    # The mask enters as a constant factor: the Mul node's local derivative is the mask itself.
    return x * Tensor(scale)


class Dropout(Module):
    """Dropout(p=0.5, inplace=False, *, seed=None): in training mode each element is zeroed
    with probability p and the survivors scaled by 1/(1−p) (inverted dropout: the expected value
    is unchanged, so eval needs no rescaling); in eval mode (model.eval()) it is the identity.

    seed: an int or numpy Generator gives the layer its own Generator, from which it draws a
    fresh mask at every call; None (default) draws from tinygrad_edu's default generator at
    call time, as torch does, so tinygrad_edu.manual_seed(n) makes the masks reproducible.
    """

    def __init__(self, p: float = 0.5, inplace: bool = False, *, seed: Seed = None) -> None:
        super().__init__()
        self.p = _check_p(p, "Dropout")
        _no_inplace(inplace, "Dropout")
        self.rng = None if seed is None else make_rng(seed, "Dropout")

    def forward(self, x: Any) -> Tensor:
        return dropout(x, self.p, self.training, generator=self.rng)

    def extra_repr(self) -> str:
        return f"p={self.p}"


def flatten(x: Any, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge the axes start_dim … end_dim (inclusive) into one: (N, C, H, W) with start_dim=1
    → (N, C·H·W) (Tensor.flatten; a reshape, so the gradient is reshaped back)."""
    return _lift(x, "flatten", tensor_only=True).flatten(start_dim, end_dim)


class Flatten(Module):
    """Flatten(start_dim=1, end_dim=-1): (N, d₁, …, d_k) → (N, d₁⋯d_k), keeping the batch axis
    (torch's defaults; the function flatten starts at 0)."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x: Any) -> Tensor:
        return flatten(x, self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
