"""Batch normalization: BatchNorm1d on (N, C) or (N, C, L), BatchNorm2d on (N, C, H, W).

In training mode each channel c is normalized with the batch's own statistics, over every axis
but the channel axis (m numbers: the batch and, for images, every position):

    μ = (1/m) Σ x,   σ² = (1/m) Σ (x − μ)²,   x̂ = (x − μ)/√(σ² + ε),   y = γ·x̂ + β

built from the engine's primitives (mean, −, ·, **), so backpropagation through μ and σ² is
the engine's own. The running statistics are updated as torch does, with the unbiased variance:

    running_mean ← (1 − momentum)·running_mean + momentum·μ
    running_var  ← (1 − momentum)·running_var + momentum·σ²·m/(m − 1)

(momentum=None: the cumulative average over all batches seen). In eval mode (model.eval())
y = γ·(x − running_mean)/√(running_var + ε) + β. running_mean, running_var and
num_batches_tracked are buffers: in state_dict(), nn.save and nn.load, never in parameters().
Names and defaults are torch's: eps=1e-5, momentum=0.1, affine=True, track_running_stats=True.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InputError, ShapeError
from ..tensor import Tensor
from .module import Module, Parameter, _as_input


class _BatchNorm(Module):
    ranks: tuple[int, ...] = ()
    dims = ""

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        title = type(self).__name__
        if not isinstance(num_features, (int, np.integer)) or isinstance(num_features, bool):
            raise InputError(f"{title}: num_features must be a positive int, got {num_features!r}")
        if num_features < 1:
            raise InputError(f"{title}: num_features must be a positive int, got {num_features}")
        if not eps > 0:
            raise InputError(f"{title}: eps must be > 0, got {eps!r}")
        if momentum is not None and not 0 <= momentum <= 1:
            raise InputError(f"{title}: momentum must be in [0, 1] or None, got {momentum!r}")
        self.num_features, self.eps, self.momentum = int(num_features), float(eps), momentum
        self.affine, self.track_running_stats = bool(affine), bool(track_running_stats)
        dt = np.dtype(dtype)
        self.weight = Parameter(np.ones(num_features), dtype=dt) if affine else None
        self.bias = Parameter(np.zeros(num_features), dtype=dt) if affine else None
        if track_running_stats:
            self.register_buffer("running_mean", np.zeros(num_features, dt))
            self.register_buffer("running_var", np.ones(num_features, dt))
            self.register_buffer("num_batches_tracked", np.zeros((), np.int64))

    def reset_running_stats(self) -> None:
        """running_mean ← 0, running_var ← 1, num_batches_tracked ← 0."""
        if self.track_running_stats:
            self.running_mean[...] = 0
            self.running_var[...] = 1
            self.num_batches_tracked[...] = 0

    def _dtype(self) -> np.dtype:
        if self.weight is not None:
            return self.weight.data.dtype
        return self.running_mean.dtype if self.track_running_stats else np.dtype(np.float32)

    def forward(self, x: Any) -> Tensor:
        x = _as_input(x, self._dtype(), self._title())
        shape = x.data.shape
        if len(shape) not in self.ranks or shape[1] != self.num_features:
            raise ShapeError(
                f"{self._title()} expects inputs {self.dims} with C = {self.num_features} "
                f"channels, got shape {shape}"
            )
        axes = tuple(i for i in range(len(shape)) if i != 1)
        bshape = tuple(self.num_features if i == 1 else 1 for i in range(len(shape)))
        if self.training or not self.track_running_stats:
            m = int(np.prod([shape[i] for i in axes]))
            if m < 2 and self.training:
                raise ShapeError(
                    f"{self._title()}: expected more than 1 value per channel when training, got "
                    f"input of shape {shape} (use a batch of ≥ 2, or model.eval())"
                )
            mean = x.mean(axis=axes, keepdims=True)
            xc = x - mean
            var = (xc * xc).mean(axis=axes, keepdims=True)
            xhat = xc * (var + self.eps) ** -0.5
            if self.training and self.track_running_stats:
                self._update(mean.data.reshape(-1), var.data.reshape(-1), m)
        else:
            mean = self.running_mean.reshape(bshape)
            inv = (self.running_var.reshape(bshape) + self.eps) ** -0.5
            xhat = (x - Tensor(mean)) * Tensor(inv.astype(x.data.dtype))
        if not self.affine:
            return xhat
        return xhat * self.weight.reshape(bshape) + self.bias.reshape(bshape)  # type: ignore[union-attr]

    def _update(self, mean: np.ndarray, var: np.ndarray, m: int) -> None:
        self.num_batches_tracked[...] += 1
        mom = self.momentum
        f = 1.0 / int(self.num_batches_tracked) if mom is None else mom
        self.running_mean[...] = (1 - f) * self.running_mean + f * mean
        self.running_var[...] = (1 - f) * self.running_var + f * var * (m / (m - 1))

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) features or (N, C, L) sequences per channel C."""

    ranks = (2, 3)
    dims = "(N, C) or (N, C, L)"


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) images per channel C (over N, H and W)."""

    ranks = (4,)
    dims = "(N, C, H, W)"
