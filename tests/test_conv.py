"""Convolution and pooling ops: im2col/col2im against independent references, hand-computed
values, the tie rule, the error messages and the lifetime of the im2col buffers.
(Gradients are checked by the registry; agreement with PyTorch in test_torch_conv.py.)"""

from __future__ import annotations

import gc
import itertools
import weakref

import numpy as np
import pytest

from tinygrad_edu import InputError, ShapeError, Tensor, ops
from tinygrad_edu.ops.conv import col2im, out_size, patches


def _add_at_reference(cols: np.ndarray, hw, stride, dilation) -> np.ndarray:
    """col2im by np.add.at on explicit index arrays: a different method from the slab loop."""
    *lead, ho, wo, kh, kw = cols.shape
    i, j, p, q = np.meshgrid(*(np.arange(n) for n in (ho, wo, kh, kw)), indexing="ij")
    rows = i * stride[0] + p * dilation[0]
    cols_ = j * stride[1] + q * dilation[1]
    out = np.zeros((*lead, *hw))
    np.add.at(out, (..., rows, cols_), cols)
    return out


@pytest.mark.parametrize(
    "hw, kernel, stride, dilation",
    [
        ((5, 5), (2, 2), (1, 1), (1, 1)),
        ((7, 6), (3, 2), (2, 1), (1, 2)),
        ((6, 6), (2, 2), (2, 2), (1, 1)),
    ],
)
def test_col2im_matches_add_at_on_explicit_indices(hw, kernel, stride, dilation) -> None:
    rng = np.random.default_rng(0)
    ho = out_size(hw[0], (0, 0), kernel[0], stride[0], dilation[0])
    wo = out_size(hw[1], (0, 0), kernel[1], stride[1], dilation[1])
    cols = rng.normal(size=(2, 3, ho, wo, *kernel))
    np.testing.assert_allclose(
        col2im(cols, hw, stride, dilation), _add_at_reference(cols, hw, stride, dilation)
    )


