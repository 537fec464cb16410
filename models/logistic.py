"""Logistic regression: P(C1|x) = f(x) = σ(w·x + b), trained by gradient descent.

Step 2 of the lecture: the cross-entropy loss L = Σₙ −[ŷⁿ ln f(xⁿ) + (1 − ŷⁿ) ln(1 − f(xⁿ))],
whose gradient is ∂L/∂wᵢ = Σₙ −(ŷⁿ − f(xⁿ)) xᵢⁿ: as large as the error. With square error
L = Σₙ (f(xⁿ) − ŷⁿ)² instead, ∂L/∂wᵢ = Σₙ 2(f − ŷ) f (1 − f) xᵢ: the factor f(1 − f) is
≈ 0 both near the target and far from it, so training starting far away barely moves
(:func:`loss_comparison`).

Generative vs discriminative: the Gaussian classifier with a shared Σ has the same form
σ(w·x + b) with w, b from closed-form estimates of μ₁, μ₂, Σ; logistic regression picks
w, b directly by minimizing the cross entropy (:func:`compare_classifiers`).

Inputs are standardized inside the model ((x − mean)/std of the training data, feature
scaling) so one learning rate suits every feature; :meth:`LogisticRegression.coef` gives
w and b on the raw inputs.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..graph import no_grad
from ..nn import SGD, Module, Parameter, binary_cross_entropy_with_logits
from ..tensor import Tensor
from .data import ClassificationData
from .generative import BernoulliNaiveBayes, GaussianClassifier, SingularCovarianceWarning
from .metrics import accuracy
from .progress import ProgressBar
from .training import Curve, Standardizer, train_full_batch

__all__ = [
    "LogisticRegression",
    "LogisticFit",
    "fit_logistic",
    "LossComparison",
    "loss_comparison",
    "ClassifierScore",
    "compare_classifiers",
    "two_blobs",
    "TOY_X",
    "TOY_Y",
    "toy_example",
    "loss_surfaces",
]


class LogisticRegression(Module):
    """f(x) = σ(w·x̃ + b) with x̃ = (x − mean)/std (the Standardizer, fixed at construction).

    Parameters `w` (d,) and `b` (scalar), float64, start at 0 unless `start` = (w, b) on the
    standardized scale is given.
    """

    def __init__(
        self,
        n_features: int,
        scaler: Standardizer | None = None,
        start: tuple[Sequence[float], float] | None = None,
    ) -> None:
        super().__init__()
        if n_features < 1:
            raise ValueError(f"LogisticRegression: n_features must be >= 1, got {n_features}")
        self.scaler = scaler if scaler is not None else Standardizer.identity(n_features)
        if self.scaler.mean.shape != (n_features,):
            raise ValueError(
                f"LogisticRegression: scaler is for {self.scaler.mean.shape[0]} features, "
                f"model for {n_features}"
            )
        w0, b0 = (np.zeros(n_features), 0.0) if start is None else start
        w0 = np.asarray(w0, dtype=np.float64)
        if w0.shape != (n_features,):
            raise ValueError(
                f"LogisticRegression: start w has shape {w0.shape}, need ({n_features},)"
            )
        self.w = Parameter(w0, dtype=np.float64)
        self.b = Parameter(np.float64(b0), dtype=np.float64)

    def logits(self, x: np.ndarray) -> Tensor:
        """z = w·x̃ + b for every row of x (a graph node)."""
        return Tensor(self.scaler(x)) @ self.w + self.b

    def forward(self, x: np.ndarray) -> Tensor:
        """f(x) = σ(z)."""
        return self.logits(x).sigmoid()

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """P(C1|x) for every row (no graph recorded)."""
        with no_grad():
            return self.forward(x).data

    def predict(self, x: np.ndarray) -> np.ndarray:
        """1 (class C1) where P(C1|x) ≥ 0.5, else 0."""
        return (self.predict_proba(x) >= 0.5).astype(np.int64)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        return accuracy(y, self.predict(x))

    def coef(self) -> tuple[np.ndarray, float]:
        """(w, b) on the raw inputs: σ(w·x + b) = f(x). w = w̃/std, b = b̃ − Σ w̃·mean/std."""
        w = self.w.data / self.scaler.std
        return w, float(self.b.data - w @ self.scaler.mean)

    def graph(self, x: np.ndarray, y: float | None = None) -> Tensor:
        """The graph of one example for the renderer: z = w·x̃ + b → f = σ(z), then the
        cross entropy with target y if given. The input enters already standardized (a leaf
        x̃ = (x − μ)/s): the engine records no nodes for arithmetic on constants alone."""
        self.zero_grad()  # so backward() on this graph shows this example's gradients
        row = np.asarray(x, dtype=np.float64).reshape(1, -1)
        xs = Tensor(self.scaler(row)[0], label="x̃ = (x − μ)/s")
        z = (xs @ self.w + self.b).named("z")
        if y is None:
            return z.sigmoid().named("f(x)")
        return binary_cross_entropy_with_logits(z, np.float64(y)).named("C")


def _loss(kind: str, model: LogisticRegression, x: np.ndarray, y: np.ndarray) -> Tensor:
    if kind == "cross_entropy":
        return binary_cross_entropy_with_logits(model.logits(x), y)
    if kind == "square":
        d = model(x) - y
        return (d * d).mean()
    raise ValueError(f"loss must be 'cross_entropy' or 'square', got {kind!r}")


@dataclass(eq=False)
class LogisticFit:
    """A trained LogisticRegression with its curve (loss, grad_norm, accuracy per step)."""

    model: LogisticRegression
    loss: str
    curve: Curve
    train_accuracy: float
    test_accuracy: float


def _labels(y: np.ndarray, what: str) -> np.ndarray:
    arr = np.asarray(y)
    if arr.ndim != 1 or not np.isin(arr, (0, 1)).all():
        raise ValueError(f"{what}: labels must be a 1-D array of 0 and 1 (1 = class C1)")
    return arr.astype(np.float64)


def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    *,
    loss: str = "cross_entropy",
    lr: float = 0.5,
    steps: int = 2000,
    start: tuple[Sequence[float], float] | None = None,
    record_every: int = 1,
    bar: ProgressBar | None = None,
) -> LogisticFit:
    """Train σ(w·x̃ + b) by full-batch gradient descent w ← w − η ∂L/∂w on the mean loss
    (cross entropy, or square error to show why not). x: (n, d); y: 0/1 with 1 = C1."""
    x = np.asarray(x, dtype=np.float64)
    yf = _labels(y, "fit_logistic")
    if x.ndim != 2 or x.shape[0] != yf.shape[0]:
        raise ValueError(f"fit_logistic: x has shape {x.shape} but there are {yf.size} labels")
    model = LogisticRegression(x.shape[1], Standardizer.fit(x), start)
    opt = SGD(model.parameters(), lr=lr)
    curve = train_full_batch(
        model.parameters(),
        lambda: _loss(loss, model, x, yf),
        opt,
        steps,
        metrics=lambda: {"accuracy": model.accuracy(x, yf)},
        record_every=record_every,
        bar=bar,
    )
    test_acc = model.accuracy(x_test, y_test) if x_test is not None else float("nan")
    return LogisticFit(model, loss, curve, model.accuracy(x, yf), test_acc)


@dataclass(eq=False)
class LossComparison:
    """Cross entropy vs square error from the same start (w̃₀, b₀) with the same η and steps."""

    start: tuple[np.ndarray, float]
    cross_entropy: LogisticFit
    square: LogisticFit


def loss_comparison(
    x: np.ndarray,
    y: np.ndarray,
    *,
    lr: float = 0.5,
    steps: int = 1000,
    start: tuple[Sequence[float], float] | None = None,
    distance: float = 6.0,
    bar: ProgressBar | None = None,
) -> LossComparison:
    """Train with each loss from one start far from the target.

    The default start points w̃ the wrong way: w̃₀ = −distance · u, with u the unit direction
    from the class-0 mean to the class-1 mean of the standardized inputs, b₀ = 0; then f is
    near 1 for class 0 and near 0 for class 1, where square error's gradient is ≈ 0.
    """
    x = np.asarray(x, dtype=np.float64)
    yf = _labels(y, "loss_comparison")
    if start is None:
        xs = Standardizer.fit(x)(x)
        u = xs[yf == 1].mean(axis=0) - xs[yf == 0].mean(axis=0)
        u = u / (np.linalg.norm(u) or 1.0)
        start = (-distance * u, 0.0)
    w0, b0 = np.asarray(start[0], dtype=np.float64), float(start[1])
    fits = [
        fit_logistic(x, yf, loss=kind, lr=lr, steps=steps, start=(w0, b0), bar=bar)
        for kind in ("cross_entropy", "square")
    ]
    return LossComparison((w0, b0), fits[0], fits[1])


@dataclass(frozen=True)
class ClassifierScore:
    """One row of the generative-vs-discriminative table."""

    name: str
    train_accuracy: float
    test_accuracy: float


def compare_classifiers(
    data: ClassificationData,
    lr: float = 0.5,
    steps: int = 3000,
    bar: ProgressBar | None = None,
    priors: str | Sequence[float] = "empirical",
) -> tuple[list[ClassifierScore], LogisticFit]:
    """Each Gaussian generative variant and logistic regression on the same split; `priors`
    goes to the generative models ("empirical" N_k/N, "equal", or given).

    Singular covariances (the feature Total = the sum of the six stats) are handled by the
    generative module's pseudo-inverse; its warning is silenced here and stated in the table.
    """
    rows = []
    names = {
        "separate": "generative, Gaussian, separate Σ",
        "shared": "generative, Gaussian, shared Σ",
        "diagonal": "generative, naive Bayes (diagonal Σ)",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SingularCovarianceWarning)
        for kind, name in names.items():
            g = GaussianClassifier(kind, priors=priors).fit(data.x_train, data.y_train)
            rows.append(
                ClassifierScore(
                    name,
                    g.accuracy(data.x_train, data.y_train),
                    g.accuracy(data.x_test, data.y_test),
                )
            )
    fit = fit_logistic(
        data.x_train,
        data.y_train,
        data.x_test,
        data.y_test,
        lr=lr,
        steps=steps,
        record_every=steps,
        bar=bar,
    )
    rows.append(
        ClassifierScore(
            "discriminative, logistic regression", fit.train_accuracy, fit.test_accuracy
        )
    )
    return rows, fit


def two_blobs(n: int = 100, seed: int = 0, gap: float = 4.0) -> tuple[np.ndarray, np.ndarray]:
    """Two unit-variance Gaussian clouds in 2-D whose means are `gap` apart on the x-axis.

    Points within 0.5 of the perpendicular bisector (or on the wrong side of it) are
    dropped, so the set is linearly separable for any seed: y = 1 left, 0 right.
    Returns (x (≤ n, 2), y)."""
    rng = np.random.default_rng(seed)
    y = rng.permutation(np.arange(n) % 2)
    centre = np.where(y[:, None] == 1, [-gap / 2, 0.0], [gap / 2, 0.0])
    x = centre + rng.standard_normal((n, 2))
    keep = np.where(y == 1, x[:, 0] < -0.5, x[:, 0] > 0.5)
    return x[keep], y[keep].astype(np.int64)


# The lecture's toy example: one (1, 1) of class 1 and twelve points of class 2 (label 0).
TOY_X = np.array([[1, 1]] + [[1, 0]] * 4 + [[0, 1]] * 4 + [[0, 0]] * 4, dtype=np.float64)
TOY_Y = np.array([1] + [0] * 12, dtype=np.int64)


def toy_example(steps: int = 2000, lr: float = 0.5) -> dict[str, float]:
    """The lecture's generative-vs-discriminative toy: P(C1 | x = (1, 1)) by naive Bayes
    (ML, no smoothing: 1·1·(1/13) / (1/13 + (1/3)(1/3)(12/13)) = 3/7 < 0.5, so class 2) and
    by logistic regression (> 0.5: class 1, the point it saw)."""
    nb = BernoulliNaiveBayes(alpha=0.0).fit(TOY_X, TOY_Y)
    p_nb = float(nb.predict_proba(TOY_X[:1])[0, 1])
    fit = fit_logistic(TOY_X, TOY_Y, lr=lr, steps=steps, record_every=steps)
    p_lr = float(fit.model.predict_proba(TOY_X[:1])[0])
    return {"naive_bayes": p_nb, "logistic": p_lr}


def loss_surfaces(
    x: np.ndarray, y: np.ndarray, w1: np.ndarray, w2: np.ndarray, b: float = 0.0
) -> dict[str, np.ndarray]:
    """Mean cross entropy and mean square error of σ(w₁x̃₁ + w₂x̃₂ + b) over a grid of
    (w₁, w₂) on standardized 2-feature inputs (the lecture's "total loss" surfaces), each of
    shape (len(w2), len(w1)) as np.meshgrid(w1, w2) lays it out."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"loss_surfaces: needs 2 features, got inputs of shape {x.shape}")
    yf = _labels(y, "loss_surfaces")
    xs = Standardizer.fit(x)(x)
    g1, g2 = np.meshgrid(np.asarray(w1, dtype=np.float64), np.asarray(w2, dtype=np.float64))
    z = g1[..., None] * xs[:, 0] + g2[..., None] * xs[:, 1] + b
    f = 0.5 * (1.0 + np.tanh(0.5 * z))  # σ(z) without overflow
    # ln σ(z) = −log(1 + e^−z), computed stably with logaddexp.
    ce = yf * np.logaddexp(0.0, -z) + (1.0 - yf) * np.logaddexp(0.0, z)
    return {"cross_entropy": ce.mean(axis=-1), "square": ((f - yf) ** 2).mean(axis=-1)}
