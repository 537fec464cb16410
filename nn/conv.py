"""Convolutional layers and pooling: Conv2d, Conv1d, MaxPool2d, AvgPool2d (and their functions).

Arguments, defaults and shapes follow torch.nn: inputs are NCHW (N, C, L for Conv1d), the
kernel is (out_channels, in_channels/groups, kh, kw), stride/padding/dilation take an int or a
pair, padding also 'valid' or 'same'. Each layer is one graph node (see tinygrad_edu.ops.conv):

    net = Sequential(Conv2d(1, 6, 5), ReLU(), MaxPool2d(2), Flatten(), Linear(6 * 12 * 12, 10))

Initialisation is seeded, like Linear: init="he" (default; convolutions are nearly always
followed by ReLU), "he_uniform", "xavier", "xavier_normal" or "normal", with torch's fans
fan_in = in_channels/groups·kh·kw and fan_out = out_channels/groups·kh·kw. Biases start at 0.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import ops as _ops
from ..errors import InputError, ShapeError
from ..graph import MODE
from ..ops.conv import as_pair, conv_options, pool_options
from ..tensor import Tensor
from .init import Seed, init_weight, make_rng
from .module import Module, Parameter, _as_input, _check_finite, _lift

# ---------------------------------------------------------------------------------------------
# functions (torch.nn.functional's names and arguments)


def conv2d(
    input: Any,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """z = W ⋆ x + b on NCHW input; ∂z/∂W = the input patches, ∂z/∂x = Wᵀ scattered back."""
    return _conv(_ops.Conv2d, input, weight, bias, stride, padding, dilation, groups)


def conv1d(
    input: Any,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: int = 1,
    padding: Any = 0,
    dilation: int = 1,
    groups: int = 1,
) -> Tensor:
    """z = W ⋆ x + b on (N, C, L) input (conv2d with a unit height)."""
    return _conv(_ops.Conv1d, input, weight, bias, stride, padding, dilation, groups)


def _conv(
    op: type[_ops.Conv2d],
    x: Any,
    weight: Tensor,
    bias: Tensor | None,
    stride: Any,
    padding: Any,
    dilation: Any,
    groups: int,
) -> Tensor:
    x = _lift(x, op.name, tensor_only=True)
    args = (x, weight) if bias is None else (x, weight, bias)
    return op.apply(*args, stride=stride, padding=padding, dilation=dilation, groups=groups)


def _unsupported(what: str, flag: Any, name: str) -> None:
    if flag:
        raise InputError(f"{what}: {name}=True is not supported (only {name}=False)")


def max_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Tensor:
    """z = max over each window (stride defaults to the kernel size); the gradient goes to
    the window's argmax (the first one at ties, as in torch)."""
    _unsupported("max_pool2d", ceil_mode, "ceil_mode")
    _unsupported("max_pool2d", return_indices, "return_indices")
    x = _lift(input, "max_pool2d", tensor_only=True)
    return _ops.MaxPool2d.apply(
        x, kernel_size=kernel_size, stride=stride, padding=padding, dilation=dilation
    )


