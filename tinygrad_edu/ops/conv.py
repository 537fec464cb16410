"""Convolution and pooling on NCHW arrays, through one explicit im2col / col2im pair.

im2col (``patches``) is a strided *view*, no copy: for a padded input xp of shape (N, C, Hp, Wp)

    patches[n, c, i, j, p, q] = xp[n, c, i·sh + p·dh, j·sw + q·dw]

(i, j: output position; p, q: kernel offset; s: stride; d: dilation). A convolution is then one
matrix product per group: each output position's patch (C/groups · kh · kw numbers, copied into
the rows of the "column" matrix) times the kernel matrix W (out × C/groups·kh·kw).

col2im (``col2im``) is the backward scatter, the transpose of im2col: every patch entry is added
back into the input position it was read from. Method: for each kernel offset (p, q), one
strided slice of the input receives the (N, C, Ho, Wo) slab of that offset, with `+=`. Within
one slab every target position is distinct (i ↦ i·sh + p·dh is injective), so the `+=` is
exact; overlapping windows (stride < kernel) are summed across the kh·kw slabs. The test suite
checks it against np.add.at on explicit index arrays and against a hand-counted example.

The local derivatives, as the lecture names them: a convolution z = W ⋆ x + b is linear in W
with ∂z/∂W = the input patches (im2col(x): the input wired to each weight), and linear in x with
∂z/∂x = Wᵀ scattered back (col2im of g·W). Max pooling routes the gradient to the argmax of
each window; average pooling spreads it evenly over the window.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..errors import InputError, ShapeError
from ..graph import LocalGrad
from ..tensor import Function

Pair = tuple[int, int]
Pads = tuple[Pair, Pair]  # ((top, bottom), (left, right))


# ---------------------------------------------------------------------------------------------
# arguments


def as_pair(v: Any, what: str, op: str, minimum: int) -> Pair:
    """An int or a pair of ints (torch's `_pair`), each ≥ minimum."""
    vals = tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    if len(vals) != 2 or not all(
        isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= minimum for n in vals
    ):
        raise InputError(f"'{op}': {what} must be an int ≥ {minimum} or a pair of them, got {v!r}")
    return int(vals[0]), int(vals[1])


def _pads(padding: Any, kernel: Pair, dilation: Pair, stride: Pair, op: str) -> Pads:
    """padding: int, pair, 'valid' (none) or 'same' (output size = input size, stride 1 only;
    for an even receptive field the extra row/column goes at the bottom/right, as in torch)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise InputError(f"'{op}': padding='same' needs stride 1, got stride {stride}")
            total = [d * (k - 1) for d, k in zip(dilation, kernel)]
            (th, tw) = total
            return (th // 2, th - th // 2), (tw // 2, tw - tw // 2)
        raise InputError(
            f"'{op}': padding must be an int, a pair, 'valid' or 'same', got {padding!r}"
        )
    ph, pw = as_pair(padding, "padding", op, 0)
    return (ph, ph), (pw, pw)


def conv_options(
    kernel: Pair, stride: Any, padding: Any, dilation: Any, op: str
) -> tuple[Pair, Pads, Pair]:
    """Checked (stride, pads, dilation) of a convolution with this kernel size."""
    stride = as_pair(stride, "stride", op, 1)
    dilation = as_pair(dilation, "dilation", op, 1)
    return stride, _pads(padding, kernel, dilation, stride, op), dilation


def out_size(n: int, pad: Pair, k: int, s: int, d: int) -> int:
    """⌊(n + pad_lo + pad_hi − d·(k−1) − 1) / s⌋ + 1: the number of window positions."""
    return (n + pad[0] + pad[1] - d * (k - 1) - 1) // s + 1


def _pad(x: np.ndarray, pads: Pads, value: float = 0.0) -> np.ndarray:
    if pads == ((0, 0), (0, 0)):
        return x
    return np.pad(x, ((0, 0), (0, 0), *pads), constant_values=value)


def _unpad(gxp: np.ndarray, pads: Pads, shape: tuple[int, ...]) -> np.ndarray:
    (top, _), (left, _) = pads
    return gxp[..., top : top + shape[-2], left : left + shape[-1]]


# ---------------------------------------------------------------------------------------------
# im2col / col2im


def patches(xp: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair) -> np.ndarray:
    """im2col as a read-only view: (…, Hp, Wp) → (…, Ho, Wo, kh, kw) with
    patches[…, i, j, p, q] = xp[…, i·sh + p·dh, j·sw + q·dw]. No data is copied."""
    (kh, kw), (sh, sw), (dh, dw) = kernel, stride, dilation
    span = ((kh - 1) * dh + 1, (kw - 1) * dw + 1)
    win = sliding_window_view(xp, span, axis=(-2, -1))
    return win[..., ::sh, ::sw, :, :][..., ::dh, ::dw]


def col2im(cols: np.ndarray, padded_hw: Pair, stride: Pair, dilation: Pair) -> np.ndarray:
    """The transpose of `patches`: (…, Ho, Wo, kh, kw) → (…, Hp, Wp), each entry added back
    where it was read. One strided `+=` per kernel offset (see the module docstring)."""
    *lead, ho, wo, kh, kw = cols.shape
    (sh, sw), (dh, dw) = stride, dilation
    out = np.zeros((*lead, *padded_hw), dtype=cols.dtype)
    for p in range(kh):
        rows = slice(p * dh, p * dh + sh * (ho - 1) + 1, sh)
        for q in range(kw):
            out[..., rows, q * dw : q * dw + sw * (wo - 1) + 1 : sw] += cols[..., p, q]
    return out


# ---------------------------------------------------------------------------------------------
# convolution


class Conv2d(Function):
    """z[n, o] = b[o] + Σ_{c,p,q} W[o, c, p, q] · xp[n, g(o)·C/G + c, i·sh + p·dh, j·sw + q·dw]

    NCHW input x (N, C, H, W), weight W (O, C/groups, kh, kw), optional bias b (O,); groups G
    split the channels into G independent convolutions (G = C: depthwise).
    Forward pass: ∂z/∂W = the input patches (im2col), ∂z/∂x = Wᵀ scattered back (col2im),
    ∂z/∂b = 1. Backward pass, per group, with P the patch matrix and g = ∂C/∂z as rows:
    ∂C/∂W = gᵀP, ∂C/∂x = col2im(g W), ∂C/∂b = Σ g over batch and positions.
    """

    __slots__ = ("cols", "wg", "geo", "xshape")
    name = "conv2d"
    spatial = 2

    def forward(
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None = None,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
    ) -> np.ndarray:
        op = self.name
        x, w = self._as_2d(x, w)
        if x.ndim != 4 or w.ndim != 4:
            raise ShapeError(self._rank_message(x, w))
        if not isinstance(groups, (int, np.integer)) or isinstance(groups, bool) or groups < 1:
            raise InputError(f"'{op}': groups must be a positive int, got {groups!r}")
        n, c, h, wd = x.shape
        o, cg, kh, kw = w.shape
        if c % groups or o % groups or cg * groups != c:
            raise ShapeError(
                f"'{op}': input has {c} channels and weight {tuple(w.shape)} expects "
                f"{cg}·groups = {cg * groups} (groups={groups}); in_channels and out_channels "
                "must both be divisible by groups"
            )
        if b is not None and b.shape != (o,):
            raise ShapeError(f"'{op}': bias shape {b.shape} must be ({o},), one per out channel")
        kernel = (kh, kw)
        stride, pads, dilation = conv_options(kernel, stride, padding, dilation, op)
        ho = out_size(h, pads[0], kh, stride[0], dilation[0])
        wo = out_size(wd, pads[1], kw, stride[1], dilation[1])
        if ho < 1 or wo < 1:
            raise ShapeError(
                f"'{op}': the kernel {kernel} (dilation {dilation}) is larger than the padded "
                f"input {(h + sum(pads[0]), wd + sum(pads[1]))}; pad the input or use a smaller "
                "kernel"
            )
        xp = _pad(x, pads)
        og, k = o // groups, cg * kh * kw
        # im2col, one patch matrix per example and group: rows (c, p, q), columns the output
        # positions (i, j). This is the one copy of the input the op makes and keeps for
        # ∂C/∂W. Per-example matrices (not one (N·Ho·Wo) × K matrix) make the output NCHW
        # without a transpose and the copy run along contiguous rows: bench/cnn.py measured
        # LeNet's batch-256 im2col at 1 ms this way against 15 ms for the single matrix.
        win = patches(xp, kernel, stride, dilation).reshape(n, groups, cg, ho, wo, kh, kw)
        cols = win.transpose(0, 1, 2, 5, 6, 3, 4).reshape(n, groups, k, ho * wo)
        wg = w.reshape(groups, og, k)
        z = wg @ cols  # (N, G, O/G, Ho·Wo): one matrix product per example and group
        if b is not None:
            z += b.reshape(groups, og, 1)
        self.cols, self.wg = cols, wg
        self.geo = (n, groups, cg, og, ho, wo, kernel, stride, dilation, pads, xp.shape[-2:])
        self.xshape = x.shape
        return self._from_2d(z.reshape(n, o, ho, wo))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        n, groups, cg, og, ho, wo, kernel, stride, dilation, pads, hw = self.geo
        need = self.needs_grad
        g4 = g.reshape(n, groups, og, ho * wo)
        gx = gw = gb = None
        if need[0]:
            gcols = (self.wg.transpose(0, 2, 1) @ g4).reshape(n, groups, cg, *kernel, ho, wo)
            gcols = gcols.transpose(0, 1, 2, 5, 6, 3, 4)  # (N, G, C/G, Ho, Wo, kh, kw)
            gxp = col2im(gcols, hw, stride, dilation).reshape(n, groups * cg, *hw)
            gx = self._from_2d(_unpad(gxp, pads, self.xshape))
        if need[1]:
            # Σ over examples of g·Pᵀ; the batched product beat one big transposed product
            # (6.4 vs 11.6 ms for LeNet's first layer at batch 256, bench/cnn.py's shapes).
            gw = np.add.reduce(g4 @ self.cols.transpose(0, 1, 3, 2), axis=0)
            gw = self._from_2d(gw.reshape(groups * og, cg, *kernel))
        if len(need) == 3 and need[2]:
            gb = g4.sum(axis=(0, 3)).reshape(-1)
        return (gx, gw) if len(need) == 2 else (gx, gw, gb)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        out = (
            LocalGrad("∂{z}/∂{0} = {1}ᵀ scattered back (col2im)", self.wg),
            LocalGrad("∂{z}/∂{1} = the patches of {0} (im2col)", self.cols),
        )
        return out + ((LocalGrad("∂{z}/∂{2} = 1", None),) if len(self.needs_grad) == 3 else ())

    # conv1d reuses everything with a unit height axis; these are identities for conv2d.
    def _as_2d(self, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return x, w

    def _from_2d(self, a: np.ndarray) -> np.ndarray:
        return a

    def _rank_message(self, x: np.ndarray, w: np.ndarray) -> str:
        return (
            f"'conv2d': needs an input (N, C, H, W) and a weight (out, in/groups, kh, kw), got "
            f"{x.shape} and {w.shape}; add a batch axis to a single image with "
            "x.reshape(1, C, H, W)"
        )


class Conv1d(Conv2d):
    """conv2d on (N, C, L) with a unit height axis:
    z[n, o, i] = b[o] + Σ_{c,q} W[o, c, q] · xp[n, c, i·s + q·d]

    Same local derivatives as conv2d (∂z/∂W = the input patches, ∂z/∂x = Wᵀ scattered back).
    Ints for stride, padding, dilation (the width's); padding 'same'/'valid' as conv2d.
    """

    __slots__ = ()
    name = "conv1d"

    def forward(  # type: ignore[override]
        self,
        x: np.ndarray,
        w: np.ndarray,
        b: np.ndarray | None = None,
        stride: int = 1,
        padding: Any = 0,
        dilation: int = 1,
        groups: int = 1,
    ) -> np.ndarray:
        stride2, padding2, dilation2 = self._pair_1d(stride, padding, dilation)
        return super().forward(x, w, b, stride2, padding2, dilation2, groups)

    @staticmethod
    def _pair_1d(stride: Any, padding: Any, dilation: Any) -> tuple[Pair, Any, Pair]:
        """conv1d's int arguments as conv2d's pairs (height 1, never padded)."""
        for what, v in (("stride", stride), ("dilation", dilation), ("padding", padding)):
            if what == "padding" and isinstance(padding, str):
                continue
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 0:
                raise InputError(
                    f"'conv1d': {what} must be an int"
                    + (", 'valid' or 'same'" if what == "padding" else "")
                    + f", got {v!r}"
                )
        pad = padding if isinstance(padding, str) else (0, int(padding))
        return (1, int(stride)), pad, (1, int(dilation))

    def _as_2d(self, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if x.ndim != 3 or w.ndim != 3:
            raise ShapeError(
                f"'conv1d': needs an input (N, C, L) and a weight (out, in/groups, k), got "
                f"{x.shape} and {w.shape}"
            )
        return x[:, :, None, :], w[:, :, None, :]

    def _from_2d(self, a: np.ndarray) -> np.ndarray:
        return a[:, :, 0, :]


# ---------------------------------------------------------------------------------------------
# pooling


def pool_options(
    kernel_size: Any, stride: Any, padding: Any, dilation: Any, op: str
) -> tuple[Pair, Pair, Pads, Pair]:
    """Checked (kernel, stride, pads, dilation) of a pooling op; stride None = the kernel."""
    kernel = as_pair(kernel_size, "kernel_size", op, 1)
    stride = kernel if stride is None else as_pair(stride, "stride", op, 1)
    dilation = as_pair(dilation, "dilation", op, 1)
    ph, pw = as_pair(padding, "padding", op, 0)
    if 2 * ph > kernel[0] or 2 * pw > kernel[1]:
        raise InputError(
            f"'{op}': padding {(ph, pw)} must be at most half the kernel size {kernel} "
            "(as in torch: a window must never lie entirely in the padding)"
        )
    return kernel, stride, ((ph, ph), (pw, pw)), dilation


def _pool_args(
    x: np.ndarray, kernel_size: Any, stride: Any, padding: Any, dilation: Any, op: str
) -> tuple[Pair, Pair, Pads, Pair, int, int]:
    if x.ndim != 4:
        raise ShapeError(
            f"'{op}': needs an input (N, C, H, W), got shape {x.shape}; add a batch axis to a "
            "single image with x.reshape(1, C, H, W)"
        )
    kernel, stride, pads, dilation = pool_options(kernel_size, stride, padding, dilation, op)
    ho = out_size(x.shape[2], pads[0], kernel[0], stride[0], dilation[0])
    wo = out_size(x.shape[3], pads[1], kernel[1], stride[1], dilation[1])
    if ho < 1 or wo < 1:
        raise ShapeError(
            f"'{op}': the window {kernel} is larger than the padded input "
            f"{(x.shape[2] + sum(pads[0]), x.shape[3] + sum(pads[1]))}"
        )
    return kernel, stride, pads, dilation, ho, wo


class MaxPool2d(Function):
    """z[n, c, i, j] = max_{p,q} xp[n, c, i·sh + p·dh, j·sw + q·dw]  (padding counts as −∞)

    ∂z/∂x = 1 at each window's argmax, 0 elsewhere: the backward pass routes g to the argmax.
    Ties: the first maximum in row-major window order (p, then q) takes the whole gradient, as
    PyTorch's CPU kernel does (unlike the `max` reduction, which splits it between ties).
    Overlapping windows (stride < kernel) that pick the same element add up there.
    """

    __slots__ = ("arg", "geo")
    name = "max_pool2d"

    def forward(
        self,
        x: np.ndarray,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        dilation: Any = 1,
    ) -> np.ndarray:
        kernel, stride, pads, dilation, ho, wo = _pool_args(
            x, kernel_size, stride, padding, dilation, self.name
        )
        xp = _pad(x, pads, -np.inf)
        win = patches(xp, kernel, stride, dilation)
        # One pass per kernel offset over strided views (no copy of the windows): keep the
        # running max and the offset it came from. A strict > keeps the first maximum at ties.
        best = win[..., 0, 0].copy()
        kk = kernel[0] * kernel[1]
        arg = np.zeros(best.shape, dtype=np.min_scalar_type(kk - 1))
        for k in range(1, kk):
            s = win[..., k // kernel[1], k % kernel[1]]
            greater = s > best
            np.maximum(best, s, out=best)  # (not copyto: maximum propagates a NaN, as torch)
            np.copyto(arg, k, where=greater)
        self.arg = arg
        self.geo = (kernel, stride, dilation, pads, xp.shape[-2:], x.shape)
        return best

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        kernel, stride, dilation, pads, hw, shape = self.geo
        kk = kernel[0] * kernel[1]
        if all(s >= d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel)):
            # Windows that do not overlap (LeNet's 2×2, stride 2): each input position is in
            # at most one window, so col2im's slabs never meet and g is copied straight into
            # them: 2.7× faster than the general path below on LeNet's first pooling at batch
            # 256 (16 vs 44 ms, measured on the loaded 2-core machine).
            gxp = np.zeros((*g.shape[:-2], *hw), dtype=g.dtype)
            for k in range(kk):
                p, q = divmod(k, kernel[1])
                ho, wo = g.shape[-2:]
                rows = slice(p * dilation[0], p * dilation[0] + stride[0] * (ho - 1) + 1, stride[0])
                cols = slice(q * dilation[1], q * dilation[1] + stride[1] * (wo - 1) + 1, stride[1])
                np.copyto(gxp[..., rows, cols], g, where=self.arg == k)
            return (_unpad(gxp, pads, shape),)
        # g placed at each window's argmax offset, the other offsets 0; then col2im
        gcols = np.zeros((kk, *g.shape), dtype=g.dtype)
        for k in range(kk):
            np.copyto(gcols[k], g, where=self.arg == k)
        gcols = np.moveaxis(gcols.reshape(*kernel, *g.shape), (0, 1), (-2, -1))
        gxp = col2im(gcols, hw, stride, dilation)
        return (_unpad(gxp, pads, shape),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = 1 at each window's argmax: scatter back there", self.arg),)


class AvgPool2d(Function):
    """z[n, c, i, j] = (1/k) Σ_{p,q} xp[n, c, i·sh + p, j·sw + q]; ∂z/∂x = 1/k over each window

    k = kh·kw with count_include_pad=True (torch's default: padded zeros count), else the
    number of real input elements in the window. divisor_override replaces k.
    """

    __slots__ = ("div", "geo")
    name = "avg_pool2d"

    def forward(
        self,
        x: np.ndarray,
        kernel_size: Any,
        stride: Any = None,
        padding: Any = 0,
        count_include_pad: bool = True,
        divisor_override: int | None = None,
    ) -> np.ndarray:
        kernel, stride, pads, dilation, ho, wo = _pool_args(
            x, kernel_size, stride, padding, 1, self.name
        )
        xp = _pad(x, pads)
        s = patches(xp, kernel, stride, dilation).sum(axis=(-2, -1))
        if divisor_override is not None:
            if not isinstance(divisor_override, (int, np.integer)) or divisor_override < 1:
                raise InputError(
                    "'avg_pool2d': divisor_override must be a positive int, got "
                    f"{divisor_override!r}"
                )
            div: Any = x.dtype.type(divisor_override)
        elif count_include_pad or pads == ((0, 0), (0, 0)):
            div = x.dtype.type(kernel[0] * kernel[1])
        else:  # count the real (unpadded) elements of each window
            ones = _pad(np.ones((1, 1, *x.shape[2:]), dtype=x.dtype), pads)
            div = patches(ones, kernel, stride, dilation).sum(axis=(-2, -1))
        self.div = div
        self.geo = (kernel, stride, pads, xp.shape[-2:], x.shape)
        return s / div

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        kernel, stride, pads, hw, shape = self.geo
        share = (g / self.div)[..., None, None]
        gxp = col2im(np.broadcast_to(share, (*g.shape, *kernel)), hw, stride, (1, 1))
        return (_unpad(gxp, pads, shape),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂{z}/∂{0} = 1/k over each window: spread back evenly", self.div),)
