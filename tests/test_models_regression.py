"""Regression models: gradient descent on the engine lands on the closed-form solutions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from tinygrad_edu.models.data import lecture_cp_split, synthetic_cp_split
from tinygrad_edu.models.metrics import average_error, mae, mse
from tinygrad_edu.models.regression import (
    LAMBDAS,
    Term,
    all_factor_terms,
    closed_form,
    design_matrix,
    fit_regression,
    lambda_table,
    line_descents,
    line_loss_surface,
    polynomial_table,
    polynomial_terms,
    raw_line_descent,
    species_terms,
)


@pytest.fixture(scope="module")
def lecture():
    return lecture_cp_split()


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_cp_split(0)


def test_error_measures_by_hand():
    y = np.array([0.0, 0.0, 0.0, 0.0])
    y_hat = np.array([3.0, 4.0, 0.0, 0.0])
    assert average_error(y, y_hat) == pytest.approx(5.0 / 4)  # ‖(3, 4)‖ / N
    assert mse(y, y_hat) == pytest.approx(25.0 / 4)
    assert mae(y, y_hat) == pytest.approx(7.0 / 4)
    with pytest.raises(ValueError, match="3 targets but 2 predictions"):
        average_error([1, 2, 3], [1, 2])


def test_straight_line_matches_textbook_formula(lecture):
    x, y = lecture.train.x_cp, lecture.train.y
    w = np.sum((x - x.mean()) * (y - y.mean())) / np.sum((x - x.mean()) ** 2)
    b = y.mean() - w * x.mean()
    r = fit_regression(polynomial_terms(1), lecture.train, lecture.test)
    assert r.converged
    np.testing.assert_allclose(r.params, [b, w], rtol=1e-10)
    # The lecture's demo lands on b = -188.4, w = 2.7.
    assert r.params_dict()["b"] == pytest.approx(-188.4, abs=0.05)
    assert r.params_dict()["w·cp"] == pytest.approx(2.67, abs=0.005)


def test_polynomial_table_reproduces_the_lecture(lecture):
    fits = polynomial_table(lecture)
    train = [round(r.train_error, 1) for r in fits]
    test = [round(r.test_error, 1) for r in fits]
    assert train == [31.9, 15.4, 15.3, 14.9, 12.8]
    assert test == [35.0, 18.4, 18.1, 28.8, 232.1]
    for r in fits:
        assert r.converged, r.name
        # Gradient descent and linear algebra give the same fitted curve.
        assert r.closed_form_gap < 1e-6, r.name
        phi = design_matrix(r.terms, lecture.test)
        np.testing.assert_allclose(r.predict(lecture.test), phi @ r.closed_form, rtol=1e-8)
        # Raw coefficients (cp⁵ ≈ 10¹⁴ next to 1) agree too.
        np.testing.assert_allclose(r.params, r.closed_form, rtol=1e-6)


def test_closed_form_is_least_squares_of_numpy_polyfit(lecture):
    x, y = lecture.train.x_cp, lecture.train.y
    for d in (2, 3):
        ours = closed_form(polynomial_terms(d), lecture.train)
        ref = np.polynomial.polynomial.polyfit(x, y, d)
        np.testing.assert_allclose(ours, ref, rtol=1e-7)


def test_predict_on_cp_array_is_the_fitted_polynomial(lecture):
    r = fit_regression(polynomial_terms(2), lecture.train)
    cp = np.array([0.0, 100.0, 500.0])
    b, w1, w2 = r.params
    np.testing.assert_allclose(r.predict(cp), b + w1 * cp + w2 * cp**2, rtol=1e-9)


def test_species_model_equals_a_separate_line_per_species(synthetic):
    train = synthetic.species_train
    r = fit_regression(species_terms(), train, synthetic.test)
    got = r.params_dict()
    for sp in ("Pidgey", "Weedle", "Caterpie", "Eevee"):
        rows = train.species == sp
        w, b = np.polyfit(train.x_cp[rows], train.y[rows], 1)
        assert got[f"b[{sp}]"] == pytest.approx(b, rel=1e-7, abs=1e-6)
        assert got[f"w·cp[{sp}]"] == pytest.approx(w, rel=1e-7)
        cp = np.array([100.0, 200.0])
        np.testing.assert_allclose(r.predict(cp, species=sp), b + w * cp, rtol=1e-7)


def test_all_factor_ridge_matches_normal_equations(synthetic):
    train = synthetic.species_train
    terms = all_factor_terms()
    phi = design_matrix(terms, train)
    penalty = np.diag([0.0 if t.is_bias else 1.0 for t in terms])
    s = np.linalg.norm(phi, axis=0)  # solve (ΦᵀΦ + λP) w = Φᵀy in unit-norm column units
    for lam in (0.0, 10.0, 1e4):
        a = (phi / s).T @ (phi / s) + lam * penalty / np.outer(s, s)
        ref = np.linalg.solve(a, (phi / s).T @ train.y) / s
        r = fit_regression(terms, train, synthetic.test, lam)
        assert r.converged
        np.testing.assert_allclose(r.params, ref, rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(r.closed_form, ref, rtol=1e-6, atol=1e-9)


def test_lambda_sweep_shrinks_the_weights_not_the_biases(synthetic):
    results = lambda_table(synthetic)
    assert [r.lam for r in results] == list(LAMBDAS)
    norms = [np.linalg.norm(r.params[[not t.is_bias for t in r.terms]]) for r in results]
    assert all(a > b for a, b in zip(norms, norms[1:]))  # ridge: ‖w‖ falls as λ grows
    np.testing.assert_allclose([r.weight_norm for r in results], norms, rtol=1e-12)
    train_errors = [r.train_error for r in results]
    assert all(a <= b + 1e-9 for a, b in zip(train_errors, train_errors[1:]))
    for r in results:
        assert r.closed_form_gap < 1e-5, r.name


def test_too_few_steps_is_reported(lecture):
    with pytest.warns(UserWarning, match="stopped after 10 steps.*raise max_steps"):
        r = fit_regression(polynomial_terms(5), lecture.train, max_steps=10)
    assert not r.converged
    assert r.steps == 10


def test_loss_curve_starts_at_sum_of_squares_and_ends_at_minimum(lecture):
    r = fit_regression(polynomial_terms(3), lecture.train)
    assert r.curve[0] == (0, pytest.approx(float(np.sum(lecture.train.y**2))))  # θ = 0: ŷ = 0
    phi = design_matrix(r.terms, lecture.train)
    minimum = float(np.sum((lecture.train.y - phi @ r.closed_form) ** 2))
    assert r.curve[-1][1] == pytest.approx(minimum, rel=1e-9)


def test_plain_gradient_descent_also_converges_on_scaled_features(lecture):
    r = fit_regression(polynomial_terms(2), lecture.train, momentum=False)
    assert r.converged
    np.testing.assert_allclose(r.params, r.closed_form, rtol=1e-7)


def test_raw_cp_descent_first_steps_by_hand(lecture):
    x, y = lecture.train.x_cp, lecture.train.y
    b0, w0 = -120.0, -4.0
    g_b = -2 * np.sum(y - (b0 + w0 * x))
    g_w = -2 * np.sum((y - (b0 + w0 * x)) * x)
    # Adagrad's first step moves each parameter by exactly η, against its gradient's sign.
    ada = raw_line_descent(lecture.train, "adagrad", lr=1.0, steps=1, record_every=1)
    assert ada.path[1][1:3] == pytest.approx((b0 - np.sign(g_b), w0 - np.sign(g_w)))
    gd = raw_line_descent(lecture.train, "gd", lr=1e-6, steps=1, record_every=1)
    assert gd.path[0][3] == pytest.approx(np.sum((y - (b0 + w0 * x)) ** 2))
    assert gd.path[1][1:3] == pytest.approx((b0 - 1e-6 * g_b, w0 - 1e-6 * g_w))


def test_descents_from_several_starts_run_side_by_side(lecture):
    """Each start's first step is its own, by hand (the runs never mix), and Adagrad brings
    every start to the least-squares line of numpy's lstsq (convex: the start does not matter)."""
    x, y = lecture.train.x_cp, lecture.train.y
    starts = [(-120.0, -4.0), (100.0, 5.5), (-350.0, 5.0)]
    gd = line_descents(lecture.train, "gd", lr=1e-6, steps=1, starts=starts, record_every=1)
    for (b0, w0), run in zip(starts, gd):
        g_b = -2 * np.sum(y - (b0 + w0 * x))
        g_w = -2 * np.sum((y - (b0 + w0 * x)) * x)
        assert run.path[1][1:3] == pytest.approx((b0 - 1e-6 * g_b, w0 - 1e-6 * g_w))
    best = np.linalg.lstsq(np.c_[np.ones(len(x)), x], y, rcond=None)[0]
    ada = line_descents(lecture.train, "adagrad", lr=10.0, steps=10_000, starts=starts)
    for run in ada:
        assert (run.b, run.w) == pytest.approx(tuple(best), abs=0.05)