def avg_pool2d(
    input: Any,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """z = the mean of each window; ∂z/∂x = 1/k over the window (k = kh·kw by default)."""
    _unsupported("avg_pool2d", ceil_mode, "ceil_mode")
    x = _lift(input, "avg_pool2d", tensor_only=True)
    return _ops.AvgPool2d.apply(
        x,
        kernel_size=kernel_size,
        stride=stride,
        padding=padding,
        count_include_pad=count_include_pad,
        divisor_override=divisor_override,
    )


# ---------------------------------------------------------------------------------------------
# layers


def _positive(n: Any, what: str, title: str) -> int:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 1:
        raise InputError(f"{title}: {what} must be a positive int, got {n!r}")
    return int(n)


class _ConvNd(Module):
    """Shared by Conv2d and Conv1d: the parameters, their init, the input check."""

    spatial = 2
    op: type[_ops.Conv2d] = _ops.Conv2d

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        init: str = "he",
        std: float | None = None,
        seed: Seed = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        title = type(self).__name__
        self.in_channels = _positive(in_channels, "in_channels", title)
        self.out_channels = _positive(out_channels, "out_channels", title)
        self.groups = _positive(groups, "groups", title)
        if self.in_channels % self.groups or self.out_channels % self.groups:
            raise InputError(
                f"{title}: in_channels ({in_channels}) and out_channels ({out_channels}) must "
                f"both be divisible by groups ({groups})"
            )
        if padding_mode != "zeros":
            raise InputError(f"{title}: padding_mode must be 'zeros', got {padding_mode!r}")
        if self.spatial == 2:
            self.kernel_size = as_pair(kernel_size, "kernel_size", title, 1)
        else:
            self.kernel_size = (_positive(kernel_size, "kernel_size", title),)
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.padding_mode = padding_mode
        cg, og = self.in_channels // self.groups, self.out_channels // self.groups
        field = int(np.prod(self.kernel_size))
        shape = (self.out_channels, cg, *self.kernel_size)
        w = init_weight(init, make_rng(seed, title), og * field, cg * field, std, title, shape)
        self.weight = Parameter(w, dtype=dtype)
        self.bias = Parameter(np.zeros(self.out_channels), dtype=dtype) if bias else None
        # Bad stride/padding/dilation raise here, not at the first forward pass.
        if self.spatial == 2:
            conv_options(self.kernel_size, stride, padding, dilation, title)
        else:
            _ops.Conv1d._pair_1d(stride, padding, dilation)

    def _options(self) -> dict[str, Any]:
        return {
            "stride": self.stride,
            "padding": self.padding,
            "dilation": self.dilation,
            "groups": self.groups,
        }

    def forward(self, x: Any) -> Tensor:
        w = self.weight
        if type(x) is not Tensor or x.data.dtype != w.data.dtype:
            x = _as_input(x, w.data.dtype, self._title())
        shape = x.data.shape
        if len(shape) != 2 + self.spatial or shape[1] != self.in_channels:
            dims = "N, C, H, W" if self.spatial == 2 else "N, C, L"
            raise ShapeError(
                f"{self._title()} expects inputs ({dims}) with C = {self.in_channels} channels, "
                f"got shape {shape}"
                + (
                    "; add a batch axis to a single example"
                    if len(shape) == 1 + self.spatial
                    else ""
                )
            )
        if MODE.anomaly:
            _check_finite(x.data, self._title())
        args = (x, w) if self.bias is None else (x, w, self.bias)
        return self.op.apply(*args, **self._options())

    def extra_repr(self) -> str:
        k = self.kernel_size if self.spatial == 2 else self.kernel_size[0]
        out = f"{self.in_channels}, {self.out_channels}, kernel_size={k}, stride={self.stride}"
        if self.padding != 0:
            out += f", padding={self.padding}"
        if self.dilation != 1:
            out += f", dilation={self.dilation}"
        if self.groups != 1:
            out += f", groups={self.groups}"
        return out + f", bias={self.bias is not None}, dtype={self.weight.data.dtype}"


class Conv2d(_ConvNd):
    """2-D convolution z = W ⋆ x + b: (N, in_channels, H, W) → (N, out_channels, Ho, Wo),
    Ho = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1. weight (out, in/groups, kh, kw), bias (out,).

    ∂C/∂W = Σ over positions of g · the input patch there; ∂C/∂x = Wᵀg scattered back.
    """


class Conv1d(_ConvNd):
    """1-D convolution on (N, in_channels, L); weight (out, in/groups, k). As Conv2d."""

    spatial = 1
    op = _ops.Conv1d


class MaxPool2d(Module):
    """z = the max of each kernel_size window (stride = kernel_size unless given; padding
    counts as −∞). The gradient goes to each window's argmax (the first at ties, as torch)."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
        return_indices: bool = False,
        ceil_mode: bool = False,
    ) -> None:
        super().__init__()
        _unsupported("MaxPool2d", ceil_mode, "ceil_mode")
        _unsupported("MaxPool2d", return_indices, "return_indices")
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.dilation = dilation
        pool_options(kernel_size, stride, padding, dilation, "MaxPool2d")  # checks them now

    def forward(self, x: Any) -> Tensor:
        return max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class AvgPool2d(Module):
    """z = the mean of each kernel_size window (stride = kernel_size unless given); with
    padding, count_include_pad=True (torch's default) divides by kh·kw, else by the number of
    real input elements in the window."""

    def __init__(
        self,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        ceil_mode: bool = False,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> None:
        super().__init__()
        _unsupported("AvgPool2d", ceil_mode, "ceil_mode")
        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding
        self.count_include_pad, self.divisor_override = count_include_pad, divisor_override
        pool_options(kernel_size, stride, padding, 1, "AvgPool2d")  # checks them now

    def forward(self, x: Any) -> Tensor:
        return avg_pool2d(
            x,
            self.kernel_size,
            self.stride,
            self.padding,
            False,
            self.count_include_pad,
            self.divisor_override,
        )

    def extra_repr(self) -> str:
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"
