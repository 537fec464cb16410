"""A deep fully connected network for 10-class digit recognition (the lecture's running
example): 784 pixels in, 10 scores out, hidden layers in between,

    a¹ = act(W¹x + b¹),  a² = act(W²a¹ + b²),  …,  y = softmax(W^L a^{L−1} + b^L)

trained on the mean cross entropy by mini-batch gradient descent (Adam) with backpropagation
doing the gradients. Built from nn.MLP; pixels (already in [0, 1]) go in unscaled.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..nn import MLP, Adam, cross_entropy
from ..tensor import Tensor
from .data import DigitsData
from .metrics import accuracy, confusion_matrix
from .progress import ProgressBar
from .training import Curve, predict_in_batches, train_minibatch

__all__ = ["DNNResult", "flat_images", "fit_dnn", "evaluate", "dnn_graph"]


def available_memory() -> int | None:
    """Bytes the kernel says a new allocation can get (MemAvailable), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def check_memory(sizes: Sequence[int], available: int | None = None) -> int:
    """Refuse a network that cannot fit, before allocating any of it; returns the estimate.

    bytes ≈ 4·P·4 for P = Σ (n_in + 1)·n_out float32 parameters, their gradients and Adam's two
    moments, plus 8·n_in·n_out for the largest layer drawn in float64 at initialisation.
    """
    layers = [(int(a) + 1) * int(b) for a, b in zip(sizes[:-1], sizes[1:])]
    n_params = sum(layers)
    need = 16 * n_params + 8 * max(layers, default=0)
    have = available_memory() if available is None else available
    if have is not None and need > have:
        raise ValueError(
            f"network {'-'.join(map(str, sizes))}: {n_params:,} parameters need about "
            f"{need / 2**30:,.1f} GiB (float32 weights, gradients and Adam's two moments), but "
            f"only {have / 2**30:,.1f} GiB is available; use smaller --hidden widths"
        )
    return need


def flat_images(x: np.ndarray) -> np.ndarray:
    """(n, 28, 28) or (n, 784) images as float32 (n, 784)."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x.reshape(x.shape[0], -1)
    if x.ndim != 2:
        raise ValueError(f"images must be (n, h, w) or (n, h*w), got shape {x.shape}")
    return x.astype(np.float32, copy=False)


@dataclass(eq=False)
class DNNResult:
    """A trained digit network. `curve` per epoch: loss (mean training cross entropy) and
    test_accuracy; `confusion[i, j]`: test digits i predicted as j."""

    model: MLP
    sizes: list[int]
    activation: str
    curve: Curve
    train_accuracy: float
    test_accuracy: float
    confusion: np.ndarray
    seconds: float

    @property
    def n_parameters(self) -> int:
        return self.model.num_parameters()


def evaluate(model: MLP, x: np.ndarray, y: np.ndarray) -> float:
    """Accuracy of argmax of the network's scores."""
    return accuracy(y, predict_in_batches(model, flat_images(x)).argmax(axis=1))


def fit_dnn(
    data: DigitsData,
    hidden: Sequence[int] = (64, 64),
    *,
    activation: str = "relu",
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    n_train: int | None = None,
    bar: ProgressBar | None = None,
) -> DNNResult:
    """Train MLP([784, *hidden, 10]) on data.x_train[:n_train] (all by default) and report
    accuracies on the training and test sets."""
    x = flat_images(data.x_train)
    y = np.asarray(data.y_train, dtype=np.int64)
    if n_train is not None:
        if not 0 < n_train <= len(x):
            raise ValueError(f"n_train must be in 1..{len(x)}, got {n_train}")
        x, y = x[:n_train], y[:n_train]
    x_test = flat_images(data.x_test)
    y_test = np.asarray(data.y_test, dtype=np.int64)
    n_classes = len(data.class_names)
    sizes = [x.shape[1], *[int(h) for h in hidden], n_classes]
    check_memory(sizes)
    start = time.perf_counter()
    model = MLP(sizes, activation=activation, seed=seed)
    curve = train_minibatch(
        model,
        x,
        y,
        cross_entropy,
        Adam(model.parameters(), lr=lr),
        epochs,
        batch_size,
        seed=seed,
        evaluate=lambda: {"test_accuracy": evaluate(model, x_test, y_test)},
        bar=bar,
    )
    pred = predict_in_batches(model, x_test).argmax(axis=1)
    return DNNResult(
        model=model,
        sizes=sizes,
        activation=activation,
        curve=curve,
        train_accuracy=evaluate(model, x, y),
        test_accuracy=accuracy(y_test, pred),
        confusion=confusion_matrix(y_test, pred, n_classes),
        seconds=time.perf_counter() - start,
    )


def dnn_graph(model: MLP, image: np.ndarray, label: int | None = None) -> Tensor:
    """The graph of one image for the renderer: x → layers → scores z (→ cross entropy).
    Clears the model's gradients first, so backward() shows this image's alone."""
    model.zero_grad()
    x = Tensor(flat_images(np.asarray(image)[None]), label="x (pixels)")
    z = model(x).named("z")
    if label is None:
        return z.softmax(axis=-1).named("y")
    return cross_entropy(z, np.array([int(label)])).named("C")
