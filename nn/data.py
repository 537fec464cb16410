"""Data helpers: seeded shuffling mini-batches and a train/test split (numpy in, numpy out)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from ..errors import InputError, InputTypeError, ShapeError
from .init import Seed, make_rng


def _arrays(arrays: tuple[Any, ...], what: str) -> list[np.ndarray]:
    if not arrays:
        raise InputError(f"{what}: give at least one array (e.g. x, y)")
    out = []
    for i, a in enumerate(arrays):
        arr = a.data if hasattr(a, "data") and isinstance(a.data, np.ndarray) else np.asarray(a)
        if arr.ndim == 0:
            raise ShapeError(f"{what}: array #{i} is a scalar; the first axis must be examples")
        out.append(arr)
    n = len(out[0])
    if any(len(a) != n for a in out):
        raise ShapeError(
            f"{what}: arrays have different numbers of examples (first axis): "
            + ", ".join(f"#{i}: {len(a)}" for i, a in enumerate(out))
        )
    return out


class Batches:
    """Mini-batches of the given arrays (same first axis), reshuffled on every pass.

        loader = Batches(x, y, batch_size=32, seed=0)
        for epoch in range(10):
            for xb, yb in loader: ...

    Each pass visits every example once (the last batch may be smaller unless drop_last).
    With one array it yields the batches themselves, with several a tuple. The seed fixes the
    whole sequence of shuffles; shuffle=False keeps the order.
    """

    def __init__(
        self,
        *arrays: Any,
        batch_size: int = 32,
        shuffle: bool = True,
        seed: Seed = 0,
        drop_last: bool = False,
    ) -> None:
        self.arrays = _arrays(arrays, "Batches")
        is_int = isinstance(batch_size, (int, np.integer)) and not isinstance(batch_size, bool)
        if not is_int or batch_size < 1:
            kind = InputError if is_int else InputTypeError
            raise kind(f"Batches: batch_size must be a positive int, got {batch_size!r}")
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self.rng = make_rng(seed, "Batches")

    @property
    def n(self) -> int:
        """Number of examples."""
        return len(self.arrays[0])

    def __len__(self) -> int:
        """Batches per pass."""
        n, b = self.n, self.batch_size
        return n // b if self.drop_last else -(-n // b)

    def __iter__(self) -> Iterator[Any]:
        n, b = self.n, self.batch_size
        order = self.rng.permutation(n) if self.shuffle else None
        stop = n - n % b if self.drop_last else n
        for start in range(0, stop, b):
            if order is None:
                parts = [a[start : start + b] for a in self.arrays]
            else:
                idx = order[start : start + b]
                parts = [a[idx] for a in self.arrays]
            yield parts[0] if len(parts) == 1 else tuple(parts)


def train_test_split(
    *arrays: Any, test_fraction: float = 0.25, shuffle: bool = True, seed: Seed = 0
) -> list[np.ndarray]:
    """Split arrays (same first axis) into train and test parts:
    train_test_split(x, y) → [x_train, x_test, y_train, y_test] (as scikit-learn).

    round(n · test_fraction) examples go to the test part (at least one on each side).
    """
    arrs = _arrays(arrays, "train_test_split")
    n = len(arrs[0])
    if not 0 < test_fraction < 1:
        raise InputError(f"train_test_split: test_fraction must be in (0, 1), got {test_fraction}")
    n_test = int(round(n * test_fraction))
    if not 1 <= n_test <= n - 1:
        raise InputError(
            f"train_test_split: {n} examples with test_fraction={test_fraction} leave "
            f"{n_test} for the test part and {n - n_test} for training; both need at least one"
        )
    order = make_rng(seed, "train_test_split").permutation(n) if shuffle else np.arange(n)
    test, train = order[:n_test], order[n_test:]
    if not shuffle:
        train, test = order[: n - n_test], order[n - n_test :]
    out: list[np.ndarray] = []
    for a in arrs:
        out += [a[train], a[test]]
    return out
