"""Every differentiable tensor op: one class each, forward and local derivative side by side.

Conventions: forward() saves only what backward() needs; backward(g) returns one gradient
per parent, already reduced to that parent's shape (broadcasting is undone explicitly with
unbroadcast); a gradient the caller does not need may be None (see self.needs_grad).
Every class here must have an entry in registry.py, which the test suite gradchecks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InputError, ShapeError
from .graph import LocalGrad
from .tensor import Function, unbroadcast

# ---------------------------------------------------------------------------------------------
# elementwise, binary (broadcasting)


class Add(Function):
    """z = a + b; ∂z/∂a = ∂z/∂b = 1"""

    __slots__ = ("sa", "sb")
    name = "+"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.sa, self.sb = a.shape, b.shape
        return a + b

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return unbroadcast(g, self.sa), unbroadcast(g, self.sb)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return LocalGrad("∂z/∂a = 1", None), LocalGrad("∂z/∂b = 1", None)


class Sub(Function):
    """z = a − b; ∂z/∂a = 1, ∂z/∂b = −1"""

    __slots__ = ("sa", "sb")
    name = "-"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.sa, self.sb = a.shape, b.shape
        return a - b

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return unbroadcast(g, self.sa), unbroadcast(-g, self.sb)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return LocalGrad("∂z/∂a = 1", None), LocalGrad("∂z/∂b = −1", None)


class Mul(Function):
    """z = a·b; ∂z/∂a = b, ∂z/∂b = a"""

    __slots__ = ("a", "b")
    name = "*"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        return a * b

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return unbroadcast(g * self.b, self.a.shape), unbroadcast(g * self.a, self.b.shape)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return LocalGrad("∂z/∂a = b", self.b), LocalGrad("∂z/∂b = a", self.a)


class Div(Function):
    """z = a/b; ∂z/∂a = 1/b, ∂z/∂b = −a/b²"""

    __slots__ = ("a", "b")
    name = "/"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.a, self.b = a, b
        return a / b

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        a, b = self.a, self.b
        gb = g / b
        return unbroadcast(gb, a.shape), unbroadcast(-gb * a / b, b.shape)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return LocalGrad("∂z/∂a = 1/b", self.b), LocalGrad("∂z/∂b = −a/b²", self.a)


class Maximum(Function):
    """z = max(a, b); ∂z/∂a = 1[a>b] (+½ at ties), ∂z/∂b = 1[b>a] (+½ at ties)"""

    __slots__ = ("wa", "sa", "sb")
    name = "max(a,b)"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        self.sa, self.sb = a.shape, b.shape
        out = np.maximum(a, b)
        self.wa = (a > b) + 0.5 * (a == b)
        return out

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        ga = g * self.wa
        return unbroadcast(ga, self.sa), unbroadcast(g - ga, self.sb)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return LocalGrad("∂z/∂a = 1[a>b]", self.wa), LocalGrad("∂z/∂b = 1[b>a]", 1 - self.wa)


class Where(Function):
    """z = a where cond else b; ∂z/∂a = 1[cond], ∂z/∂b = 1[not cond]"""

    __slots__ = ("cond", "sa", "sb")
    name = "where"

    def forward(self, a: np.ndarray, b: np.ndarray, condition: np.ndarray) -> np.ndarray:
        self.cond, self.sa, self.sb = condition, a.shape, b.shape
        return np.where(condition, a, b)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        zero = np.zeros((), g.dtype)
        return (
            unbroadcast(np.where(self.cond, g, zero), self.sa),
            unbroadcast(np.where(self.cond, zero, g), self.sb),
        )

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return LocalGrad("∂z/∂a = 1[cond]", self.cond), LocalGrad("∂z/∂b = 1[¬cond]", ~self.cond)


# ---------------------------------------------------------------------------------------------
# elementwise, unary


class Neg(Function):
    """z = −a; ∂z/∂a = −1"""

    __slots__ = ()
    name = "neg"

    def forward(self, a: np.ndarray) -> np.ndarray:
        return -a

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (-g,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂z/∂a = −1", None),)


class Pow(Function):
    """z = aᵏ for a number k; ∂z/∂a = k·aᵏ⁻¹"""

    __slots__ = ("a", "k")
    name = "**"

    def forward(self, a: np.ndarray, k: float) -> np.ndarray:
        self.a, self.k = a, k
        return a**k

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        k = self.k
        return (g * (k * self.a ** (k - 1)) if k != 0 else np.zeros_like(g),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad(f"∂z/∂a = {self.k:g}·a^{self.k - 1:g}", self.a),)

    def op_name(self) -> str:
        return f"**{self.k:g}"


class Exp(Function):
    """z = eᵃ; ∂z/∂a = eᵃ = z"""

    __slots__ = ("z",)
    name = "exp"

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.z = np.exp(a)
        return self.z

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.z,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂z/∂a = eᵃ", self.z),)


class Log(Function):
    """z = ln a; ∂z/∂a = 1/a"""

    __slots__ = ("a",)
    name = "log"

    def forward(self, a: np.ndarray) -> np.ndarray:
        self.a = a
        return np.log(a)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g / self.a,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂z/∂a = 1/a", self.a),)


class Sigmoid(Function):
    """σ(z) = 1/(1+e⁻ᶻ); ∂σ/∂z = σ(1−σ)"""

    __slots__ = ("s",)
    name = "σ"

    def forward(self, z: np.ndarray) -> np.ndarray:
        # σ(z) = ½(1 + tanh(z/2)): exact, and never overflows (1/(1+e⁻ᶻ) warns below z ≈ −88
        # in float32), at the speed of the exp form.
        # One new array, updated in place: the temporaries of a chained expression would cost
        # memory traffic comparable to the matmul of a wide layer.
        s = np.multiply(z, 0.5, out=np.empty_like(z))  # out=: an array even for 0-d z
        np.tanh(s, out=s)
        s += 1
        s *= 0.5
        self.s = s
        return s

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        s = self.s
        d = 1 - s  # a fresh array: σ(1−σ)·g is formed in it, s and g stay untouched
        d *= s
        d *= g
        return (d,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂a/∂z = a(1−a)", self.s),)


class Tanh(Function):
    """a = tanh z; ∂a/∂z = 1 − a²"""

    __slots__ = ("t",)
    name = "tanh"

    def forward(self, z: np.ndarray) -> np.ndarray:
        self.t = np.tanh(z)
        return self.t

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        t = self.t
        return (g * (1 - t * t),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂a/∂z = 1−a²", self.t),)


class ReLU(Function):
    """a = max(0, z); ∂a/∂z = 1[z>0]"""

    __slots__ = ("mask",)
    name = "relu"

    def forward(self, z: np.ndarray) -> np.ndarray:
        self.mask = z > 0
        return np.maximum(z, 0)  # (not z·mask: that gives −0.0 for negative z)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.mask,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂a/∂z = 1[z>0]", self.mask),)


class Clip(Function):
    """z = min(max(a, low), high); ∂z/∂a = 1[low ≤ a ≤ high]"""

    __slots__ = ("mask",)
    name = "clip"

    def forward(self, a: np.ndarray, low: float | None, high: float | None) -> np.ndarray:
        if low is None and high is None:
            raise InputError("clip: give low, high or both")
        if low is not None and high is not None and low > high:
            raise InputError(f"clip: low={low} is greater than high={high}")
        lo = -np.inf if low is None else low
        hi = np.inf if high is None else high
        self.mask = (a >= lo) & (a <= hi)
        return np.clip(a, lo, hi).astype(a.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.mask,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂z/∂a = 1[low≤a≤high]", self.mask),)


# ---------------------------------------------------------------------------------------------
# reductions


def _axes(axis: Any, ndim: int, op: str) -> tuple[int, ...]:
    """Normalize numpy's axis= (None, int, negative, tuple) to sorted non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    raw = axis if isinstance(axis, (tuple, list)) else (axis,)
    out = []
    for ax in raw:
        if not isinstance(ax, (int, np.integer)) or not -ndim <= ax < ndim:
            raise ShapeError(f"'{op}': axis {ax!r} is out of range for a tensor with {ndim} dims")
        out.append(int(ax) % ndim)
    if len(set(out)) != len(out):
        raise ShapeError(f"'{op}': repeated axis in {axis!r}")
    return tuple(sorted(out))


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


