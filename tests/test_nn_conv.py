"""nn's convolutional layers, pooling, batch normalization and module buffers.
(Agreement with torch.nn's modules: test_torch_conv.py.)"""

from __future__ import annotations

import numpy as np
import pytest
from tinygrad_edu.nn import CheckpointError

from tinygrad_edu import InputError, ShapeError, Tensor, gradcheck, nn


def test_conv2d_layer_shapes_names_and_dtype() -> None:
    net = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1, seed=0), nn.MaxPool2d(2))
    out = net(np.zeros((2, 3, 10, 10)))
    assert out.shape == (2, 8, 5, 5) and out.dtype == np.float32
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias"]
    assert net[0].weight.shape == (8, 3, 3, 3) and net[0].weight.label == "0.weight"
    assert nn.Conv1d(4, 6, 3, groups=2).weight.shape == (6, 2, 3)
    assert nn.Conv2d(4, 4, (3, 1), groups=4, bias=False).bias is None


@pytest.mark.parametrize(
    "init, std",
    [("he", np.sqrt(2 / (16 * 9))), ("xavier", np.sqrt(2 / (16 * 9 + 64 * 9)))],
)
def test_conv_init_uses_torchs_fans(init, std) -> None:
    """fan_in = in·kh·kw = 144, fan_out = out·kh·kw = 576 (xavier uniform: var = 2/(in+out))."""
    w = nn.Conv2d(16, 64, 3, init=init, seed=0).weight.data
    assert abs(w.std() - std) / std < 0.03
    assert abs(w.mean()) < 0.01 * std * 10


def test_conv_init_is_seeded() -> None:
    a, b = nn.Conv2d(2, 3, 3, seed=5), nn.Conv2d(2, 3, 3, seed=5)
    assert np.array_equal(a.weight.data, b.weight.data)
    assert np.array_equal(a.bias.data, np.zeros(3))


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: nn.Conv2d(3, 4, 3, groups=2), "divisible by groups"),
        (lambda: nn.Conv2d(3, 4, 0), "kernel_size must be an int ≥ 1"),
        (lambda: nn.Conv2d(3, 4, 3, stride=0), "stride must be an int ≥ 1"),
        (lambda: nn.Conv2d(3, 4, 3, padding="full"), "'valid' or 'same'"),
        (lambda: nn.Conv2d(3, 4, 3, padding_mode="reflect"), "padding_mode"),
        (lambda: nn.Conv1d(3, 4, 3, stride=(1, 2)), "stride must be an int"),
        (lambda: nn.MaxPool2d(2, padding=2), "at most half"),
        (lambda: nn.MaxPool2d(2, ceil_mode=True), "ceil_mode"),
        (lambda: nn.AvgPool2d(0), "kernel_size"),
        (lambda: nn.BatchNorm2d(0), "num_features"),
        (lambda: nn.BatchNorm2d(3, momentum=2.0), "momentum"),
    ],
)
def test_bad_layer_arguments_raise_when_the_layer_is_made(make, message) -> None:
    with pytest.raises(InputError, match=message):
        make()


def test_conv_layer_names_itself_and_the_expected_shape_on_bad_input() -> None:
    net = nn.Sequential(nn.Conv2d(3, 4, 3))
    with pytest.raises(ShapeError, match=r"Conv2d '0' expects inputs \(N, C, H, W\) with C = 3"):
        net(np.zeros((2, 1, 8, 8)))
    with pytest.raises(ShapeError, match="add a batch axis"):
        net(np.zeros((3, 8, 8)))
    with pytest.raises(ShapeError, match=r"BatchNorm2d expects inputs \(N, C, H, W\) with C = 2"):
        nn.BatchNorm2d(2)(np.zeros((2, 3, 4, 4)))


def test_conv2d_layer_is_the_convolution_it_documents() -> None:
    conv = nn.Conv2d(1, 1, 2, bias=True, dtype=np.float64)
    conv.weight.data[...] = [[[[1.0, 0.0], [0.0, -1.0]]]]
    conv.bias.data[...] = 0.5
    out = conv(np.arange(9.0).reshape(1, 1, 3, 3))
    np.testing.assert_array_equal(out.data, np.full((1, 1, 2, 2), -3.5))  # x[i,j] − x[i+1,j+1] + ½


# -- batch normalization -------------------------------------------------------------------------


def test_batchnorm_training_step_by_hand() -> None:
    bn = nn.BatchNorm1d(1, eps=0.0 + 1e-5, dtype=np.float64)
    y = bn(np.array([[1.0], [3.0]]))
    # μ = 2, σ² = 1 (biased), x̂ = ∓1/√(1 + ε)
    np.testing.assert_allclose(y.data[:, 0], [-1 / np.sqrt(1 + 1e-5), 1 / np.sqrt(1 + 1e-5)])
    # running statistics: 0.9·0 + 0.1·2 and 0.9·1 + 0.1·(1·2/(2−1)) (unbiased variance)
    np.testing.assert_allclose(bn.running_mean, [0.2])
    np.testing.assert_allclose(bn.running_var, [1.1])
    assert int(bn.num_batches_tracked) == 1
    bn.eval()
    np.testing.assert_allclose(bn(np.array([[0.2]])).data, [[0.0]], atol=1e-12)
    np.testing.assert_allclose(bn(np.array([[1.2]])).data, [[1 / np.sqrt(1.1 + 1e-5)]])


