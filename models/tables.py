"""The lecture's regression and classification tables, built in one place for both the
`tinygrad-edu lecture` command (every column) and the tour (a few of them, by name).

A table is a list of columns, each a header, a float format and how to read its value from one
row's result; `columns=` picks a subset by header, in the table's own order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .logistic import ClassifierScore
from .metrics import format_table
from .regression import (
    LECTURE_LAMBDA_TABLE,
    LECTURE_POLY_TEST,
    LECTURE_POLY_TRAIN,
    RegressionResult,
)

__all__ = [
    "LAMBDA_COLUMNS_BRIEF",
    "POLYNOMIAL_COLUMNS_BRIEF",
    "accuracy_table",
    "lambda_table_text",
    "lecture_accuracy",
    "polynomial_table_text",
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
