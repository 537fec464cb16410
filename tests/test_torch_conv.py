"""Convolution and pooling against PyTorch: forward values and every input's gradient, float64
(to 1e-10) and float32 (to float32 rounding), for the options torch has in common with ours."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, nn, ops

torch = pytest.importorskip("torch")
F = torch.nn.functional


def _compare(ours, theirs, arrays, dtype, atol) -> None:
    """Run both on the same arrays, backpropagate the same random upstream gradient, compare."""
    rng = np.random.default_rng(1)
    mine = [Tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    z = ours(*mine)
    g = rng.normal(size=z.shape).astype(dtype)
    z.backward(g)
    ref = [torch.tensor(a.astype(dtype), requires_grad=True) for a in arrays]
    tz = theirs(*ref)
    tz.backward(torch.tensor(g))
    np.testing.assert_allclose(z.data, tz.detach().numpy(), atol=atol, rtol=0)
    for i, (m, r) in enumerate(zip(mine, ref)):
        np.testing.assert_allclose(m.grad, r.grad.numpy(), atol=atol, rtol=0, err_msg=f"input {i}")


DTYPES = [(np.float64, 1e-10), (np.float32, 2e-4)]

CONV2D = [
    ((2, 3, 9, 8), (4, 3, 3, 3), {}),
    ((2, 3, 9, 8), (4, 3, 3, 2), {"stride": 2, "padding": 1}),
    ((1, 2, 10, 9), (3, 2, 3, 3), {"stride": (2, 3), "padding": (2, 1), "dilation": (2, 1)}),
    ((2, 4, 7, 7), (6, 2, 3, 3), {"padding": 1, "groups": 2}),
    ((2, 4, 7, 7), (8, 1, 3, 3), {"padding": 1, "groups": 4}),  # depthwise, multiplier 2
    ((1, 2, 6, 7), (3, 2, 4, 3), {"padding": "same"}),
    ((1, 2, 6, 7), (3, 2, 3, 3), {"padding": "valid", "dilation": 2}),
    ((1, 1, 28, 28), (6, 1, 5, 5), {}),  # LeNet's first layer
]


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@pytest.mark.parametrize("dtype, atol", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("xs, ws, opts", CONV2D, ids=[str(c[2]) for c in CONV2D])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_conv2d_matches_torch(xs, ws, opts, bias, dtype, atol) -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=xs), rng.normal(size=ws)] + ([rng.normal(size=ws[0])] if bias else [])
    _compare(
        lambda *t: ops.Conv2d.apply(*t, **opts),
        lambda *t: F.conv2d(*t, **opts),
        arrays,
        dtype,
        atol,
    )


CONV1D = [
    ((2, 3, 11), (4, 3, 3), {}),
    ((2, 4, 11), (6, 2, 3), {"stride": 2, "padding": 2, "dilation": 2, "groups": 2}),
    ((1, 3, 8), (3, 1, 4), {"padding": "same", "groups": 3}),
]


@pytest.mark.parametrize("dtype, atol", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("xs, ws, opts", CONV1D, ids=[str(c[2]) for c in CONV1D])
def test_conv1d_matches_torch(xs, ws, opts, dtype, atol) -> None:
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=xs), rng.normal(size=ws), rng.normal(size=ws[0])]
    _compare(
        lambda *t: ops.Conv1d.apply(*t, **opts),
        lambda *t: F.conv1d(*t, **opts),
        arrays,
        dtype,
        atol,
    )


MAX_POOL = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": (3, 2), "stride": 1},
    {"kernel_size": 2, "stride": 1, "dilation": 2, "padding": 1},
    {"kernel_size": 2, "stride": 3, "padding": 1},
    {"kernel_size": (2, 3), "stride": (2, 4), "dilation": (1, 2)},
]


@pytest.mark.parametrize("dtype, atol", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("opts", MAX_POOL, ids=str)
def test_max_pool2d_matches_torch(opts, dtype, atol) -> None:
    x = np.random.default_rng(0).normal(size=(2, 3, 9, 8))
    _compare(
        lambda t: ops.MaxPool2d.apply(t, **opts),
        lambda t: F.max_pool2d(t, **opts),
        [x],
        dtype,
        atol,
    )


@pytest.mark.parametrize(
    "opts", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 1, "padding": 1}], ids=str
)
def test_max_pool2d_ties_match_torch(opts) -> None:
    """Quantized inputs tie often; torch's CPU kernel and ours both pick the first maximum
    (a gradient sent to another tied element would be off by O(1), not by rounding)."""
    x = np.random.default_rng(3).integers(0, 3, size=(2, 2, 8, 8)).astype(float)
    _compare(
        lambda t: ops.MaxPool2d.apply(t, **opts),
        lambda t: F.max_pool2d(t, **opts),
        [x],
        np.float64,
        1e-12,
    )


AVG_POOL = [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
    {"kernel_size": (2, 3), "stride": 1, "divisor_override": 4},
]


@pytest.mark.parametrize("dtype, atol", DTYPES, ids=["float64", "float32"])
@pytest.mark.parametrize("opts", AVG_POOL, ids=str)
def test_avg_pool2d_matches_torch(opts, dtype, atol) -> None:
    x = np.random.default_rng(0).normal(size=(2, 3, 9, 8))
    _compare(
        lambda t: ops.AvgPool2d.apply(t, **opts),
        lambda t: F.avg_pool2d(t, **opts),
        [x],
        dtype,
        atol,
    )


# -- modules -------------------------------------------------------------------------------------


def _to_torch_params(ours, theirs) -> None:
    with torch.no_grad():
        for name, p in theirs.named_parameters():
            p.copy_(torch.tensor(dict(ours.named_parameters())[name].data))


@pytest.mark.parametrize("momentum", [0.1, None])
@pytest.mark.parametrize("kind", ["1d", "1d-seq", "2d"])
def test_batchnorm_matches_torch_in_training_and_eval(kind, momentum) -> None:
    rng = np.random.default_rng(0)
    shape = {"1d": (6, 3), "1d-seq": (4, 3, 5), "2d": (4, 3, 5, 2)}[kind]
    cls = nn.BatchNorm2d if kind == "2d" else nn.BatchNorm1d
    tcls = torch.nn.BatchNorm2d if kind == "2d" else torch.nn.BatchNorm1d
    ours = cls(3, momentum=momentum, dtype=np.float64)
    ours.weight.data[...] = rng.normal(size=3)
    ours.bias.data[...] = rng.normal(size=3)
    theirs = tcls(3, momentum=momentum).double()
    _to_torch_params(ours, theirs)
    for _ in range(3):
        x = rng.normal(1.0, 2.0, size=shape)
        g = rng.normal(size=shape)
        tx = torch.tensor(x, requires_grad=True)
        mine = Tensor(x, requires_grad=True)
        y = ours(mine)
        y.backward(g)
        ty = theirs(tx)
        ty.backward(torch.tensor(g))
        np.testing.assert_allclose(y.data, ty.detach().numpy(), atol=1e-10)
        np.testing.assert_allclose(mine.grad, tx.grad.numpy(), atol=1e-10)
        np.testing.assert_allclose(ours.weight.grad, theirs.weight.grad.numpy(), atol=1e-10)
        ours.zero_grad()
        theirs.zero_grad()
    tstate = theirs.state_dict()
    for name, arr in ours.state_dict().items():
        np.testing.assert_allclose(arr, tstate[name].numpy(), atol=1e-12, err_msg=name)
    ours.eval()
    theirs.eval()
    x = rng.normal(size=shape)
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-10)


def test_conv_and_pool_modules_match_torch_modules() -> None:
    rng = np.random.default_rng(0)
    ours = nn.Sequential(
        nn.Conv2d(2, 4, 3, stride=2, padding=1, seed=0, dtype=np.float64),
        nn.ReLU(),
        nn.MaxPool2d(2, stride=1),
        nn.Conv2d(4, 4, 3, groups=4, padding="same", seed=1, dtype=np.float64),
        nn.AvgPool2d(2),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(2, 4, 3, stride=2, padding=1),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2, stride=1),
        torch.nn.Conv2d(4, 4, 3, groups=4, padding="same"),
        torch.nn.AvgPool2d(2),
    ).double()
    assert list(ours.state_dict()) == list(theirs.state_dict())
    _to_torch_params(ours, theirs)
    x = rng.normal(size=(2, 2, 11, 10))
    out = ours(x)
    tout = theirs(torch.tensor(x))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), atol=1e-10)
    out.sum().backward()
    tout.sum().backward()
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(
            dict(ours.named_parameters())[name].grad, p.grad.numpy(), atol=1e-10, err_msg=name
        )


def test_a_cnn_converts_to_torch_and_back_with_its_running_statistics() -> None:
    rng = np.random.default_rng(0)
    ours = nn.Sequential(
        nn.Conv2d(1, 3, 3, padding=1, seed=0, dtype=np.float64),
        nn.BatchNorm2d(3, dtype=np.float64),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.AvgPool2d(2, stride=1),
        nn.Flatten(),
        nn.BatchNorm1d(3 * 2 * 2, dtype=np.float64),
        nn.Linear(12, 2, seed=2, dtype=np.float64),
    )
    x = rng.normal(size=(4, 1, 6, 6))
    ours(x)  # one training step's statistics
    theirs = nn.to_torch(ours)
    assert int(theirs[1].num_batches_tracked) == 1
    np.testing.assert_allclose(theirs[1].running_var.numpy(), ours[1].running_var, atol=1e-15)
    for mode in ("train", "eval"):
        getattr(ours, mode)(), getattr(theirs, mode)()
        np.testing.assert_allclose(
            ours(x).data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-10, err_msg=mode
        )
    back = nn.from_torch(theirs)
    assert [type(m).__name__ for m in back] == [type(m).__name__ for m in ours]
    assert back[0].weight.dtype == np.float64
    for name, arr in theirs.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[name], arr.numpy(), err_msg=name)


def test_conv1d_converts_both_ways() -> None:
    ours = nn.Conv1d(4, 6, 3, stride=2, padding=1, groups=2, seed=0, dtype=np.float64)
    theirs = nn.to_torch(ours)
    x = np.random.default_rng(0).normal(size=(2, 4, 9))
    np.testing.assert_allclose(ours(x).data, theirs(torch.tensor(x)).detach().numpy(), atol=1e-12)
    back = nn.from_torch(theirs)
    assert (back.stride, back.padding, back.groups) == (2, 1, 2)
    np.testing.assert_array_equal(back.weight.data, ours.weight.data)
