"""Seeded synthetic stand-ins (``synthetic=True``), so every experiment runs without downloads:
a species CP set, a Water/Normal Gaussian set and a 28x28 digit set drawn from a bitmap font."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .containers import ClassificationData, CPSplit, DigitsData, RegressionData
from .glyphs import render_digits
from .lecture import (
    FEATURES_DEFENSE,
    NORMAL_COV,
    NORMAL_MEAN,
    SPECIES,
    WATER_COV,
    WATER_MEAN,
    WATER_NORMAL_CLASS_NAMES,
    split_by_names,
)


class _Species(NamedTuple):
    n: int
    cp_range: tuple[float, float]
    line: tuple[float, float, float]  # cp_new = b + w*cp + N(0, sd^2): (b, w, sd)
    hp: tuple[float, float, float]  # hp = b + w*cp + N(0, sd^2): (b, w, sd)
    height: tuple[float, float]  # (mean, sd) in m
    weight: tuple[float, float]  # (mean, sd) in kg


# Chosen to resemble the lecture's plots: the OpenIntro file's species mix (39/20/10/6) and
# roughly its per-species slopes. Summary numbers only, no rows of the real file.
_SPECIES_PARAMS: dict[str, _Species] = {
    "Pidgey": _Species(
        39, (10, 390), (3.0, 1.87, 6.0), (16.0, 0.11, 3.0), (0.30, 0.03), (1.8, 0.5)
    ),
    "Weedle": _Species(
        20, (15, 255), (0.0, 1.09, 1.5), (17.0, 0.17, 4.0), (0.31, 0.04), (3.4, 0.9)
    ),
    "Caterpie": _Species(
        10, (10, 235), (0.0, 1.08, 1.5), (9.0, 0.24, 5.0), (0.30, 0.03), (2.9, 0.9)
    ),
    "Eevee": _Species(
        6, (380, 650), (0.0, 2.62, 15.0), (30.0, 0.07, 3.0), (0.29, 0.05), (6.5, 2.0)
    ),
}


def synthetic_pokemon_cp(seed: int = 0) -> RegressionData:
    """A seeded synthetic stand-in for the OpenIntro species data (75 rows, ``synthetic=True``).

    Per species s: cp ~ U(range_s), cp_new = round(b_s + w_s*cp + eps), eps ~ N(0, sd_s^2);
    hp = round(hb_s + hw_s*cp + N(0, hsd_s^2)) (at least 10); height, weight Gaussian and
    positive. Names are ``synPidgey1``, ``synWeedle1``, ...; rows grouped by species.
    """
    rng = np.random.default_rng(seed)
    cols: dict[str, list] = {k: [] for k in ("name", "species", "cp", "y", "hp", "h", "w")}
    for sp in SPECIES:
        p = _SPECIES_PARAMS[sp]
        n = p.n
        b, w, sd = p.line
        hb, hw, hsd = p.hp
        cp = np.round(rng.uniform(*p.cp_range, n))
        # cp_new >= cp + 1: evolving never lowers CP, and it keeps tiny Weedles sensible.
        y = np.maximum(np.round(b + w * cp + rng.normal(0.0, sd, n)), cp + 1)
        hp = np.maximum(np.round(hb + hw * cp + rng.normal(0.0, hsd, n)), 10.0)
        # abs() keeps the rare far-tail draw positive without piling mass at a clip value.
        height = np.round(np.abs(rng.normal(*p.height, n)), 2)
        weight = np.round(np.abs(rng.normal(*p.weight, n)), 2)
        cols["name"] += [f"syn{sp}{i + 1}" for i in range(n)]
        cols["species"] += [sp] * n
        for key, arr in (("cp", cp), ("y", y), ("hp", hp), ("h", height), ("w", weight)):
            cols[key].append(arr)
    return RegressionData(
        x_cp=np.concatenate(cols["cp"]),
        y=np.concatenate(cols["y"]),
        names=np.array(cols["name"]),
        species=np.array(cols["species"]),
        hp=np.concatenate(cols["hp"]),
        height=np.concatenate(cols["h"]),
        weight=np.concatenate(cols["w"]),
        source=f"synthetic species CP data (seed={seed})",
        synthetic=True,
    )


def synthetic_cp_split(seed: int = 0) -> CPSplit:
    """:func:`synthetic_pokemon_cp` split like the lecture, with the same species counts.

    train: 5 Pidgey, 3 Weedle, 1 Caterpie, 1 Eevee; test: 5 Pidgey, 2 Weedle, 1 Caterpie,
    2 Eevee (drawn at random with the same seed); species_train: the other 65 rows.
    """
    data = synthetic_pokemon_cp(seed)
    rng = np.random.default_rng([seed, 1])  # own stream: the rows don't depend on the split
    counts = {"Pidgey": (5, 5), "Weedle": (3, 2), "Caterpie": (1, 1), "Eevee": (1, 2)}
    train: list[str] = []
    test: list[str] = []
    for sp in SPECIES:
        n_tr, n_te = counts[sp]
        names = data.names[data.species == sp]
        chosen = rng.choice(names, size=n_tr + n_te, replace=False)
        train += [str(n) for n in chosen[:n_tr]]
        test += [str(n) for n in chosen[n_tr:]]
    return split_by_names(data, train, test)


def _gaussian(rng: np.random.Generator, mean: np.ndarray, cov: np.ndarray, n: int) -> np.ndarray:
    # x = mu + L z with the (unique) Cholesky factor: reproducible across LAPACK builds,
    # unlike Generator.multivariate_normal's default SVD whose signs may differ.
    return mean + rng.standard_normal((n, mean.shape[0])) @ np.linalg.cholesky(cov).T


def synthetic_water_normal(
    seed: int = 0, n_water: tuple[int, int] = (79, 33), n_normal: tuple[int, int] = (61, 37)
) -> ClassificationData:
    """Seeded synthetic Water (y=1) vs Normal (y=0) on (Defense, Sp. Def), ``synthetic=True``.

    x | Water ~ N(WATER_MEAN, WATER_COV), x | Normal ~ N(NORMAL_MEAN, NORMAL_COV).
    ``n_water``/``n_normal`` are (train, test) counts; the defaults are the lecture's 79/33 and
    61/37. Values are unrounded draws (they may leave the game's 1..255 range). Each split is
    shuffled.
    """
    for label, counts in (("n_water", n_water), ("n_normal", n_normal)):
        if len(counts) != 2 or min(counts) < 0:
            raise ValueError(f"{label} must be two non-negative counts (train, test); got {counts}")
    rng = np.random.default_rng(seed)
    parts = []
    for n_w, n_n in zip(n_water, n_normal):  # (train counts), then (test counts)
        x = np.concatenate(
            [
                _gaussian(rng, WATER_MEAN, WATER_COV, n_w),
                _gaussian(rng, NORMAL_MEAN, NORMAL_COV, n_n),
            ]
        )
        y = np.concatenate([np.ones(n_w, np.int64), np.zeros(n_n, np.int64)])
        order = rng.permutation(len(y))
        parts.append((x[order], y[order]))
    (x_tr, y_tr), (x_te, y_te) = parts
    return ClassificationData(
        x_train=x_tr,
        y_train=y_tr,
        x_test=x_te,
        y_test=y_te,
        feature_names=FEATURES_DEFENSE,
        class_names=WATER_NORMAL_CLASS_NAMES,
        source=f"synthetic Gaussians with the lecture's Water/Normal mu and Sigma (seed={seed})",
        synthetic=True,
    )


def synthetic_digits(
    n_train: int = 8000, n_test: int = 2000, seed: int = 0, flatten: bool = False
) -> DigitsData:
    """Seeded synthetic 10-class digits, 28x28 float32 in [0, 1] like MNIST (``synthetic=True``).

    Each image is a glyph of a hand-made 5x7 font drawn with a random pose (shift up to 3 px,
    rotation up to 14 degrees, slant, 17..23 px height, width jitter), a random stroke width and
    contrast, plus N(0, 0.15^2) pixel noise clipped to [0, 1]. Classes are balanced (each
    label appears n/10 times, rounded) and shuffled. ``flatten=True`` gives shape (n, 784).
    """
    if n_train < 0 or n_test < 0:
        raise ValueError(f"n_train and n_test must be >= 0; got {n_train}, {n_test}")
    rng = np.random.default_rng(seed)
    out = []
    for n in (n_train, n_test):
        labels = rng.permutation(np.arange(n, dtype=np.int64) % 10)
        images = render_digits(labels, rng)
        out.append((images.reshape(n, 784) if flatten else images, labels))
    (x_tr, y_tr), (x_te, y_te) = out
    return DigitsData(
        x_train=x_tr,
        y_train=y_tr,
        x_test=x_te,
        y_test=y_te,
        image_shape=(28, 28),
        class_names=tuple("0123456789"),
        source=f"synthetic digits from a 5x7 bitmap font (seed={seed})",
        synthetic=True,
    )
