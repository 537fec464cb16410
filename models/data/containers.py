"""The containers every data source returns (small frozen dataclasses of numpy arrays), and
DataError, the one error a malformed or missing file raises."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PathLike = str | Path


class DataError(ValueError):
    """A data file is missing or malformed; the message names the file, the place and a fix."""


# eq=False: the generated __eq__ would compare numpy arrays and raise on truth value.
@dataclass(frozen=True, eq=False)
class RegressionData:
    """Pokemon before/after evolution: predict ``y`` (cp after) from ``x_cp`` (cp before).

    ``hp``, ``height`` and ``weight`` are ``None`` when the source has no such column (the
    embedded lecture numbers). ``names`` and ``species`` are numpy string arrays, so
    ``data.species == "Pidgey"`` is a boolean mask.
    """

    x_cp: np.ndarray
    y: np.ndarray
    names: np.ndarray
    species: np.ndarray
    hp: np.ndarray | None
    height: np.ndarray | None
    weight: np.ndarray | None
    source: str
    synthetic: bool

    def __len__(self) -> int:
        return int(self.x_cp.shape[0])

    def take(self, index: np.ndarray | Sequence[int]) -> RegressionData:
        """Rows ``index`` (integer indices or a boolean mask) as a new RegressionData."""
        idx = np.asarray(index)

        def pick(a: np.ndarray | None) -> np.ndarray | None:
            return None if a is None else a[idx]

        return RegressionData(
            x_cp=self.x_cp[idx],
            y=self.y[idx],
            names=self.names[idx],
            species=self.species[idx],
            hp=pick(self.hp),
            height=pick(self.height),
            weight=pick(self.weight),
            source=self.source,
            synthetic=self.synthetic,
        )


@dataclass(frozen=True, eq=False)
class CPSplit:
    """The lecture's regression split.

    ``train``/``test``: the 10 + 10 Pokemon of the polynomial models (cp -> cp_new).
    ``species_train``: what the species models train on, every row except the 10 testing ones.
    For the embedded slide numbers that is just ``train`` (only 20 numbers are embedded).
    """

    train: RegressionData
    test: RegressionData
    species_train: RegressionData


@dataclass(frozen=True, eq=False)
class ClassificationData:
    """A two-class split; ``class_names[y]`` names label ``y``.

    For the Water/Normal sets, ``y = 1`` is Water (the lecture's class C1) and ``y = 0`` is
    Normal (C2), so ``class_names == ("Normal", "Water")``.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    source: str
    synthetic: bool


@dataclass(frozen=True, eq=False)
class DigitsData:
    """Digit images, float32 in [0, 1], shape (n, 28, 28) or flattened (n, 784); int64 labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple[int, int]
    class_names: tuple[str, ...]
    source: str
    synthetic: bool
