"""Convolution and pooling against PyTorch: forward values and every input's gradient, float64
(to 1e-10) and float32 (to float32 rounding), for the options torch has in common with ours."""

from __future__ import annotations

import numpy as np
import pytest

from tinygrad_edu import Tensor, ops

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