def test_batchnorm_momentum_none_is_the_cumulative_average() -> None:
    bn = nn.BatchNorm1d(1, momentum=None, dtype=np.float64)
    for batch in ([[0.0], [2.0]], [[4.0], [6.0]], [[8.0], [10.0]]):
        bn(np.array(batch))
    np.testing.assert_allclose(bn.running_mean, [(1 + 5 + 9) / 3])
    np.testing.assert_allclose(bn.running_var, [2.0])  # each batch: unbiased variance 2


def test_batchnorm_needs_two_values_per_channel_in_training() -> None:
    with pytest.raises(ShapeError, match="more than 1 value per channel"):
        nn.BatchNorm1d(3)(np.ones((1, 3)))
    nn.BatchNorm1d(3).eval()(np.ones((1, 3)))  # eval uses the running statistics: fine


def test_batchnorm_gradcheck_float64_in_training_mode() -> None:
    rng = np.random.default_rng(0)
    bn = nn.BatchNorm2d(3, dtype=np.float64)
    bn.weight.data[...] = rng.normal(size=3)
    bn.bias.data[...] = rng.normal(size=3)
    x = Tensor(rng.normal(size=(2, 3, 2, 3)), requires_grad=True)
    weights = Tensor(rng.normal(size=(2, 3, 2, 3)))
    gradcheck(lambda x, g, b: (bn(x) * weights).sum(), [x, bn.weight, bn.bias], mode="full")


def test_batchnorm_without_running_stats_or_affine() -> None:
    bn = nn.BatchNorm1d(2, affine=False, track_running_stats=False)
    assert bn.parameters() == [] and list(bn.state_dict()) == []
    bn.eval()
    y = bn(np.array([[1.0, 10.0], [3.0, 30.0]], np.float32))  # batch statistics even in eval
    np.testing.assert_allclose(y.data, [[-1, -1], [1, 1]], atol=1e-4)


# -- buffers in state_dict, save and load --------------------------------------------------------


def _trained_bn_net() -> nn.Module:
    net = nn.Sequential(nn.Conv2d(1, 2, 3, seed=0), nn.BatchNorm2d(2), nn.ReLU())
    rng = np.random.default_rng(1)
    for _ in range(3):
        net(rng.normal(2.0, 3.0, size=(4, 1, 6, 6)))
    return net


def test_buffers_are_state_but_not_parameters() -> None:
    net = _trained_bn_net()
    names = list(net.state_dict())
    assert names == [
        "0.weight",
        "0.bias",
        "1.weight",
        "1.bias",
        "1.running_mean",
        "1.running_var",
        "1.num_batches_tracked",
    ]
    assert len(net.parameters()) == 4
    assert [n for n, _ in net.named_buffers()] == names[4:]
    sd = net.state_dict()
    sd["1.running_mean"][...] = 123.0  # a copy: the model is not changed
    assert not np.any(net[1].running_mean == 123.0)


def test_save_and_load_restore_the_running_statistics(tmp_path) -> None:
    net = _trained_bn_net()
    path = tmp_path / "bn.npz"
    nn.save(net, path)
    fresh = nn.Sequential(nn.Conv2d(1, 2, 3, seed=9), nn.BatchNorm2d(2), nn.ReLU())
    assert np.array_equal(fresh[1].running_var, np.ones(2))
    buffer_before = fresh[1].running_mean
    nn.load(fresh, path)
    assert fresh[1].running_mean is buffer_before  # loaded in place
    for name, arr in net.state_dict().items():
        np.testing.assert_array_equal(fresh.state_dict()[name], arr, err_msg=name)
    assert int(fresh[1].num_batches_tracked) == 3
    x = np.random.default_rng(2).normal(size=(2, 1, 6, 6))
    net.eval(), fresh.eval()
    np.testing.assert_array_equal(net(x).data, fresh(x).data)


def test_load_checks_buffer_names_and_shapes() -> None:
    net = _trained_bn_net()
    state = net.state_dict()
    del state["1.running_var"]
    with pytest.raises(CheckpointError, match="running_var"):
        nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU()).load_state_dict(state)
    state = net.state_dict()
    state["1.running_mean"] = np.zeros(3)
    other = nn.Sequential(nn.Conv2d(1, 2, 3), nn.BatchNorm2d(2), nn.ReLU())
    with pytest.raises(CheckpointError, match=r"'1.running_mean' has shape \(3,\)"):
        other.load_state_dict(state)
    assert np.array_equal(other[1].running_mean, np.zeros(2))  # nothing changed


def test_astype_converts_float_buffers_and_a_buffer_stays_an_array() -> None:
    bn = nn.BatchNorm1d(2).astype(np.float64)
    assert bn.running_mean.dtype == np.float64 and bn.num_batches_tracked.dtype == np.int64
    assert bn.state_dict()["running_var"].dtype == np.float64
    with pytest.raises(TypeError, match="must stay a numpy array"):
        bn.running_mean = [0.0, 0.0]
