"""What the slides show: the 20 (cp, cp_new) pairs of the regression split, the Water/Normal
Gaussians fitted on (Defense, Sp. Def), and the names of the Kaggle file's stat columns."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .containers import CPSplit, DataError, RegressionData

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


def split_by_names(
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
    return split_by_names(data, LECTURE_TRAIN_NAMES, LECTURE_TEST_NAMES)


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
