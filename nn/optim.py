"""Optimizers with PyTorch's update rules, names and defaults: SGD, Adagrad, RMSprop, Adam, AdamW.

    opt = SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-4)
    for xb, yb in batches:
        opt.zero_grad(); loss = cross_entropy(model(xb), yb); loss.backward(); opt.step()
    opt.lr = 0.01          # a plain attribute: change it between steps (or use a scheduler)

step() updates each parameter's data in place (so the model, its graphs and the optimizer
keep one array) and never modifies a gradient in place: p.grad may be an array the engine
also handed to another node. Parameters whose grad is None (unused in the last backward) are
skipped, and their step count does not advance (as torch). Works for Tensor parameters and for
the scalar twin's Values.

weight_decay λ: SGD, Adagrad, RMSprop and Adam add λw to the gradient (L2 regularization,
g ← g + λw, as torch); AdamW decays the weights themselves, w ← w − ηλw, before its Adam step
(decoupled weight decay, Loshchilov & Hutter).

state_dict() has torch's layout: {"state": {index: {"momentum_buffer": array, …}},
"param_groups": [{"lr": …, <hyper-parameters>, "params": [0, 1, …]}]}, with torch's names for
the per-parameter state (momentum_buffer, exp_avg, exp_avg_sq, max_exp_avg_sq, sum,
square_avg, grad_avg, step).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

import numpy as np

from ..errors import InputError, InputTypeError
from ..graph import Node
from ..tensor import Tensor
from ..value import Value

State = dict[str, Any]


class Optimizer:
    """Base class: the parameters, `lr`, per-parameter state and the number of steps `t`.

    A subclass lists its hyper-parameters in `hyper` (saved by state_dict) and defines
    _update(w, g, lr, state), which moves w in place.
    """

    hyper: ClassVar[tuple[str, ...]] = ()

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
        self.t = 0  # calls of step()
        self._check_lr()
        self.state: list[State] = [{} for _ in unique]
        # Scratch arrays, one per parameter: reused every step, never handed out.
        self._buf: list[np.ndarray | None] = [None] * len(unique)

    def _check_lr(self) -> float:
        lr = self.lr
        if isinstance(lr, bool) or not isinstance(lr, (int, float, np.floating, np.integer)):
            raise InputTypeError(f"{type(self).__name__}: lr must be a number, got {lr!r}")
        if not (math.isfinite(lr) and lr >= 0):
            raise InputError(f"{type(self).__name__}: lr must be finite and ≥ 0, got {lr}")
        return float(lr)

    def _check(self, name: str, value: Any, low: float, high: float = math.inf) -> float:
        """A hyper-parameter in [low, high) (a number), or InputError naming it."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.number)):
            raise InputTypeError(f"{type(self).__name__}: {name} must be a number, got {value!r}")
        if not low <= value < high:
            bounds = f"in [{low:g}, {high:g})" if math.isfinite(high) else f"≥ {low:g}"
            raise InputError(f"{type(self).__name__}: {name} must be {bounds}, got {value}")
        return float(value)

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
                self._step_one(i, w, np.array(g, dtype=np.float64), lr)
                p.data = float(w)
            elif g is not None:
                w = p.data_for_update()
                if g.dtype != w.dtype:  # a parameter converted after the optimizer was made
                    g = g.astype(w.dtype)
                self._step_one(i, w, g, lr)

    def _step_one(self, i: int, w: np.ndarray, g: np.ndarray, lr: float) -> None:
        state = self.state[i]
        state["step"] = state.get("step", 0) + 1
        wd = getattr(self, "weight_decay", 0.0)
        if wd and not getattr(self, "decoupled", False):
            g = g + wd * w  # L2: g ← g + λw (a new array: p.grad is never written)
        buf = self._buf[i]
        if buf is None or buf.shape != w.shape or buf.dtype != w.dtype:
            buf = self._buf[i] = np.empty_like(w)
        self._update(w, g, lr, state, buf)

    @staticmethod
    def _zeros(state: State, key: str, w: np.ndarray) -> np.ndarray:
        """state[key], created as zeros like w (and re-cast if w changed dtype)."""
        s = state.get(key)
        if s is None or s.shape != w.shape:
            s = state[key] = np.zeros_like(w)
        elif s.dtype != w.dtype:
            s = state[key] = s.astype(w.dtype)
        return s

    def _update(
        self, w: np.ndarray, g: np.ndarray, lr: float, state: State, buf: np.ndarray
    ) -> None:
        raise NotImplementedError

    # -- state -----------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """{"state": {i: {name: copy}}, "param_groups": [{"lr", hyper-parameters, "params"}]}:
        torch's layout (one parameter group); arrays are copies."""
        state = {
            i: {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in s.items()}
            for i, s in enumerate(self.state)
            if s
        }
        group: dict[str, Any] = {"lr": self.lr}
        group.update({k: getattr(self, k) for k in self.hyper})
        group["params"] = list(range(len(self.params)))
        return {"state": state, "param_groups": [group], "t": self.t}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore lr, the hyper-parameters and the per-parameter state saved by state_dict()
        from an optimizer of the same kind over parameters of the same shapes. Checks
        everything before changing anything (CheckpointError naming what does not fit)."""
        from .serialize import CheckpointError

        what = f"{type(self).__name__}.load_state_dict"
        try:
            (group,) = state_dict["param_groups"]
            saved = state_dict["state"]
            ids = list(group["params"])
        except (KeyError, TypeError, ValueError):
            raise CheckpointError(
                f"{what}: expected {{'state': …, 'param_groups': [one group]}} as made by "
                "state_dict()"
            ) from None
        if len(ids) != len(self.params):
            raise CheckpointError(
                f"{what}: the state is for {len(ids)} parameters, this optimizer has "
                f"{len(self.params)}"
            )
        missing = [k for k in ("lr", *self.hyper) if k not in group]
        if missing:
            raise CheckpointError(
                f"{what}: the parameter group lacks {missing}: was it saved by another kind of "
                "optimizer?"
            )
        new_state: list[State] = [{} for _ in self.params]
        for key, s in dict(saved).items():
            try:
                i = ids.index(int(key))
            except ValueError:
                raise CheckpointError(f"{what}: state for unknown parameter {key!r}") from None
            p = self.params[i]
            shape = () if isinstance(p, Value) else p.data.shape
            dtype = np.float64 if isinstance(p, Value) else p.data.dtype
            for name, v in dict(s).items():
                if name == "step":
                    new_state[i][name] = int(v)
                    continue
                arr = np.asarray(v)
                if arr.shape != shape:
                    raise CheckpointError(
                        f"{what}: {name!r} of parameter #{i} has shape {arr.shape}, the "
                        f"parameter has shape {shape}"
                    )
                new_state[i][name] = arr.astype(dtype, copy=True)
        old = {k: getattr(self, k) for k in ("lr", *self.hyper)}
        try:
            for k in ("lr", *self.hyper):
                setattr(self, k, group[k])
            self._check_lr()
            self._check_hyper()
        except (InputError, TypeError) as e:
            for k, v in old.items():
                setattr(self, k, v)
            raise CheckpointError(f"{what}: {e}") from None
        self.state = new_state
        self.t = int(state_dict.get("t", max((s.get("step", 0) for s in new_state), default=0)))

    def _check_hyper(self) -> None:
        """Re-validate the hyper-parameters (after load_state_dict); subclasses override."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(lr={self.lr}, {len(self.params)} parameters, t={self.t})"


