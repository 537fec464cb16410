"""Tests for tinygrad_edu.models.generative against hand-computed numbers."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from tinygrad_edu.models.generative import (
    BernoulliNaiveBayes,
    GaussianClassifier,
    SingularCovarianceWarning,
)

# Class 1: (1,2), (3,4), (5,0)  ->  mu1 = (3, 2); deviations (-2,0), (0,2), (2,-2)
#   Sigma1 = 1/3 [[4+0+4, 0+0-4], [0+0-4, 0+4+4]] = [[8/3, -4/3], [-4/3, 8/3]]
# Class 0: (0,0), (2,0), (0,2), (2,2)  ->  mu0 = (1, 1); deviations (+-1, +-1)
#   Sigma0 = [[1, 0], [0, 1]]
# Priors 4/7 (class 0), 3/7 (class 1); shared = 4/7 Sigma0 + 3/7 Sigma1
#   = [[4/7 + 8/7, -4/7], [-4/7, 4/7 + 8/7]] = [[12/7, -4/7], [-4/7, 12/7]]
X_SMALL = np.array([[1, 2], [3, 4], [5, 0], [0, 0], [2, 0], [0, 2], [2, 2]], dtype=float)
Y_SMALL = np.array([1, 1, 1, 0, 0, 0, 0])
MU0, MU1 = np.array([1.0, 1.0]), np.array([3.0, 2.0])
SIGMA0 = np.eye(2)
SIGMA1 = np.array([[8 / 3, -4 / 3], [-4 / 3, 8 / 3]])
SHARED = np.array([[12 / 7, -4 / 7], [-4 / 7, 12 / 7]])


def _gauss(x: np.ndarray, mu: np.ndarray, sigma: np.ndarray) -> float:
    """Textbook density, written out independently of the implementation."""
    d = x - mu
    quad = d @ np.linalg.inv(sigma) @ d
    return math.exp(-0.5 * quad) / math.sqrt((2 * math.pi) ** len(mu) * np.linalg.det(sigma))


def test_mle_by_hand():
    model = GaussianClassifier("separate").fit(X_SMALL, Y_SMALL)
    assert model.classes.tolist() == [0, 1]
    np.testing.assert_allclose(model.means, [MU0, MU1], rtol=1e-12)
    np.testing.assert_allclose(model.covariances, [SIGMA0, SIGMA1], rtol=1e-12)
    np.testing.assert_allclose(model.priors, [4 / 7, 3 / 7], rtol=1e-12)

    shared = GaussianClassifier("shared").fit(X_SMALL, Y_SMALL)
    np.testing.assert_allclose(shared.covariances, [SHARED, SHARED], rtol=1e-12)

    diagonal = GaussianClassifier("diagonal").fit(X_SMALL, Y_SMALL)
    np.testing.assert_allclose(diagonal.covariances[1], np.diag([8 / 3, 8 / 3]), rtol=1e-12)


@pytest.mark.parametrize(
    ("kind", "sigma0", "sigma1"),
    [
        ("separate", SIGMA0, SIGMA1),
        ("shared", SHARED, SHARED),
        ("diagonal", SIGMA0, np.diag([8 / 3, 8 / 3])),
    ],
)
def test_posterior_matches_bayes_rule_by_hand(kind, sigma0, sigma1):
    model = GaussianClassifier(kind).fit(X_SMALL, Y_SMALL)
    points = np.array([[0.0, 0.0], [3.0, 2.0], [2.5, 1.0], [-1.0, 4.0]])
    for x, proba in zip(points, model.predict_proba(points)):
        joint1 = _gauss(x, MU1, sigma1) * 3 / 7
        joint0 = _gauss(x, MU0, sigma0) * 4 / 7
        expected = np.array([joint0, joint1]) / (joint0 + joint1)
        np.testing.assert_allclose(proba, expected, rtol=1e-12)
    np.testing.assert_allclose(
        model.log_likelihood(points[:1])[0, 1], math.log(_gauss(points[0], MU1, sigma1))
    )


def test_shared_posterior_is_a_sigmoid_of_a_line():
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(3, 3))
    x = np.concatenate([rng.normal(0, 1, (40, 3)), rng.normal(1, 2, (25, 3)) @ mixing])
    y = np.array(["Normal"] * 40 + ["Water"] * 25)  # C1 = classes[1] = "Water"
    model = GaussianClassifier("shared").fit(x, y)
    inv = np.linalg.inv(model.covariances[0])
    mu2, mu1 = model.means
    w = inv @ (mu1 - mu2)
    b = -0.5 * mu1 @ inv @ mu1 + 0.5 * mu2 @ inv @ mu2 + math.log(25 / 40)
    np.testing.assert_allclose(model.w, w, rtol=1e-9)
    np.testing.assert_allclose(model.b, b, rtol=1e-9)
    grid = rng.normal(0, 3, (200, 3))
    sigmoid = 1.0 / (1.0 + np.exp(-(grid @ model.w + model.b)))
    np.testing.assert_allclose(model.predict_proba(grid)[:, 1], sigmoid, rtol=0, atol=1e-10)
    assert model.predict(grid).tolist() == np.where(sigmoid > 0.5, "Water", "Normal").tolist()


def test_shared_w_b_on_the_small_set():
    model = GaussianClassifier("shared").fit(X_SMALL, Y_SMALL)
    # SHARED^-1 = 7/128 [[12, 4], [4, 12]]; mu1 - mu0 = (2, 1) -> w = 7/128 (28, 20)
    np.testing.assert_allclose(model.w, [196 / 128, 140 / 128], rtol=1e-12)
    # b = -1/2 mu1' S mu1 + 1/2 mu0' S mu0 + ln(3/4), with mu' S mu = 7/128 * (12a^2+8ab+12b^2)
    b = -0.5 * 7 / 128 * (108 + 48 + 48) + 0.5 * 7 / 128 * 32 + math.log(3 / 4)
    assert model.b == pytest.approx(b, rel=1e-12)
    with pytest.raises(ValueError, match="only for covariance='shared' with two classes"):
        _ = GaussianClassifier("separate").fit(X_SMALL, Y_SMALL).w


def _six_plus_total(n: int, shift: float, rng: np.random.Generator) -> np.ndarray:
    six = np.round(rng.normal(60 + shift, 20, (n, 6)) @ (np.eye(6) + 0.3 * rng.random((6, 6))))
    return np.c_[six, six.sum(axis=1)]  # integer stats, like the real Total column


@pytest.mark.parametrize("kind", ["separate", "shared"])
def test_singular_covariance_warns_and_equals_the_reduced_model(kind):
    rng = np.random.default_rng(1)
    x = np.concatenate([_six_plus_total(79, 10, rng), _six_plus_total(61, 0, rng)])
    y = np.array([1] * 79 + [0] * 61)
    x_new = np.concatenate([_six_plus_total(30, 10, rng), _six_plus_total(30, 0, rng)])

    with pytest.warns(SingularCovarianceWarning, match="rank 6 of 7") as caught:
        full = GaussianClassifier(kind).fit(x, y)
    message = str(caught[0].message)
    if kind == "separate":
        assert "class 0 has rank 6 of 7" in message and "class 1 has rank 6 of 7" in message
    else:
        assert "shared covariance" in message
    assert full.ranks.tolist() == [6, 6]

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # on-support points and full-rank models: silent
        reduced = GaussianClassifier(kind).fit(x[:, :6], y)
        p_full = full.predict_proba(x_new)
        p_reduced = reduced.predict_proba(x_new[:, :6])
    # Total = sum of the six is an injective linear map of the six features; the Jacobian
    # factor is the same for both classes, so the posteriors agree exactly in theory.
    assert np.all(np.isfinite(p_full))
    np.testing.assert_allclose(p_full, p_reduced, rtol=1e-7, atol=1e-9)
    assert 0.05 < p_full[:, 1].mean() < 0.95  # not degenerate 0/1 answers
    if kind == "shared":
        sigmoid = 1.0 / (1.0 + np.exp(-(x_new @ full.w + full.b)))
        np.testing.assert_allclose(p_full[:, 1], sigmoid, atol=1e-10)
        # w.[x6, sum(x6)] = (w[:6] + w[6]).x6: the same line as the six-feature model
        np.testing.assert_allclose(full.w[:6] + full.w[6], reduced.w, rtol=1e-6)
        assert full.b == pytest.approx(reduced.b, rel=1e-6)


def test_points_off_the_singular_subspace_warn():
    rng = np.random.default_rng(2)
    x = np.concatenate([_six_plus_total(50, 10, rng), _six_plus_total(50, 0, rng)])
    y = np.array([1] * 50 + [0] * 50)
    with pytest.warns(SingularCovarianceWarning):
        model = GaussianClassifier("separate").fit(x, y)
    bad = x[:3].copy()
    bad[0, 6] += 25.0  # Total no longer the sum of the six
    with pytest.warns(SingularCovarianceWarning, match="1 of 3 points lie off the 6-dimensional"):
        proba = model.predict_proba(bad)
    assert np.all(np.isfinite(proba))


def test_different_ranks_are_flagged():
    x = np.array([[0, 0], [1, 0], [2, 0], [0, 1], [1, 2], [2, 0.5]], dtype=float)
    y = np.array([0, 0, 0, 1, 1, 1])  # class 0 lies on the line x2 = 0
    with pytest.warns(SingularCovarianceWarning, match="class 0 has rank 1 of 2.*ranks differ"):
        GaussianClassifier("separate").fit(x, y)


def test_three_classes():
    rng = np.random.default_rng(3)
    means = np.array([[0, 0], [4, 0], [0, 4]], dtype=float)
    x = np.concatenate([rng.normal(m, 1.0, (30 + 10 * i, 2)) for i, m in enumerate(means)])
    y = np.repeat(["a", "b", "c"], [30, 40, 50])
    model = GaussianClassifier("separate").fit(x, y)
    assert model.classes.tolist() == ["a", "b", "c"]
    np.testing.assert_allclose(model.priors, [30 / 120, 40 / 120, 50 / 120])
    proba = model.predict_proba(x)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    point = np.array([1.0, 1.0])
    joints = [
        _gauss(point, model.means[k], model.covariances[k]) * model.priors[k] for k in range(3)
    ]
    np.testing.assert_allclose(model.predict_proba(point[None])[0], joints / np.sum(joints))
    assert model.accuracy(x, y) > 0.9


def test_far_away_points_are_stable():
    model = GaussianClassifier("separate").fit(X_SMALL, Y_SMALL)
    far = np.array([[1e4, -1e4], [-1e6, 3e6]])  # every density underflows to 0 in linear space
    proba = model.predict_proba(far)
    assert np.all(np.isfinite(proba))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    # Sigma1 is wider along (1, -1), so class 1 wins far out in that direction
    assert proba[0, 1] == pytest.approx(1.0)


def test_accuracy_and_predict():
    model = GaussianClassifier("separate").fit(X_SMALL, Y_SMALL)
    # By _gauss and the priors: P(C1 | x) = 0.165 at (1, 2) (a class-1 point called 0), 0.988
    # and 0.998 at the other two class-1 points, ≤ 0.41 at the four class-0 points: 6 of 7.
    assert model.predict(X_SMALL).tolist() == [0, 1, 1, 0, 0, 0, 0]
    assert model.accuracy(X_SMALL, Y_SMALL) == pytest.approx(6 / 7)
    assert model.accuracy(X_SMALL[1:], Y_SMALL[1:]) == 1.0
    assert model.accuracy(X_SMALL[:1], Y_SMALL[:1]) == 0.0
    assert model.predict(np.array([[3.0, 2.0], [1.0, 1.0]])).tolist() == [1, 0]


def test_bad_input_messages():
    model = GaussianClassifier()
    with pytest.raises(ValueError, match=r"X has shape \(7, 2\) but y has shape \(6,\)"):
        model.fit(X_SMALL, Y_SMALL[:6])
    with pytest.raises(ValueError, match=r"only one class \(1\)"):
        model.fit(X_SMALL[:3], Y_SMALL[:3])
    x_nan = X_SMALL.copy()
    x_nan[1, 0] = np.nan
    with pytest.raises(ValueError, match="NaN or inf .*first at row 1, column 0"):
        model.fit(x_nan, Y_SMALL)
    with pytest.raises(ValueError, match=r"2-D .*got shape \(7,\).*reshape\(-1, 1\)"):
        model.fit(X_SMALL[:, 0], Y_SMALL)
    with pytest.raises(RuntimeError, match="call fit"):
        model.predict(X_SMALL)
    model.fit(X_SMALL, Y_SMALL)
    with pytest.raises(ValueError, match=r"shape \(2, 3\) but the model was fitted on 2"):
        model.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="covariance must be"):
        GaussianClassifier("full")  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Bernoulli Naive Bayes
# --------------------------------------------------------------------------------------------

# Class 1: [1,0], [1,1], [0,1]; class 0: [0,0], [1,0]; priors 3/5, 2/5.
XB = np.array([[1, 0], [1, 1], [0, 1], [0, 0], [1, 0]])
YB = np.array([1, 1, 1, 0, 0])


def test_bernoulli_laplace_by_hand():
    model = BernoulliNaiveBayes(alpha=1.0).fit(XB, YB)
    # p = (ones + 1) / (N_k + 2): class 0 (1+1)/4, (0+1)/4; class 1 (2+1)/5, (2+1)/5
    np.testing.assert_allclose(model.probabilities, [[0.5, 0.25], [0.6, 0.6]])
    np.testing.assert_allclose(model.priors, [0.4, 0.6])
    # x = [1,0]: class 1 0.6*0.4*0.6 = 0.144; class 0 0.5*0.75*0.4 = 0.15; 0.144/0.294 = 24/49
    proba = model.predict_proba(np.array([[1, 0]]))
    np.testing.assert_allclose(proba, [[25 / 49, 24 / 49]], rtol=1e-12)
    assert model.predict(np.array([[1, 0], [1, 1]])).tolist() == [0, 1]


def test_bernoulli_without_smoothing():
    model = BernoulliNaiveBayes(alpha=0.0).fit(XB, YB)
    # MLE: class 0 p = (1/2, 0); class 1 p = (2/3, 2/3)
    np.testing.assert_allclose(model.probabilities, [[0.5, 0.0], [2 / 3, 2 / 3]])
    # x2 = 1 never happens in class 0, so class 1 is certain
    np.testing.assert_allclose(model.predict_proba(np.array([[0, 1]])), [[0.0, 1.0]])
    only_zero = BernoulliNaiveBayes(alpha=0.0).fit(np.array([[0], [0], [1], [1]]), [0, 0, 1, 1])
    assert only_zero.predict([[1]]).tolist() == [1]
    never = BernoulliNaiveBayes(alpha=0.0).fit(np.array([[0, 0], [0, 1]]), [0, 1])
    with pytest.raises(ValueError, match="probability 0 under every class.*alpha > 0"):
        never.predict_proba(np.array([[1, 0]]))


def test_bernoulli_rejects_non_binary_features():
    with pytest.raises(ValueError, match=r"binary features.*X\[0, 1\] = 0.5"):
        BernoulliNaiveBayes().fit(np.array([[1, 0.5], [0, 1]]), [0, 1])
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        BernoulliNaiveBayes(alpha=-1)
