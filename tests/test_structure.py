"""The structure search: its space (fully connected and conv), seeds and uncertainty, budgets,
and the winner retrained on all the training data."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from tinygrad_edu.models.cnn import fit_digit_net
from tinygrad_edu.models.data import synthetic_digits
from tinygrad_edu.models.structure import (
    CONV_CHANNELS,
    MAX_CONV,
    MAX_DEPTH,
    WIDTHS,
    Structure,
    Trial,
    mutate,
    random_structure,
    structure_search,
    tied_with_best,
)


@pytest.fixture(scope="module")
def digits():
    return synthetic_digits(n_train=900, n_test=300, seed=0, flatten=True)


def test_mutations_stay_in_the_search_space() -> None:
    rng = np.random.default_rng(0)
    kinds = set()
    for _ in range(400):
        s = random_structure(rng, cnn=True)
        m = mutate(s, rng, cnn=True)
        assert m != s
        assert 1 <= len(m.hidden) <= MAX_DEPTH and all(h in WIDTHS for h in m.hidden)
        assert len(m.conv) <= MAX_CONV and all(c in CONV_CHANNELS for c in m.conv)
        assert not m.conv or m.activation == "relu"  # conv blocks are LeNet's ReLU blocks
        kinds.add((bool(s.conv), bool(m.conv)))
    assert kinds == {(False, False), (False, True), (True, True), (True, False)}
    fc_rng = np.random.default_rng(1)
    assert not any(random_structure(fc_rng).conv for _ in range(100))  # cnn=False: none


def test_parameter_counts_by_hand() -> None:
    assert Structure((64, 32), "relu").n_parameters() == 785 * 64 + 65 * 32 + 33 * 10
    # conv 6@5×5: 26·6 = 156; conv 16@5×5 on 6 channels: 151·16 = 2416; 28 → 12 → 4 pixels,
    # 16·4·4 = 256 features; 257·64 = 16448; 65·10 = 650
    cnn = Structure((64,), "relu", (6, 16))
    assert cnn.n_parameters() == 156 + 2416 + 16448 + 650 == 19670
    assert cnn.build(0).num_parameters() == 19670
    assert str(cnn) == "conv 6-16 → 64-10 relu"


def _trial(i: int, accs: tuple[float, ...], params: int) -> Trial:
    return Trial(i, "random", Structure((8 * i,), "relu"), params, accs, 0.0)


def test_ties_are_within_one_standard_error() -> None:
    top = _trial(1, (0.90, 0.92, 0.88), 500)  # mean 0.90, std 0.02, se 0.02/√3 = 0.0115
    close = _trial(2, (0.89, 0.89, 0.89), 100)  # 0.01 behind, se 0: within 0.0115, tied
    far = _trial(3, (0.87, 0.87, 0.87), 50)  # 0.03 behind: not tied
    assert [t.index for t in tied_with_best([top, close, far])] == [1, 2]
    assert top.val_std == pytest.approx(0.02) and close.val_std == 0.0


def test_search_under_an_epoch_budget_is_seeded_and_retrains_the_winner(digits) -> None:
    kw = dict(
        budget_seconds=None,
        budget_epochs=6,
        seeds=2,
        epochs=1,
        n_random=2,
        children=1,
        n_train=600,
        n_val=300,
        seed=3,
        cnn=False,
    )
    a = structure_search(digits, **kw)
    b = structure_search(digits, **kw)
    assert [(t.structure, t.val_accuracies) for t in a.trials] == [
        (t.structure, t.val_accuracies) for t in b.trials
    ]
    # 2 seeds × 1 epoch = 2 epochs per trial: 3 trials (2 random, 1 child) fill 6 epochs
    assert [t.method for t in a.trials] == ["random", "random", "evolution 1 (from #1)"] or [
        t.method for t in a.trials
    ] == ["random", "random", "evolution 1 (from #2)"]
    assert a.epochs_used == 6 and a.stopped_by == "epoch budget (6)"
    assert all(len(t.val_accuracies) == 2 for t in a.trials)
    assert a.best in a.tied and a.best.n_parameters == min(t.n_parameters for t in a.tied)
    # the winner retrained on all 900 training images (seed 3), tested once on the 300
    s = a.best.structure
    ref = fit_digit_net("ref", s.build(3), digits, images=False, epochs=1, seed=3)
    assert a.test_accuracy == ref.test_accuracy
    assert a.hand_test_accuracy is not None and 0.1 < a.hand_test_accuracy <= 1.0


def test_time_budget_stops_the_search(digits) -> None:
    ticks = itertools.count(0.0, 5.0)  # every clock reading is 5 s later than the last
    r = structure_search(
        digits,
        budget_seconds=60.0,
        seeds=1,
        epochs=1,
        n_train=600,
        n_val=300,
        cnn=False,
        retrain=False,
        clock=lambda: next(ticks),
    )
    assert r.stopped_by == "time budget (60 s)"
    assert 1 <= len(r.trials) < 6  # the fake clock runs out before the random phase ends


def test_too_small_a_set_or_budget_is_refused(digits) -> None:
    with pytest.raises(ValueError, match="has only 900 images"):
        structure_search(digits, n_train=800, n_val=300)
    with pytest.raises(ValueError, match="does not cover a single trial"):
        structure_search(
            digits, budget_seconds=None, budget_epochs=1, seeds=2, epochs=1, n_train=600, n_val=300
        )
