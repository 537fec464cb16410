"""Generative vs discriminative learning curves (models.compare) and user-given priors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tinygrad_edu.models.app import main
from tinygrad_edu.models.compare import (
    MODELS,
    CurvePoint,
    _flip,
    noise_curve,
    pool_sampler,
    shared_gaussian_case,
    size_curve,
    winners,
)
from tinygrad_edu.models.generative import GaussianClassifier

# 1-D, two classes: class 0 at -1, +1 around 0 (mean 0), class 1 at 3, 5 (mean 4); MLE
# variances 1 and 1, so the shared σ² = 1. Midpoint 2: equal likelihoods there.
X1 = np.array([[-1.0], [1.0], [3.0], [5.0]])
Y1 = np.array([0, 0, 1, 1])


def test_given_prior_is_the_posterior_where_likelihoods_are_equal() -> None:
    g = GaussianClassifier("shared", priors=(0.2, 0.8)).fit(X1, Y1)
    np.testing.assert_allclose(g.priors, [0.2, 0.8])
    assert g.predict_proba(np.array([[2.0]]))[0, 1] == pytest.approx(0.8, rel=1e-12)
    # w = (μ1 − μ0)/σ² = 4, b = −(16 − 0)/2 + ln(0.8/0.2) = −8 + ln 4
    assert g.w[0] == pytest.approx(4.0, rel=1e-12)
    assert g.b == pytest.approx(-8.0 + math.log(4.0), rel=1e-12)


def test_equal_and_empirical_priors() -> None:
    x = np.array([[-1.0], [1.0], [3.0], [5.0], [4.0]])  # class 1 mean 4, N1 = 3, N0 = 2
    y = np.array([0, 0, 1, 1, 1])
    emp = GaussianClassifier("shared").fit(x, y)
    eq = GaussianClassifier("shared", priors="equal").fit(x, y)
    np.testing.assert_allclose(emp.priors, [0.4, 0.6])
    np.testing.assert_allclose(eq.priors, [0.5, 0.5])
    # only the prior term of b differs: ln(0.6/0.4) vs ln 1
    assert emp.b - eq.b == pytest.approx(math.log(1.5), rel=1e-12)
    np.testing.assert_allclose(emp.w, eq.w, rtol=1e-12)


@pytest.mark.parametrize("bad", [(0.5, 0.6), (1.0, 0.0), "uniform", (-0.5, 1.5)])
def test_bad_priors_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="priors"):
        GaussianClassifier("shared", priors=bad)  # type: ignore[arg-type]


def test_priors_must_match_the_classes() -> None:
    with pytest.raises(ValueError, match="3 values but y has 2 classes"):
        GaussianClassifier("shared", priors=(0.2, 0.3, 0.5)).fit(X1, Y1)


def test_flip_flips_exactly_the_fraction() -> None:
    y = np.array([0, 1] * 10)
    flipped = _flip(np.random.default_rng(0), y, 0.3)
    assert int((flipped != y).sum()) == 6
    assert int((_flip(np.random.default_rng(0), y, 0.0) != y).sum()) == 0


def test_pool_sampler_draws_n_per_class_without_replacement() -> None:
    x = np.arange(20, dtype=float).reshape(10, 2)
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    xs, ys = pool_sampler(x, y)(np.random.default_rng(1), 3)
    assert ys.tolist() == [0, 0, 0, 1, 1, 1]
    rows = (xs[:, 0] / 2).astype(int)  # row index of each drawn example
    assert len(set(rows.tolist())) == 6 and set(rows[:3]) <= {0, 1, 2, 3}
    with pytest.raises(ValueError, match="5 per class"):
        pool_sampler(x, y)(np.random.default_rng(1), 5)
    xa, _ = pool_sampler(x, y)(np.random.default_rng(1), None)
    assert xa.shape == (10, 2)


def test_shared_gaussian_case_has_the_promised_bayes_accuracy() -> None:
    # Bayes accuracy with equal priors and Mahalanobis distance Δ is Φ(Δ/2); Δ = 1.5: 0.7734
    sample, xt, yt, _ = shared_gaussian_case(d=4, separation=1.5, seed=3, n_test=20000)
    x, y = sample(np.random.default_rng(5), 20000)
    g = GaussianClassifier("shared").fit(x, y)
    phi = 0.5 * (1 + math.erf(0.75 / math.sqrt(2)))
    assert phi == pytest.approx(0.7734, abs=1e-4)
    assert g.accuracy(xt, yt) == pytest.approx(phi, abs=0.01)
    # and the classes really share one Σ
    np.testing.assert_allclose(np.cov(x[y == 0].T), np.cov(x[y == 1].T), atol=0.05)


def _point(acc: dict[str, list[float]]) -> CurvePoint:
    arrays = {m: np.array(v) for m, v in acc.items()}
    mean = {m: float(a.mean()) for m, a in arrays.items()}
    std = {m: float(a.std(ddof=1)) for m, a in arrays.items()}
    return CurvePoint(10.0, mean, std, 4, arrays)


def test_winners_reports_ties_within_one_standard_error() -> None:
    # shared Σ beats logistic by 0.10 on every draw (se 0): a win; naive Bayes differs from
    # shared by +0.02, −0.02, +0.02, −0.02 (mean 0, within one standard error): a tie.
    acc = {
        "shared Σ": [0.80, 0.82, 0.78, 0.80],
        "separate Σ": [0.50, 0.50, 0.50, 0.50],
        "naive Bayes": [0.78, 0.84, 0.76, 0.82],
        "logistic regression": [0.70, 0.72, 0.68, 0.70],
    }
    assert winners(_point(acc)) == "shared Σ = naive Bayes"
    acc["naive Bayes"] = [0.60] * 4
    assert winners(_point(acc)) == "shared Σ"


def test_curves_have_a_spread_on_every_point() -> None:
    sample, xt, yt, _ = shared_gaussian_case(d=2, seed=0, n_test=400)
    pts = size_curve(sample, xt, yt, (3, 20), draws=3, steps=50)
    assert [p.x for p in pts] == [3.0, 20.0] and all(p.draws == 3 for p in pts)
    for p in pts:
        assert set(p.mean) == set(MODELS)
        for m in MODELS:
            a = p.accuracies[m]
            assert p.mean[m] == pytest.approx(a.mean()) and p.std[m] == pytest.approx(a.std(ddof=1))
    noisy = noise_curve(sample, xt, yt, (0.0, 0.5), 10, draws=3, steps=50)
    # half the labels flipped: no information left, every model near chance
    assert all(abs(noisy[1].mean[m] - 0.5) < 0.2 for m in MODELS)


def test_lecture_compare_command(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["lecture", "compare", "--draws", "2", "--steps", "20", "--prior", "0.2"])
    out = capsys.readouterr().out
    assert code == 0
    assert out.count("n per class  draws") == 2 and out.count("labels flipped  draws") == 3
    assert "given (--prior)     0.200" in out
    assert main(["lecture", "compare", "--prior", "1.5"]) == 2
    assert "--prior is P(C1)" in capsys.readouterr().err
