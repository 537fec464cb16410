"""Loaders of the two Pokemon CSV files a user downloads: the OpenIntro Pokemon Go evolution file
(regression) and the Kaggle "Pokemon with stats" file (Water vs Normal)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .containers import ClassificationData, DataError, PathLike, RegressionData
from .files import cell, float_cell, int_cell, read_csv
from .lecture import FEATURES_DEFENSE, FEATURES_SIX, WATER_NORMAL_CLASS_NAMES

_CP_WHAT = "OpenIntro Pokemon Go evolution CSV (name,species,cp,hp,weight,height,...,cp_new,...)"
_CP_NUMERIC = ("cp", "hp", "weight", "height", "cp_new")


def load_pokemon_cp(path: PathLike) -> RegressionData:
    """Every row of the OpenIntro Pokemon Go evolution CSV (75 rows in the original).

    Uses columns name, species, cp, hp, weight, height, cp_new; other columns are ignored.
    Names must be unique (the lecture's split is by name).
    """
    p, columns, rows = read_csv(path, ("name", "species", *_CP_NUMERIC), _CP_WHAT)
    names: list[str] = []
    species: list[str] = []
    values: dict[str, list[float]] = {c: [] for c in _CP_NUMERIC}
    seen: dict[str, int] = {}
    for line, row in rows:
        name = cell(p, line, columns, row, "name")
        if name in seen:
            raise DataError(
                f"{p}, line {line}, column {columns['name'] + 1} ('name'): {name!r} already "
                f"appears on line {seen[name]}. Names must be unique; remove the duplicate."
            )
        seen[name] = line
        names.append(name)
        species.append(cell(p, line, columns, row, "species"))
        for c in _CP_NUMERIC:
            values[c].append(float_cell(p, line, columns, row, c))
    arr = {c: np.array(v, dtype=np.float64) for c, v in values.items()}
    return RegressionData(
        x_cp=arr["cp"],
        y=arr["cp_new"],
        names=np.array(names),
        species=np.array(species),
        hp=arr["hp"],
        height=arr["height"],
        weight=arr["weight"],
        source=str(p),
        synthetic=False,
    )


_STATS_WHAT = (
    'Kaggle "Pokemon with stats" CSV (#,Name,Type 1,Type 2,Total,HP,Attack,Defense,Sp. Atk,'
    "Sp. Def,Speed,Generation,Legendary)"
)
_STAT_COLUMNS = ("Total", *FEATURES_SIX)


def load_water_normal(
    path: PathLike, features: Sequence[str] = FEATURES_DEFENSE, split_at: int = 400
) -> ClassificationData:
    """The lecture's Water (y=1) vs Normal (y=0) split of the Kaggle "Pokemon with stats" CSV.

    Rows whose ``Type 1`` is Water or Normal; Pokedex ``#`` < ``split_at`` for training
    (79 Water, 61 Normal in the original file), the rest for testing. Mega/alternate forms
    repeat the ``#`` and are kept. ``features`` picks columns, e.g. :data:`FEATURES_DEFENSE`,
    :data:`FEATURES_SIX` or :data:`FEATURES_SEVEN` (Total = sum of the six, so that set has a
    singular covariance). Rows are in file order.
    """
    features = tuple(features)
    unknown = [f for f in features if f not in _STAT_COLUMNS]
    if not features or unknown:
        raise ValueError(
            f"features must be a non-empty selection of {', '.join(_STAT_COLUMNS)}; "
            f"got {list(features)}"
        )
    p, columns, rows = read_csv(path, ("#", "Type 1", *features), _STATS_WHAT)
    label_of = {"Water": 1, "Normal": 0}
    x: list[list[float]] = []
    y: list[int] = []
    train: list[bool] = []
    for line, row in rows:
        number = int_cell(p, line, columns, row, "#")
        kind = cell(p, line, columns, row, "Type 1")
        if kind not in label_of:
            continue
        x.append([float_cell(p, line, columns, row, f) for f in features])
        y.append(label_of[kind])
        train.append(number < split_at)
    xa = np.array(x, dtype=np.float64).reshape(-1, len(features))
    ya = np.array(y, dtype=np.int64)
    is_train = np.array(train, dtype=bool)
    parts = ((f"training (# < {split_at})", is_train), (f"testing (# >= {split_at})", ~is_train))
    for part, mask in parts:
        for cls, label in label_of.items():
            if not np.any(ya[mask] == label):
                raise DataError(
                    f"{p}: no '{cls}' rows (column 'Type 1') in the {part} part. "
                    f"Expected the {_STATS_WHAT}."
                )
    return ClassificationData(
        x_train=xa[is_train],
        y_train=ya[is_train],
        x_test=xa[~is_train],
        y_test=ya[~is_train],
        feature_names=features,
        class_names=WATER_NORMAL_CLASS_NAMES,
        source=str(p),
        synthetic=False,
    )
