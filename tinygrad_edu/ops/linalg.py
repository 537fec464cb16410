"""Linear algebra: matmul and the fused fully connected layer."""

from __future__ import annotations

import numpy as np

from ..errors import ShapeError
from ..graph import LocalGrad
from ..tensor import Function, unbroadcast


def _mm(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a @ b, through np.dot when both are 2-D: numpy's matmul takes a slow non-BLAS loop for an
    outer product, the batch-1 weight gradient gᵀx ((256,1)@(1,784): 602 µs vs np.dot 50 µs on
    this machine; bench/mlp.py batch 1). Batched operands keep @ (np.dot would not broadcast)."""
    if a.ndim == 2 and b.ndim == 2:
        return np.dot(a, b)
    return a @ b


class MatMul(Function):
    """z = a @ b (1-D, 2-D, batched as numpy); ∂z/∂a = bᵀ, ∂z/∂b = aᵀ (VJP: g·bᵀ, aᵀ·g)"""

    __slots__ = ("a", "b")
    name = "@"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(
                f"'@': matmul needs 1-D or larger operands, got {a.shape} @ {b.shape}; "
                "use * to scale"
            )
        ka, kb = a.shape[-1], (b.shape[-2] if b.ndim >= 2 else b.shape[0])
        if ka != kb:
            raise ShapeError(
                f"'@': inner dimensions differ: {a.shape} @ {b.shape} ({ka} ≠ {kb}); the last "
                "axis of the left operand must match the first (or second-to-last) of the right"
            )
        self.a, self.b = a, b
        return np.asarray(a @ b)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.a, self.b
        # Work in ≥2-D as numpy does: a 1-D left operand is a row, a 1-D right one a column.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g[..., None] if b.ndim == 1 else g
        g2 = g2[..., None, :] if a.ndim == 1 else g2
        ga = gb = None
        if self.needs_grad[0]:
            ga = unbroadcast(_mm(g2, np.swapaxes(b2, -1, -2)), a2.shape).reshape(a.shape)
        if self.needs_grad[1]:
            gb = unbroadcast(_mm(np.swapaxes(a2, -1, -2), g2), b2.shape).reshape(b.shape)
        return ga, gb

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return LocalGrad("∂{z}/∂{0} = {1}ᵀ", self.b), LocalGrad("∂{z}/∂{1} = {0}ᵀ", self.a)


class Linear(Function):
    """The fully connected layer z = x Wᵀ + b, one node (W: out×in, x: …×in, b: out).

    Forward pass: ∂z/∂W = x (the input wired to each weight), ∂z/∂x = W, ∂z/∂b = 1.
    Backward pass: ∂C/∂W = gᵀx, ∂C/∂x = g W, ∂C/∂b = Σ g over the batch.
    """

    __slots__ = ("x", "w")
    name = "linear"

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
            raise ShapeError(
                f"'linear': input of shape {x.shape} does not fit a weight of shape {w.shape} "
                f"(out × in): the input's last axis must be {w.shape[1] if w.ndim == 2 else '?'}"
            )
        if b is not None and b.shape != (w.shape[0],):
            raise ShapeError(f"'linear': bias shape {b.shape} must be ({w.shape[0]},)")
        self.x, self.w = x, w
        z = x @ w.T
        if b is not None:
            z += b
        return z

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        need = self.needs_grad
        x, w = self.x, self.w
        gx = g @ w if need[0] else None
        g2 = g.reshape(-1, g.shape[-1])
        gw = _mm(g2.T, x.reshape(-1, x.shape[-1])) if need[1] else None
        if len(need) == 2:
            return gx, gw
        return gx, gw, (g2.sum(axis=0) if need[2] else None)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        out = (LocalGrad("∂{z}/∂{0} = {1}", self.w), LocalGrad("∂{z}/∂{1} = {0}", self.x))
        return out + ((LocalGrad("∂{z}/∂{2} = 1", None),) if len(self.needs_grad) == 3 else ())
