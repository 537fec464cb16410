"""tinygrad_edu.nn: modules, losses, optimizers, checkpoints and data helpers on the engine.

    >>> import numpy as np
    >>> from tinygrad_edu import nn
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(256, 4)).astype(np.float32); y = (x[:, 0] * x[:, 1] > 0).astype(int)
    >>> model = nn.MLP([4, 16, 2], activation="tanh", seed=0)   # z = W² tanh(W¹x + b¹) + b²
    >>> opt = nn.Adam(model.parameters(), lr=0.02)
    >>> for epoch in range(20):
    ...     for xb, yb in nn.Batches(x, y, batch_size=32, seed=epoch):
    ...         opt.zero_grad()
    ...         loss = nn.cross_entropy(model(xb), yb)
    ...         loss.backward()
    ...         opt.step()
    >>> bool((model(x).data.argmax(axis=1) == y).mean() > 0.9)
    True
    >>> nn.save(model, "model.npz"); _ = nn.load(nn.MLP([4, 16, 2], activation="tanh"), "model.npz")

Parameters are named by their place in the model ("layers.0.weight"), which is also their
label in graph pictures and gradcheck reports. Models are float32 unless built with
dtype=np.float64 (use float64 for gradcheck).

The scalar twin (ValueNeuron, ValueLayer, ValueMLP; also tinygrad_edu.nn.scalar.MLP) builds
the same networks from Values, to draw a tiny one weight by weight.
"""

from . import functional, init, lr_scheduler
from .activations import (
    ELU,
    GELU,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    Mish,
    ReLU6,
    SiLU,
    Softplus,
    Softsign,
)
from .conv import AvgPool2d, Conv1d, Conv2d, MaxPool2d
from .data import Batches, train_test_split
from .functional import (
    avg_pool2d,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    conv1d,
    conv2d,
    cross_entropy,
    dropout,
    elu,
    flatten,
    gelu,
    hardtanh,
    huber_loss,
    l1_loss,
    l2_penalty,
    leaky_relu,
    log_softmax,
    logsigmoid,
    max_pool2d,
    mish,
    mse,
    mse_loss,
    nll_loss,
    relu,
    relu6,
    sigmoid,
    silu,
    smooth_l1_loss,
    softmax,
    softplus,
    softsign,
    tanh,
)
from .layers import Dropout, Flatten
from .losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .lr_scheduler import CosineAnnealingLR, LRScheduler, StepLR
from .module import (
    MLP,
    Identity,
    Linear,
    LogSoftmax,
    Module,
    ModuleList,
    Parameter,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .norm import BatchNorm1d, BatchNorm2d
from .optim import SGD, Adagrad, Adam, AdamW, Optimizer, RMSprop
from .scalar import ValueLayer, ValueMLP, ValueNeuron
from .serialize import CheckpointError, load, save
from .torch_bridge import (
    ConversionError,
    from_torch,
    load_torch_optimizer_state,
    load_torch_state_dict,
    to_torch,
    to_torch_optimizer_state,
    to_torch_state_dict,
)

__all__ = [
    "Adagrad",
    "Adam",
    "AdamW",
    "AvgPool2d",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "BatchNorm2d",
    "Batches",
    "CheckpointError",
    "Conv1d",
    "Conv2d",
    "ConversionError",
    "CosineAnnealingLR",
    "CrossEntropyLoss",
    "Dropout",
    "ELU",
    "Flatten",
    "GELU",
    "Hardtanh",
    "HuberLoss",
    "Identity",
    "L1Loss",
    "LRScheduler",
    "LeakyReLU",
    "Linear",
    "LogSigmoid",
    "LogSoftmax",
    "MLP",
    "MSELoss",
    "MaxPool2d",
    "Mish",
    "Module",
    "ModuleList",
    "NLLLoss",
    "Optimizer",
    "Parameter",
    "RMSprop",
    "ReLU",
    "ReLU6",
    "SGD",
    "Sequential",
    "SiLU",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "Softsign",
    "StepLR",
    "Tanh",
    "ValueLayer",
    "ValueMLP",
    "ValueNeuron",
    "avg_pool2d",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "conv1d",
    "conv2d",
    "cross_entropy",
    "dropout",
    "elu",
    "flatten",
    "from_torch",
    "functional",
    "gelu",
    "hardtanh",
    "huber_loss",
    "init",
    "l1_loss",
    "l2_penalty",
    "leaky_relu",
    "load",
    "load_torch_optimizer_state",
    "load_torch_state_dict",
    "log_softmax",
    "logsigmoid",
    "lr_scheduler",
    "max_pool2d",
    "mish",
    "mse",
    "mse_loss",
    "nll_loss",
    "relu",
    "relu6",
    "save",
    "sigmoid",
    "silu",
    "smooth_l1_loss",
    "softmax",
    "softplus",
    "softsign",
    "tanh",
    "to_torch",
    "to_torch_optimizer_state",
    "to_torch_state_dict",
    "train_test_split",
]