def test_col2im_counts_how_many_windows_read_each_pixel() -> None:
    # 3×3 input, 2×2 windows, stride 1: corners are in 1 window, edges in 2, the centre in 4.
    ones = np.ones((1, 1, 2, 2, 2, 2))
    counts = col2im(ones, (3, 3), (1, 1), (1, 1))[0, 0]
    np.testing.assert_array_equal(counts, [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_patches_is_a_read_only_view_with_the_documented_indexing() -> None:
    xp = np.arange(2 * 7 * 8, dtype=float).reshape(2, 7, 8)
    pt = patches(xp, (2, 3), (2, 1), (2, 1))
    assert np.shares_memory(pt, xp) and not pt.flags.writeable
    # the dilated 2×3 window spans 3×3: Ho = (7 − 3)//2 + 1 = 3, Wo = (8 − 3)//1 + 1 = 6
    assert pt.shape == (2, 3, 6, 2, 3)
    for n, i, j, p, q in itertools.product(range(2), range(3), range(6), range(2), range(3)):
        assert pt[n, i, j, p, q] == xp[n, i * 2 + p * 2, j + q]


def test_conv2d_by_hand() -> None:
    # z[i, j] = x[i, j] − x[i+1, j+1] on x = 0..8 (rows of 3): every difference is −4.
    x = Tensor(np.arange(9.0).reshape(1, 1, 3, 3), requires_grad=True)
    w = Tensor([[[[1.0, 0.0], [0.0, -1.0]]]], requires_grad=True)
    b = Tensor([0.5], requires_grad=True)
    z = ops.Conv2d.apply(x, w, b)
    np.testing.assert_array_equal(z.data, [[[[-3.5, -3.5], [-3.5, -3.5]]]])
    z.sum().backward()
    # ∂C/∂x: +1 where x is read by the weight 1 (top-left 2×2), −1 by the −1 (bottom-right 2×2)
    np.testing.assert_array_equal(x.grad[0, 0], [[1, 1, 0], [1, 0, -1], [0, -1, -1]])
    # ∂C/∂W[p, q] = Σ over the windows of the input at offset (p, q)
    np.testing.assert_array_equal(
        w.grad[0, 0], [[0 + 1 + 3 + 4, 1 + 2 + 4 + 5], [3 + 4 + 6 + 7, 4 + 5 + 7 + 8]]
    )
    np.testing.assert_array_equal(b.grad, [4.0])


def test_conv2d_padding_same_keeps_the_size_even_kernel_pads_bottom_right() -> None:
    x = np.ones((1, 1, 3, 3))
    z = ops.Conv2d.apply(Tensor(x), Tensor(np.ones((1, 1, 2, 2))), padding="same")
    # the extra zero row/column is at the bottom/right: the last row and column see 2 ones
    np.testing.assert_array_equal(z.data[0, 0], [[4, 4, 2], [4, 4, 2], [2, 2, 1]])


def test_depthwise_conv_keeps_channels_apart() -> None:
    x = np.zeros((1, 2, 3, 3))
    x[0, 1] = 1.0  # only channel 1 is lit
    w = np.ones((2, 1, 3, 3))
    z = ops.Conv2d.apply(Tensor(x), Tensor(w), groups=2)
    np.testing.assert_array_equal(z.data.reshape(2), [0.0, 9.0])


def test_max_pool_ties_send_the_gradient_to_the_first_maximum() -> None:
    x = Tensor(np.array([[[[1.0, 1.0], [0.0, 1.0]]]]), requires_grad=True)
    z = ops.MaxPool2d.apply(x, kernel_size=2)
    z.backward(np.ones((1, 1, 1, 1)))
    np.testing.assert_array_equal(x.grad[0, 0], [[1, 0], [0, 0]])


def test_max_pool_overlapping_windows_add_up_at_a_shared_argmax() -> None:
    x = Tensor(
        np.array([[[[0.0, 0.1, 0.2], [0.3, 9.0, 0.4], [0.5, 0.6, 0.7]]]]), requires_grad=True
    )
    z = ops.MaxPool2d.apply(x, kernel_size=2, stride=1)  # all four windows pick the 9
    np.testing.assert_array_equal(z.data, np.full((1, 1, 2, 2), 9.0))
    z.sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [[0, 0, 0], [0, 4, 0], [0, 0, 0]])


def test_avg_pool_by_hand() -> None:
    x = Tensor(np.arange(16.0).reshape(1, 1, 4, 4), requires_grad=True)
    z = ops.AvgPool2d.apply(x, kernel_size=2)
    np.testing.assert_array_equal(z.data[0, 0], [[2.5, 4.5], [10.5, 12.5]])
    z.sum().backward()
    np.testing.assert_array_equal(x.grad, np.full((1, 1, 4, 4), 0.25))


@pytest.mark.parametrize(
    "call, message",
    [
        (
            lambda: ops.Conv2d.apply(Tensor(np.ones((1, 3, 5, 5))), Tensor(np.ones((2, 2, 3, 3)))),
            "3 channels",
        ),
        (
            lambda: ops.Conv2d.apply(Tensor(np.ones((3, 5, 5))), Tensor(np.ones((2, 3, 3, 3)))),
            "x.reshape(1, C, H, W)",
        ),
        (
            lambda: ops.Conv2d.apply(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.ones((1, 1, 3, 3)))),
            "larger than the padded input",
        ),
        (
            lambda: ops.Conv2d.apply(
                Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 3, 3))), stride=0
            ),
            "stride must be an int ≥ 1",
        ),
        (
            lambda: ops.Conv2d.apply(
                Tensor(np.ones((1, 1, 4, 4))),
                Tensor(np.ones((1, 1, 3, 3))),
                padding="same",
                stride=2,
            ),
            "needs stride 1",
        ),
        (
            lambda: ops.Conv2d.apply(
                Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 3, 3))), Tensor(np.ones(2))
            ),
            "bias shape",
        ),
        (
            lambda: ops.MaxPool2d.apply(Tensor(np.ones((1, 1, 4, 4))), kernel_size=2, padding=2),
            "at most half the kernel",
        ),
        (
            lambda: ops.Conv1d.apply(Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 3)))),
            "(N, C, L)",
        ),
    ],
)
def test_bad_arguments_raise_one_clear_error_naming_the_op(call, message) -> None:
    with pytest.raises((ShapeError, InputError)) as info:
        call()
    assert message in str(info.value)
    assert str(info.value).startswith("'conv") or "pool" in str(info.value)


