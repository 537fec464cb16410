"""Generative vs discriminative, put to the test: learning curves as the training set shrinks
and as labels get noisy, averaged over seeded draws, with a spread on every point.

The lecture: discriminative models (logistic regression) usually do better, but a generative
model, with its assumptions, can win when the data is small or noisy. Ng & Jordan ("On
discriminative vs. generative classifiers", NIPS 2001): when the generative assumption holds,
the generative model approaches its (higher) asymptotic error with far fewer examples, while
logistic regression reaches a lower or equal limit but needs more data.

Every point: for each draw r = 0 … R−1 (its own Generator, seeded by (seed, r)), take n
training examples per class (without replacement from the training pool, or fresh from the
distribution for the synthetic case), optionally flip a fraction p of their labels, fit the
four models and score each on the same untouched testing set. Reported: the mean testing
accuracy and its standard deviation over the draws (ddof = 1).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from .data import ClassificationData
from .generative import GaussianClassifier
from .logistic import fit_logistic
from .metrics import format_table
from .progress import ProgressBar

__all__ = [
    "MODELS",
    "CurvePoint",
    "Sampler",
    "pool_sampler",
    "shared_gaussian_case",
    "size_curve",
    "noise_curve",
    "curve_table",
    "winners",
]

# name -> how to fit it and score it on (x_test, y_test)
MODELS: tuple[str, ...] = ("shared Σ", "separate Σ", "naive Bayes", "logistic regression")

# (rng, n per class) -> (x, y); n = None: the whole pool (one fixed set)
Sampler = Callable[[np.random.Generator, "int | None"], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class CurvePoint:
    """One x-position of a curve: per model, the mean and std of the testing accuracy."""

    x: float  # training examples per class (inf: all), or the flipped fraction
    mean: dict[str, float]
    std: dict[str, float]
    draws: int
    accuracies: dict[str, np.ndarray] = field(repr=False)


def pool_sampler(x: np.ndarray, y: np.ndarray) -> Sampler:
    """Draw n per class without replacement from a fixed training pool (n = None: all of it)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y)
    by_class = [np.flatnonzero(y == c) for c in (0, 1)]

    def sample(rng: np.random.Generator, n: int | None) -> tuple[np.ndarray, np.ndarray]:
        if n is None:
            return x, y
        if n > min(len(i) for i in by_class):
            raise ValueError(
                f"{n} per class, but the pool has {[len(i) for i in by_class]} (classes 0, 1)"
            )
        idx = np.concatenate([rng.choice(i, size=n, replace=False) for i in by_class])
        return x[idx], y[idx]

    return sample


