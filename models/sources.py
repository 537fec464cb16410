"""Where each experiment's data comes from: the embedded lecture numbers, seeded synthetic
stand-ins, or the user's own downloads (`--data` of `tinygrad-edu lecture`, `--data-dir` of the
tour). Each function returns the data and a sentence saying which data it is."""

from __future__ import annotations

from pathlib import Path

from .data import (
    FEATURES_DEFENSE,
    FEATURES_SEVEN,
    ClassificationData,
    CPSplit,
    DataError,
    DigitsData,
    lecture_cp_split,
    load_mnist,
    load_pokemon_cp,
    load_water_normal,
    split_digits,
    split_lecture_cp,
    synthetic_cp_split,
    synthetic_digits,
    synthetic_water_normal,
)


def regression_data(path: Path | None, seed: int) -> tuple[CPSplit, str, CPSplit, str, bool]:
    """(polynomial split, its description, species split, its description, is the lecture's)."""
    if path is None:
        syn = synthetic_cp_split(seed)
        return (
            lecture_cp_split(),
            "embedded lecture split (20 Pokemon from the slides: 10 training, 10 testing)",
            syn,
            f"synthetic species CP data (seeded, seed={seed}; 75 Pokemon, 10/10 split like "
            "the lecture's, species models train on the other 65): the slides give cp only, "
            "so the species and all-factor models use this stand-in",
            False,
        )
    if path.is_dir():
        raise DataError(
            f"{path}: is a directory; for `lecture regression` pass the OpenIntro CSV file "
            "itself (pokemon_cp_evolution.csv)."
        )
    split = split_lecture_cp(load_pokemon_cp(path))
    n = len(split.species_train) + len(split.test)
    text = (
        f"{path} ({n} Pokemon; the lecture's 10 training and 10 testing Pokemon by name; "
        f"species models train on the other {len(split.species_train)})"
    )
    return split, text, split, text, True


def water_normal_data(path: Path | None, seed: int) -> list[tuple[ClassificationData, str]]:
    """Water vs Normal: synthetic (2 features) without a path; from the Kaggle CSV, the split
    with Defense + Sp. Def and the one with all six stats + Total."""
    if path is None:
        d = synthetic_water_normal(seed)
        return [
            (
                d,
                f"synthetic Water/Normal (seeded, seed={seed}): Gaussians with the lecture's "
                f"μ and Σ, {len(d.y_train)} training / {len(d.y_test)} testing, features "
                "Defense and Sp. Def",
            )
        ]
    if path.is_dir():
        raise DataError(
            f"{path}: is a directory; pass the Kaggle 'Pokemon with stats' CSV file itself."
        )
    out = []
    for feats in (FEATURES_DEFENSE, FEATURES_SEVEN):
        d = load_water_normal(path, features=feats)
        out.append(
            (
                d,
                f"{path}: Water vs Normal, # < 400 for training ({len(d.y_train)}), the rest "
                f"for testing ({len(d.y_test)}); features {', '.join(feats)}",
            )
        )
    return out


MNIST_NAMES = {
    "images": ("{}-images-idx3-ubyte.gz", "{}-images-idx3-ubyte", "{}-images.idx3-ubyte"),
    "labels": ("{}-labels-idx1-ubyte.gz", "{}-labels-idx1-ubyte", "{}-labels.idx1-ubyte"),
}


def mnist_dir(path: Path, n_test: int = 2000) -> DigitsData:
    """The MNIST files in a directory (t10k-* preferred, else train-*): the last `n_test`
    images for testing (at most a fifth), the rest for training."""
    if not path.exists():
        raise DataError(f"{path}: not found. Pass the directory holding the MNIST IDX files.")
    if not path.is_dir():
        raise DataError(
            f"{path}: is a file; --data for the digit experiments is the directory holding "
            "t10k-images-idx3-ubyte(.gz) and t10k-labels-idx1-ubyte(.gz)."
        )
    for prefix in ("t10k", "train"):
        found = {}
        for kind, patterns in MNIST_NAMES.items():
            hits = [
                path / p.format(prefix) for p in patterns if (path / p.format(prefix)).is_file()
            ]
            if hits:
                found[kind] = hits[0]
        if len(found) == 2:
            # (n, h, w), so the image shape is the file's, not guessed from h·w
            images, labels = load_mnist(found["images"], found["labels"])
            n = len(labels)
            if n < 2:
                raise DataError(
                    f"{found['images']}: {n} image; the digit experiments need at least 2 (one "
                    "to train on, one to test on). Pass the folder of the full MNIST set."
                )
            test = max(1, min(n_test, n // 5))
            return split_digits(
                images,
                labels,
                n - test,
                source=f"MNIST {prefix} set from {path} (first {n - test} for training, "
                f"last {test} for testing)",
                flatten=True,
            )
    raise DataError(
        f"{path}: no MNIST pair found. Expected t10k-images-idx3-ubyte(.gz) and "
        "t10k-labels-idx1-ubyte(.gz) (or the train-* pair) in this directory."
    )


def digits_data(path: Path | None, seed: int, n_train: int, n_test: int) -> tuple[DigitsData, str]:
    """Synthetic digits (n_train/n_test) without a path; else the MNIST files in `path`."""
    if path is None:
        d = synthetic_digits(n_train=n_train, n_test=n_test, seed=seed, flatten=True)
        return d, (
            f"synthetic digits (seeded, seed={seed}; 28x28 renderings of a bitmap font, "
            f"{n_train} training / {n_test} testing)"
        )
    d = mnist_dir(path)
    return d, d.source
