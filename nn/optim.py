"""Optimizers: SGD (with momentum), Adagrad, Adam.

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for xb, yb in batches:
        opt.zero_grad(); loss = cross_entropy(model(xb), yb); loss.backward(); opt.step()
    opt.lr = 0.01          # a plain attribute: change it between steps

step() updates each parameter's data in place (so the model, its graphs and the optimizer
keep one array) and never modifies a gradient in place: p.grad may be an array the engine
also handed to another node. Parameters whose grad is None (unused in the last backward) are
skipped. Works for Tensor parameters and for the scalar twin's Values.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError
from ..graph import Node
from ..tensor import Tensor
from ..value import Value


class Optimizer:
    """Base class: holds the parameters, `lr`, per-parameter state, and the step count `t`."""

    def __init__(self, params: Iterable[Node] | Any, lr: float) -> None:
        what = type(self).__name__
        if hasattr(params, "parameters") and callable(params.parameters):
            params = params.parameters()
        if isinstance(params, Node):
            params = [params]
        try:
            plist = list(params)
        except TypeError:
            raise TypeError(
                f"{what}: params must be an iterable of parameters (model.parameters()), got "
                f"{type(params).__name__}"
            ) from None
        unique: list[Node] = []
        seen: set[int] = set()
        for i, p in enumerate(plist):
            if not isinstance(p, (Tensor, Value)):
                raise TypeError(
                    f"{what}: parameter #{i} is a {type(p).__name__}, not a Tensor or Value"
                )
            if not p.requires_grad or not p.is_leaf:
                name = f" {p.label!r}" if p.label else ""
                raise InputError(
                    f"{what}: parameter #{i}{name} is not a leaf with requires_grad=True, so it "
                    "never gets a gradient to follow"
                )
            if id(p) not in seen:
                seen.add(id(p))
                unique.append(p)
        if not unique:
            raise InputError(
                f"{what}: got no parameters to optimize. Pass model.parameters() of a model that "
                "has parameters (a generator can only be used once: make the optimizer from a "
                "fresh call)"
            )
        self.params: list[Node] = unique
        self.lr = lr
        self.t = 0  # steps taken
        self._check_lr()
        # Scratch arrays, one per parameter: reused every step, never handed out.
        self._buf: list[np.ndarray | None] = [None] * len(unique)

    def _check_lr(self) -> float:
        lr = self.lr
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating, np.integer)):
            raise InputTypeError(f"{type(self).__name__}: lr must be a number, got {lr!r}")
        if not (math.isfinite(lr) and lr >= 0):
            raise InputError(f"{type(self).__name__}: lr must be finite and ≥ 0, got {lr}")
        return float(lr)

    def zero_grad(self) -> None:
        """Forget the gradients (before the next backward(): leaves accumulate)."""
        for p in self.params:
            p.zero_grad()

    def step(self) -> None:
        """Move every parameter that has a gradient one step."""
        lr = self._check_lr()
        self.t += 1
        for i, p in enumerate(self.params):
            g = p.grad
            if isinstance(p, Value):
                w = np.array(p.data)
                self._update(i, w, np.array(g, dtype=np.float64), lr)
                p.data = float(w)
            elif g is not None:
                w = p.data
                if g.dtype != w.dtype:  # a parameter converted after the optimizer was made
                    g = g.astype(w.dtype)
                self._update(i, w, g, lr)

    def _scratch(self, i: int, w: np.ndarray) -> np.ndarray:
        buf = self._buf[i]
        if buf is None or buf.shape != w.shape or buf.dtype != w.dtype:
            buf = self._buf[i] = np.empty_like(w)
        return buf

    def _state(self, store: list[np.ndarray | None], i: int, w: np.ndarray) -> np.ndarray:
        s = store[i]
        if s is None or s.shape != w.shape:
            s = store[i] = np.zeros_like(w)
        elif s.dtype != w.dtype:
            s = store[i] = s.astype(w.dtype)
        return s

    def _update(self, i: int, w: np.ndarray, g: np.ndarray, lr: float) -> None:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr}, {len(self.params)} parameters, t={self.t})"


class SGD(Optimizer):
    """Gradient descent: w ← w − η g.

    With momentum μ (the lecture's form): v ← μ v − η g;  w ← w + v  (v starts at 0), so the
    step remembers a running sum of past gradients: v = −η (g_t + μ g_{t−1} + μ² g_{t−2} + …).
    """

    def __init__(self, params: Iterable[Node] | Any, lr: float = 0.01, momentum: float = 0.0):
        super().__init__(params, lr)
        if not 0 <= momentum < 1:
            raise InputError(f"SGD: momentum must be in [0, 1), got {momentum}")
        self.momentum = float(momentum)
        self._v: list[np.ndarray | None] = [None] * len(self.params)

    def _update(self, i: int, w: np.ndarray, g: np.ndarray, lr: float) -> None:
        buf = self._scratch(i, w)
        np.multiply(g, lr, out=buf)  # η g, without touching g
        if self.momentum:
            v = self._state(self._v, i, w)
            v *= self.momentum
            v -= buf
            w += v
        else:
            w -= buf


class Adagrad(Optimizer):
    """Adagrad (the lecture's gradient-descent demo): every parameter gets its own step size,
    η divided by the root of the sum of its squared past gradients:

        G ← G + g²;   w ← w − η g / (√G + ε)
    """

    def __init__(self, params: Iterable[Node] | Any, lr: float = 0.01, eps: float = 1e-10):
        super().__init__(params, lr)
        if not eps > 0:
            raise InputError(f"Adagrad: eps must be > 0, got {eps}")
        self.eps = float(eps)
        self._G: list[np.ndarray | None] = [None] * len(self.params)

    def _update(self, i: int, w: np.ndarray, g: np.ndarray, lr: float) -> None:
        buf = self._scratch(i, w)
        G = self._state(self._G, i, w)
        np.multiply(g, g, out=buf)
        G += buf
        np.sqrt(G, out=buf)
        buf += self.eps
        np.divide(g, buf, out=buf)
        buf *= lr
        w -= buf


class Adam(Optimizer):
    """Adam: momentum on the gradient and Adagrad-like scaling by its running RMS.

    m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ)
    w ← w − η m̂ / (√v̂ + ε)
    """

    def __init__(
        self,
        params: Iterable[Node] | Any,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        super().__init__(params, lr)
        b1, b2 = betas
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise InputError(f"Adam: betas must be in [0, 1), got {betas}")
        if not eps > 0:
            raise InputError(f"Adam: eps must be > 0, got {eps}")
        self.betas = (float(b1), float(b2))
        self.eps = float(eps)
        self._m: list[np.ndarray | None] = [None] * len(self.params)
        self._s: list[np.ndarray | None] = [None] * len(self.params)

    def _update(self, i: int, w: np.ndarray, g: np.ndarray, lr: float) -> None:
        b1, b2 = self.betas
        buf = self._scratch(i, w)
        m = self._state(self._m, i, w)
        v = self._state(self._s, i, w)
        m *= b1
        np.multiply(g, 1 - b1, out=buf)
        m += buf
        v *= b2
        np.multiply(g, g, out=buf)
        buf *= 1 - b2
        v += buf
        # √v̂ + ε = √v/√(1−β₂ᵗ) + ε; then the step η m̂ / (√v̂ + ε) in the same scratch array.
        np.sqrt(v, out=buf)
        buf *= 1 / math.sqrt(1 - b2**self.t)
        buf += self.eps
        np.divide(m, buf, out=buf)
        buf *= lr / (1 - b1**self.t)
        w -= buf