def test_graph_of_one_example(lecture):
    r = fit_regression(polynomial_terms(2), lecture.train)
    c = r.graph(lecture.train, 3)
    y_hat = r.predict(lecture.train)[3]
    assert c.item() == pytest.approx((lecture.train.y[3] - y_hat) ** 2, rel=1e-9)
    c.backward()  # the renderer shows these gradients: ∂C/∂w = −2(y − ŷ)·φ(x)
    w_leaf = next(n for n in c.walk() if n.label == "w")
    x = lecture.train.x_cp[3]
    expected = -2 * (lecture.train.y[3] - y_hat) * np.array([x, x**2])
    np.testing.assert_allclose(w_leaf.grad, expected, rtol=1e-9)


def test_clear_errors():
    embedded = lecture_cp_split()
    with pytest.raises(ValueError, match="has no hp column.*load_pokemon_cp"):
        fit_regression(all_factor_terms(), embedded.train)
    with pytest.raises(ValueError, match="needs w·cp in the model"):
        fit_regression([Term(None, 0), Term("cp", 2)], embedded.train)
    with pytest.raises(ValueError, match="variable must be one of"):
        Term("attack", 1)
    with pytest.raises(ValueError, match="no bias"):
        fit_regression(species_terms(["Pidgey"]), embedded.train)
    with pytest.raises(ValueError, match="λ must be >= 0"):
        fit_regression(polynomial_terms(1), embedded.train, lam=-1.0)


def test_underdetermined_model_warns(lecture):
    # One Caterpie and one Eevee among the 10 slides' Pokemon: their b, w are not pinned down.
    with pytest.warns(UserWarning, match="pin down only"):
        r = fit_regression(species_terms(), lecture.train)
    assert r.train_error < 1.0  # but it still fits the training rows it has
    assert math.isfinite(r.train_error)


def test_line_loss_surface_is_the_loss_the_descent_follows(lecture):
    b_star, w_star = closed_form(polynomial_terms(1), lecture.train)
    bs = np.array([-120.0, b_star, 0.0])
    ws = np.array([-4.0, w_star])
    surface = line_loss_surface(lecture.train, bs, ws)
    assert surface.shape == (2, 3)
    run = raw_line_descent(lecture.train, "gd", lr=1e-6, steps=0, record_every=1)
    assert surface[0, 0] == pytest.approx(run.path[0][3])  # at the start (-120, -4)
    assert surface.argmin() == 4  # row w*, column b*: the least-squares minimum