def test_im2col_buffer_is_freed_with_the_graph() -> None:
    x = Tensor(np.ones((4, 2, 8, 8), np.float32))
    w = Tensor(np.ones((3, 2, 3, 3), np.float32), requires_grad=True)
    z = ops.Conv2d.apply(x, w)
    loss = ops.MaxPool2d.apply(z, kernel_size=2).sum()
    cols = z._ctx.cols
    assert cols.shape == (4, 1, 2 * 3 * 3, 6 * 6)  # (N, groups, C·kh·kw, Ho·Wo)
    ref = weakref.ref(cols)
    loss.backward()
    del cols, z, loss
    assert ref() is None  # freed by reference counting alone, no collector needed
    gc.collect()


def test_no_graph_keeps_no_buffer() -> None:
    z = ops.Conv2d.apply(Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 3, 3))))
    assert z._ctx is None and z.parents == ()


def test_local_derivatives_are_named_as_the_lecture_does() -> None:
    x = Tensor(np.ones((1, 1, 4, 4)), requires_grad=True)
    w = Tensor(np.ones((2, 1, 3, 3)), requires_grad=True)
    z = ops.Conv2d.apply(x, w, Tensor(np.zeros(2), requires_grad=True))
    names = [lg.name for lg in z.local_grads]
    assert names == [
        "∂{z}/∂{0} = {1}ᵀ scattered back (col2im)",
        "∂{z}/∂{1} = the patches of {0} (im2col)",
        "∂{z}/∂{2} = 1",
    ]
    assert z.local_grads[1].value.shape == (1, 1, 9, 4)  # the patch matrices themselves
    assert "argmax" in ops.MaxPool2d.apply(x, kernel_size=2).local_grads[0].name


def test_float32_stays_float32() -> None:
    x = Tensor(np.ones((1, 2, 5, 5), np.float32), requires_grad=True)
    w = Tensor(np.ones((2, 2, 3, 3), np.float32), requires_grad=True)
    z = ops.MaxPool2d.apply(ops.Conv2d.apply(x, w), kernel_size=2, stride=1)
    z = ops.AvgPool2d.apply(z, kernel_size=2)
    z.sum().backward()
    assert z.data.dtype == x.grad.dtype == w.grad.dtype == np.float32


def test_a_weight_changed_between_forward_and_backward_is_refused() -> None:
    """conv2d saves W (for ∂C/∂x) and a copy of the input patches (for ∂C/∂W): changing W in
    place raises, changing the input does not change the gradients."""
    from tinygrad_edu import BackwardError

    rng = np.random.default_rng(0)
    x = Tensor(rng.normal(size=(1, 2, 5, 5)), requires_grad=True)
    w = Tensor(rng.normal(size=(3, 2, 3, 3)), requires_grad=True)
    z = ops.Conv2d.apply(x, w)
    w.data[0, 0, 0, 0] += 1.0
    with pytest.raises(BackwardError, match="modified in place"):
        z.sum().backward()

    w2 = Tensor(rng.normal(size=(3, 1, 3, 3)), requires_grad=True)
    x2 = Tensor(rng.normal(size=(1, 1, 5, 5)))
    ref = ops.Conv2d.apply(Tensor(x2.data.copy()), w2)
    ref.sum().backward()
    expected = w2.grad.copy()
    w2.grad = None
    z2 = ops.Conv2d.apply(x2, w2)
    x2.data[...] = 0.0  # the patches were copied at forward time
    z2.sum().backward()
    np.testing.assert_array_equal(w2.grad, expected)
