"""The lecture's regression and classification tables, built in one place for both the
`tinygrad-edu lecture` command (every column) and the tour (a few of them, by name).

A table is a list of columns, each a header, a float format and how to read its value from one
row's result; `columns=` picks a subset by header, in the table's own order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .data import ClassificationData, CPSplit
from .generative import GaussianClassifier
from .logistic import ClassifierScore
from .metrics import accuracy_with_ties, format_table
from .regression import (
    LECTURE_LAMBDA_TABLE,
    LECTURE_POLY_TEST,
    LECTURE_POLY_TRAIN,
    RegressionResult,
    all_factor_terms,
    fit_regression,
    polynomial_terms,
    species_terms,
)
from .xor import XOR_X, XOR_Y, XorResult, distance_features

__all__ = [
    "LAMBDA_COLUMNS_BRIEF",
    "POLYNOMIAL_COLUMNS_BRIEF",
    "accuracy_table",
    "class_statistics",
    "collinearity_note",
    "lambda_table_text",
    "lecture_accuracy",
    "polynomial_table_text",
    "species_table",
    "xor_table",
]


@dataclass(frozen=True)
class Column:
    """One column: its header, its float format ("" for text and integers), its value."""

    head: str
    fmt: str
    value: Callable[[Any], object]


def _table(columns: Sequence[Column], items: Sequence[Any], only: Sequence[str] | None) -> str:
    if only is not None:
        unknown = set(only) - {c.head for c in columns}
        if unknown:
            have = [c.head for c in columns]
            raise ValueError(f"unknown column(s) {sorted(unknown)}; the table has {have}")
        columns = [c for c in columns if c.head in only]
    return format_table(
        [c.head for c in columns],
        [[c.value(i) for c in columns] for i in items],
        [c.fmt for c in columns],
    )


# --------------------------------------------------------------------------------------------
# regression: rows are (degree, result) for the polynomials, results for the λ sweep

_POLYNOMIAL: tuple[Column, ...] = (
    Column("degree", "", lambda dr: dr[0]),
    Column("train avg err", ".1f", lambda dr: dr[1].train_error),
    Column("test avg err", ".1f", lambda dr: dr[1].test_error),
    # Both the embedded numbers and the file's split are the lecture's 10/10 Pokemon.
    Column("lecture train", ".1f", lambda dr: LECTURE_POLY_TRAIN[dr[0] - 1]),
    Column("lecture test", ".1f", lambda dr: LECTURE_POLY_TEST[dr[0] - 1]),
    Column("train MSE", ".1f", lambda dr: dr[1].train_mse),
    Column("test MSE", ".1f", lambda dr: dr[1].test_mse),
    Column("train MAE", ".1f", lambda dr: dr[1].train_mae),
    Column("test MAE", ".1f", lambda dr: dr[1].test_mae),
    Column("GD steps", "", lambda dr: dr[1].steps),
    Column("gap", ".1e", lambda dr: dr[1].closed_form_gap),
)
POLYNOMIAL_COLUMNS_BRIEF: tuple[str, ...] = (
    "degree",
    "train avg err",
    "test avg err",
    "lecture train",
    "lecture test",
    "train MSE",
    "test MSE",
    "gap",
)


def polynomial_table_text(
    fits: Sequence[RegressionResult], columns: Sequence[str] | None = None
) -> str:
    """Degree d = 1, 2, … (fits[d-1]) against the lecture's numbers; gap = largest |ŷ − ŷ*| to
    the closed-form least-squares fit."""
    return _table(_POLYNOMIAL, list(enumerate(fits, start=1)), columns)


def species_table(split: CPSplit, real: bool = False) -> str:
    """One line for all, the species models and the model with all factors (no λ), trained on
    split.species_train; with `real` (the lecture's file), the slides' numbers beside them."""
    rows = []
    for name, terms, lecture in (
        ("y = b + w·cp (one line for all)", polynomial_terms(1), None),
        ("species: Σₛ δ(s)(bₛ + wₛ·cp)", species_terms(), (3.8, 14.3)),
        ("species × (1, cp, cp²)", species_terms(degree=2), None),
        ("all factors (+ hp, height, weight, squared)", all_factor_terms(), (1.9, 102.3)),
    ):
        r = fit_regression(terms, split.species_train, split.test, name=name)
        row: list[object] = [name, len(terms), r.train_error, r.test_error]
        if real:
            row += list(lecture) if lecture else [float("nan")] * 2
        rows.append(row + [r.train_mse, r.test_mse, r.train_mae, r.test_mae])
    head = ["model", "params", "train avg err", "test avg err"]
    if real:
        head += ["lecture train", "lecture test"]
    head += ["train MSE", "test MSE", "train MAE", "test MAE"]
    return format_table(head, rows)


def _lambda_columns(real: bool) -> tuple[Column, ...]:
    lecture = (
        Column("lecture train", ".1f", lambda r: LECTURE_LAMBDA_TABLE[r.lam][0]),
        Column("lecture test", ".1f", lambda r: LECTURE_LAMBDA_TABLE[r.lam][1]),
    )
    return (
        Column("λ", "", lambda r: f"{r.lam:g}"),
        Column("train avg err", ".2f", lambda r: r.train_error),
        Column("test avg err", ".2f", lambda r: r.test_error),
        *(lecture if real else ()),
        Column("train MSE", ".1f", lambda r: r.train_mse),
        Column("test MSE", ".1f", lambda r: r.test_mse),
        Column("‖w‖", ".3g", lambda r: r.weight_norm),
        Column("GD steps", "", lambda r: r.steps),
        Column("gap", ".1e", lambda r: r.closed_form_gap),
    )


LAMBDA_COLUMNS_BRIEF: tuple[str, ...] = ("λ", "train avg err", "test avg err", "‖w‖")


def lambda_table_text(
    results: Sequence[RegressionResult], real: bool = False, columns: Sequence[str] | None = None
) -> str:
    """The λ sweep; with `real` (the lecture's file), the slides' numbers beside each row."""
    return _table(_lambda_columns(real), results, columns)


# --------------------------------------------------------------------------------------------
# classification

# (feature set, model) -> the slides' testing accuracy.
_LECTURE_ACCURACY: dict[tuple[str, str], str] = {
    ("Defense", "separate"): "47% (test)",
    ("Total", "separate"): "64% (test)",
    ("Total", "shared"): "73% (test)",
    ("Total", "logistic"): "79% (test)",
}
# compare_classifiers' rows, in order
_MODEL_KINDS = ("separate", "shared", "diagonal", "logistic")


def lecture_accuracy(feature_names: Sequence[str]) -> list[str]:
    """The slides' accuracy for each row of compare_classifiers ("" where the slides have none);
    the seven-stat rows are the slides' "Total" ones, the others their (Defense, Sp. Def) ones."""
    key = "Total" if "Total" in feature_names else "Defense"
    return [_LECTURE_ACCURACY.get((key, kind), "") for kind in _MODEL_KINDS]


def accuracy_table(scores: Sequence[ClassifierScore], lecture: Sequence[str] | None = None) -> str:
    """Training and testing accuracy (%) per model; `lecture` adds the slides' column."""
    rows: list[list[object]] = [
        [s.name, 100 * s.train_accuracy, 100 * s.test_accuracy] for s in scores
    ]
    head = ["model", "train acc %", "test acc %"]
    if lecture is not None:
        rows = [[*row, text] for row, text in zip(rows, lecture)]
        head.append("lecture")
    return format_table(head, rows)


# --------------------------------------------------------------------------------------------
# XOR


def xor_table(result: XorResult, loss: bool = True) -> str:
    """f at the four XOR points for the three attempts, with the accuracy where a tie
    (|f − 0.5| < 0.01: the model cannot decide) counts as half right, and the ties."""
    rows = []
    for name, probs, curve in (
        (
            "logistic regression on (x₁, x₂)",
            result.plain.model.predict_proba(XOR_X),
            result.plain.curve,
        ),
        (
            "logistic regression on distances",
            result.transformed.model.predict_proba(distance_features(XOR_X)),
            result.transformed.curve,
        ),
        (
            "cascade: 2 logistic units → 1",
            result.cascade.model.predict_proba(XOR_X),
            result.cascade.curve,
        ),
    ):
        acc, ties = accuracy_with_ties(XOR_Y, probs)
        row: list[object] = [name, *[float(p) for p in np.reshape(probs, -1)]]
        row += [curve.last("loss")] if loss else []
        rows.append([*row, 100 * acc, ties])
    head = ["model", "f(0,0)", "f(0,1)", "f(1,0)", "f(1,1)"] + (["mean CE"] if loss else [])
    fl = ["", ".3f", ".3f", ".3f", ".3f"] + ([".4f"] if loss else [])
    return format_table([*head, "accuracy %", "ties"], rows, [*fl, ".0f", ""])


def _vec(a: np.ndarray) -> str:
    return np.array2string(np.asarray(a), precision=1, suppress_small=True, max_line_width=10**6)


def class_statistics(data: ClassificationData, model: GaussianClassifier) -> str:
    """What the generative model estimated: the priors used (and how), μ and Σ of each class
    (maximum likelihood, 1/N_k), as the lecture shows them."""
    kind = model.prior_kind if isinstance(model.prior_kind, str) else "given"
    how = {
        "empirical": "empirical, P(C_k) = N_k/N",
        "equal": "equal, P(C_k) = 1/K",
        "given": "given by the user",
    }[kind]
    lines = [f"features: {', '.join(data.feature_names)}; priors {how}:"]
    for k, label in enumerate(model.classes.tolist()):
        name = data.class_names[int(label)]
        lines.append(
            f"  {name}: N = {int(model.counts[k])}, P({name}) = {model.priors[k]:.3f}, "
            f"μ = {_vec(model.means[k])}"
        )
        cov = _vec(model.covariances[k]).replace("\n", "\n" + " " * 8)
        lines.append(f"    Σ = {cov}")
    return "\n".join(lines)


def collinearity_note(x: np.ndarray, feature_names: Sequence[str]) -> str | None:
    """None when the training features are linearly independent; otherwise a note naming the
    relation (e.g. Total = the sum of the six stats) and what it implies."""
    centered = np.asarray(x, dtype=np.float64) - np.mean(x, axis=0)
    _, sv, vt = np.linalg.svd(centered, full_matrices=False)
    tol = sv[0] * max(centered.shape) * np.finfo(np.float64).eps * 1e3
    rank = int((sv > tol).sum())
    if rank == centered.shape[1]:
        return None
    v = vt[-1] / np.abs(vt[-1]).max()
    v = v * np.sign(v[np.flatnonzero(np.abs(v) > 1e-6)[0]])  # first coefficient positive
    parts = [(c, n) for c, n in zip(v, feature_names) if abs(c) > 1e-6]
    relation = " ".join(
        f"{'' if i == 0 else ('+ ' if c > 0 else '− ')}{abs(c):.2g}·{n}"
        for i, (c, n) in enumerate(parts)
    )
    why = " (Total is the sum of the six stats)" if "Total" in feature_names else ""
    return (
        f"the features are collinear: rank {rank} of {centered.shape[1]}, "
        f"{relation} = constant on every training example{why}. So Σ is singular (the "
        "generative models use its pseudo-inverse), and "
        "logistic regression's w is not unique: adding any multiple of that direction to w "
        "leaves σ(w·x + b) unchanged; the w printed is the one gradient descent reaches from "
        "w = 0 (it never moves along that direction in standardized units)."
    )
