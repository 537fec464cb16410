"""Data sets for the lecture: Pokemon CP regression, Water vs Normal, digit recognition.

Three kinds of data live here:

* the lecture's regression split, embedded: the 20 (cp, cp_new) pairs shown on the slides;
* seeded synthetic stand-ins (``synthetic=True``) so every experiment runs without downloads:
  a species CP set, a Water/Normal Gaussian set and a 28x28 digit set drawn from a bitmap font;
* loaders for the real files a user downloads: the OpenIntro Pokemon Go evolution CSV, the
  Kaggle "Pokemon with stats" CSV and MNIST IDX files (raw or gzip). Every problem with such a
  file raises :class:`DataError` naming the file, the line/column (or byte offset) and a fix.

All containers are small frozen dataclasses holding numpy arrays.
"""

from __future__ import annotations

import csv
import gzip
import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

__all__ = [
    "DataError",
    "RegressionData",
    "CPSplit",
    "ClassificationData",
    "DigitsData",
    "LECTURE_TRAIN_NAMES",
    "LECTURE_TEST_NAMES",
    "SPECIES",
    "WATER_MEAN",
    "WATER_COV",
    "NORMAL_MEAN",
    "NORMAL_COV",
    "WATER_NORMAL_CLASS_NAMES",
    "FEATURES_DEFENSE",
    "FEATURES_SIX",
    "FEATURES_SEVEN",
    "lecture_cp_split",
    "split_lecture_cp",
    "synthetic_pokemon_cp",
    "synthetic_cp_split",
    "synthetic_water_normal",
    "synthetic_digits",
    "split_digits",
    "load_pokemon_cp",
    "load_water_normal",
    "read_idx",
    "load_mnist_images",
    "load_mnist_labels",
    "load_mnist",
]

PathLike = str | Path


class DataError(ValueError):
    """A data file is missing or malformed; the message names the file, the place and a fix."""


# --------------------------------------------------------------------------------------------
# Containers
# --------------------------------------------------------------------------------------------


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


# --------------------------------------------------------------------------------------------
# The lecture's regression split (the 20 numbers on the slides)
# --------------------------------------------------------------------------------------------

# (name, species, cp, cp_new) as shown on the slides; nothing else is embedded.
_LECTURE_TRAIN: tuple[tuple[str, str, int, int], ...] = (
    ("Pidgey4", "Pidgey", 338, 640),
    ("Pidgey12", "Pidgey", 333, 633),
    ("Pidgey19", "Pidgey", 328, 619),
    ("Pidgey27", "Pidgey", 207, 393),
    ("Pidgey34", "Pidgey", 226, 428),
    ("Weedle3", "Weedle", 25, 27),
    ("Weedle10", "Weedle", 179, 193),
    ("Weedle18", "Weedle", 60, 66),
    ("Caterpie5", "Caterpie", 208, 226),
    ("Eevee7", "Eevee", 606, 1591),
)
_LECTURE_TEST: tuple[tuple[str, str, int, int], ...] = (
    ("Weedle16", "Weedle", 16, 18),
    ("Pidgey15", "Pidgey", 42, 79),
    ("Caterpie1", "Caterpie", 136, 150),
    ("Pidgey10", "Pidgey", 161, 305),
    ("Weedle1", "Weedle", 169, 185),
    ("Pidgey20", "Pidgey", 176, 327),
    ("Pidgey35", "Pidgey", 220, 418),
    ("Pidgey30", "Pidgey", 305, 567),
    ("Eevee10", "Eevee", 517, 1340),
    ("Eevee1", "Eevee", 619, 1646),
)
LECTURE_TRAIN_NAMES: tuple[str, ...] = tuple(r[0] for r in _LECTURE_TRAIN)
LECTURE_TEST_NAMES: tuple[str, ...] = tuple(r[0] for r in _LECTURE_TEST)
SPECIES: tuple[str, ...] = ("Pidgey", "Weedle", "Caterpie", "Eevee")

_SLIDES_SOURCE = "lecture slides (20 numbers: 10 training + 10 testing Pokemon)"


