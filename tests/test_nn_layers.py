"""nn.Dropout, nn.Flatten, nn.Identity and the train/eval switch they follow.

Dropout's expectations are the definition (each element is 0 or x/(1−p)) and binomial
statistics; Flatten's are literal shapes and torch's where it is installed.
"""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import InputError, ShapeError, Tensor, nn

# --------------------------------------------------------------------------------------------
# train() / eval()
# --------------------------------------------------------------------------------------------


def test_train_eval_recurse_and_return_self():
    net = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Sequential(nn.Dropout(0.5), nn.ReLU()))
    assert all(m.training for m in net.modules())  # a new module trains
    assert net.eval() is net
    assert [m.training for m in net.modules()] == [False] * 5
    assert net.train() is net and net[1][0].training
    net.train(False)
    assert not net[1][0].training
    net[1].train()  # a subtree only
    assert not net.training and not net[0].training and net[1][0].training


def test_train_refuses_a_non_boolean_mode():
    with pytest.raises(InputError, match="training mode is expected to be boolean"):
        nn.Linear(2, 2).train("eval")


# --------------------------------------------------------------------------------------------
# Dropout
# --------------------------------------------------------------------------------------------


def test_dropout_in_eval_is_the_identity():
    x = Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    d = nn.Dropout(0.9, seed=0).eval()
    y = d(x)
    assert y is x  # no node at all, as torch returns the input
    assert nn.dropout(x, 0.9, training=False) is x


def test_dropout_train_keeps_or_zeroes_each_element_with_inverted_scaling():
    x = Tensor(np.arange(1.0, 401.0).reshape(20, 20), requires_grad=True)
    y = nn.Dropout(0.75, seed=3)(x)
    kept = y.data != 0
    assert 0 < kept.sum() < x.numel()
    np.testing.assert_array_equal(y.data[kept], x.data[kept] * 4)  # 1/(1−p) = 4 exactly
    y.sum().backward()
    # ∂zᵢ/∂xᵢ = mᵢ/(1−p): 4 where kept, 0 where dropped.
    np.testing.assert_array_equal(x.grad, np.where(kept, 4.0, 0.0))


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_dropout_statistics(p):
    n = 200_000
    y = nn.dropout(Tensor(np.ones(n)), p, generator=0).data
    # fraction dropped ~ Binomial(n, p)/n: σ = √(p(1−p)/n) ≤ 0.0012; 6σ tolerance
    tol = 6 * np.sqrt(p * (1 - p) / n)
    assert abs((y == 0).mean() - p) < tol
    assert abs(y.mean() - 1.0) < tol / (1 - p)  # E[z] = x: inverted dropout keeps the mean


def test_dropout_is_seeded_and_draws_a_fresh_mask_per_call():
    x = Tensor(np.ones((8, 8)))
    a, b = nn.Dropout(0.5, seed=7), nn.Dropout(0.5, seed=7)
    m1, m2 = a(x).data, a(x).data
    assert not np.array_equal(m1, m2)  # a new mask every call
    np.testing.assert_array_equal(b(x).data, m1)  # same seed, same sequence
    np.testing.assert_array_equal(b(x).data, m2)
    g = np.random.default_rng(1)
    c = nn.dropout(x, 0.5, generator=g).data
    assert not np.array_equal(c, nn.dropout(x, 0.5, generator=g).data)  # a Generator advances


def test_dropout_keeps_float32_and_edge_probabilities():
    x = Tensor(np.ones((3, 4), np.float32), requires_grad=True)
    assert nn.Dropout(0.5, seed=0)(x).dtype == np.float32
    assert nn.Dropout(0.0)(x) is x
    z = nn.Dropout(1.0)(x)
    np.testing.assert_array_equal(z.data, np.zeros((3, 4)))
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros((3, 4)))


def test_dropout_follows_the_model_mode_inside_sequential():
    net = nn.Sequential(nn.Identity(), nn.Dropout(0.5, seed=0))
    x = np.ones((50, 10))
    assert (net(x).data == 0).any()
    net.eval()
    np.testing.assert_array_equal(net(x).data, x)


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_bad_probability(p):
    with pytest.raises(InputError, match=f"between 0 and 1, but got {p}"):
        nn.Dropout(p)
    with pytest.raises(InputError, match="between 0 and 1"):
        nn.dropout(Tensor(np.ones(2)), p)


def test_dropout_takes_torchs_positional_arguments():
    with pytest.raises(InputError, match="inplace=True is not supported"):
        nn.Dropout(0.5, True)  # torch's Dropout(p, inplace)
    with pytest.raises(InputError, match="inplace=True is not supported"):
        nn.dropout(Tensor(np.ones(2)), 0.5, True, True)  # F.dropout(input, p, training, inplace)