class SGD(Optimizer):
    """Gradient descent, torch's form: g ← g + λw (weight_decay λ);
    with momentum μ: b ← μb + (1−τ)g (b = g at the first step; dampening τ), then g ← b,
    or g ← g + μb with nesterov=True;  finally w ← w − ηg.

    With a constant η this is the lecture's v ← μv − ηg, w ← w + v (v = −ηb): the step
    remembers a running sum of past gradients, −η(g_t + μg_{t−1} + μ²g_{t−2} + …).
    """

    hyper = ("momentum", "dampening", "weight_decay", "nesterov")

    def __init__(
        self,
        params: Iterable[Node] | Any,
        lr: float = 0.001,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.momentum, self.dampening = momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self._check_hyper()

    def _check_hyper(self) -> None:
        self.momentum = self._check("momentum", self.momentum, 0.0, 1.0)
        self.dampening = self._check("dampening", self.dampening, 0.0)
        self.weight_decay = self._check("weight_decay", self.weight_decay, 0.0)
        self.nesterov = bool(self.nesterov)
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise InputError("SGD: nesterov momentum requires a momentum and zero dampening")

    def _update(
        self, w: np.ndarray, g: np.ndarray, lr: float, state: State, buf: np.ndarray
    ) -> None:
        mu = self.momentum
        if mu:
            b = state.get("momentum_buffer")
            if b is None or b.shape != w.shape:
                b = state["momentum_buffer"] = np.array(g, dtype=w.dtype)
            else:
                b *= mu
                if self.dampening:
                    np.multiply(g, 1 - self.dampening, out=buf)
                    b += buf
                else:
                    b += g
            if self.nesterov:
                np.multiply(b, mu, out=buf)
                buf += g
                g = buf
            else:
                g = b
        np.multiply(g, lr, out=buf)  # η g, without touching g
        w -= buf


class Adagrad(Optimizer):
    """Adagrad (the lecture's gradient-descent demo): every parameter gets its own step size,
    η divided by the root of the sum of its squared past gradients:

        G ← G + g²;   w ← w − η_t g / (√G + ε),   η_t = η / (1 + (t−1)·lr_decay)
    """

    hyper = ("lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(
        self,
        params: Iterable[Node] | Any,
        lr: float = 0.01,
        lr_decay: float = 0.0,
        weight_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        eps: float = 1e-10,
    ) -> None:
        super().__init__(params, lr)
        self.lr_decay, self.weight_decay = lr_decay, weight_decay
        self.initial_accumulator_value, self.eps = initial_accumulator_value, eps
        self._check_hyper()

    def _check_hyper(self) -> None:
        self.lr_decay = self._check("lr_decay", self.lr_decay, 0.0)
        self.weight_decay = self._check("weight_decay", self.weight_decay, 0.0)
        self.initial_accumulator_value = self._check(
            "initial_accumulator_value", self.initial_accumulator_value, 0.0
        )
        if not self.eps > 0:
            raise InputError(f"Adagrad: eps must be > 0, got {self.eps}")
        self.eps = float(self.eps)

    def _update(
        self, w: np.ndarray, g: np.ndarray, lr: float, state: State, buf: np.ndarray
    ) -> None:
        G = state.get("sum")
        if G is None or G.shape != w.shape or G.dtype != w.dtype:
            G = state["sum"] = np.full_like(w, self.initial_accumulator_value)
        np.multiply(g, g, out=buf)
        G += buf
        np.sqrt(G, out=buf)
        buf += self.eps
        np.divide(g, buf, out=buf)
        buf *= lr / (1 + (state["step"] - 1) * self.lr_decay)
        w -= buf


class RMSprop(Optimizer):
    """RMSprop: divide the step by a running RMS of the gradient.

        v ← αv + (1−α)g²;   w ← w − η g / (√v + ε)
    centered=True subtracts the running mean ḡ ← αḡ + (1−α)g: √(v − ḡ²) (an estimate of the
    gradient's standard deviation); momentum μ: b ← μb + g/(√v + ε), w ← w − ηb.
    """

    hyper = ("alpha", "eps", "weight_decay", "momentum", "centered")

    def __init__(
        self,
        params: Iterable[Node] | Any,
        lr: float = 0.01,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.alpha, self.eps, self.weight_decay = alpha, eps, weight_decay
        self.momentum, self.centered = momentum, centered
        self._check_hyper()

    def _check_hyper(self) -> None:
        self.alpha = self._check("alpha", self.alpha, 0.0, 1.0)
        self.weight_decay = self._check("weight_decay", self.weight_decay, 0.0)
        self.momentum = self._check("momentum", self.momentum, 0.0, 1.0)
        if not self.eps > 0:
            raise InputError(f"RMSprop: eps must be > 0, got {self.eps}")
        self.eps, self.centered = float(self.eps), bool(self.centered)

    def _update(
        self, w: np.ndarray, g: np.ndarray, lr: float, state: State, buf: np.ndarray
    ) -> None:
        a = self.alpha
        v = self._zeros(state, "square_avg", w)
        v *= a
        np.multiply(g, g, out=buf)
        buf *= 1 - a
        v += buf
        if self.centered:
            gm = self._zeros(state, "grad_avg", w)
            gm *= a
            gm += (1 - a) * g
            np.multiply(gm, gm, out=buf)
            np.subtract(v, buf, out=buf)
            np.sqrt(buf, out=buf)
        else:
            np.sqrt(v, out=buf)
        buf += self.eps
        np.divide(g, buf, out=buf)  # g / (√v + ε)
        if self.momentum:
            b = self._zeros(state, "momentum_buffer", w)
            b *= self.momentum
            b += buf
            np.multiply(b, lr, out=buf)
        else:
            buf *= lr
        w -= buf


class Adam(Optimizer):
    """Adam: momentum on the gradient and Adagrad-like scaling by its running RMS.

    m ← β₁m + (1−β₁)g;  v ← β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ)
    w ← w − η m̂ / (√v̂ + ε)
    amsgrad=True uses the largest v so far (v̂ never shrinks); weight_decay λ adds λw to g (L2;
    for decoupled decay use AdamW).
    """

    hyper = ("betas", "eps", "weight_decay", "amsgrad")
    decoupled = False

    def __init__(
        self,
        params: Iterable[Node] | Any,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.betas, self.eps, self.weight_decay, self.amsgrad = betas, eps, weight_decay, amsgrad
        self._check_hyper()

    def _check_hyper(self) -> None:
        what = type(self).__name__
        try:
            b1, b2 = self.betas
        except (TypeError, ValueError):
            raise InputError(f"{what}: betas must be two numbers, got {self.betas!r}") from None
        if not (0 <= b1 < 1 and 0 <= b2 < 1):
            raise InputError(f"{what}: betas must be in [0, 1), got {self.betas}")
        if not self.eps > 0:
            raise InputError(f"{what}: eps must be > 0, got {self.eps}")
        self.betas, self.eps = (float(b1), float(b2)), float(self.eps)
        self.weight_decay = self._check("weight_decay", self.weight_decay, 0.0)
        self.amsgrad = bool(self.amsgrad)

    def _update(
        self, w: np.ndarray, g: np.ndarray, lr: float, state: State, buf: np.ndarray
    ) -> None:
        b1, b2 = self.betas
        t = state["step"]
        if self.decoupled and self.weight_decay:
            w *= 1 - lr * self.weight_decay  # AdamW: w ← w − ηλw, apart from the gradient
        m = self._zeros(state, "exp_avg", w)
        v = self._zeros(state, "exp_avg_sq", w)
        m *= b1
        np.multiply(g, 1 - b1, out=buf)
        m += buf
        v *= b2
        np.multiply(g, g, out=buf)
        buf *= 1 - b2
        v += buf
        if self.amsgrad:
            vmax = self._zeros(state, "max_exp_avg_sq", w)
            np.maximum(vmax, v, out=vmax)
            v = vmax
        # √v̂ + ε = √v/√(1−β₂ᵗ) + ε; then the step η m̂ / (√v̂ + ε) in the same scratch array.
        np.sqrt(v, out=buf)
        buf *= 1 / math.sqrt(1 - b2**t)
        buf += self.eps
        np.divide(m, buf, out=buf)
        buf *= lr / (1 - b1**t)
        w -= buf


class AdamW(Adam):
    """Adam with decoupled weight decay: w ← w − ηλw, then Adam's step on the plain gradient
    (the decay is not rescaled by Adam's 1/√v̂, unlike L2 in Adam). weight_decay=0.01 as torch.
    """

    decoupled = True

    def __init__(
        self,
        params: Iterable[Node] | Any,
        lr: float = 0.001,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