def _embedded(rows: Sequence[tuple[str, str, int, int]]) -> RegressionData:
    return RegressionData(
        x_cp=np.array([r[2] for r in rows], dtype=np.float64),
        y=np.array([r[3] for r in rows], dtype=np.float64),
        names=np.array([r[0] for r in rows]),
        species=np.array([r[1] for r in rows]),
        hp=None,
        height=None,
        weight=None,
        source=_SLIDES_SOURCE,
        synthetic=False,
    )


def lecture_cp_split() -> CPSplit:
    """The lecture's 10 training and 10 testing Pokemon (cp -> cp_new), from the slides.

    Fresh arrays on every call, so callers may modify them. Only cp and cp_new are embedded;
    for hp/height/weight use :func:`load_pokemon_cp` + :func:`split_lecture_cp` on the real
    file, or :func:`synthetic_cp_split`.
    """
    train = _embedded(_LECTURE_TRAIN)
    return CPSplit(train=train, test=_embedded(_LECTURE_TEST), species_train=train)


def _split_by_names(
    data: RegressionData, train_names: Sequence[str], test_names: Sequence[str]
) -> CPSplit:
    position = {str(n): i for i, n in enumerate(data.names)}
    missing = [n for n in (*train_names, *test_names) if n not in position]
    if missing:
        raise DataError(
            f"{data.source}: the lecture's Pokemon {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not in the 'name' column. "
            "The split needs all 20 names; use the unmodified OpenIntro evolution file."
        )
    train_idx = [position[n] for n in train_names]
    test_idx = [position[n] for n in test_names]
    rest = np.ones(len(data), dtype=bool)
    rest[test_idx] = False
    return CPSplit(
        train=data.take(train_idx), test=data.take(test_idx), species_train=data.take(rest)
    )


def split_lecture_cp(data: RegressionData) -> CPSplit:
    """Split loaded data by name into the lecture's train/test/species-train sets.

    ``train``/``test`` follow the order of :data:`LECTURE_TRAIN_NAMES` /
    :data:`LECTURE_TEST_NAMES`; ``species_train`` is every other row, in file order.
    Raises :class:`DataError` naming any of the 20 lecture names that are absent.
    """
    return _split_by_names(data, LECTURE_TRAIN_NAMES, LECTURE_TEST_NAMES)


# --------------------------------------------------------------------------------------------
# Synthetic species CP data
# --------------------------------------------------------------------------------------------


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
    return _split_by_names(data, train, test)


# --------------------------------------------------------------------------------------------
# Synthetic Water vs Normal
# --------------------------------------------------------------------------------------------


def _constant(values: list) -> np.ndarray:
    arr = np.array(values, dtype=np.float64)
    arr.flags.writeable = False  # module-level: an in-place edit would leak into every caller
    return arr


# The lecture's fitted Gaussians on (Defense, Sp. Def).
WATER_MEAN = _constant([75.0, 71.3])
WATER_COV = _constant([[874.0, 327.0], [327.0, 929.0]])
NORMAL_MEAN = _constant([55.6, 59.8])
NORMAL_COV = _constant([[468.0, 198.0], [198.0, 553.0]])
WATER_NORMAL_CLASS_NAMES: tuple[str, str] = ("Normal", "Water")  # y=0 Normal, y=1 Water
FEATURES_DEFENSE: tuple[str, ...] = ("Defense", "Sp. Def")
FEATURES_SIX: tuple[str, ...] = ("HP", "Attack", "Defense", "Sp. Atk", "Sp. Def", "Speed")
FEATURES_SEVEN: tuple[str, ...] = (*FEATURES_SIX, "Total")


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


# --------------------------------------------------------------------------------------------
# Synthetic digits
# --------------------------------------------------------------------------------------------

