"""Every differentiable tensor op: one class each, forward and local derivative side by side.

Conventions: forward() saves only what backward() needs; backward(g) returns one gradient
per parent, already reduced to that parent's shape (broadcasting is undone explicitly with
unbroadcast); a gradient the caller does not need may be None (see self.needs_grad).
Every class here must have an entry in registry.py, which the test suite gradchecks.

The ops live in one module per family: elementwise, reduce, movement, linalg, loss, conv.
"""

from .conv import AvgPool2d, Conv1d, Conv2d, MaxPool2d
from .elementwise import (
    Add,
    Clip,
    Div,
    Exp,
    Log,
    Maximum,
    Mul,
    Neg,
    Pow,
    ReLU,
    Sigmoid,
    Sub,
    Tanh,
    Where,
)
from .linalg import Linear, MatMul
from .loss import BinaryCrossEntropy, BinaryCrossEntropyProb, CrossEntropy
from .movement import Concatenate, GetItem, Reshape, Stack, Transpose
from .reduce import LogSoftmax, Max, Mean, Softmax, Sum

__all__ = [
    "Add",
    "AvgPool2d",
    "BinaryCrossEntropy",
    "BinaryCrossEntropyProb",
    "Clip",
    "Concatenate",
    "Conv1d",
    "Conv2d",
    "CrossEntropy",
    "Div",
    "Exp",
    "GetItem",
    "Linear",
    "Log",
    "LogSoftmax",
    "MatMul",
    "Max",
    "MaxPool2d",
    "Maximum",
    "Mean",
    "Mul",
    "Neg",
    "Pow",
    "ReLU",
    "Reshape",
    "Sigmoid",
    "Softmax",
    "Stack",
    "Sub",
    "Sum",
    "Tanh",
    "Transpose",
    "Where",
]
