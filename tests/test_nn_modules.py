"""tinygrad_edu.nn modules: names, labels, Linear, MLP, activations, init, bad input.

Gradients are checked in float64 through the public gradcheck (finite differences).
"""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import (
    AnomalyError,
    InputError,
    ShapeError,
    Tensor,
    Value,
    detect_anomaly,
    gradcheck,
    nn,
    no_grad,
)

F64 = np.float64


def rand(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=shape)


# --------------------------------------------------------------------------------------------
# Module machinery: registration, dotted names, labels
# --------------------------------------------------------------------------------------------


class Block(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc = nn.Linear(3, 2, seed=0)
        self.scale = nn.Parameter(np.ones(2))

    def forward(self, x):
        return self.fc(x) * self.scale


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.blocks = nn.ModuleList([Block(), Block()])
        self.head = nn.Linear(2, 1, bias=False, seed=1)

    def forward(self, x):
        return self.head(self.blocks[0](x) + self.blocks[1](x))


def test_named_parameters_are_dotted_and_labels_follow():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    # Pre-order as PyTorch: a module's own parameters, then its children's.
    assert names == [
        "blocks.0.scale",
        "blocks.0.fc.weight",
        "blocks.0.fc.bias",
        "blocks.1.scale",
        "blocks.1.fc.weight",
        "blocks.1.fc.bias",
        "head.weight",
    ]
    # A Parameter's label is its dotted name once it is part of the model, and a module knows
    # its own dotted name (set when the parent registered it).
    assert [p.label for p in net.parameters()] == names
    assert net.blocks[1].fc.name == "blocks.1.fc"
    assert net.name == ""
    assert net(np.ones((4, 3))).shape == (4, 1)
    assert [n for n, _ in net.named_modules()][:3] == ["", "blocks", "blocks.0"]


def test_names_update_when_a_built_model_is_attached_later():
    inner = nn.MLP([2, 3, 1], seed=0)
    assert inner.layers[1].weight.label == "layers.1.weight"

    class Outer(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = inner

    Outer()
    assert inner.layers[1].weight.label == "encoder.layers.1.weight"
    assert inner.layers[1].name == "encoder.layers.1"


def test_shared_parameter_listed_once_and_reassignment_unregisters():
    m = nn.Module()
    p = nn.Parameter(np.zeros(3))
    m.a = p
    m.b = p
    assert len(m.parameters()) == 1
    m.a = None  # replacing a parameter by a plain value unregisters it
    assert [n for n, _ in m.named_parameters()] == ["b"]
    del m.b
    assert m.parameters() == []


def test_a_module_cannot_contain_itself():
    outer = nn.Sequential(nn.Linear(2, 2))
    inner = nn.ModuleList([outer])
    with pytest.raises(InputError, match="contains this module"):
        outer.loop = inner
    with pytest.raises(InputError, match="contains this module"):
        outer.me = outer


def test_forgotten_super_init_is_a_clear_error():
    class Bad(nn.Module):
        def __init__(self) -> None:
            self.w = nn.Parameter(np.zeros(2))

    with pytest.raises(TypeError, match=r"super\(\).__init__\(\)"):
        Bad()


def test_parameter_is_a_leaf_that_owns_its_data():
    data = np.arange(3.0)
    p = nn.Parameter(data)
    assert p.requires_grad and p.is_leaf and isinstance(p, Tensor)
    p.data += 1
    assert data.tolist() == [0.0, 1.0, 2.0]  # copied, not aliased
    assert repr(p).startswith("Parameter(")


def test_zero_grad_train_eval_requires_grad():
    m = nn.MLP([2, 3, 2], seed=0)
    nn.cross_entropy(m(np.ones((1, 2))), [1]).backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    assert m.training and m.layers[0].training
    m.eval()
    assert not any(mod.training for mod in m.modules())
    m.train()
    assert all(mod.training for mod in m.modules())
    m.requires_grad_(False)
    assert not m(np.ones((1, 2))).requires_grad
    assert m.num_parameters() == 2 * 3 + 3 + 3 * 2 + 2


def test_state_dict_is_a_copy_and_load_state_dict_round_trips():
    a, b = nn.MLP([3, 4, 2], seed=0), nn.MLP([3, 4, 2], seed=1)
    sd = a.state_dict()
    assert list(sd) == [n for n, _ in a.named_parameters()]
    sd["layers.0.weight"][0, 0] = 99.0
    assert a.layers[0].weight.data[0, 0] != 99.0
    w_before = b.layers[0].weight.data  # loaded in place: the same array object stays
    b.load_state_dict(a.state_dict())
    assert b.layers[0].weight.data is w_before
    for (n1, p1), (n2, p2) in zip(a.named_parameters(), b.named_parameters()):
        assert n1 == n2 and np.array_equal(p1.data, p2.data)


def test_load_state_dict_names_missing_extra_and_misshaped_and_changes_nothing():
    m = nn.MLP([3, 4, 2], seed=0)
    before = m.state_dict()
    sd = nn.MLP([3, 4, 2], seed=5).state_dict()
    missing = dict(sd)
    del missing["layers.1.bias"]
    with pytest.raises(nn.CheckpointError, match=r"missing parameter 'layers\.1\.bias'"):
        m.load_state_dict(missing)
    with pytest.raises(nn.CheckpointError, match=r"unexpected parameter 'extra\.weight'"):
        m.load_state_dict({**sd, "extra.weight": np.zeros(2)})
    bad = {**sd, "layers.0.weight": np.zeros((3, 4))}
    with pytest.raises(
        nn.CheckpointError, match=r"'layers\.0\.weight' has shape \(3, 4\) .* but \(4, 3\)"
    ):
        m.load_state_dict(bad)
    after = m.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    m.load_state_dict(missing, strict=False)
    assert np.array_equal(m.layers[1].bias.data, before["layers.1.bias"])
    assert np.array_equal(m.layers[0].weight.data, sd["layers.0.weight"].astype(np.float32))


def test_repr_shows_the_tree():
    text = repr(nn.MLP([3, 4, 2], seed=0))
    assert "(layers): ModuleList(" in text
    assert "(1): Linear(in_features=4, out_features=2, bias=True, dtype=float32)" in text


def test_astype_converts_parameters_in_place():
    m = nn.MLP([2, 3, 1], seed=0)
    w = m.layers[0].weight
    m.astype(np.float64)
    assert m.layers[0].weight is w and w.data.dtype == np.float64
    with pytest.raises(InputError, match="float32 or float64"):
        m.astype(np.int32)


# --------------------------------------------------------------------------------------------
# Linear
# --------------------------------------------------------------------------------------------


def test_linear_forward_is_w_x_plus_b_by_hand():
    lin = nn.Linear(2, 3, dtype=F64)
    lin.weight.data[...] = [[1, 2], [3, 4], [5, 6]]
    lin.bias.data[...] = [0.5, -1, 2]
    z = lin(np.array([[1.0, -1.0], [2.0, 0.5]]))
    # row 1: [1-2+.5, 3-4-1, 5-6+2], row 2: [2+1+.5, 6+2-1, 10+3+2]
    assert z.data.tolist() == [[-0.5, -2.0, 1.0], [3.5, 7.0, 15.0]]
    assert z.op == "linear"  # one fused node
    assert set(z.parents) >= {lin.weight, lin.bias}


def test_linear_backward_by_hand():
    """∂C/∂W = gᵀx, ∂C/∂b = Σ g, ∂C/∂x = g W with C = Σ z (so g = 1)."""
    lin = nn.Linear(2, 2, dtype=F64)
    lin.weight.data[...] = [[1, 2], [3, 4]]
    x = Tensor([[1.0, 2.0], [3.0, 5.0]], requires_grad=True)
    lin(x).sum().backward()
    assert lin.weight.grad.tolist() == [[4.0, 7.0], [4.0, 7.0]]
    assert lin.bias.grad.tolist() == [2.0, 2.0]
    assert x.grad.tolist() == [[4.0, 6.0], [4.0, 6.0]]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xshape", [(5, 3), (3,), (2, 4, 3)])
def test_linear_gradcheck(bias, xshape):
    lin = nn.Linear(3, 2, bias=bias, seed=0, dtype=F64)
    x = Tensor(rand(*xshape, seed=1), requires_grad=True, label="x")
    params = {"x": x, **dict(lin.named_parameters())}
    res = gradcheck(lambda: lin(x), params, mode="full")
    assert [r.name for r in res.inputs] == ["x", "weight"] + (["bias"] if bias else [])


def test_linear_keeps_float32_and_casts_inputs_to_its_dtype():
    lin = nn.Linear(3, 2, seed=0)
    assert lin.weight.data.dtype == np.float32
    assert lin(rand(4, 3)).data.dtype == np.float32  # float64 data is not upcast through
    assert lin(Tensor(rand(4, 3))).data.dtype == np.float32
    assert lin([[1, 2, 3]]).data.dtype == np.float32


def test_linear_wrong_width_names_layer_expected_and_got():
    m = nn.MLP([784, 256, 128, 10], seed=0)
    with pytest.raises(
        ShapeError, match=r"Linear 'layers\.0' expects inputs with 784 features, got \(32, 64\)"
    ):
        m(np.zeros((32, 64), np.float32))
    with pytest.raises(
        ShapeError, match=r"Linear 'layers\.2' expects inputs with 128 features, got \(32, 64\)"
    ):
        m.layers[2](np.zeros((32, 64), np.float32))
    with pytest.raises(ShapeError, match=r"^Linear expects inputs with 3 features, got \(\)"):
        nn.Linear(3, 2)(np.float32(1.0))


def test_linear_nan_input_under_detect_anomaly_names_layer():
    m = nn.MLP([3, 4, 2], seed=0)
    x = np.ones((2, 3), np.float32)
    x[1, 2] = np.nan
    m(x)  # outside detect_anomaly NaN just flows through
    with (
        detect_anomaly(),
        pytest.raises(
            AnomalyError,
            match=r"Linear 'layers\.0': input of shape \(2, 3\) contains nan at index"
            r" \(1, 2\)",
        ),
    ):
        m(x)


def test_linear_bad_construction():
    with pytest.raises(InputError, match="in_features must be a positive int"):
        nn.Linear(0, 3)
    with pytest.raises(InputError, match="unknown init 'glorot'"):
        nn.Linear(2, 3, init="glorot")
    with pytest.raises(InputError, match="std= only applies to init='normal'"):
        nn.Linear(2, 3, init="he", std=0.1)
    with pytest.raises(InputError, match="seed must be an int"):
        nn.Linear(2, 3, seed="x")
    with pytest.raises(TypeError, match="Value"):
        nn.Linear(1, 1)(Value(1.0))


# --------------------------------------------------------------------------------------------
# initialisation
# --------------------------------------------------------------------------------------------


def test_init_is_seeded_and_follows_the_formulas():
    a = nn.Linear(400, 300, seed=3).weight.data
    b = nn.Linear(400, 300, seed=3).weight.data
    assert np.array_equal(a, b)
    assert not np.array_equal(a, nn.Linear(400, 300, seed=4).weight.data)
    # Xavier uniform: bounded by √(6/(in+out)), variance a²/3 = 2/(in+out).
    bound = np.sqrt(6 / 700)
    assert np.abs(a).max() <= bound
    assert a.var() == pytest.approx(2 / 700, rel=0.03)
    he = nn.Linear(400, 300, init="he", seed=0, dtype=F64).weight.data
    assert he.std() == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    small = nn.Linear(400, 300, init="normal", seed=0, dtype=F64).weight.data
    assert small.std() == pytest.approx(0.01, rel=0.02)
    assert nn.Linear(400, 300, init="normal", std=0.5, seed=0).weight.data.std() == (
        pytest.approx(0.5, rel=0.02)
    )
    assert np.all(nn.Linear(4, 3, seed=0).bias.data == 0)


def test_float32_and_float64_models_start_from_the_same_numbers():
    a = nn.MLP([5, 4, 3], seed=7)
    b = nn.MLP([5, 4, 3], seed=7, dtype=F64)
    for p, q in zip(a.parameters(), b.parameters()):
        assert np.array_equal(p.data, q.data.astype(np.float32))


def test_mlp_auto_init_is_he_for_relu_and_xavier_otherwise():
    # 10,000 draws: the sample std is within ~1.5% of σ (3 standard errors).
    relu = nn.MLP([200, 50, 2], activation="relu", seed=0, dtype=F64).layers[0].weight.data
    assert relu.std() == pytest.approx(np.sqrt(2 / 200), rel=0.03)  # He: σ = √(2/fan_in) = 0.1
    assert np.abs(relu).max() > 3 * 0.1  # a normal, not bounded like Xavier's U(−0.155, 0.155)
    tanh = nn.MLP([200, 50, 2], activation="tanh", seed=0, dtype=F64).layers[0].weight.data
    bound = np.sqrt(6 / 250)  # Xavier: U(−a, a), a = √(6/(fan_in+fan_out)), σ = a/√3
    assert np.abs(tanh).max() <= bound
    assert tanh.std() == pytest.approx(bound / np.sqrt(3), rel=0.03)


# --------------------------------------------------------------------------------------------
# activations
# --------------------------------------------------------------------------------------------


def test_activation_values_by_closed_form():
    z = np.array([-2.0, 0.0, 3.0])
    assert np.allclose(nn.Sigmoid()(z).data, 1 / (1 + np.exp(-z)))
    assert np.allclose(nn.sigmoid(Tensor(z)).data, 1 / (1 + np.exp(-z)))
    assert np.allclose(nn.Tanh()(z).data, np.tanh(z))
    assert nn.ReLU()(z).data.tolist() == [0.0, 0.0, 3.0]
    s = nn.Softmax()(np.array([[1.0, 2.0, 3.0]])).data
    assert np.allclose(s, np.exp([1, 2, 3]) / np.exp([1, 2, 3]).sum())
    assert np.allclose(nn.log_softmax(Tensor([[1.0, 2.0, 3.0]])).data, np.log(s))
    # On Values too: the scalar carrier has the same activations.
    assert nn.sigmoid(Value(0.0)).data == 0.5
    assert nn.ReLU()(Value(-1.0)).data == 0.0


@pytest.mark.parametrize(
    "act", [nn.Sigmoid(), nn.Tanh(), nn.ReLU(), nn.Softmax(), nn.Softmax(axis=0), nn.Identity()]
)
def test_activation_modules_gradcheck(act):
    x = Tensor(rand(3, 4, seed=2), requires_grad=True, label="z")
    if isinstance(act, nn.ReLU):  # away from the kink at 0
        x.data += np.sign(x.data) * 0.1
    if isinstance(act, nn.Identity):
        gradcheck(lambda t: act(t) * 1.0, [x], mode="full")
    else:
        gradcheck(lambda t: act(t), [x], mode="full")


@pytest.mark.parametrize("fn", [nn.sigmoid, nn.tanh, nn.relu, nn.softmax, nn.log_softmax])
def test_activation_functions_gradcheck(fn):
    x = Tensor(rand(2, 5, seed=3) + 0.05, requires_grad=True)
    gradcheck(fn, [x], mode="full")


def test_softmax_refuses_a_value():
    with pytest.raises(TypeError, match="Softmax: works on Tensors only"):
        nn.Softmax()(Value(1.0))


# --------------------------------------------------------------------------------------------
# Sequential and MLP
# --------------------------------------------------------------------------------------------


def test_sequential_chains_and_names():
    seq = nn.Sequential(nn.Linear(3, 4, seed=0, dtype=F64), nn.Tanh(), nn.Linear(4, 2, seed=1))
    assert [n for n, _ in seq.named_parameters()] == ["0.weight", "0.bias", "2.weight", "2.bias"]
    x = rand(5, 3)
    (w1, b1), (w2, b2) = [(p.data, q.data) for p, q in (seq[0].parameters(), seq[2].parameters())]
    expected = np.tanh(x @ w1.T + b1) @ w2.T + b2  # written out, not through the layers
    assert np.allclose(seq(x).data, expected, atol=1e-6)
    assert len(seq) == 3
    with pytest.raises(TypeError, match=r"item 1 is a function, not a Module"):
        nn.Sequential(nn.Linear(3, 4), nn.sigmoid)


def test_mlp_forward_equals_the_formula():
    m = nn.MLP([3, 5, 4, 2], activation="tanh", seed=0, dtype=F64)
    x = rand(6, 3)
    (W1, b1), (W2, b2), (W3, b3) = [(lay.weight.data, lay.bias.data) for lay in m.layers]
    expected = np.tanh(np.tanh(x @ W1.T + b1) @ W2.T + b2) @ W3.T + b3
    assert np.allclose(m(x).data, expected, rtol=1e-12, atol=1e-12)
    p = nn.MLP([3, 2], output_activation="sigmoid", seed=0, dtype=F64)
    lay = p.layers[0]
    assert np.allclose(p(x).data, 1 / (1 + np.exp(-(x @ lay.weight.data.T + lay.bias.data))))


@pytest.mark.parametrize("act", ["sigmoid", "tanh", "relu", nn.Tanh, nn.sigmoid])
def test_mlp_full_model_gradcheck_random_direction(act):
    """The whole network and its loss, every parameter, along random directions (vᵀJu)."""
    m = nn.MLP([6, 8, 7, 4], activation=act, seed=0, dtype=F64)
    x = rand(5, 6, seed=4)
    y = np.array([0, 3, 1, 1, 2])

    def loss():
        return nn.cross_entropy(m(x), y) + nn.l2_penalty(m, 1e-2)

    res = gradcheck(loss, m, mode="random")
    assert [r.name for r in res.inputs] == [n for n, _ in m.named_parameters()]
    assert all(r.mode == "random" for r in res.inputs)


def test_mlp_small_model_full_jacobian():
    m = nn.MLP([3, 4, 2], seed=1, dtype=F64)
    x = rand(2, 3, seed=5)
    gradcheck(lambda: m(x), m, mode="full")


def test_gradcheck_catches_a_wrong_gradient_in_a_module():
    """The checks above can fail: a layer whose backward is wrong is reported by name."""
    from tinygrad_edu import GradcheckError

    class Broken(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.w = nn.Parameter(np.array([1.5, -0.5]))

        def forward(self, x):
            # w·w has derivative 2w; detaching one factor leaves only w: half the gradient.
            return (self.w * Tensor(self.w.data) * x).sum()

    b = Broken()
    with pytest.raises(GradcheckError, match="'w'"):
        gradcheck(lambda: b(Tensor([1.0, 2.0])), b, mode="full")


def test_mlp_bad_arguments():
    with pytest.raises(InputError, match="sizes must list at least two positive ints"):
        nn.MLP([3])
    with pytest.raises(InputError, match="sizes must list"):
        nn.MLP([3, 0, 2])
    with pytest.raises(InputError, match="unknown activation 'swish'"):
        nn.MLP([3, 2], activation="swish")


def test_no_grad_forward_records_nothing():
    m = nn.MLP([3, 4, 2], seed=0)
    with no_grad():
        out = m(np.ones((1, 3)))
    assert not out.requires_grad and out.parents == ()