# A 5x7 font drawn by hand for this project, digits 0..9 side by side. Each lit cell is a pen
# position; neighbouring cells are joined by strokes, so glyphs render as lines at any scale.
_FONT_ROWS = """
.###. ..#.. .###. ##### ...#. ##### ..##. ##### .###. .###.
#...# .##.. #...# ...#. ..##. #.... .#... ....# #...# #...#
#...# ..#.. ....# ..#.. .#.#. ####. #.... ...#. #...# #...#
#...# ..#.. ...#. ...#. #..#. ....# ####. ..#.. .###. .####
#...# ..#.. ..#.. ....# ##### ....# #...# .#... #...# ....#
#...# ..#.. .#... #...# ...#. #...# #...# .#... #...# ...#.
.###. .###. ##### .###. ...#. .###. .###. .#... .###. .##..
"""
_FONT = {str(d): [row.split()[d] for row in _FONT_ROWS.strip().splitlines()] for d in range(10)}
_RES = 8  # distance-field samples per glyph cell
_U0, _U1, _V0, _V1 = -3.0, 8.0, -3.0, 10.0  # field extent in glyph cells (margin for slant)


def _glyph_segments(rows: Sequence[str]) -> np.ndarray:
    on = {(r, c) for r, line in enumerate(rows) for c, ch in enumerate(line) if ch == "#"}
    segs = []
    for r, c in sorted(on):
        segs.append(((c + 0.5, r + 0.5), (c + 0.5, r + 0.5)))  # isolated cells still show
        for dr, dc in ((0, 1), (1, 0), (1, 1), (1, -1)):
            if (r + dr, c + dc) not in on:
                continue
            # a diagonal next to an orthogonal path would only thicken the corner
            if dr and dc and ((r, c + dc) in on or (r + dr, c) in on):
                continue
            segs.append(((c + 0.5, r + 0.5), (c + dc + 0.5, r + dr + 0.5)))
    return np.array(segs, dtype=np.float64)


@lru_cache(maxsize=1)
def _distance_fields() -> np.ndarray:
    """Distance (in glyph cells) from each field sample to the nearest stroke, per digit."""
    u = np.arange(_U0, _U1, 1.0 / _RES)
    v = np.arange(_V0, _V1, 1.0 / _RES)
    pts = np.stack(np.meshgrid(u, v, indexing="xy"), axis=-1).reshape(-1, 1, 2)
    fields = []
    for digit in "0123456789":
        seg = _glyph_segments(_FONT[digit])
        a, ab = seg[None, :, 0], seg[None, :, 1] - seg[None, :, 0]
        length2 = (ab**2).sum(-1)
        t = ((pts - a) * ab).sum(-1) / np.where(length2 > 0, length2, 1.0)
        nearest = a + np.clip(t, 0.0, 1.0)[..., None] * ab
        fields.append(np.sqrt(((nearest - pts) ** 2).sum(-1)).min(axis=1).reshape(v.size, u.size))
    return np.stack(fields).astype(np.float32)


