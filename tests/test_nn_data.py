"""tinygrad_edu.nn data helpers: seeded mini-batches and the train/test split."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tinygrad_edu import InputError, ShapeError, Tensor, nn


@given(n=st.integers(1, 60), batch=st.integers(1, 17), drop_last=st.booleans())
def test_each_pass_visits_every_example_once(n, batch, drop_last):
    x = np.arange(n)
    y = x * 10
    loader = nn.Batches(x, y, batch_size=batch, seed=3, drop_last=drop_last)
    seen = []
    for xb, yb in loader:
        assert np.array_equal(yb, xb * 10)  # rows stay paired
        assert len(xb) == batch or (not drop_last and len(xb) == n % batch)
        seen += xb.tolist()
    assert len(loader) == (n // batch if drop_last else -(-n // batch))
    if drop_last:
        assert len(seen) == n - n % batch and len(set(seen)) == len(seen)
    else:
        assert sorted(seen) == list(range(n))


def test_batches_are_seeded_and_reshuffled_every_pass():
    x = np.arange(20)
    a = [b.tolist() for b in nn.Batches(x, batch_size=5, seed=1)]
    b = [b.tolist() for b in nn.Batches(x, batch_size=5, seed=1)]
    assert a == b
    assert a != [list(range(i, i + 5)) for i in range(0, 20, 5)]  # shuffled
    loader = nn.Batches(x, batch_size=20, seed=1)
    first, second = next(iter(loader)), next(iter(loader))
    assert sorted(first) == sorted(second) and first.tolist() != second.tolist()
    ordered = [b.tolist() for b in nn.Batches(x, batch_size=8, shuffle=False)]
    assert ordered == [list(range(8)), list(range(8, 16)), list(range(16, 20))]


def test_batches_accept_tensors_and_reject_bad_input():
    xb = next(iter(nn.Batches(Tensor(np.ones((4, 2))), batch_size=2)))
    assert xb.shape == (2, 2)
    with pytest.raises(ShapeError, match=r"different numbers of examples.*#0: 5, #1: 4"):
        nn.Batches(np.zeros(5), np.zeros(4))
    with pytest.raises(InputError, match="batch_size must be a positive int"):
        nn.Batches(np.zeros(5), batch_size=0)
    with pytest.raises(InputError, match="give at least one array"):
        nn.Batches()


def test_train_test_split():
    x = np.arange(10)
    y = -x
    x_tr, x_te, y_tr, y_te = nn.train_test_split(x, y, test_fraction=0.3, seed=0)
    assert len(x_te) == 3 and len(x_tr) == 7
    assert sorted(np.concatenate([x_tr, x_te]).tolist()) == list(range(10))
    assert np.array_equal(y_tr, -x_tr) and np.array_equal(y_te, -x_te)
    again = nn.train_test_split(x, y, test_fraction=0.3, seed=0)
    assert np.array_equal(again[1], x_te)
    x_tr, x_te = nn.train_test_split(x, test_fraction=0.2, shuffle=False)
    assert x_tr.tolist() == list(range(8)) and x_te.tolist() == [8, 9]
    with pytest.raises(InputError, match="test_fraction must be in"):
        nn.train_test_split(x, test_fraction=1.0)
    with pytest.raises(InputError, match="both need at least one"):
        nn.train_test_split(np.arange(2), test_fraction=0.1)
    with pytest.raises(ShapeError, match="different numbers of examples"):
        nn.train_test_split(np.arange(3), np.arange(4))
