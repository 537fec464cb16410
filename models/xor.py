"""The limitation of logistic regression, and how cascading fixes it (the lecture's XOR).

    x₁ x₂ | class              Logistic regression draws one straight boundary w·x + b = 0,
     0  0 | C2 (label 0)       and no line puts (0,1), (1,0) on one side and (0,0), (1,1) on
     0  1 | C1 (label 1)       the other: at best 3 of 4 are right. On these four points the
     1  0 | C1 (label 1)       cross entropy is even minimized at w = 0, b = 0 (by symmetry),
     1  1 | C2 (label 0)       where f(x) = 0.5 everywhere and L = 4 ln 2.

Fix 1, feature transformation: x₁' = distance to (0, 0), x₂' = distance to (1, 1) sends
(0,1) and (1,0) both to (1, 1) and (0,0), (1,1) to (0, √2), (√2, 0): now a line separates
them. Fix 2, cascading logistic regressions: two logistic units compute a transformation
learned from the data, a third classifies their outputs; trained together by gradient
descent (backpropagation), this is a neural network with one hidden layer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..graph import no_grad
from ..nn import MLP, SGD, binary_cross_entropy_with_logits
from ..tensor import Tensor
from .logistic import LogisticFit, fit_logistic
from .metrics import accuracy
from .progress import ProgressBar
from .training import Curve, train_full_batch

__all__ = [
    "XOR_X",
    "XOR_Y",
    "distance_features",
    "Cascade",
    "CascadeFit",
    "fit_cascade",
    "XorResult",
    "xor_experiment",
]

XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([0, 1, 1, 0], dtype=np.int64)  # 1 = C1: x₁ ≠ x₂


def distance_features(x: np.ndarray) -> np.ndarray:
    """The lecture's hand-made transformation: (‖x − (0,0)‖, ‖x − (1,1)‖)."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"distance_features: needs points of shape (n, 2), got {x.shape}")
    return np.stack(
        [np.linalg.norm(x, axis=1), np.linalg.norm(x - np.array([1.0, 1.0]), axis=1)], axis=1
    )


class Cascade(MLP):
    """Two logistic units x₁', x₂' = σ(W¹x + b¹) feeding a third σ(w²·x' + b²): nn.MLP([2, 2, 1])
    with sigmoid units. `hidden(x)` gives the learned transformation (x₁', x₂')."""

    def __init__(self, seed: int | np.random.Generator = 0, hidden: int = 2) -> None:
        # Small random weights N(0, 0.5²) (not all zero: two identical units would stay
        # identical under gradient descent and compute the same feature).
        super().__init__(
            [2, hidden, 1],
            activation="sigmoid",
            init="normal",
            std=0.5,
            seed=seed,
            dtype=np.float64,
        )

    def hidden(self, x: np.ndarray) -> np.ndarray:
        """The transformed features (outputs of the first two logistic regressions)."""
        with no_grad():
            return self.layers[0](Tensor(np.asarray(x, dtype=np.float64))).sigmoid().data

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        with no_grad():
            return self(np.asarray(x, dtype=np.float64)).sigmoid().data[:, 0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        return (self.predict_proba(x) >= 0.5).astype(np.int64)

    def graph(self, x: np.ndarray, y: float | None = None) -> Tensor:
        """One example for the renderer: x → two σ units → σ (→ cross entropy with y)."""
        self.zero_grad()  # so backward() on this graph shows this example's gradients
        xt = Tensor(np.asarray(x, dtype=np.float64).reshape(1, 2), label="x")
        z = self(xt).named("z")
        if y is None:
            return z.sigmoid().named("f(x)")
        return binary_cross_entropy_with_logits(z, np.array([[float(y)]])).named("C")


@dataclass(eq=False)
class CascadeFit:
    """The trained cascade; `attempts` lists (final loss, accuracy) of every start tried,
    the last being the one kept."""

    model: Cascade
    curve: Curve
    accuracy: float
    attempts: list[tuple[float, float]]


def fit_cascade(
    x: np.ndarray = XOR_X,
    y: np.ndarray = XOR_Y,
    *,
    seed: int = 0,
    lr: float = 5.0,
    steps: int = 2000,
    restarts: int = 10,
    bar: ProgressBar | None = None,
) -> CascadeFit:
    """Train the cascade end to end by full-batch gradient descent on the mean cross entropy.

    Gradient descent finds a local minimum: from about one random start in ten, this small
    network settles with one point wrong (loss ≈ 0.35). Then it starts again from new random
    weights (the same seeded Generator), up to `restarts` times in all, and keeps the first
    run that classifies every training point (or the last run).
    """
    x = np.asarray(x, dtype=np.float64)
    target = np.asarray(y, dtype=np.float64).reshape(-1, 1)
    rng = np.random.default_rng(seed)
    attempts: list[tuple[float, float]] = []
    for attempt in range(max(restarts, 1)):
        if attempt and bar is not None:
            bar.extend(steps + 1)  # the caller planned one run: a restart adds one
        model = Cascade(rng)
        curve = train_full_batch(
            model.parameters(),
            lambda m=model: binary_cross_entropy_with_logits(m(x), target),
            SGD(model.parameters(), lr=lr),
            steps,
            metrics=lambda m=model: {"accuracy": accuracy(y, m.predict(x))},
            record_every=max(steps // 100, 1),
            bar=bar,
        )
        acc = accuracy(y, model.predict(x))
        attempts.append((curve.last("loss"), acc))
        if acc == 1.0:
            break
    return CascadeFit(model, curve, acc, attempts)


@dataclass(eq=False)
class XorResult:
    """The three attempts on XOR: plain logistic regression, after the hand-made transform,
    and the cascade. `ln2` is the plain model's best possible mean loss (ln 2)."""

    plain: LogisticFit
    transformed: LogisticFit
    cascade: CascadeFit
    ln2: float = math.log(2.0)


def xor_experiment(seed: int = 0, steps: int = 2000, bar: ProgressBar | None = None) -> XorResult:
    """Run the lecture's three attempts on the four XOR points.

    The plain model starts from a seeded random (w, b): from w = 0, b = 0 it would sit at
    its optimum from the first step and show nothing; from elsewhere it is seen to slide
    back to f = 0.5 everywhere.
    """
    rng = np.random.default_rng(seed)
    every = max(steps // 100, 1)
    start = (rng.normal(size=2), float(rng.normal()))
    plain = fit_logistic(
        XOR_X, XOR_Y, lr=0.5, steps=steps, start=start, record_every=every, bar=bar
    )
    transformed = fit_logistic(
        distance_features(XOR_X), XOR_Y, lr=0.5, steps=steps, record_every=every, bar=bar
    )
    cascade = fit_cascade(seed=seed, steps=steps, bar=bar)
    return XorResult(plain, transformed, cascade)
