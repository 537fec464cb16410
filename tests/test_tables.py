"""Tables that say how they were computed: the λ loss definition, μ/Σ/priors, collinearity,
XOR ties, and the progress bar that never runs past its total."""

from __future__ import annotations

import numpy as np
import pytest
from tinygrad_edu.models.app import main
from tinygrad_edu.models.data import ClassificationData, lecture_cp_split
from tinygrad_edu.models.generative import GaussianClassifier
from tinygrad_edu.models.metrics import accuracy_with_ties
from tinygrad_edu.models.progress import ProgressBar
from tinygrad_edu.models.regression import lambda_table, loss_definition, polynomial_terms
from tinygrad_edu.models.tables import class_statistics, collinearity_note
from tinygrad_edu.models.xor import fit_cascade


def test_ties_count_half() -> None:
    # 0.5 and 0.5004 are ties (|f − 0.5| < 0.01); 0.9 → class 1 (right), 0.2 → 0 (right)
    acc, ties = accuracy_with_ties(np.array([0, 1, 1, 0]), np.array([0.5, 0.5004, 0.9, 0.2]))
    assert (acc, ties) == (0.75, 2)
    # without ties it is the plain accuracy: 0.7 → 1 (wrong for label 0)
    assert accuracy_with_ties(np.array([0, 1]), np.array([0.7, 0.8])) == (0.5, 0)


def test_cascade_restarts_extend_the_bar() -> None:
    # seed 1 needs four random starts at 300 steps; the caller planned one run (301 updates)
    with ProgressBar(301, enabled=False) as bar:
        fit = fit_cascade(seed=1, steps=300, bar=bar)
    assert len(fit.attempts) == 4
    assert bar.n == bar.total == 4 * 301


@pytest.mark.parametrize("data_term, factor", [("half-mean", 2.0), ("mean", 1.0)])
def test_lambda_table_data_term_is_the_closed_form_ridge(data_term: str, factor: float) -> None:
    # L = c(N)·Σ(y − b − w·cp)² + λw² with c = 1/(2N) or 1/N: (ΦᵀΦ + (λ/c)·P) θ = Φᵀy
    split = lecture_cp_split()  # species_train = the 10 training Pokemon
    cp, y = split.train.x_cp, split.train.y
    phi = np.c_[np.ones_like(cp), cp]
    lam = 50.0
    ref = np.linalg.solve(phi.T @ phi + factor * 10 * lam * np.diag([0.0, 1.0]), phi.T @ y)
    (r,) = lambda_table(split, terms=polynomial_terms(1), lams=(lam,), data_term=data_term)
    assert r.lam == lam
    np.testing.assert_allclose(r.params, ref, rtol=1e-6)


def test_loss_definition_is_spelled_out() -> None:
    assert loss_definition("sum") == (
        "L(w) = Σₙ (yⁿ − ŷⁿ)² + λ Σⱼ wⱼ² (biases not penalized; data term 'sum')"
    )
    assert loss_definition("half-mean", 65) == (
        "L(w) = 1/(2N) Σₙ (yⁿ − ŷⁿ)² + λ Σⱼ wⱼ² (biases not penalized, N = 65 training "
        "Pokemon; data term 'half-mean')"
    )
    with pytest.raises(ValueError, match="data_term must be one of sum, mean, half-mean"):
        loss_definition("rms")


def test_collinearity_note_names_the_relation() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20, 3))
    note = collinearity_note(np.c_[x, x.sum(axis=1)], ["a", "b", "c", "Total"])
    assert note is not None
    assert "rank 3 of 4, 1·a + 1·b + 1·c − 1·Total = constant" in note
    assert "w is not unique" in note
    assert collinearity_note(x, ["a", "b", "c"]) is None


def test_class_statistics_print_mu_sigma_and_priors() -> None:
    # Normal (y=0): (0,0), (2,0), (0,2), (2,2): μ = (1, 1), Σ = I (1/N_k); Water: (1,2), (3,4),
    # (5,0): μ = (3, 2), Σ = [[8/3, −4/3], [−4/3, 8/3]]; priors 4/7, 3/7
    x = np.array([[0, 0], [2, 0], [0, 2], [2, 2], [1, 2], [3, 4], [5, 0]], dtype=float)
    y = np.array([0, 0, 0, 0, 1, 1, 1])
    data = ClassificationData(x, y, x, y, ("Defense", "Sp. Def"), ("Normal", "Water"), "t", True)
    text = class_statistics(data, GaussianClassifier().fit(x, y))
    assert "priors empirical, P(C_k) = N_k/N" in text
    assert "Normal: N = 4, P(Normal) = 0.571, μ = [1. 1.]" in text
    assert "Water: N = 3, P(Water) = 0.429, μ = [3. 2.]" in text
    assert "Σ = [[ 2.7 -1.3]" in text
    eq = class_statistics(data, GaussianClassifier(priors="equal").fit(x, y))
    assert "priors equal, P(C_k) = 1/K" in eq and "P(Water) = 0.500" in eq


def test_commands_say_how_their_tables_were_computed(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lecture", "regression", "--raw-steps", "0", "--data-term", "sum"]) == 0
    out = capsys.readouterr().out
    assert "loss: L(w) = Σₙ (yⁿ − ŷⁿ)² + λ Σⱼ wⱼ² (biases not penalized; data term 'sum')" in out
    assert main(["lecture", "classification", "--priors", "equal"]) == 0
    out = capsys.readouterr().out
    assert "priors equal, P(C_k) = 1/K" in out and "P(Water) = 0.500" in out
    assert main(["lecture", "xor", "--seed", "1"]) == 0
    row = next(line for line in capsys.readouterr().out.splitlines() if "(x₁, x₂)" in line)
    assert row.split()[-2:] == ["50", "4"]  # four ties at f = 0.5, counted half right