def _spread(g: np.ndarray, kept: tuple[int, ...], shape: tuple[int, ...]) -> np.ndarray:
    """Copy a reduced gradient back over every element that was reduced (a writable array)."""
    out = np.empty(shape, dtype=g.dtype)
    out[...] = g.reshape(kept)
    return out


class Sum(Function):
    """z = Σᵢ aᵢ over `axis`; ∂z/∂aᵢ = 1"""

    __slots__ = ("shape", "kept")
    name = "sum"

    def forward(self, a: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        axes = _axes(axis, a.ndim, "sum")
        self.shape, self.kept = a.shape, _kept_shape(a.shape, axes)
        return np.asarray(a.sum(axis=axes, keepdims=keepdims))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (_spread(g, self.kept, self.shape),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂z/∂aᵢ = 1", None),)


class Mean(Function):
    """z = (1/n) Σᵢ aᵢ over `axis`; ∂z/∂aᵢ = 1/n"""

    __slots__ = ("shape", "kept", "n")
    name = "mean"

    def forward(self, a: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        axes = _axes(axis, a.ndim, "mean")
        self.shape, self.kept = a.shape, _kept_shape(a.shape, axes)
        self.n = int(np.prod([a.shape[i] for i in axes])) if axes else 1
        if self.n == 0:
            raise ShapeError(f"'mean': mean over an empty axis of a tensor of shape {a.shape}")
        return np.asarray(a.mean(axis=axes, keepdims=keepdims))

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (_spread(g / self.n, self.kept, self.shape),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad(f"∂z/∂aᵢ = 1/{self.n}", None),)


class Max(Function):
    """z = maxᵢ aᵢ over `axis`; ∂z/∂aᵢ = 1[aᵢ = z] (shared equally between ties)"""

    __slots__ = ("w", "kept")
    name = "max"

    def forward(self, a: np.ndarray, axis: Any, keepdims: bool) -> np.ndarray:
        axes = _axes(axis, a.ndim, "max")
        if a.size == 0:
            raise ShapeError(f"'max': max of an empty tensor of shape {a.shape}")
        self.kept = _kept_shape(a.shape, axes)
        z = a.max(axis=axes, keepdims=True)
        mask = a == z
        self.w = mask / mask.sum(axis=axes, keepdims=True, dtype=a.dtype)
        return z if keepdims else z.reshape([n for i, n in enumerate(a.shape) if i not in axes])

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (self.w * g.reshape(self.kept),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂z/∂aᵢ = 1[aᵢ = max]", self.w),)


class LogSoftmax(Function):
    """yᵢ = zᵢ − log Σⱼ e^zⱼ along `axis`; ∂y/∂z = I − softmax(z) (VJP: g − s·Σg)"""

    __slots__ = ("s", "axis")
    name = "log_softmax"

    def forward(self, z: np.ndarray, axis: int) -> np.ndarray:
        self.axis = _axes(axis, z.ndim, "log_softmax")[0]
        shifted = z - z.max(axis=self.axis, keepdims=True)  # largest exponent is e⁰: no overflow
        e = np.exp(shifted)
        se = e.sum(axis=self.axis, keepdims=True)
        self.s = e / se
        return shifted - np.log(se)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g - self.s * g.sum(axis=self.axis, keepdims=True),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂y/∂z = I − softmax(z)", self.s),)


class Softmax(Function):
    """sᵢ = e^zᵢ / Σⱼ e^zⱼ along `axis`; ∂s/∂z = diag(s) − ssᵀ (VJP: s·(g − Σ g·s))"""

    __slots__ = ("s", "axis")
    name = "softmax"

    def forward(self, z: np.ndarray, axis: int) -> np.ndarray:
        self.axis = _axes(axis, z.ndim, "softmax")[0]
        e = np.exp(z - z.max(axis=self.axis, keepdims=True))
        e /= e.sum(axis=self.axis, keepdims=True)
        self.s = e
        return e

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        s = self.s
        return (s * (g - (g * s).sum(axis=self.axis, keepdims=True)),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂s/∂z = diag(s) − ssᵀ", self.s),)


# ---------------------------------------------------------------------------------------------
# movement


class Reshape(Function):
    """z = a viewed with a new shape; the gradient is reshaped back"""

    __slots__ = ("shape",)
    name = "reshape"

    def forward(self, a: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        self.shape = a.shape
        try:
            return a.reshape(shape)
        except (ValueError, TypeError):
            raise ShapeError(
                f"'reshape': cannot reshape {a.shape} ({a.size} elements) into {tuple(shape)}"
            ) from None

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g.reshape(self.shape),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad(f"reshape back to {self.shape}", None),)


class Transpose(Function):
    """z = a with axes permuted (reversed by default); the gradient is permuted back"""

    __slots__ = ("inverse",)
    name = "transpose"

    def forward(self, a: np.ndarray, axes: tuple[int, ...] | None) -> np.ndarray:
        perm = tuple(range(a.ndim))[::-1] if axes is None else _axes_perm(axes, a.ndim)
        self.inverse = tuple(np.argsort(perm))
        return a.transpose(perm)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g.transpose(self.inverse),)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("transpose back", None),)


def _axes_perm(axes: Any, ndim: int) -> tuple[int, ...]:
    perm = tuple(int(a) % ndim if -ndim <= int(a) < ndim else -1 for a in axes)
    if sorted(perm) != list(range(ndim)):
        raise ShapeError(f"'transpose': axes {tuple(axes)} are not a permutation of {ndim} dims")
    return perm


def _index(index: Any) -> tuple[Any, bool]:
    """Turn Tensor/list/bool indices into numpy ones; report whether it is basic indexing."""
    items = index if isinstance(index, tuple) else (index,)
    out, basic = [], True
    for it in items:
        if hasattr(it, "data") and isinstance(it.data, np.ndarray):  # a Tensor
            it = it.data
        if isinstance(it, (list, np.ndarray)):
            arr = np.asarray(it)
            if arr.dtype == np.bool_:
                out.extend(np.nonzero(arr))
            elif arr.dtype.kind in "iu":
                out.append(arr)
            elif arr.dtype.kind == "f" and np.all(arr == np.round(arr)):
                out.append(arr.astype(np.intp))
            else:
                raise InputError(f"'getitem': index arrays must hold integers, got {arr.dtype}")
            basic = False
        else:
            out.append(it)
    return (tuple(out) if isinstance(index, tuple) or len(out) != 1 else out[0]), basic


class GetItem(Function):
    """z = a[index] (ints, slices, integer arrays); ∂C/∂a scatters g back, repeats accumulate"""

    __slots__ = ("shape", "index", "basic")
    name = "[]"

    def forward(self, a: np.ndarray, index: Any) -> np.ndarray:
        idx, basic = _index(index)
        self.shape, self.index, self.basic = a.shape, idx, basic
        try:
            return np.asarray(a[idx])
        except IndexError as e:
            raise ShapeError(f"'getitem': {e} (tensor shape {a.shape})") from None

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        out = np.zeros(self.shape, dtype=g.dtype)
        if self.basic:
            out[self.index] = g
        else:  # add.at accumulates where an index repeats (a[[0, 0]] uses a[0] twice)
            np.add.at(out, self.index, g)
        return (out,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("scatter back into the selected positions", None),)


class Concatenate(Function):
    """z = [a₁ a₂ …] along `axis`; the gradient is split back into the pieces"""

    __slots__ = ("axis", "cuts")
    name = "concat"

    def forward(self, *arrays: np.ndarray, axis: int) -> np.ndarray:
        self.axis = _axes(axis, arrays[0].ndim, "concat")[0]
        self.cuts = np.cumsum([a.shape[self.axis] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=self.axis)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.split(g, self.cuts, axis=self.axis))

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return tuple(LocalGrad("split back", None) for _ in range(len(self.cuts) + 1))


class Stack(Function):
    """z = stack(a₁, a₂, …) along a new `axis`; the gradient is unstacked"""

    __slots__ = ("axis", "n")
    name = "stack"

    def forward(self, *arrays: np.ndarray, axis: int) -> np.ndarray:
        self.axis = _axes(axis, arrays[0].ndim + 1, "stack")[0]
        self.n = len(arrays)
        return np.stack(arrays, axis=self.axis)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.moveaxis(g, self.axis, 0))

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return tuple(LocalGrad("unstack", None) for _ in range(self.n))


# ---------------------------------------------------------------------------------------------
# linear algebra


class MatMul(Function):
    """z = x @ W (1-D, 2-D, batched as numpy); ∂z/∂x = Wᵀ, ∂z/∂W = xᵀ (VJP: g·Wᵀ, xᵀ·g)"""

    __slots__ = ("a", "b")
    name = "@"

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ShapeError(
                f"'@': matmul needs 1-D or larger operands, got {a.shape} @ {b.shape}; "
                "use * to scale"
            )
        ka, kb = a.shape[-1], (b.shape[-2] if b.ndim >= 2 else b.shape[0])
        if ka != kb:
            raise ShapeError(
                f"'@': inner dimensions differ: {a.shape} @ {b.shape} ({ka} ≠ {kb}); the last "
                "axis of the left operand must match the first (or second-to-last) of the right"
            )
        self.a, self.b = a, b
        return np.asarray(a @ b)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
        a, b = self.a, self.b
        # Work in ≥2-D as numpy does: a 1-D left operand is a row, a 1-D right one a column.
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        g2 = g[..., None] if b.ndim == 1 else g
        g2 = g2[..., None, :] if a.ndim == 1 else g2
        ga = gb = None
        if self.needs_grad[0]:
            ga = unbroadcast(g2 @ np.swapaxes(b2, -1, -2), a2.shape).reshape(a.shape)
        if self.needs_grad[1]:
            gb = unbroadcast(np.swapaxes(a2, -1, -2) @ g2, b2.shape).reshape(b.shape)
        return ga, gb

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return LocalGrad("∂z/∂x = Wᵀ", self.b), LocalGrad("∂z/∂W = xᵀ", self.a)


class Linear(Function):
    """The fully connected layer z = x Wᵀ + b, one node (W: out×in, x: …×in, b: out).

    Forward pass: ∂z/∂W = x (the input wired to each weight), ∂z/∂x = W, ∂z/∂b = 1.
    Backward pass: ∂C/∂W = gᵀx, ∂C/∂x = g W, ∂C/∂b = Σ g over the batch.
    """

    __slots__ = ("x", "w")
    name = "linear"

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
            raise ShapeError(
                f"'linear': input of shape {x.shape} does not fit a weight of shape {w.shape} "
                f"(out × in): the input's last axis must be {w.shape[1] if w.ndim == 2 else '?'}"
            )
        if b is not None and b.shape != (w.shape[0],):
            raise ShapeError(f"'linear': bias shape {b.shape} must be ({w.shape[0]},)")
        self.x, self.w = x, w
        z = x @ w.T
        if b is not None:
            z += b
        return z

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        need = self.needs_grad
        x, w = self.x, self.w
        gx = g @ w if need[0] else None
        g2 = g.reshape(-1, g.shape[-1])
        gw = g2.T @ x.reshape(-1, x.shape[-1]) if need[1] else None
        if len(need) == 2:
            return gx, gw
        return gx, gw, (np.add.reduce(g2, axis=0) if need[2] else None)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        out = (LocalGrad("∂z/∂x = W", self.w), LocalGrad("∂z/∂W = x", self.x))
        return out + ((LocalGrad("∂z/∂b = 1", None),) if len(self.needs_grad) == 3 else ())


# ---------------------------------------------------------------------------------------------
# fused losses (one node each: stable, and their local derivative is the lecture's ŷ − y)


def _reduce_loss(per_item: np.ndarray, reduction: str, op: str) -> tuple[np.ndarray, float]:
    # add.reduce directly: what ndarray.mean/sum do, without their Python wrappers (a loss is
    # computed every step, so the wrappers are a visible part of a small batch's step).
    if reduction == "mean":
        n = per_item.size
        if n == 0:
            return np.asarray(per_item.mean()), 1.0
        return np.asarray(np.add.reduce(per_item, axis=None) / n), 1.0 / n
    if reduction == "sum":
        return np.asarray(np.add.reduce(per_item, axis=None)), 1.0
    if reduction == "none":
        return per_item, 1.0
    raise InputError(f"{op}: reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


class CrossEntropy(Function):
    """C = −Σₖ yₖ log softmax(z)ₖ from logits z (classes on the last axis).

    Targets are class indices (shape z.shape[:-1]) or probabilities (shape of z).
    ∂C/∂z = softmax(z) − y  (divided by the batch size for reduction="mean").
    """

    __slots__ = ("dz", "reduction")
    name = "CE"

    def forward(self, z: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        if z.ndim == 0:
            raise ShapeError("cross_entropy: logits must have a class axis, got a scalar")
        # Shifting by the row max makes the largest exponent e⁰: no overflow.
        shifted = z - np.maximum.reduce(z, axis=-1, keepdims=True)
        e = np.exp(shifted)
        se = np.add.reduce(e, axis=-1, keepdims=True)
        if target.dtype.kind in "iu":
            if target.shape != z.shape[:-1]:
                raise ShapeError(
                    f"cross_entropy: {_n(z.shape[:-1])} predictions but targets of shape "
                    f"{target.shape}; give one class index per row of logits {z.shape}"
                )
            k = z.shape[-1]
            if target.size and (target.min() < 0 or target.max() >= k):
                bad = (target < 0) | (target >= k)
                pos = tuple(int(i) for i in np.argwhere(bad)[0])
                v = int(target[pos])
                why = "negative" if v < 0 else f"out of range for {k} classes"
                raise InputError(
                    f"cross_entropy: class index {v} at position {pos if len(pos) > 1 else pos[0]}"
                    f" is {why}; class indices run from 0 to {k - 1}"
                )
            t = target.reshape(-1)
            rows = np.arange(t.size)
            # Cⁿ = log Σⱼ e^zⱼ − z_y, both sides shifted by the same row max.
            nll = (np.log(se).reshape(-1) - shifted.reshape(-1, k)[rows, t]).reshape(target.shape)
            e /= se  # e is ours: softmax(z) in place
            e.reshape(-1, k)[rows, t] -= 1  # now softmax(z) − onehot(y)
            dz = e
        else:
            if target.shape != z.shape:
                raise ShapeError(
                    f"cross_entropy: probability targets of shape {target.shape} must match the "
                    f"logits {z.shape} (or give integer class indices of shape {z.shape[:-1]})"
                )
            logp = shifted - np.log(se)
            nll = -(target * logp).sum(axis=-1)
            e /= se
            dz = e * target.sum(axis=-1, keepdims=True) - target
        loss, scale = _reduce_loss(nll, reduction, "cross_entropy")
        if scale != 1.0:
            dz *= scale
        self.dz, self.reduction = dz, reduction
        return loss.astype(z.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        if self.reduction == "none":
            return (g[..., None] * self.dz,)
        return (g * self.dz,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂C/∂z = softmax(z) − y", self.dz),)


def _binary_target(pred: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Targets of a binary cross entropy: the predictions' shape, values in [0, 1]."""
    if target.shape != pred.shape:
        raise ShapeError(
            f"binary_cross_entropy: {pred.shape} predictions but targets of shape {target.shape}"
        )
    if np.any((target < 0) | (target > 1)):
        raise InputError("binary_cross_entropy: targets must lie in [0, 1]")
    return target.astype(pred.dtype, copy=False)


class BinaryCrossEntropy(Function):
    """C = −[y log σ(z) + (1−y) log(1−σ(z))] from logits z, computed stably as
    max(z,0) − z·y + log(1+e^−|z|);  ∂C/∂z = σ(z) − y"""

    __slots__ = ("dz", "reduction")
    name = "BCE"

    def forward(self, z: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        y = _binary_target(z, target)
        per = np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))
        s = 0.5 * (1 + np.tanh(0.5 * z))
        loss, scale = _reduce_loss(per, reduction, "binary_cross_entropy")
        self.dz, self.reduction = (s - y) * scale, reduction
        return loss.astype(z.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.dz,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂C/∂z = σ(z) − y", self.dz),)


class BinaryCrossEntropyProb(Function):
    """C = −[y log p + (1−y) log(1−p)] from probabilities p ∈ [0, 1], each log clamped at −100
    (as PyTorch) so p = 0 or 1 gives a finite loss;  ∂C/∂p = (p − y) / max(p(1−p), 1e−12)"""

    __slots__ = ("dp", "reduction")
    name = "BCE(p)"

    def forward(self, p: np.ndarray, target: np.ndarray, reduction: str = "mean") -> np.ndarray:
        y = _binary_target(p, target)
        if not np.all((p >= 0) & (p <= 1)):
            raise InputError(
                f"binary_cross_entropy: predictions must be probabilities in [0, 1], got values "
                f"in [{np.nanmin(p):g}, {np.nanmax(p):g}] (or NaN); for raw scores (logits) use "
                "from_logits=True"
            )
        with np.errstate(divide="ignore"):  # log 0 = −inf, clamped just below
            logp = np.maximum(np.log(p), -100)
            log1mp = np.maximum(np.log1p(-p), -100)
        per = -(y * logp + (1 - y) * log1mp)
        loss, scale = _reduce_loss(per, reduction, "binary_cross_entropy")
        self.dp = (p - y) / np.maximum(p * (1 - p), 1e-12) * scale
        self.reduction = reduction
        return loss.astype(p.dtype, copy=False)

    def backward(self, g: np.ndarray) -> tuple[np.ndarray]:
        return (g * self.dp,)

    def local_grads(self) -> tuple[LocalGrad, ...]:
        return (LocalGrad("∂C/∂p = (p − y)/(p(1−p))", self.dp),)


def _n(shape: tuple[int, ...]) -> str:
    return str(int(np.prod(shape))) if shape else "1"
