"""Data sets for the lecture: Pokemon CP regression, Water vs Normal, digit recognition.

Three kinds of data live here:

* the lecture's regression split, embedded: the 20 (cp, cp_new) pairs shown on the slides;
* seeded synthetic stand-ins (``synthetic=True``) so every experiment runs without downloads:
  a species CP set, a Water/Normal Gaussian set and a 28x28 digit set drawn from a bitmap font;
* loaders for the real files a user downloads: the OpenIntro Pokemon Go evolution CSV, the
  Kaggle "Pokemon with stats" CSV and MNIST IDX files (raw or gzip). Every problem with such a
  file raises :class:`DataError` naming the file, the line/column (or byte offset) and a fix.

All containers are small frozen dataclasses holding numpy arrays. One module per kind:

    containers  RegressionData, CPSplit, ClassificationData, DigitsData, DataError
    lecture     the slides' numbers: CP rows, Water/Normal Gaussians, feature names
    synthetic   the three seeded generators (species CP, Water/Normal, digits)
    glyphs      the digit font and how an image is drawn from it
    files       path and CSV checks shared by the loaders
    pokemon     the two Pokemon CSV loaders
    mnist       the IDX reader and split_digits
"""

from .containers import ClassificationData, CPSplit, DataError, DigitsData, RegressionData
from .lecture import (
    FEATURES_DEFENSE,
    FEATURES_SEVEN,
    FEATURES_SIX,
    LECTURE_TEST_NAMES,
    LECTURE_TRAIN_NAMES,
    NORMAL_COV,
    NORMAL_MEAN,
    SPECIES,
    WATER_COV,
    WATER_MEAN,
    WATER_NORMAL_CLASS_NAMES,
    lecture_cp_split,
    split_lecture_cp,
)
from .mnist import load_mnist, load_mnist_images, load_mnist_labels, read_idx, split_digits
from .pokemon import load_pokemon_cp, load_water_normal
from .synthetic import (
    synthetic_cp_split,
    synthetic_digits,
    synthetic_pokemon_cp,
    synthetic_water_normal,
)

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