def test_dropout_repr_and_no_parameters():
    d = nn.Dropout(0.2)
    assert repr(d) == "Dropout(p=0.2)" and d.parameters() == []


def test_dropout_against_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(4, 5))
    tx = torch.tensor(x, dtype=torch.float64)
    # eval: both the identity
    np.testing.assert_array_equal(
        nn.Dropout(0.3).eval()(Tensor(x)).data, torch.nn.Dropout(0.3).eval()(tx).numpy()
    )
    # train: torch's kept values are x/(1−p) too (the same inverted scaling)
    ty = torch.nn.Dropout(0.3).train()(tx).numpy()
    y = nn.Dropout(0.3, seed=0)(Tensor(x)).data
    np.testing.assert_allclose(ty[ty != 0], x[ty != 0] / 0.7, rtol=1e-12)
    np.testing.assert_allclose(y[y != 0], x[y != 0] / 0.7, rtol=1e-12)


# --------------------------------------------------------------------------------------------
# Flatten
# --------------------------------------------------------------------------------------------


def test_flatten_shapes():
    x = Tensor(np.zeros((2, 3, 4, 5)))
    assert nn.Flatten()(x).shape == (2, 60)  # the module keeps the batch axis
    assert nn.flatten(x).shape == (120,)  # the function flattens everything
    assert nn.Flatten(0, -1)(x).shape == (120,)
    assert nn.Flatten(1, 2)(x).shape == (2, 12, 5)
    assert nn.Flatten(-3, -2)(x).shape == (2, 12, 5)
    assert nn.Flatten(2, 2)(x).shape == (2, 3, 4, 5)
    assert nn.flatten(Tensor(np.float64(3.0))).shape == (1,)
    assert repr(nn.Flatten()) == "Flatten(start_dim=1, end_dim=-1)"


def test_flatten_gradient_is_reshaped_back():
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    y = nn.Flatten()(x)
    np.testing.assert_array_equal(y.data[1], np.arange(12.0, 24.0))  # row-major order
    (y * Tensor(np.arange(24.0).reshape(2, 12))).sum().backward()
    np.testing.assert_array_equal(x.grad, np.arange(24.0).reshape(2, 3, 4))


def test_flatten_bad_dims():
    x = Tensor(np.zeros((2, 3, 4)))
    with pytest.raises(IndexError, match=r"dim 3 is out of range for a tensor with 3 dims"):
        nn.Flatten(3)(x)
    with pytest.raises(ShapeError, match="start_dim 2 comes after end_dim 1"):
        nn.Flatten(2, 1)(x)


def test_flatten_against_torch():
    torch = pytest.importorskip("torch")
    x = np.random.default_rng(0).normal(size=(2, 3, 4, 5))
    for s, e in [(1, -1), (0, -1), (1, 2), (-2, -1), (0, 0)]:
        want = torch.nn.Flatten(s, e)(torch.tensor(x)).numpy()
        got = nn.Flatten(s, e)(Tensor(x)).data
        assert got.shape == want.shape
        np.testing.assert_array_equal(got, want)


# --------------------------------------------------------------------------------------------
# Identity
# --------------------------------------------------------------------------------------------


def test_identity_ignores_arguments_like_torch():
    x = Tensor(np.ones(3), requires_grad=True)
    ident = nn.Identity(54, unused_argument1=0.1)
    assert ident(x) is x and ident.parameters() == []


# --------------------------------------------------------------------------------------------
# the torch-named activation modules (values against torch in tests/test_torch_nn.py)
# --------------------------------------------------------------------------------------------


def test_activation_modules_by_hand():
    x = Tensor([-2.0, 0.5, 7.0])
    assert nn.LeakyReLU(0.1)(x).data.tolist() == pytest.approx([-0.2, 0.5, 7.0])
    assert nn.ReLU6()(x).data.tolist() == [0.0, 0.5, 6.0]
    assert nn.Hardtanh(-1.0, 2.0)(x).data.tolist() == [-1.0, 0.5, 2.0]
    assert nn.Softsign()(x).data.tolist() == pytest.approx([-2 / 3, 0.5 / 1.5, 7 / 8])
    assert nn.ELU(2.0)(np.array([-1.0])).data[0] == pytest.approx(2 * (np.exp(-1) - 1))
    assert nn.LogSigmoid()(Tensor([0.0])).data[0] == pytest.approx(-np.log(2))
    assert nn.SiLU()(Tensor([1.0])).data[0] == pytest.approx(1 / (1 + np.exp(-1)))
    assert repr(nn.GELU("tanh")) == "GELU(approximate='tanh')"
    assert repr(nn.Softplus(beta=2)) == "Softplus(beta=2.0, threshold=20.0)"


