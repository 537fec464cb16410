"""Softmax regression: several classes, one linear score per class.

    zₖ = wₖ·x + bₖ,   yₖ = softmax(z)ₖ = e^zₖ / Σⱼ e^zⱼ,   L = Σₙ −Σₖ ŷₖⁿ ln yₖⁿ

(the cross entropy with the one-hot target ŷ). Its gradient is ∂L/∂zₖ = yₖ − ŷₖ, so
∂L/∂W = (Y − Ŷ)ᵀ X: the same "prediction minus target times input" as logistic regression.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..graph import no_grad
from ..nn import SGD, Adam, Module, Parameter, cross_entropy
from ..tensor import Tensor
from .metrics import accuracy, confusion_matrix
from .progress import ProgressBar
from .training import Curve, Standardizer, train_full_batch, train_minibatch

__all__ = ["SoftmaxRegression", "SoftmaxFit", "fit_softmax", "three_classes"]


class SoftmaxRegression(Module):
    """z = x̃ Wᵀ + b, y = softmax(z); x̃ = (x − mean)/std (fixed Standardizer).

    W: (K, d), b: (K,), float64 by default (float32 for images: half the memory traffic).
    """

    def __init__(
        self,
        n_features: int,
        n_classes: int,
        scaler: Standardizer | None = None,
        dtype: type = np.float64,
    ) -> None:
        super().__init__()
        if n_features < 1 or n_classes < 2:
            raise ValueError(
                f"SoftmaxRegression: need n_features >= 1 and n_classes >= 2, got "
                f"{n_features}, {n_classes}"
            )
        self.scaler = scaler if scaler is not None else Standardizer.identity(n_features)
        self.dtype = np.dtype(dtype)
        self.W = Parameter(np.zeros((n_classes, n_features)), dtype=self.dtype)
        self.b = Parameter(np.zeros(n_classes), dtype=self.dtype)

    def forward(self, x: np.ndarray) -> Tensor:
        """The logits z (softmax is folded into the cross entropy, which is stabler)."""
        xs = Tensor(self.scaler(x).astype(self.dtype, copy=False))
        return xs @ self.W.T + self.b

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """softmax(z) for every row, shape (n, K)."""
        with no_grad():
            return self.forward(x).softmax(axis=-1).data

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The class with the largest yₖ."""
        with no_grad():
            return np.argmax(self.forward(x).data, axis=1)

    def graph(self, x: np.ndarray, y: int | None = None) -> Tensor:
        """One example for the renderer: x̃ → z = W x̃ + b → softmax (→ cross entropy with y)."""
        self.zero_grad()  # so backward() on this graph shows this example's gradients
        row = np.asarray(x, dtype=np.float64).reshape(1, -1)
        xs = Tensor(self.scaler(row).astype(self.dtype), label="x̃")
        z = (xs @ self.W.T + self.b).named("z")
        if y is None:
            return z.softmax(axis=-1).named("y")
        return cross_entropy(z, np.array([int(y)])).named("C")


@dataclass(eq=False)
class SoftmaxFit:
    model: SoftmaxRegression
    curve: Curve
    train_accuracy: float
    test_accuracy: float
    confusion: np.ndarray  # on the test set (training set if none): rows true, columns predicted


def fit_softmax(
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
    *,
    n_classes: int | None = None,
    lr: float = 0.5,
    steps: int = 500,
    epochs: int = 0,
    batch_size: int = 128,
    seed: int = 0,
    bar: ProgressBar | None = None,
) -> SoftmaxFit:
    """Train softmax regression on the mean cross entropy.

    epochs = 0: full-batch gradient descent for `steps` steps with step size lr.
    epochs > 0: mini-batches with Adam (lr is Adam's η), for large data such as images.
    """
    x = np.asarray(x)
    labels = np.asarray(y, dtype=np.int64)
    if x.ndim != 2 or labels.shape != (x.shape[0],):
        raise ValueError(
            f"fit_softmax: x must be (n, d) with one label each; got {x.shape}, {labels.shape}"
        )
    k = int(labels.max()) + 1 if n_classes is None else n_classes
    if labels.min() < 0 or labels.max() >= k:
        raise ValueError(f"fit_softmax: labels must be 0..{k - 1}")
    dtype = np.float32 if x.dtype == np.float32 else np.float64
    model = SoftmaxRegression(x.shape[1], k, Standardizer.fit(x), dtype=dtype)
    if epochs:
        curve = train_minibatch(
            model,
            x,
            labels,
            cross_entropy,
            Adam(model.parameters(), lr=lr),
            epochs,
            batch_size,
            seed=seed,
            bar=bar,
        )
    else:
        curve = train_full_batch(
            model.parameters(),
            lambda: cross_entropy(model(x), labels),
            SGD(model.parameters(), lr=lr),
            steps,
            metrics=lambda: {"accuracy": accuracy(labels, model.predict(x))},
            record_every=max(steps // 100, 1),
            bar=bar,
        )
    xe, ye = (x_test, y_test) if x_test is not None else (x, labels)
    pred = model.predict(xe)
    return SoftmaxFit(
        model,
        curve,
        accuracy(labels, model.predict(x)),
        accuracy(y_test, pred) if x_test is not None else float("nan"),
        confusion_matrix(ye, pred, k),
    )


def three_classes(
    n: int = 300, seed: int = 0, spread: float = 1.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Three Gaussian classes in 2-D (means at the corners of a triangle of side ≈ 5.2,
    standard deviation `spread`), split half/half: (x_train, y_train, x_test, y_test)."""
    rng = np.random.default_rng(seed)
    means = np.array([[0.0, 3.0], [-2.6, -1.5], [2.6, -1.5]])
    y = rng.permutation(np.arange(n) % 3)
    x = means[y] + spread * rng.standard_normal((n, 2))
    h = n // 2
    return x[:h], y[:h].astype(np.int64), x[h:], y[h:].astype(np.int64)
