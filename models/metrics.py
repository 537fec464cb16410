"""Error and accuracy measures used by the lecture's tables (numpy in, float out)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = [
    "average_error",
    "mse",
    "mae",
    "accuracy",
    "accuracy_with_ties",
    "confusion_matrix",
    "format_table",
]


def _pair(y: np.ndarray, y_hat: np.ndarray, what: str) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(y, dtype=np.float64).reshape(-1)
    b = np.asarray(y_hat, dtype=np.float64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"{what}: {a.size} targets but {b.size} predictions")
    if a.size == 0:
        raise ValueError(f"{what}: no examples")
    return a, b


def average_error(y: np.ndarray, y_hat: np.ndarray) -> float:
    """The lecture's "average error": ‖y − ŷ‖₂ / N = √(Σₙ (yⁿ − ŷⁿ)²) / N.

    Not the RMSE (that would be √(Σ/N)); this is the number the lecture's tables print
    (31.9 for the straight line on its 10 training Pokemon).
    """
    a, b = _pair(y, y_hat, "average_error")
    return float(np.linalg.norm(a - b) / a.size)


def mse(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Mean squared error (1/N) Σₙ (yⁿ − ŷⁿ)²."""
    a, b = _pair(y, y_hat, "mse")
    return float(np.mean((a - b) ** 2))


def mae(y: np.ndarray, y_hat: np.ndarray) -> float:
    """Mean absolute error (1/N) Σₙ |yⁿ − ŷⁿ|."""
    a, b = _pair(y, y_hat, "mae")
    return float(np.mean(np.abs(a - b)))


def accuracy(y: np.ndarray, y_pred: np.ndarray) -> float:
    """Fraction of examples whose predicted label equals the true one."""
    a, b = np.asarray(y).reshape(-1), np.asarray(y_pred).reshape(-1)
    if a.shape != b.shape or a.size == 0:
        raise ValueError(f"accuracy: {a.size} labels but {b.size} predictions")
    return float(np.mean(a == b))


def accuracy_with_ties(y: np.ndarray, p: np.ndarray, tol: float = 0.01) -> tuple[float, int]:
    """(accuracy, number of ties) of the rule "class 1 where p ≥ 0.5" for P(C1|x) = p.

    Where |p − 0.5| < tol the model cannot decide: rounding, not the model, would pick the
    class (logistic regression on XOR ends at p ≈ 0.5 everywhere, and printed 25% for one
    seed, 50% for another). A tie counts as half right, a fair coin's expected score.
    """
    labels = np.asarray(y).reshape(-1)
    probs = np.asarray(p, dtype=np.float64).reshape(-1)
    if labels.shape != probs.shape or labels.size == 0:
        raise ValueError(f"accuracy_with_ties: {labels.size} labels but {probs.size} probabilities")
    tie = np.abs(probs - 0.5) < tol
    right = ((probs >= 0.5).astype(np.int64) == labels) & ~tie
    return float((right.sum() + 0.5 * tie.sum()) / labels.size), int(tie.sum())


def confusion_matrix(y: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """Counts C[i, j] = number of examples of true class i predicted as class j."""
    a = np.asarray(y, dtype=np.int64).reshape(-1)
    b = np.asarray(y_pred, dtype=np.int64).reshape(-1)
    if a.shape != b.shape:
        raise ValueError(f"confusion_matrix: {a.size} labels but {b.size} predictions")
    out = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(out, (a, b), 1)
    return out


def format_table(
    headers: Sequence[str], rows: Sequence[Sequence[object]], floats: str | Sequence[str] = ".1f"
) -> str:
    """A plain-text table: numbers right-aligned, text left-aligned; floats formatted with
    `floats` (one format for all columns, or one per column); NaN prints as "-"."""
    fmts = [floats] * len(headers) if isinstance(floats, str) else list(floats)
    if len(fmts) != len(headers):
        raise ValueError(f"format_table: {len(headers)} columns but {len(fmts)} float formats")

    def cell(v: object, i: int) -> str:
        if isinstance(v, (float, np.floating)):
            return "-" if np.isnan(v) else format(float(v), fmts[i])
        return str(v)

    cells = [[cell(v, i) for i, v in enumerate(row)] for row in rows]
    widths = [len(h) for h in headers]
    for row in cells:
        for i, c in enumerate(row):
            widths[i] = max(widths[i], len(c))
    numeric = [
        all(isinstance(r[i], (int, float, np.integer, np.floating)) for r in rows if i < len(r))
        for i in range(len(headers))
    ]

    def line(items: list[str]) -> str:
        parts = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(items, widths, numeric)]
        return "  ".join(parts).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(r) for r in cells]
    return "\n".join(out)