def test_mlp_takes_activations_by_torch_name():
    for spec, cls in (("gelu", nn.GELU), ("leaky_relu", nn.LeakyReLU), ("SiLU", nn.SiLU)):
        assert isinstance(nn.MLP([2, 3, 1], activation=spec, seed=0).activation, cls)
    with pytest.raises(InputError, match="unknown activation 'swishy'.*'gelu', 'leaky_relu'"):
        nn.MLP([2, 3, 1], activation="swishy")


def test_softmax_takes_dim_as_torch_and_axis_as_numpy():
    x = Tensor(np.array([[0.0, np.log(3.0)], [0.0, 0.0]]))
    np.testing.assert_allclose(nn.Softmax(dim=1)(x).data, [[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_allclose(nn.softmax(x, axis=1).data, [[0.25, 0.75], [0.5, 0.5]])
    np.testing.assert_allclose(nn.softmax(x).data, [[0.25, 0.75], [0.5, 0.5]])  # last axis
    np.testing.assert_allclose(nn.LogSoftmax(0)(x).data[:, 1], np.log([0.75, 0.25]))
    assert repr(nn.Softmax(0)) == "Softmax(dim=0)"
    with pytest.raises(InputError, match="not both"):
        nn.softmax(x, 0, axis=1)


def test_activation_arguments_are_checked():
    with pytest.raises(InputError, match="inplace=True is not supported"):
        nn.LeakyReLU(inplace=True)
    with pytest.raises(InputError, match="inplace=True is not supported"):
        nn.functional.relu6(Tensor([1.0]), inplace=True)
    with pytest.raises(InputError, match="approximate must be 'none' or 'tanh'"):
        nn.GELU("erf")
    with pytest.raises(InputError, match="min_val 1.0 must be less than max_val 1.0"):
        nn.Hardtanh(1.0, 1.0)


# --------------------------------------------------------------------------------------------
# tinygrad_edu.manual_seed drives nn's randomness when no seed is given (as torch.manual_seed)
# --------------------------------------------------------------------------------------------


@pytest.fixture
def restore_default_seed():
    import tinygrad_edu

    seed = tinygrad_edu.initial_seed()
    yield tinygrad_edu.manual_seed
    tinygrad_edu.manual_seed(seed)


def test_manual_seed_makes_unseeded_layers_reproducible(restore_default_seed):
    manual_seed = restore_default_seed
    x = Tensor(np.ones(64))

    def draw():
        net = nn.MLP([3, 4, 2])
        conv = nn.Conv2d(1, 2, 3)
        d = nn.Dropout(0.5)
        order = next(iter(nn.Batches(np.arange(10), batch_size=10, seed=None)))
        return [net.layers[0].weight.data, conv.weight.data, d(x).data, order]

    manual_seed(0)
    a = draw()
    manual_seed(0)
    b = draw()
    manual_seed(1)
    c = draw()
    for u, v, w in zip(a, b, c):
        np.testing.assert_array_equal(u, v)
        assert not np.array_equal(u, w)


def test_unseeded_dropout_draws_from_the_default_generator_at_call_time(restore_default_seed):
    manual_seed = restore_default_seed
    d, x = nn.Dropout(0.5), Tensor(np.ones(32))  # made before the seed is set
    manual_seed(3)
    m1 = d(x).data
    manual_seed(3)
    np.testing.assert_array_equal(d(x).data, m1)
    seeded = nn.Dropout(0.5, seed=3)  # its own generator: manual_seed does not touch it
    first = seeded(x).data
    manual_seed(3)
    assert not np.array_equal(seeded(x).data, first)


@pytest.mark.parametrize(
    ("act", "init"),
    [("leaky_relu", "he"), ("gelu", "he"), ("silu", "he"), ("relu6", "he"), ("elu", "he"),
     ("mish", "he"), ("softsign", "xavier"), ("logsigmoid", "xavier"), ("tanh", "xavier")],
)
def test_mlp_auto_init_is_he_for_the_relu_family(act, init):
    auto = nn.MLP([5, 7, 3], activation=act, seed=4)
    explicit = nn.MLP([5, 7, 3], activation=act, init=init, seed=4)
    for a, b in zip(auto.parameters(), explicit.parameters()):
        np.testing.assert_array_equal(a.data, b.data)
