"""A convolutional network for the digits (the lecture's "can we design the structure?"):
LeNet-5 (LeCun et al. 1998) on 28×28 images, next to a fully connected network with the same
number of parameters.

    x (1×28×28) → conv 6@5×5 → ReLU → max-pool 2 → conv 16@5×5 → ReLU → max-pool 2
                → flatten (16·4·4 = 256) → 120 → ReLU → 84 → ReLU → 10 scores

A convolution is a fully connected layer with two constraints, which is why it needs fewer
parameters for the same job: each output neuron sees only a small patch (5×5) of the image,
and every position shares the same weights (the filter). Both layers are one graph node each.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .. import nn
from ..graph import no_grad
from ..tensor import Tensor
from .data import DigitsData
from .metrics import accuracy
from .progress import ProgressBar
from .training import Curve, predict_in_batches, train_minibatch

__all__ = [
    "CNNComparison",
    "DigitNetResult",
    "as_images",
    "compare_cnn_fc",
    "digit_graph",
    "fc_same_budget",
    "feature_maps",
    "fit_digit_net",
    "lenet5",
]


def lenet5(
    channels: Sequence[int] = (6, 16),
    hidden: Sequence[int] = (120, 84),
    *,
    n_classes: int = 10,
    image_size: int = 28,
    kernel_size: int = 5,
    batchnorm: bool = False,
    seed: int | np.random.Generator | None = 0,
    dtype: type = np.float32,
) -> nn.Sequential:
    """LeNet-5 as an nn.Sequential (so nn.to_torch converts it): per conv channel count, a
    conv (He init) → [BatchNorm2d] → ReLU → max-pool 2 block; then the fully connected head
    (hidden sizes, ReLU) to n_classes scores."""
    rng = nn.init.make_rng(seed, "lenet5")
    layers: list[nn.Module] = []
    c_in, side = 1, image_size
    for c in channels:
        layers.append(nn.Conv2d(c_in, c, kernel_size, seed=rng, dtype=dtype))
        if batchnorm:
            layers.append(nn.BatchNorm2d(c, dtype=dtype))
        layers += [nn.ReLU(), nn.MaxPool2d(2)]
        c_in, side = c, (side - kernel_size + 1) // 2
        if side < 1:
            raise ValueError(f"lenet5: {len(channels)} conv blocks shrink {image_size}² to nothing")
    layers.append(nn.Flatten())
    width = c_in * side * side
    for h in hidden:
        layers += [nn.Linear(width, h, init="he", seed=rng, dtype=dtype), nn.ReLU()]
        width = h
    layers.append(nn.Linear(width, n_classes, seed=rng, dtype=dtype))
    return nn.Sequential(*layers)


def fc_same_budget(
    n_parameters: int, n_inputs: int = 784, n_classes: int = 10, seed: int = 0
) -> nn.MLP:
    """784 → h → 10 (ReLU) with h chosen so the parameter count is closest to n_parameters:
    (784 + 1)·h + (h + 1)·10 = n."""
    h = max(1, round((n_parameters - n_classes) / (n_inputs + 1 + n_classes)))
    return nn.MLP([n_inputs, h, n_classes], activation="relu", seed=seed)


def as_images(x: np.ndarray, shape: tuple[int, int] = (28, 28)) -> np.ndarray:
    """(n, 784) or (n, 28, 28) digits as float32 (n, 1, 28, 28): NCHW with one channel."""
    x = np.asarray(x, dtype=np.float32)
    return x.reshape(x.shape[0], 1, *shape)


@dataclass(eq=False)
class DigitNetResult:
    """A trained digit classifier; `curve` per epoch: loss (mean training cross entropy) and
    test_accuracy."""

    name: str
    model: nn.Module
    curve: Curve
    train_accuracy: float
    test_accuracy: float
    seconds: float

    @property
    def n_parameters(self) -> int:
        return self.model.num_parameters()


def _accuracy(model: nn.Module, x: np.ndarray, y: np.ndarray) -> float:
    was = model.training
    model.eval()
    try:
        return accuracy(y, predict_in_batches(model, x, batch_size=500).argmax(axis=1))
    finally:
        model.train(was)


def fit_digit_net(
    name: str,
    model: nn.Module,
    data: DigitsData,
    *,
    images: bool,
    epochs: int = 3,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    n_train: int | None = None,
    bar: ProgressBar | None = None,
) -> DigitNetResult:
    """Train `model` with Adam on the mean cross entropy; inputs as (n, 1, 28, 28) images
    (images=True, for a CNN) or as (n, 784) pixel vectors (for a fully connected network)."""
    shape = data.image_shape
    x, x_test = np.asarray(data.x_train), np.asarray(data.x_test)
    if n_train is not None:
        x = x[:n_train]
    y = np.asarray(data.y_train, dtype=np.int64)[: len(x)]
    y_test = np.asarray(data.y_test, dtype=np.int64)
    prep = (
        (lambda a: as_images(a, shape))
        if images
        else (lambda a: a.reshape(len(a), -1).astype(np.float32, copy=False))
    )
    x, x_test = prep(x), prep(x_test)
    start = time.perf_counter()
    curve = train_minibatch(
        model,
        x,
        y,
        nn.cross_entropy,
        nn.Adam(model.parameters(), lr=lr),
        epochs,
        batch_size,
        seed=seed,
        evaluate=lambda: {"test_accuracy": _accuracy(model, x_test, y_test)},
        bar=bar,
    )
    seconds = time.perf_counter() - start
    return DigitNetResult(
        name=name,
        model=model,
        curve=curve,
        train_accuracy=_accuracy(model, x, y),
        test_accuracy=curve.last("test_accuracy"),
        seconds=seconds,
    )


@dataclass(eq=False)
class CNNComparison:
    cnn: DigitNetResult
    fc: DigitNetResult


def compare_cnn_fc(
    data: DigitsData,
    *,
    epochs: int = 3,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    n_train: int | None = None,
    bar: ProgressBar | None = None,
) -> CNNComparison:
    """LeNet-5 and a 784-h-10 network of the same parameter budget, same data, same training."""
    cnn = lenet5(seed=seed)
    fc = fc_same_budget(cnn.num_parameters(), seed=seed)
    kw = {"epochs": epochs, "batch_size": batch_size, "lr": lr, "seed": seed, "n_train": n_train}
    return CNNComparison(
        cnn=fit_digit_net("LeNet-5 (CNN)", cnn, data, images=True, bar=bar, **kw),
        fc=fit_digit_net(
            f"fully connected {'-'.join(map(str, fc.sizes))}", fc, data, images=False, bar=bar, **kw
        ),
    )


def feature_maps(model: nn.Sequential, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(layer description, its output (channels, h, w)) after every conv block's ReLU and
    pooling, for one image (1, 28, 28) or (28, 28): what each filter responds to."""
    x = Tensor(as_images(np.asarray(image)[None]))
    out = []
    with no_grad():
        for i, layer in enumerate(model):
            x = layer(x)
            if x.ndim == 4 and isinstance(layer, (nn.ReLU, nn.MaxPool2d)):
                out.append((f"{i}: {type(layer).__name__}", x.data[0]))
    return out


def digit_graph(model: nn.Module, image: np.ndarray, label: int | None = None) -> Tensor:
    """The graph of one image for the renderer, one node per layer: x → conv → … → scores z
    (→ cross entropy C when the label is given). Clears the model's gradients first."""
    model.zero_grad()
    x = Tensor(as_images(np.asarray(image)[None]), label="x (pixels)")
    z = model(x).named("z")
    if label is None:
        return z.softmax(axis=-1).named("y")
    return nn.cross_entropy(z, np.array([int(label)])).named("C")
