"""Shared pieces of the classifiers: feature standardization, training loops, curves.

Full-batch gradient descent (the lecture's step 3: every step uses every example) for the
small models; mini-batches (nn.Batches) for the digit networks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..graph import no_grad
from ..nn import Batches, Module, Optimizer
from ..tensor import Tensor
from .progress import ProgressBar

__all__ = [
    "Standardizer",
    "Curve",
    "train_full_batch",
    "train_minibatch",
    "predict_in_batches",
    "decision_grid",
]


@dataclass(frozen=True, eq=False)
class Standardizer:
    """x ↦ (x − mean) / std per feature, fitted on training data (std 0 becomes 1: a
    constant feature, e.g. an always-black pixel, stays 0 instead of dividing by zero)."""

    mean: np.ndarray
    std: np.ndarray

    @classmethod
    def fit(cls, x: np.ndarray) -> Standardizer:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[0] == 0:
            raise ValueError(
                f"Standardizer.fit: need a 2-D array (examples, features), got {x.shape}"
            )
        std = x.std(axis=0)
        return cls(x.mean(axis=0), np.where(std > 0, std, 1.0))

    @classmethod
    def identity(cls, n_features: int) -> Standardizer:
        return cls(np.zeros(n_features), np.ones(n_features))

    def __call__(self, x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != self.mean.shape[0]:
            raise ValueError(
                f"expected inputs of shape (n, {self.mean.shape[0]}), got {x.shape}; the model "
                f"was trained on {self.mean.shape[0]} features"
            )
        return (x - self.mean) / self.std


@dataclass(eq=False)
class Curve:
    """A training curve: (step, value) pairs per quantity, e.g. curve["loss"]."""

    series: dict[str, list[tuple[int, float]]] = field(default_factory=dict)

    def add(self, step: int, **values: float) -> None:
        for k, v in values.items():
            self.series.setdefault(k, []).append((step, float(v)))

    def __getitem__(self, key: str) -> list[tuple[int, float]]:
        return self.series[key]

    def last(self, key: str) -> float:
        return self.series[key][-1][1]

    def at(self, key: str, step: int) -> float:
        """The value recorded at `step` (KeyError if that step was not recorded)."""
        for s, v in self.series[key]:
            if s == step:
                return v
        raise KeyError(f"no {key!r} recorded at step {step}")


def train_full_batch(
    params: Sequence[Tensor],
    loss_fn: Callable[[], Tensor],
    optimizer: Optimizer,
    steps: int,
    *,
    metrics: Callable[[], dict[str, float]] | None = None,
    record_every: int = 1,
    bar: ProgressBar | None = None,
) -> Curve:
    """`steps` steps of optimizer on loss_fn() (a fresh graph each step); the curve holds the
    loss before each step (step 0 = the start) and after the last, plus `metrics()` and the
    gradient norm ‖∇L‖ at the recorded steps."""
    curve = Curve()
    for step in range(steps + 1):
        optimizer.zero_grad()
        loss = loss_fn()
        loss.backward()
        if step % record_every == 0 or step == steps:
            gnorm = float(
                np.sqrt(sum(float((p.grad**2).sum()) for p in params if p.grad is not None))
            )
            extra = metrics() if metrics is not None else {}
            curve.add(step, loss=loss.item(), grad_norm=gnorm, **extra)
        if bar is not None:
            bar.update(loss=loss.item())
        if step < steps:
            optimizer.step()
    return curve


def predict_in_batches(model: Module, x: np.ndarray, batch_size: int = 2048) -> np.ndarray:
    """model(x) without recording a graph, in chunks (bounded memory for 10⁴ images)."""
    outs = []
    with no_grad():
        for i in range(0, len(x), batch_size):
            outs.append(model(x[i : i + batch_size]).data)
    return np.concatenate(outs) if outs else np.zeros((0,))


def train_minibatch(
    model: Module,
    x: np.ndarray,
    y: np.ndarray,
    loss_fn: Callable[[Tensor, np.ndarray], Tensor],
    optimizer: Optimizer,
    epochs: int,
    batch_size: int,
    *,
    seed: int = 0,
    evaluate: Callable[[], dict[str, float]] | None = None,
    bar: ProgressBar | None = None,
) -> Curve:
    """Mini-batch training for `epochs` passes over (x, y), reshuffled each pass (seeded).
    The curve holds the mean training loss of each epoch and `evaluate()` after it; a step
    is one epoch (epoch 0 is not recorded)."""
    curve = Curve()
    batches = Batches(x, y, batch_size=batch_size, seed=seed)
    for epoch in range(1, epochs + 1):
        total, count = 0.0, 0
        for xb, yb in batches:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            count += len(xb)
            if bar is not None:
                bar.update(loss=total / count)
        extra = evaluate() if evaluate is not None else {}
        curve.add(epoch, loss=total / count, **extra)
        if bar is not None and extra:
            bar.set(**{k: v for k, v in extra.items()})
    return curve


def decision_grid(
    predict: Callable[[np.ndarray], np.ndarray], x: np.ndarray, n: int = 101, margin: float = 0.1
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A model's output on an n×n grid covering the 2-D inputs x (plus `margin` of the span),
    for contour plots: (xx, yy, values) with values = predict(points) reshaped to the grid
    (a trailing class axis is kept)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"decision_grid: needs 2-D inputs of shape (n, 2), got {x.shape}")
    lo, hi = x.min(axis=0), x.max(axis=0)
    pad = (hi - lo) * margin + 1e-12
    xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n)
    ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)
    xx, yy = np.meshgrid(xs, ys)
    values = np.asarray(predict(np.stack([xx.ravel(), yy.ravel()], axis=1)))
    return xx, yy, values.reshape((n, n) + values.shape[1:])