def _render_digits(labels: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Draw each label as a 28x28 image: random affine pose, stroke width, contrast, noise."""
    fields = _distance_fields()
    _, fh, fw = fields.shape
    n = labels.shape[0]
    scale = rng.uniform(2.5, 3.3, n)  # pixels per glyph cell: glyph height 17..23 px
    sx = scale * rng.uniform(0.8, 1.2, n)  # width jitter
    angle = rng.uniform(-0.25, 0.25, n)  # radians
    slant = rng.uniform(-0.3, 0.3, n)
    cx = 14.0 + rng.uniform(-3.0, 3.0, n)  # shifts of up to 3 px from the centre
    cy = 14.0 + rng.uniform(-3.0, 3.0, n)
    half_width = rng.uniform(0.3, 0.6, n)  # stroke half-width in glyph cells
    contrast = rng.uniform(0.75, 1.0, n)

    # Pixel (x, y) -> glyph cell (u, v): rotate about the centre, scale, slant. The map is
    # affine, so work with per-image coefficients instead of building per-image grids.
    cos, sin = np.cos(angle), np.sin(angle)
    vx, vy = -sin / scale, cos / scale
    ux, uy = cos / sx + slant * vx, sin / sx + slant * vy
    v0 = 3.5 - vx * cx - vy * cy
    u0 = 2.5 - ux * cx - uy * cy
    pix = np.arange(28, dtype=np.float32) + np.float32(0.5)

    def field_index(
        ax: np.ndarray, ay: np.ndarray, a0: np.ndarray, lo: float, size: int
    ) -> np.ndarray:
        ax = (ax * _RES).astype(np.float32)[:, None, None]
        ay = (ay * _RES).astype(np.float32)[:, None, None]
        a0 = ((a0 - lo) * _RES + 0.5).astype(np.float32)[:, None, None]  # +0.5: round
        t = ax * pix[None, None, :] + (ay * pix[None, :, None] + a0)
        return np.clip(t, 0, size - 1).astype(np.intp)

    flat = field_index(vx, vy, v0, _V0, fh) * fw
    flat += field_index(ux, uy, u0, _U0, fw)
    flat += (labels.astype(np.intp) * (fh * fw))[:, None, None]
    dist = fields.reshape(-1)[flat]
    # Ink fades linearly over one pixel at the stroke edge (cheap anti-aliasing).
    img = half_width.astype(np.float32)[:, None, None] - dist
    img *= scale.astype(np.float32)[:, None, None]
    img += np.float32(0.5)
    np.clip(img, 0.0, 1.0, out=img)
    img *= contrast.astype(np.float32)[:, None, None]
    img += rng.standard_normal(img.shape, dtype=np.float32) * np.float32(0.15)
    np.clip(img, 0.0, 1.0, out=img)
    return img


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
        images = _render_digits(labels, rng)
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


def split_digits(
    images: np.ndarray, labels: np.ndarray, n_train: int, *, source: str, flatten: bool = False
) -> DigitsData:
    """First ``n_train`` images for training, the rest for testing (e.g. MNIST t10k 8000/2000)."""
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"{images.shape[0]} images but {labels.shape[0]} labels")
    if not 0 < n_train < images.shape[0]:
        raise ValueError(f"n_train must be in 1..{images.shape[0] - 1}; got {n_train}")
    if images.ndim == 3:
        shape = (int(images.shape[1]), int(images.shape[2]))
    else:  # flattened square images, e.g. (n, 784) -> 28 x 28
        side = math.isqrt(int(images.shape[1]))
        if images.ndim != 2 or side * side != images.shape[1]:
            raise ValueError(f"images must be (n, h, w) or (n, side*side); got {images.shape}")
        shape = (side, side)
    if flatten:
        images = images.reshape(images.shape[0], -1)
    return DigitsData(
        x_train=images[:n_train],
        y_train=labels[:n_train],
        x_test=images[n_train:],
        y_test=labels[n_train:],
        image_shape=shape,
        class_names=tuple(str(d) for d in range(10)),
        source=source,
        synthetic=False,
    )


# --------------------------------------------------------------------------------------------
# CSV loaders
# --------------------------------------------------------------------------------------------


def _check_file(path: PathLike, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: file not found. Download the {what} and pass the path to it.")
    if not p.is_file():
        raise DataError(f"{p}: is not a regular file. Pass the path to the {what} file itself.")
    return p


def _read_csv(
    path: PathLike, required: Sequence[str], what: str
) -> tuple[Path, dict[str, int], list[tuple[int, list[str]]]]:
    """Read a comma-separated UTF-8 file; return (path, column index, [(line, fields)])."""
    p = _check_file(path, what)
    try:
        # utf-8-sig drops a BOM (Excel adds one); newline="" lets csv handle quoted newlines.
        with p.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            rows = [(reader.line_num, row) for row in reader if row]
    except UnicodeDecodeError as e:
        raise DataError(
            f"{p}: not UTF-8 text (bad byte at offset {e.start}). Is this really the {what}? "
            "Re-save it as UTF-8 CSV."
        ) from None
    except csv.Error as e:
        raise DataError(f"{p}: not a readable CSV ({e}). Expected the {what}.") from None
    except OSError as e:
        raise DataError(
            f"{p}: cannot read the file ({e.strerror}). Check its permissions."
        ) from None
    if not header:
        raise DataError(
            f"{p}: the file is empty. Expected the {what} with header columns "
            f"{', '.join(required)}."
        )
    header = [h.strip() for h in header]
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in required and name in columns:
            raise DataError(
                f"{p}, line 1: column '{name}' appears twice (columns {columns[name] + 1} and "
                f"{i + 1}). Remove the duplicate."
            )
        columns.setdefault(name, i)
    missing = [c for c in required if c not in columns]
    if missing:
        shown = ", ".join(header[:15]) + (", ..." if len(header) > 15 else "")
        raise DataError(
            f"{p}, line 1 (header): missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"found: {shown}. Expected the {what}."
        )
    width = len(header)
    for line, row in rows:
        if len(row) != width:
            raise DataError(
                f"{p}, line {line}: {len(row)} fields but the header has {width}. "
                "Fix or remove this row (a stray comma or a missing value?)."
            )
    if not rows:
        raise DataError(f"{p}: the header is there but there are no data rows.")
    return p, columns, rows


def _cell(p: Path, line: int, columns: dict[str, int], row: list[str], col: str) -> str:
    text = row[columns[col]].strip()
    if not text:
        raise DataError(
            f"{p}, line {line}, column {columns[col] + 1} ('{col}'): empty value. "
            "Fill it in or delete the row."
        )
    return text


def _float_cell(p: Path, line: int, columns: dict[str, int], row: list[str], col: str) -> float:
    text = _cell(p, line, columns, row, col)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # float() also accepts 'nan' and 'inf'; reject those too
        raise DataError(
            f"{p}, line {line}, column {columns[col] + 1} ('{col}'): {text!r} is not a finite "
            "number. Correct the value or delete the row."
        )
    return value


def _int_cell(p: Path, line: int, columns: dict[str, int], row: list[str], col: str) -> int:
    text = _cell(p, line, columns, row, col)
    try:
        return int(text)
    except ValueError:
        raise DataError(
            f"{p}, line {line}, column {columns[col] + 1} ('{col}'): {text!r} is not an "
            "integer. Correct the value or delete the row."
        ) from None


_CP_WHAT = "OpenIntro Pokemon Go evolution CSV (name,species,cp,hp,weight,height,...,cp_new,...)"
_CP_NUMERIC = ("cp", "hp", "weight", "height", "cp_new")


def load_pokemon_cp(path: PathLike) -> RegressionData:
    """Every row of the OpenIntro Pokemon Go evolution CSV (75 rows in the original).

    Uses columns name, species, cp, hp, weight, height, cp_new; other columns are ignored.
    Names must be unique (the lecture's split is by name).
    """
    p, columns, rows = _read_csv(path, ("name", "species", *_CP_NUMERIC), _CP_WHAT)
    names: list[str] = []
    species: list[str] = []
    values: dict[str, list[float]] = {c: [] for c in _CP_NUMERIC}
    seen: dict[str, int] = {}
    for line, row in rows:
        name = _cell(p, line, columns, row, "name")
        if name in seen:
            raise DataError(
                f"{p}, line {line}, column {columns['name'] + 1} ('name'): {name!r} already "
                f"appears on line {seen[name]}. Names must be unique; remove the duplicate."
            )
        seen[name] = line
        names.append(name)
        species.append(_cell(p, line, columns, row, "species"))
        for c in _CP_NUMERIC:
            values[c].append(_float_cell(p, line, columns, row, c))
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
    p, columns, rows = _read_csv(path, ("#", "Type 1", *features), _STATS_WHAT)
    label_of = {"Water": 1, "Normal": 0}
    x: list[list[float]] = []
    y: list[int] = []
    train: list[bool] = []
    for line, row in rows:
        number = _int_cell(p, line, columns, row, "#")
        kind = _cell(p, line, columns, row, "Type 1")
        if kind not in label_of:
            continue
        x.append([_float_cell(p, line, columns, row, f) for f in features])
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


# --------------------------------------------------------------------------------------------
# MNIST IDX files
# --------------------------------------------------------------------------------------------

# IDX type byte -> big-endian numpy dtype.
_IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"
_MNIST_IMAGES, _MNIST_LABELS = 2051, 2049


def _read_maybe_gzip(p: Path) -> bytes:
    try:
        raw = p.read_bytes()
    except OSError as e:
        raise DataError(
            f"{p}: cannot read the file ({e.strerror}). Check its permissions."
        ) from None
    if raw[:2] != _GZIP_MAGIC:  # by content, not by name: a .gz may already be unpacked
        return raw
    try:
        return gzip.decompress(raw)
    except (EOFError, OSError, zlib.error) as e:
        raise DataError(
            f"{p}: gzip data is damaged or truncated ({e}). Download the file again."
        ) from None


def _parse_idx(p: Path, data: bytes) -> tuple[int, np.ndarray]:
    if len(data) < 4:
        raise DataError(
            f"{p}: {len(data)} bytes, too short for an IDX header (4-byte magic number). "
            "Download the file again."
        )
    magic = int.from_bytes(data[:4], "big")
    zero, type_code, ndim = int.from_bytes(data[:2], "big"), data[2], data[3]
    if zero != 0 or type_code not in _IDX_TYPES or ndim == 0:
        raise DataError(
            f"{p}, byte 0: magic number 0x{magic:08x} is not an IDX header (expected "
            "0x00000803 for images or 0x00000801 for labels). Is this an MNIST file?"
        )
    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise DataError(
            f"{p}: truncated header, {len(data)} bytes but {ndim} dimensions need {header_len}. "
            "Download the file again."
        )
    dims = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(_IDX_TYPES[type_code])
    expected = header_len + math.prod(dims) * dtype.itemsize
    if len(data) != expected:
        problem = "truncated" if len(data) < expected else "has trailing bytes"
        raise DataError(
            f"{p}: {problem}, {len(data)} bytes but the header (dimensions "
            f"{' x '.join(map(str, dims))}) needs exactly {expected}. Download the file again."
        )
    arr = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(dims)
    return magic, arr.astype(dtype.newbyteorder("="))  # native order, writable copy


def read_idx(path: PathLike) -> np.ndarray:
    """Any IDX file (raw or gzip, detected by its magic bytes) as a native-endian array."""
    p = _check_file(path, "IDX file (e.g. MNIST t10k-images-idx3-ubyte.gz)")
    return _parse_idx(p, _read_maybe_gzip(p))[1]


def _read_mnist(path: PathLike, want: int, what: str) -> tuple[Path, np.ndarray]:
    p = _check_file(path, f"MNIST {what} file (e.g. t10k-{what}-idx*-ubyte.gz)")
    magic, arr = _parse_idx(p, _read_maybe_gzip(p))
    if magic != want:
        hint = {_MNIST_IMAGES: "an images file", _MNIST_LABELS: "a labels file"}.get(
            magic, "not an MNIST file"
        )
        raise DataError(
            f"{p}, byte 0: magic number {magic} (0x{magic:08x}), expected {want} for MNIST "
            f"{what}; this is {hint}. Check which path you passed."
        )
    return p, arr


def load_mnist_images(path: PathLike, flatten: bool = False) -> np.ndarray:
    """MNIST images (magic 2051) as float32 in [0, 1]: (n, rows, cols), or (n, rows*cols)."""
    p, arr = _read_mnist(path, _MNIST_IMAGES, "images")
    n, rows, cols = arr.shape
    if n == 0 or rows == 0 or cols == 0:
        raise DataError(f"{p}, bytes 4-15: dimensions {n} x {rows} x {cols}; nothing to load.")
    images = arr.astype(np.float32) / np.float32(255.0)
    return images.reshape(n, rows * cols) if flatten else images


def load_mnist_labels(path: PathLike) -> np.ndarray:
    """MNIST labels (magic 2049) as int64 digits 0..9."""
    p, arr = _read_mnist(path, _MNIST_LABELS, "labels")
    if arr.shape[0] == 0:
        raise DataError(f"{p}, bytes 4-7: zero labels; nothing to load.")
    bad = np.flatnonzero(arr > 9)
    if bad.size:
        i = int(bad[0])
        raise DataError(
            f"{p}, byte {8 + i} (label {i}): value {int(arr[i])} is not a digit 0..9. "
            "Download the file again."
        )
    return arr.astype(np.int64)


def load_mnist(
    images_path: PathLike, labels_path: PathLike, flatten: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(images, labels) from an MNIST pair; raises :class:`DataError` if the counts differ."""
    images = load_mnist_images(images_path, flatten=flatten)
    labels = load_mnist_labels(labels_path)
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{images_path} has {images.shape[0]} images but {labels_path} has "
            f"{labels.shape[0]} labels. Pass the images and labels of the same set "
            "(both train-* or both t10k-*)."
        )
    return images, labels