def shared_gaussian_case(
    d: int = 6, separation: float = 1.5, seed: int = 0, n_test: int = 4000
) -> tuple[Sampler, np.ndarray, np.ndarray, str]:
    """Two Gaussian classes with one shared covariance in d dimensions: the shared-Σ model's
    assumption holds exactly. Σ = A Aᵀ/d + I/2 (A standard normal, seeded), μ₁ − μ₀ chosen so
    the Mahalanobis distance is `separation` (Bayes accuracy Φ(separation/2): 77% for 1.5).
    Returns (sampler, x_test, y_test, description)."""
    rng = np.random.default_rng([seed, 12])
    a = rng.standard_normal((d, d))
    cov = a @ a.T / d + 0.5 * np.eye(d)
    direction = rng.standard_normal(d)
    # scale so that (μ₁ − μ₀)ᵀ Σ⁻¹ (μ₁ − μ₀) = separation²
    direction *= separation / np.sqrt(direction @ np.linalg.solve(cov, direction))
    means = (np.zeros(d), direction)
    chol = np.linalg.cholesky(cov)

    def draw(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
        x = np.concatenate([m + rng.standard_normal((n, d)) @ chol.T for m in means])
        return x, np.repeat([0, 1], n)

    def sample(rng: np.random.Generator, n: int | None) -> tuple[np.ndarray, np.ndarray]:
        if n is None:
            raise ValueError("the synthetic case has no finite pool: give a size per class")
        return draw(rng, n)

    x_test, y_test = draw(np.random.default_rng([seed, 13]), n_test // 2)
    text = (
        f"synthetic: two Gaussians with one shared Σ in {d} dimensions (seeded, seed={seed}), "
        f"Mahalanobis distance {separation:g} between the means, {n_test} testing points"
    )
    return sample, x_test, y_test, text


def _flip(rng: np.random.Generator, y: np.ndarray, fraction: float) -> np.ndarray:
    """Flip exactly round(fraction · n) labels, chosen at random."""
    y = np.array(y, copy=True)
    k = int(round(fraction * y.size))
    idx = rng.choice(y.size, size=k, replace=False)
    y[idx] = 1 - y[idx]
    return y


def _scores(
    x: np.ndarray,
    y: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    steps: int,
    priors: str | Sequence[float],
) -> dict[str, float]:
    out: dict[str, float] = {}
    if np.unique(y).size < 2:  # label noise can empty a class of a tiny set: no model exists
        return {m: float("nan") for m in MODELS}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # singular Σ on tiny sets: the pseudo-inverse is used
        for name, kind in zip(MODELS[:3], ("shared", "separate", "diagonal")):
            g = GaussianClassifier(kind, priors=priors).fit(x, y)
            out[name] = g.accuracy(x_test, y_test)
    fit = fit_logistic(x, y, x_test, y_test, steps=steps, record_every=steps)
    out[MODELS[3]] = fit.test_accuracy
    return out


def _point(
    xpos: float,
    runs: list[dict[str, float]],
) -> CurvePoint:
    acc = {m: np.array([r[m] for r in runs]) for m in MODELS}
    mean = {m: float(np.nanmean(a)) for m, a in acc.items()}
    std = {
        m: float(np.nanstd(a, ddof=1)) if np.isfinite(a).sum() > 1 else 0.0 for m, a in acc.items()
    }
    return CurvePoint(xpos, mean, std, len(runs), acc)


def size_curve(
    sample: Sampler,
    x_test: np.ndarray,
    y_test: np.ndarray,
    sizes: Sequence[int | None],
    *,
    draws: int = 20,
    seed: int = 0,
    steps: int = 1000,
    priors: str | Sequence[float] = "empirical",
    bar: ProgressBar | None = None,
) -> list[CurvePoint]:
    """Testing accuracy against n training examples per class (None: the whole pool, once)."""
    return [
        _draws(
            sample,
            x_test,
            y_test,
            n,
            0.0,
            1 if n is None else draws,
            (seed, 0 if n is None else n),
            steps,
            priors,
            bar,
            float("inf") if n is None else float(n),
        )
        for n in sizes
    ]


def noise_curve(
    sample: Sampler,
    x_test: np.ndarray,
    y_test: np.ndarray,
    fractions: Sequence[float],
    n: int | None,
    *,
    draws: int = 20,
    seed: int = 0,
    steps: int = 1000,
    priors: str | Sequence[float] = "empirical",
    bar: ProgressBar | None = None,
) -> list[CurvePoint]:
    """Testing accuracy against the fraction of training labels flipped, at n per class."""
    return [
        _draws(
            sample,
            x_test,
            y_test,
            n,
            p,
            draws,
            (seed, 1000 + int(round(1000 * p))),
            steps,
            priors,
            bar,
            p,
        )
        for p in fractions
    ]


def _draws(
    sample: Sampler,
    x_test: np.ndarray,
    y_test: np.ndarray,
    n: int | None,
    flip: float,
    draws: int,
    key: tuple[int, int],
    steps: int,
    priors: str | Sequence[float],
    bar: ProgressBar | None,
    xpos: float,
) -> CurvePoint:
    """One point: `draws` seeded draws of n per class, `flip` of their labels flipped; draw r
    uses the Generator seeded by (seed, r, position), so every point has its own draws."""
    runs = []
    for r in range(draws):
        rng = np.random.default_rng([key[0], r, key[1]])
        x, y = sample(rng, n)
        y = _flip(rng, y, flip) if flip else y
        runs.append(_scores(x, y, x_test, y_test, steps, priors))
        if bar is not None:
            bar.update(1)
    return _point(xpos, runs)


def curve_table(points: Sequence[CurvePoint], x_head: str) -> str:
    """One row per point: mean ± std testing accuracy (%) of each model, and the best one."""
    rows = []
    for pt in points:
        if x_head == "n per class":
            xs = "all" if pt.x == float("inf") else f"{pt.x:g}"
        else:
            xs = f"{100 * pt.x:.0f}%"
        # one fit (the whole pool, nothing drawn) has no spread to show: say so, not "± 0"
        cells = [
            f"{100 * pt.mean[m]:5.1f} "
            + (f"± {100 * pt.std[m]:4.1f}" if pt.draws > 1 else "(1 fit)")
            for m in MODELS
        ]
        rows.append([xs, pt.draws, *cells, winners(pt)])
    return format_table([x_head, "draws", *MODELS, "best (within 1 s.e.)"], rows)


def winners(point: CurvePoint) -> str:
    """The model with the best mean, and every model whose mean is within one standard error
    of the difference (paired over the same draws) of it: a tie, not a win."""
    best = max(MODELS, key=lambda m: point.mean[m])
    tied = [best]
    for m in MODELS:
        if m == best:
            continue
        diff = point.accuracies[best] - point.accuracies[m]
        diff = diff[np.isfinite(diff)]
        se = float(np.std(diff, ddof=1) / np.sqrt(diff.size)) if diff.size > 1 else 0.0
        if float(np.mean(diff)) <= se:
            tied.append(m)
    return " = ".join(tied)


def prior_table(data: ClassificationData, prior: float | None = None) -> str:
    """The shared-Σ model with the same μ and Σ and different priors P(C1): the prior may come
    from another source than the training counts, and moves b = … + ln(P(C1)/P(C2)), the
    posterior and the predictions. `prior`: the user's P(C1), beside empirical and equal."""
    rows = []
    c1 = data.class_names[1]
    choices: list[tuple[str, str | Sequence[float]]] = [
        ("empirical N₁/N", "empirical"),
        ("equal", "equal"),
    ]
    if prior is not None:
        choices.append(("given (--prior)", (1.0 - prior, prior)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, priors in choices:
            g = GaussianClassifier("shared", priors=priors).fit(data.x_train, data.y_train)
            post = g.predict_proba(data.x_test)[:, 1]
            rows.append(
                [
                    name,
                    float(g.priors[1]),
                    g.b,
                    float(post.mean()),
                    int((post >= 0.5).sum()),
                    100 * g.accuracy(data.x_test, data.y_test),
                ]
            )
    return format_table(
        [
            "prior",
            f"P({c1})",
            "b",
            f"mean P({c1} | x) on testing",
            f"testing called {c1}",
            "test acc %",
        ],
        rows,
        ["", ".3f", ".3f", ".3f", "", ".1f"],
    )
