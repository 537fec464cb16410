"""End to end: train, save, load; a finished step's graph is freed."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn

XOR_X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], np.float32)
XOR_Y = np.array([0, 1, 1, 0])


@pytest.mark.parametrize(
    "activation, opt",
    [
        ("sigmoid", lambda m: nn.SGD(m.parameters(), lr=2.0, momentum=0.9)),
        ("tanh", lambda m: nn.Adam(m.parameters(), lr=0.05)),
        ("relu", lambda m: nn.Adagrad(m.parameters(), lr=0.3)),
    ],
)
def test_xor_reaches_100_percent(activation, opt):
    model = nn.MLP([2, 8, 2], activation=activation, seed=0)
    optimizer = opt(model)
    for _ in range(500):
        optimizer.zero_grad()
        loss = nn.cross_entropy(model(XOR_X), XOR_Y)
        loss.backward()
        optimizer.step()
    pred = model(XOR_X).data.argmax(axis=1)
    assert pred.tolist() == XOR_Y.tolist()
    assert loss.item() < 0.05


def test_xor_with_one_sigmoid_output_and_bce():
    model = nn.MLP([2, 4, 1], activation="tanh", seed=1)
    opt = nn.Adam(model.parameters(), lr=0.05)
    y = XOR_Y.reshape(-1, 1).astype(np.float32)
    for _ in range(400):
        opt.zero_grad()
        nn.binary_cross_entropy_with_logits(model(XOR_X), y).backward()
        opt.step()
    assert ((model(XOR_X).data > 0).astype(int).ravel() == XOR_Y).all()


def test_train_with_batches_save_and_load_back(tmp_path):
    """The PyTorch-like loop of the issue, on two Gaussian blobs, then a checkpoint."""
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(-1, 0.7, (100, 2)), rng.normal(1, 0.7, (100, 2))])
    y = np.repeat([0, 1], 100)
    x_tr, x_te, y_tr, y_te = nn.train_test_split(x.astype(np.float32), y, seed=0)
    model = nn.MLP([2, 16, 2], activation="relu", seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loader = nn.Batches(x_tr, y_tr, batch_size=16, seed=0)
    for _epoch in range(15):
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.cross_entropy(model(xb), yb) + nn.l2_penalty(model, 1e-4)
            loss.backward()
            opt.step()
        opt.lr *= 0.9
    acc = (model(x_te).data.argmax(axis=1) == y_te).mean()
    assert acc >= 0.9
    nn.save(model, tmp_path / "blobs.npz")
    fresh = nn.MLP([2, 16, 2], activation="relu", seed=123)
    nn.load(fresh, tmp_path / "blobs.npz")
    assert np.array_equal(fresh(x_te).data, model(x_te).data)


def test_a_finished_step_frees_its_graph_without_the_cycle_collector():
    model = nn.MLP([4, 8, 3], seed=0)
    opt = nn.SGD(model.parameters(), lr=0.1)
    x = np.ones((2, 4), np.float32)
    gc.disable()
    try:
        opt.zero_grad()
        out = model(x)
        loss = nn.cross_entropy(out, [0, 2])
        loss.backward()
        opt.step()
        refs = [weakref.ref(out), weakref.ref(loss)]
        del out, loss
        assert all(r() is None for r in refs)  # freed by reference counting alone
    finally:
        gc.enable()


def test_activations_accept_plain_arrays():
    assert isinstance(nn.ReLU()(np.array([-1.0, 2.0])), Tensor)


def test_package_docstring_example_runs(tmp_path, monkeypatch):
    """The usage example at the top of tinygrad_edu.nn is executed, not just shown."""
    import doctest

    monkeypatch.chdir(tmp_path)
    result = doctest.testmod(nn, raise_on_error=False, verbose=False)
    assert result.attempted >= 8 and result.failed == 0
    assert (tmp_path / "model.npz").exists()
