"""The library's errors are caught by the builtin a PyTorch user would catch (issue 10):
shape errors are ValueErrors, bad indices IndexErrors, wrong types TypeErrors, and each keeps
the name (and message) it had, so `except ShapeError` / `except InputError` still work."""

from __future__ import annotations

import numpy as np
import pytest

import tinygrad_edu
from tinygrad_edu import (
    BadIndexError,
    InputError,
    InputTypeError,
    ShapeError,
    Tensor,
    nn,
)


def test_hierarchy():
    assert issubclass(ShapeError, ValueError) and issubclass(InputError, ValueError)
    for base in (IndexError, ShapeError, InputError, ValueError):
        assert issubclass(BadIndexError, base)
    for base in (TypeError, InputError):
        assert issubclass(InputTypeError, base)
    assert issubclass(tinygrad_edu.BackwardError, RuntimeError)


T = Tensor(np.arange(6.0).reshape(2, 3))

# (call, the builtin a user catches, the class it raised before, words of its message)
CASES = [
    (lambda: T[5], IndexError, ShapeError, r"'getitem': index 5 is out of bounds"),
    (lambda: T[:, [0, 3]], IndexError, ShapeError, "out of bounds"),
    (lambda: T[np.array([0.5])], IndexError, InputError, "index arrays must hold integers"),
    (lambda: T.sum(axis=2), IndexError, ShapeError, "axis 2 is out of range for a tensor with 2"),
    (lambda: T.softmax(axis=-3), IndexError, ShapeError, "axis -3 is out of range"),
    (
        lambda: nn.cross_entropy(T, [0, 3]),
        IndexError,
        InputError,
        "class index 3 at position 1 is out of range for 3 classes",
    ),
    (lambda: nn.Flatten(4)(T), IndexError, ShapeError, "dim 4 is out of range"),
    (lambda: T.sum(axis=1.0), TypeError, InputError, "axis must be an int"),
    (lambda: nn.SGD(nn.Linear(2, 2).parameters(), lr="0.1"), TypeError, InputError, "lr must be"),
    (lambda: nn.Linear(2, 2, seed="0"), TypeError, InputError, "seed must be an int"),
    (lambda: nn.Linear(2.5, 2), TypeError, InputError, "in_features must be a positive int"),
    (lambda: nn.Linear(2, 2).astype(np.int32), TypeError, InputError, "float32 or float64"),
    (lambda: nn.Batches(np.ones(4), batch_size=2.0), TypeError, InputError, "batch_size must"),
    (lambda: nn.Dropout("half"), TypeError, InputError, "p must be a number"),
    (lambda: T @ Tensor(np.ones((2, 2))), ValueError, ShapeError, "'@'"),
]


@pytest.mark.parametrize(("call", "builtin", "before", "words"), CASES)
def test_caught_by_the_builtin_and_by_the_old_name(call, builtin, before, words):
    with pytest.raises(builtin, match=words) as info:
        call()
    assert isinstance(info.value, before)
    assert type(info.value).__module__ == "tinygrad_edu.errors"


def test_value_range_errors_stay_value_errors_not_type_errors():
    # A positive-int argument that is an int but < 1 is a ValueError, not a TypeError.
    with pytest.raises(InputError) as info:
        nn.Linear(0, 2)
    assert not isinstance(info.value, TypeError)
    with pytest.raises(InputError) as info:
        nn.Batches(np.ones(4), batch_size=0)
    assert not isinstance(info.value, TypeError)


def test_numpy_index_errors_inside_an_op_stay_index_errors():
    from tinygrad_edu import Function

    class Pick(Function):
        name = "pick"

        def forward(self, a):
            return a[np.array([7])]

    with pytest.raises(IndexError, match="'pick': index 7 is out of bounds"):
        Pick.apply(T)
