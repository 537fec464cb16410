"""Tensor: a numpy-array node, and Function, the base class of every differentiable tensor op.

A Function's forward() computes the result and saves what its vector–Jacobian product needs;
its backward(g) returns, for each parent, (∂z/∂parent)ᵀ·g already reduced to the parent's
shape; local_grads() names what was saved by the derivative it stands for, as a template
("∂{z}/∂{1} = {0}ᵀ": {z} is the output, {0}, {1}, … the inputs; see graph.LocalGrad).
Forward, backward and the names live side by side in one class per op (see the ops package).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar, NamedTuple

import numpy as np

from .errors import BackwardError, BadIndexError, InputError, NumberRangeError, ShapeError
from .graph import MODE, LocalGrad, Node, check_forward
from .numbers import as_real, refuse_complex
from .versions import TrackedArray, Version, holds

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def check_dtype(dtype: Any, what: str = "Tensor") -> np.dtype:
    """np.dtype(dtype) for the dtypes a tensor may hold: float32/float64 (differentiable),
    integers and bool (data: indices, masks, labels). float/int/bool mean float64/int64/bool."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise TypeError(
            f"{what}: {dtype!r} is not a dtype (try np.float32, float, int, bool)"
        ) from None
    if dt not in _FLOATS and dt.kind not in "biu":
        raise TypeError(
            f"{what}: dtype must be float32, float64, an integer type or bool, got {dt}"
        )
    return dt


def _data_array(data: Any, dtype: Any, copy: bool) -> np.ndarray:
    """Tensor(...)'s data: floats as given, ints and bools float64 unless dtype= keeps them."""
    if dtype is None or np.dtype(dtype).kind == "f":
        return as_float_array(data, dtype, copy=copy)
    dt = check_dtype(dtype)
    arr = np.asarray(data.data if isinstance(data, Tensor) else data)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"Tensor: data must be real numbers, got an array of dtype {arr.dtype}")
    return arr.astype(dt, copy=copy or arr.dtype != dt)


def _refuse_grad(dt: np.dtype, what: str) -> None:
    raise TypeError(
        f"{what}: only floating-point tensors can require grad, and this one is {dt} (data such "
        "as indices, masks or labels); convert first with .float() or .double()"
    )


def as_float_array(
    data: Any, dtype: Any = None, copy: bool = False, what: str = "Tensor"
) -> np.ndarray:
    """float32/float64 kept as given, ints and bools become float64 (or `dtype`), else TypeError."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        dt = np.dtype(dtype)
        if dt not in _FLOATS:
            raise TypeError(f"{what}: dtype must be float32 or float64, got {dt}")
    try:
        arr = np.asarray(data)
    except (ValueError, TypeError) as e:  # ragged nested lists and the like
        raise TypeError(f"{what}: cannot make an array of {type(data).__name__}: {e}") from None
    kind = arr.dtype.kind
    if kind == "f" and arr.dtype in _FLOATS:
        target = dt if dtype is not None else arr.dtype
    elif kind in "biu":
        target = dt if dtype is not None else np.dtype(np.float64)
    elif kind == "f":
        raise TypeError(
            f"{what}: {arr.dtype} is not supported; convert with .astype(np.float32) or "
            ".astype(np.float64)"
        )
    else:
        raise TypeError(
            f"{what}: data must be real numbers (float, int or bool), got an array of dtype "
            f"{arr.dtype} from {type(data).__name__}"
        )
    if arr.dtype != target:
        return arr.astype(target)
    return arr.copy() if copy else arr


def unbroadcast(g: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Undo broadcasting: sum g over the axes broadcasting added (any rank difference) or
    stretched from 1, so the result has `shape`. ∂C/∂x = Σ over the copies of x."""
    if g.shape == shape:
        return g
    extra = g.ndim - len(shape)
    if extra > 0:
        g = g.sum(axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(shape) if n == 1 and g.shape[i] != 1)
    if axes:
        g = g.sum(axis=axes, keepdims=True)
    return g


class IndexedGrad(NamedTuple):
    """A gradient that is zero except at `index`: ∂C/∂a[index] += values.

    GetItem's backward returns one, so that a loop over rows (`s = s + x[i]`) adds each row into
    one gradient buffer instead of allocating a full-size zero array per row (bench/engine.py
    row loop: quadratic in n before, linear now). `unique`: no position is named twice (ints,
    slices, boolean masks), so a plain indexed add is right; integer arrays may repeat a
    position and are accumulated with bincount (faster than np.add.at: see `add_into`).
    """

    index: Any
    values: np.ndarray
    unique: bool

    def add_into(self, buf: np.ndarray) -> None:
        """buf[index] += values, counting every repeat of a position."""
        if self.unique:
            buf[self.index] += self.values
            return
        idx = self.index if isinstance(self.index, tuple) else (self.index,)
        # a mask among integer arrays stands for its nonzero() positions, as in numpy
        idx = tuple(p for i in idx for p in (np.nonzero(i) if _is_mask(i) else (i,)))
        if not all(isinstance(i, np.ndarray) for i in idx):  # arrays mixed with slices
            np.add.at(buf, idx, self.values)
            return
        # Integer arrays on the leading axes: flatten (position, trailing element) to one
        # number and let bincount sum the repeats (1.6–2.1× faster than np.add.at, issue 15).
        lead = buf.shape[: len(idx)]
        rest = int(np.prod(buf.shape[len(idx) :], dtype=np.int64))
        pos = np.ravel_multi_index(np.broadcast_arrays(*idx), lead, mode="wrap").reshape(-1)
        flat = (pos[:, None] * rest + np.arange(rest)).reshape(-1)
        vals = self.values.reshape(-1)
        buf += np.bincount(flat, weights=vals, minlength=buf.size).reshape(buf.shape)


def _is_mask(i: Any) -> bool:
    return isinstance(i, np.ndarray) and i.dtype == np.bool_


class Function:
    """Base of every tensor op. Subclasses set `name`, define forward/backward/local_grads."""

    __slots__ = ("needs_grad", "_versions")
    name: ClassVar[str] = "?"

    def forward(self, *arrays: np.ndarray, **options: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise NotImplementedError

    def local_grads(self) -> tuple[LocalGrad, ...]:
        """∂z/∂parent for each parent: its name (a template) and the array it was saved as."""
        return ()

    def op_name(self) -> str:
        """The op's name as drawn on graphs (some ops add a parameter, e.g. "**2")."""
        return self.name

    @classmethod
    def apply(cls, *parents: Tensor, **options: Any) -> Tensor:
        """Run forward on the parents' data and record the node if any parent requires grad."""
        ctx = cls()
        try:
            data = ctx.forward(*[p._data for p in parents], **options)
        except (ShapeError, InputError, TypeError):
            raise
        except (ValueError, IndexError) as e:
            shapes = ", ".join(str(p._data.shape) for p in parents)
            kind = BadIndexError if isinstance(e, IndexError) else ShapeError
            raise kind(f"'{cls.name}': {e} (input shapes: {shapes})") from None
        if type(data) is not np.ndarray:  # numpy turns 0-d results into scalars
            data = np.asarray(data)
        needs = tuple([p.requires_grad for p in parents]) if MODE.grad_enabled else ()
        if True in needs:
            ctx.needs_grad = needs
            out = _make(data, parents, ctx, True)
        else:  # nothing to differentiate: keep no parents, so the saved arrays are freed now
            out = _make(data, (), None, False)
        if data.base is not None:  # a view (reshape, slice, …) shares its input's counter
            for p in parents:
                if np.may_share_memory(data, p._data):
                    out._version = p._version
                    break
        if ctx is out._ctx:  # what backward() compares: each input's and the output's version
            ctx._versions = tuple([(p._version, p._version.n) for p in parents]) + (
                (out._version, out._version.n),
            )
        if MODE.anomaly:
            check_forward(_AnomalyView(out, cls.name, parents))
        return out


class _AnomalyView:
    """What check_forward needs to name a failing tensor op, even when no graph was recorded."""

    __slots__ = ("_t", "op", "_parents", "label")

    def __init__(self, t: Tensor, op: str, parents: tuple[Tensor, ...]) -> None:
        self._t, self.op, self._parents, self.label = t, op, parents, ""

    def _data_is_finite(self) -> bool:
        return self._t._data_is_finite()


class Tensor(Node):
    """An n-dimensional array in the graph. `data` is a numpy array, `grad` is ∂C/∂(this)
    (same shape and dtype) after backward(), or None.

    Tensor(data, requires_grad=False, dtype=None, label=""): float32 and float64 are kept as
    given, ints and bools become float64 (or `dtype`). The data is always copied, so a later
    change to the caller's array cannot reach a graph (and optimizers update in place).

    In-place writes (through `.data`, the optimizers, `+=` under no_grad, item assignment)
    bump the tensor's version counter; backward() refuses an op whose saved array changed
    (see tinygrad_edu.versions).
    """

    # _grad_buf: the gradient array this backward pass allocated for the node, so later
    # contributions in the same pass may be added into it in place (see _propagate).
    __slots__ = (
        "_data",
        "_view",
        "_version",
        "grad",
        "requires_grad",
        "label",
        "_parents",
        "_ctx",
        "_grad_buf",
        "__weakref__",
    )
    # numpy defers to our reflected operators (ndarray * Tensor -> Tensor.__rmul__).
    __array_ufunc__ = None

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = ""
    ) -> None:
        self._data = _data_array(data, dtype, copy=True)
        self._view: TrackedArray | None = None
        self._version = Version()
        if requires_grad and self._data.dtype.kind != "f":
            _refuse_grad(self._data.dtype, "Tensor(requires_grad=True)")
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._parents: tuple[Tensor, ...] = ()
        self._ctx: Function | None = None
        self._mark = None
        self._grad_buf: np.ndarray | None = None

    # -- data and its version ---------------------------------------------------------------------
    @property
    def data(self) -> np.ndarray:
        """The forward value: a numpy view of the tensor's array that counts in-place writes."""
        view = self._view
        if view is None:
            view = self._view = TrackedArray.of(self._data, self._version)
        return view

    @data.setter
    def data(self, value: Any) -> None:
        if value is self._view:  # `t.data += 1` assigns the same (already counted) view back
            return
        self._data = value.view(np.ndarray) if type(value) is TrackedArray else np.asarray(value)
        self._view = None
        self._version = Version()  # new storage; graphs keep (and still use) the old array

    @property
    def version(self) -> int:
        """How many in-place writes this tensor's storage has had (torch's `_version`)."""
        return self._version.n

    def data_for_update(self) -> np.ndarray:
        """The array itself, for a caller that is about to write into it in place (an
        optimizer's step): counted now as one in-place write, so a graph that saved it still
        refuses to backpropagate. Cheaper than writing through `.data`, whose view counts
        every operation: SGD's step on a 784-256-128-10 MLP takes 62 µs this way, 78–84 µs
        through `.data` (CPU-time medians, interleaved A/B, loaded machine)."""
        self._version.n += 1
        return self._data

    # -- inspection ------------------------------------------------------------------------------
    @property
    def op(self) -> str:
        """The op that made this node ('' for a leaf)."""
        return self._ctx.op_name() if self._ctx is not None else ""

    @property
    def local_grads(self) -> tuple[LocalGrad, ...]:
        """∂z/∂parent for each parent, as saved by the forward pass for the backward pass."""
        return self._ctx.local_grads() if self._ctx is not None else ()

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    def size(self, dim: int | None = None) -> Any:
        """As torch: the shape, or its length along dim (numpy's int count is numel())."""
        return self.data.shape if dim is None else self.data.shape[dim]

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it has no first axis (use .item())")
        return len(self.data)

    def __iter__(self) -> Iterator[Tensor]:
        """Rows along the first axis, each a differentiable view (t[0], t[1], …)."""
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        if self.data.size != 1:
            raise ShapeError(
                f"the truth value of a tensor of shape {self.shape} is ambiguous; use "
                ".any() or .all() (e.g. (a == b).all())"
            )
        return bool(self.data.reshape(()))

    def __contains__(self, element: Any) -> bool:
        """`v in t` as torch: (t == v).any() (Python's default would compare row by row)."""
        return bool((self == element).data.any())

    def numpy(self) -> np.ndarray:
        """The forward value (not a copy)."""
        return self.data

    def item(self) -> float:
        """The value of a one-element tensor as a float."""
        if self.data.size != 1:
            raise ShapeError(f"item: tensor has shape {self.shape}, not one element")
        return float(self.data.reshape(()))

    def named(self, label: str) -> Tensor:
        """Set the label shown by the renderer and in error messages; returns self."""
        self.label = label
        return self

    def detach(self) -> Tensor:
        """A leaf sharing the data (and its version counter), with no history and
        requires_grad=False."""
        t = _make(self._data, (), None, False)
        t._version = self._version
        return t

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Turn gradient tracking on or off for this leaf; returns self."""
        if self._parents and not flag:
            raise BackwardError("requires_grad_: only leaves can be switched off; use detach()")
        if flag and self.data.dtype.kind != "f":
            _refuse_grad(self.data.dtype, "requires_grad_")
        self.requires_grad = bool(flag)
        return self

    def __repr__(self) -> str:
        parts = []
        if self.data.size <= 8:
            parts.append(np.array2string(self.data, precision=4, separator=", "))
        else:
            parts.append(f"shape={self.shape}")
        parts.append(f"dtype={self.data.dtype}")
        if self.requires_grad:
            parts.append("requires_grad=True")
        if self._ctx is not None:
            parts.append(f"op={self.op!r}")
        if self.label:
            parts.append(f"label={self.label!r}")
        return f"Tensor({', '.join(parts)})"

    # -- protocol for the backward driver ----------------------------------------------------------
    def _reset_grad(self) -> None:
        self.grad = None

    def _seed_grad(self, grad: Any) -> None:
        data = self._data
        if grad is None:
            if data.size != 1:
                raise BackwardError(
                    f"backward: the output has shape {data.shape}, not a scalar. Reduce it to "
                    f"one number first with .sum() or .mean(), or pass grad= an array of shape "
                    f"{data.shape} (the upstream gradient ∂C/∂output)."
                )
            self.grad = np.ones_like(data)
            return
        if type(grad) is np.ndarray and grad.dtype == data.dtype:
            g = grad.copy()  # the common case, without as_float_array's checks; ours, not theirs
        else:
            g = as_float_array(grad, data.dtype, copy=True, what="backward(grad=...)")
        if g.shape != data.shape:
            raise ShapeError(
                f"backward: grad has shape {g.shape} but the output has shape {data.shape}; "
                "the upstream gradient must have the output's shape"
            )
        self.grad = g

    def _begin_backward(self) -> None:
        if self._parents:
            self.grad = None
        self._grad_buf = None

    def _propagate(self) -> None:
        ctx = self._ctx
        for version, n in ctx._versions:  # type: ignore[union-attr]
            if version.n != n:
                _check_saved(self)
                break
        grads = ctx.backward(self.grad)  # type: ignore[union-attr]
        for p, g in zip(self._parents, grads):
            if g is None or not p.requires_grad:
                continue
            pd = p._data
            if type(g) is IndexedGrad:
                p._accumulate_into_own(g)
                continue
            if type(g) is not np.ndarray:
                g = np.asarray(g)
            if g.shape != pd.shape:
                raise BackwardError(
                    f"backward of op '{self.op}' returned a gradient of shape {g.shape} for an "
                    f"input of shape {pd.shape}; its backward() must reduce to the input's shape"
                )
            if g.dtype != pd.dtype:
                g = g.astype(pd.dtype)
            if p.grad is None:
                if p._parents or not _maybe_shared(g, self.grad, grads):
                    p.grad = g  # may be an array another node also holds: never written into
                else:  # a leaf owns its gradient: `p.grad *= 0.5` must not reach another's
                    p.grad = p._grad_buf = g.copy()
            elif p._grad_buf is p.grad:
                p.grad += g  # this pass's own buffer: add in place
            else:
                p.grad = p._grad_buf = p.grad + g

    def _accumulate_into_own(self, g: IndexedGrad) -> None:
        """Add an indexed gradient into a buffer of this pass (made on the first one)."""
        if self._grad_buf is None or self._grad_buf is not self.grad:
            d = self._data
            buf = np.zeros(d.shape, d.dtype) if self.grad is None else self.grad.astype(d.dtype)
            self.grad = self._grad_buf = buf
        g.add_into(self.grad)

    def _grad_is_finite(self) -> bool:
        return self.grad is None or bool(np.isfinite(self.grad).all())

    def _data_is_finite(self) -> bool:
        return bool(np.isfinite(self.data).all())

    # -- operators -------------------------------------------------------------------------------
    def _lift(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            # torch's promotion: float ∘ int/bool keeps the float dtype (numpy would go float64)
            if other.data.dtype.kind != "f" and self.data.dtype.kind == "f":
                return _make(other.data.astype(self.data.dtype), (), None, False)
            return other
        if isinstance(other, (int, float, complex, np.number, np.bool_)):
            refuse_complex(other, "Tensor")  # numpy would drop the imaginary part, warning only
            dt = self._data.dtype
            if dt.kind != "f" and not isinstance(other, (bool, np.bool_, int, np.integer)):
                dt = np.dtype(np.float64)  # int tensor ∘ 0.5 is float, not 0
            try:
                return _make(np.asarray(other, dtype=dt), (), None, False)
            except OverflowError:
                as_real(other, "Tensor")  # raises the clear error for a float overflow
                raise NumberRangeError(f"Tensor: {other!r} does not fit in {dt}") from None
        if isinstance(other, Node):
            raise TypeError(
                "cannot combine a Tensor with a Value; wrap the scalar as Tensor(v.data) "
                "(the two carriers share the graph machinery, not their ops)"
            )
        return Tensor(other)

    def __add__(self, other: Any) -> Tensor:
        return _ops.Add.apply(self, self._lift(other))

    def __radd__(self, other: Any) -> Tensor:
        return _ops.Add.apply(self._lift(other), self)

    def __sub__(self, other: Any) -> Tensor:
        return _ops.Sub.apply(self, self._lift(other))

    def __rsub__(self, other: Any) -> Tensor:
        return _ops.Sub.apply(self._lift(other), self)

    def __mul__(self, other: Any) -> Tensor:
        return _ops.Mul.apply(self, self._lift(other))

    def __rmul__(self, other: Any) -> Tensor:
        return _ops.Mul.apply(self._lift(other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return _ops.Div.apply(self, self._lift(other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return _ops.Div.apply(self._lift(other), self)

    def __neg__(self) -> Tensor:
        return _ops.Neg.apply(self)

    def __pow__(self, k: Any) -> Tensor:
        if isinstance(k, Tensor):
            return _ops.Power.apply(self, self._lift(k))
        if isinstance(k, Node) or not isinstance(k, (int, float, np.number)):
            raise TypeError(
                f"'**': the exponent must be a number or a Tensor, got {type(k).__name__}"
            )
        return _ops.Pow.apply(self, k=as_real(k, "'**'"))

    def __rpow__(self, c: Any) -> Tensor:
        """z = cᵃ = e^(a·ln c) for a number c > 0."""
        if not isinstance(c, (int, float, np.number)) or c <= 0:
            raise InputError(f"'**': the base of c ** Tensor must be a number > 0, got {c!r}")
        return (self * float(np.log(c))).exp()

    def pow(self, exponent: Any) -> Tensor:
        """aᵇ for a number or a tensor b (see __pow__)."""
        return self**exponent

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.MatMul.apply(self, self._lift(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.MatMul.apply(self._lift(other), self)

    def matmul(self, other: Any) -> Tensor:
        """self @ other: 1-D, 2-D, or batched with broadcasting over the leading axes."""
        return self @ other

    def __getitem__(self, index: Any) -> Tensor:
        out = self
        for step in _fn.torch_index_steps(index):  # ints first, then arrays: torch's shapes
            out = _ops.GetItem.apply(out, index=step)
        return out

    # -- comparisons and logic: elementwise, bool results, no gradient (as torch) ---------------
    __hash__ = Node.__hash__  # identity, as torch: a tensor is a graph node, not a value

    def _compare(self, other: Any, fn: Any) -> Tensor:
        if isinstance(other, Tensor):
            o = other.data
        elif isinstance(other, Node):
            raise TypeError("cannot compare a Tensor with a Value; compare Tensor(v.data)")
        else:
            o = np.asarray(other)
            if o.dtype.kind not in "biuf":
                raise TypeError(f"cannot compare a Tensor with {type(other).__name__}")
        try:
            return _make(np.asarray(fn(self.data, o)), (), None, False)
        except ValueError as e:
            raise ShapeError(f"comparison of shapes {self.shape} and {o.shape}: {e}") from None

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        if other is None or isinstance(other, str):
            return NotImplemented  # Python's answer: False (a tensor is never None)
        return self._compare(other, np.equal)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        if other is None or isinstance(other, str):
            return NotImplemented
        return self._compare(other, np.not_equal)

    def __lt__(self, other: Any) -> Tensor:
        return self._compare(other, np.less)

    def __le__(self, other: Any) -> Tensor:
        return self._compare(other, np.less_equal)

    def __gt__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater)

    def __ge__(self, other: Any) -> Tensor:
        return self._compare(other, np.greater_equal)

    def eq(self, other: Any) -> Tensor:
        return self == other

    def ne(self, other: Any) -> Tensor:
        return self != other

    def lt(self, other: Any) -> Tensor:
        return self < other

    def le(self, other: Any) -> Tensor:
        return self <= other

    def gt(self, other: Any) -> Tensor:
        return self > other

    def ge(self, other: Any) -> Tensor:
        return self >= other

    def _logic(self, other: Any, fn: Any, what: str) -> Tensor:
        o = other.data if isinstance(other, Tensor) else np.asarray(other)
        if self.data.dtype.kind not in "biu" or o.dtype.kind not in "biu":
            raise TypeError(
                f"'{what}' is for bool (or integer) tensors such as masks, got {self.dtype} "
                f"and {o.dtype}; compare first, e.g. (x > 0) {what} (x < 1)"
            )
        return _make(np.asarray(fn(self.data, o)), (), None, False)

    def __and__(self, other: Any) -> Tensor:
        return self._logic(other, np.bitwise_and, "&")

    def __or__(self, other: Any) -> Tensor:
        return self._logic(other, np.bitwise_or, "|")

    def __xor__(self, other: Any) -> Tensor:
        return self._logic(other, np.bitwise_xor, "^")

    def __rand__(self, other: Any) -> Tensor:
        return self._logic(other, np.bitwise_and, "&")

    def __ror__(self, other: Any) -> Tensor:
        return self._logic(other, np.bitwise_or, "|")

    def __invert__(self) -> Tensor:
        if self.data.dtype.kind not in "biu":
            raise TypeError(f"'~' is for bool (or integer) tensors such as masks, got {self.dtype}")
        return _make(np.asarray(~self.data), (), None, False)

    def logical_not(self) -> Tensor:
        return _make(np.asarray(np.logical_not(self.data)), (), None, False)

    def any(self, dim: Any = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        """True where any element along dim is nonzero (no gradient)."""
        dims, keep = _fn.resolve_dims(dim, keepdim, numpy_kw, "any")
        return _make(np.asarray(self.data.any(axis=dims, keepdims=keep)), (), None, False)

    def all(self, dim: Any = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        """True where every element along dim is nonzero (no gradient)."""
        dims, keep = _fn.resolve_dims(dim, keepdim, numpy_kw, "all")
        return _make(np.asarray(self.data.all(axis=dims, keepdims=keep)), (), None, False)

    # -- in place (PyTorch's rules) --------------------------------------------------------------
    def _write_allowed(self, what: str) -> bool:
        """In place is allowed under no_grad() or on a tensor that does not require grad;
        a leaf that requires grad refuses (torch's error); other graph nodes compute anew."""
        if not (MODE.grad_enabled and self.requires_grad):
            return True
        if self._parents:
            return False
        name = f" '{self.label}'" if self.label else ""
        raise BackwardError(
            f"{what}: a leaf tensor{name} that requires grad is being used in an in-place "
            "operation (PyTorch raises the same). To update a parameter, do it inside "
            "`with no_grad():`; to compute a new tensor, "
            + (f"write `w = w {what[1:-2]} …`." if what != "'[]='" else "use where().")
        )

    def _in_place(self, other: Any, ufunc: Any, what: str) -> Tensor | None:
        if not self._write_allowed(what):
            return None
        o = other._data if isinstance(other, Tensor) else _number_or_array(other, what)
        try:
            ufunc(self._data, o, out=self._data, casting="same_kind")
        except ValueError as e:  # o would broadcast to a larger shape than self
            raise ShapeError(
                f"{what}: cannot write a result of shape {np.shape(o)} into a tensor of shape "
                f"{self._data.shape} in place ({e})"
            ) from None
        self._version.n += 1
        return self

    def __iadd__(self, other: Any) -> Tensor:
        """a += b: in place under no_grad() (same tensor, same array), else a new node."""
        return _or(self._in_place(other, np.add, "'+='"), lambda: self + other)

    def __isub__(self, other: Any) -> Tensor:
        return _or(self._in_place(other, np.subtract, "'-='"), lambda: self - other)

    def __imul__(self, other: Any) -> Tensor:
        return _or(self._in_place(other, np.multiply, "'*='"), lambda: self * other)

    def __itruediv__(self, other: Any) -> Tensor:
        return _or(self._in_place(other, np.divide, "'/='"), lambda: self / other)

    def __setitem__(self, index: Any, value: Any) -> None:
        """t[index] = value, in place, under no_grad() or on a tensor that does not require grad."""
        if not self._write_allowed("'[]='"):
            raise BackwardError(
                "'[]=': item assignment into a tensor computed from others that require grad "
                "is not supported (its graph would be rewritten); build the result with "
                "where(), or assign under no_grad()"
            )
        idx, _ = _ops.movement._index(index)
        v = value._data if isinstance(value, Tensor) else _number_or_array(value, "'[]='")
        try:
            self._data[idx] = v
        except (ValueError, IndexError) as e:
            raise ShapeError(f"'[]=': {e} (tensor shape {self._data.shape})") from None
        self._version.n += 1

    # -- elementwise functions -----------------------------------------------------------------
    def exp(self) -> Tensor:
        return _ops.Exp.apply(self)

    def log(self) -> Tensor:
        return _ops.Log.apply(self)

    def sigmoid(self) -> Tensor:
        return _ops.Sigmoid.apply(self)

    def tanh(self) -> Tensor:
        return _ops.Tanh.apply(self)

    def relu(self) -> Tensor:
        return _ops.ReLU.apply(self)

    def clip(self, low: Any = None, high: Any = None) -> Tensor:
        """min(max(a, low), high); tensor bounds go through maximum/minimum."""
        if isinstance(low, Tensor) or isinstance(high, Tensor):
            out = self if low is None else self.maximum(low)
            return out if high is None else out.minimum(high)
        return _ops.Clip.apply(self, low=low, high=high)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002 (torch's names)
        """torch's name for clip(min, max)."""
        return self.clip(min, max)

    def maximum(self, other: Any) -> Tensor:
        return _ops.Maximum.apply(self, self._lift(other))

    def minimum(self, other: Any) -> Tensor:
        """min(a, b) = −max(−a, −b); at ties each side gets half the gradient."""
        return -((-self).maximum(-self._lift(other)))

    def sqrt(self) -> Tensor:
        return _ops.Sqrt.apply(self)

    def rsqrt(self) -> Tensor:
        """1/√a = a^(−½)."""
        return self**-0.5

    def reciprocal(self) -> Tensor:
        """1/a."""
        return 1.0 / self

    def square(self) -> Tensor:
        """a² (= a·a)."""
        return self * self

    def abs(self) -> Tensor:
        return _ops.Abs.apply(self)

    def __abs__(self) -> Tensor:
        return _ops.Abs.apply(self)

    def sign(self) -> Tensor:
        return _ops.Sign.apply(self)

    def log1p(self) -> Tensor:
        return _ops.Log1p.apply(self)

    def expm1(self) -> Tensor:
        return _ops.Expm1.apply(self)

    def log2(self) -> Tensor:
        """log₂ a = ln a / ln 2."""
        return self.log() * (1.0 / np.log(2.0))

    def exp2(self) -> Tensor:
        """2ᵃ = e^(a ln 2)."""
        return 2.0**self

    def sin(self) -> Tensor:
        return _ops.Sin.apply(self)

    def cos(self) -> Tensor:
        return _ops.Cos.apply(self)

    def tan(self) -> Tensor:
        """tan a = sin a / cos a."""
        return self.sin() / self.cos()

    def erf(self) -> Tensor:
        return _ops.Erf.apply(self)

    def floor(self) -> Tensor:
        return _ops.Floor.apply(self)

    def ceil(self) -> Tensor:
        return _ops.Ceil.apply(self)

    def round(self) -> Tensor:
        return _ops.Round.apply(self)

    def trunc(self) -> Tensor:
        return _ops.Trunc.apply(self)

    # -- activations (compositions of the primitives above, except softplus) --------------------
    def leaky_relu(self, negative_slope: float = 0.01) -> Tensor:
        """a if a > 0 else slope·a."""
        return _fn.where(self > 0, self, self * negative_slope)

    def elu(self, alpha: float = 1.0) -> Tensor:
        """a if a > 0 else α(eᵃ − 1); expm1 sees min(a, 0) so no branch overflows."""
        return _fn.where(self > 0, self, self.clip(high=0.0).expm1() * alpha)

    def gelu(self, approximate: str = "none") -> Tensor:
        """a·Φ(a) = ½a(1 + erf(a/√2)); approximate="tanh": ½a(1 + tanh(√(2/π)(a + 0.044715a³)))."""
        if approximate == "tanh":
            inner = (self + self * self * self * 0.044715) * float(np.sqrt(2.0 / np.pi))
            return self * 0.5 * (inner.tanh() + 1.0)
        if approximate != "none":
            raise InputError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")
        return self * 0.5 * ((self * float(1.0 / np.sqrt(2.0))).erf() + 1.0)

    def silu(self) -> Tensor:
        """a·σ(a) (also called swish)."""
        return self * self.sigmoid()

    def softplus(self, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
        return _ops.Softplus.apply(self, beta=float(beta), threshold=float(threshold))

    def hardtanh(self, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
        """clip(a, min_val, max_val), with torch's slope 0 at the bounds themselves (clamp's
        is 1 there): a strictly inside, the clipped constant elsewhere."""
        inside = (self > min_val) & (self < max_val)
        return _fn.where(inside, self, np.clip(self.data, min_val, max_val))

    def relu6(self) -> Tensor:
        """hardtanh(a, 0, 6)."""
        return self.hardtanh(0.0, 6.0)

    def softsign(self) -> Tensor:
        """a / (1 + |a|)."""
        return self / (self.abs() + 1.0)

    def mish(self) -> Tensor:
        """a·tanh(softplus(a))."""
        return self * self.softplus().tanh()

    def logsigmoid(self) -> Tensor:
        """log σ(a) = −softplus(−a)."""
        return -((-self).softplus())

    # -- reductions: dim= and keepdim= as torch, axis= and keepdims= as numpy --------------------
    def sum(self, dim: Any = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        dims, keep = _fn.resolve_dims(dim, keepdim, numpy_kw, "sum")
        return _ops.Sum.apply(self, axis=dims, keepdims=keep)

    def mean(self, dim: Any = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        dims, keep = _fn.resolve_dims(dim, keepdim, numpy_kw, "mean")
        return _ops.Mean.apply(self, axis=dims, keepdims=keep)

    def amax(self, dim: Any = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        """The largest element over dim (one or several); ties share the gradient equally."""
        dims, keep = _fn.resolve_dims(dim, keepdim, numpy_kw, "amax")
        return _ops.Max.apply(self, axis=dims, keepdims=keep)

    def amin(self, dim: Any = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        """min = −max(−a)."""
        return -((-self).amax(dim, keepdim, **numpy_kw))

    def max(self, dim: Any = None, keepdim: bool = False, **numpy_kw: Any) -> Any:
        """As torch: max() is the largest element; max(dim) is (values, indices); max(tensor)
        is maximum. numpy's axis= (any axes) gives the values alone."""
        if isinstance(dim, Tensor):
            return self.maximum(dim)
        if dim is None or numpy_kw:
            return self.amax(dim, keepdim, **numpy_kw)
        return MinMax(self.amax(dim, keepdim), self.argmax(dim, keepdim))

    def min(self, dim: Any = None, keepdim: bool = False, **numpy_kw: Any) -> Any:
        """As max, for the smallest element."""
        if isinstance(dim, Tensor):
            return self.minimum(dim)
        if dim is None or numpy_kw:
            return self.amin(dim, keepdim, **numpy_kw)
        return MinMax(self.amin(dim, keepdim), self.argmin(dim, keepdim))

    def argmax(self, dim: int | None = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        """int64 index of the largest element (of the flattened tensor if dim is None)."""
        return _fn.arg_reduce(self.data, np.argmax, dim, keepdim, numpy_kw, "argmax")

    def argmin(self, dim: int | None = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        """int64 index of the smallest element (of the flattened tensor if dim is None)."""
        return _fn.arg_reduce(self.data, np.argmin, dim, keepdim, numpy_kw, "argmin")

    def prod(self, dim: int | None = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        dims, keep = _fn.resolve_dims(dim, keepdim, numpy_kw, "prod")
        return _ops.Prod.apply(self, axis=dims, keepdims=keep)

    def cumsum(self, dim: int | None = None, **numpy_kw: Any) -> Tensor:
        dims, _ = _fn.resolve_dims(dim, False, numpy_kw, "cumsum")
        if dims is None and self.ndim != 1:
            return _ops.CumSum.apply(self.reshape(-1), axis=0)  # numpy's flattening default
        return _ops.CumSum.apply(self, axis=0 if dims is None else dims)

    def var(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
        **numpy_kw: Any,
    ) -> Tensor:
        """Σ(a − ā)² / (n − correction); correction=1 (unbiased, torch's default) unless
        unbiased=False or correction=0 (numpy's ddof= is the same number)."""
        if "ddof" in numpy_kw:
            correction = numpy_kw.pop("ddof")
        dims, keep = _fn.resolve_dims(dim, keepdim, numpy_kw, "var")
        if correction is None:
            correction = 0.0 if unbiased is False else 1.0
        elif unbiased is not None:
            raise InputError("var/std: give unbiased= or correction=, not both")
        n = _fn.count_over(self.shape, dims)
        centred = self - self.mean(dims, keepdim=True)
        return (centred * centred).sum(dims, keepdim=keep) / max(n - correction, 0.0)

    def std(
        self,
        dim: Any = None,
        unbiased: bool | None = None,
        keepdim: bool = False,
        *,
        correction: float | None = None,
        **numpy_kw: Any,
    ) -> Tensor:
        """√var (same arguments)."""
        return self.var(dim, unbiased, keepdim, correction=correction, **numpy_kw).sqrt()

    def logsumexp(self, dim: Any = None, keepdim: bool = False, **numpy_kw: Any) -> Tensor:
        """log Σ eᵃ = m + log Σ e^(a−m) with m = max a held constant (so nothing overflows)."""
        dims, keep = _fn.resolve_dims(dim, keepdim, numpy_kw, "logsumexp")
        m = self.data.max(axis=dims, keepdims=True) if self.size else np.zeros(())
        m = np.where(np.isfinite(m), m, 0.0).astype(self.dtype)
        shifted = (self - _make(m, (), None, False)).exp().sum(dims, keepdim=True).log()
        out = shifted + _make(m, (), None, False)
        return out if keep else out.reshape(_fn.drop_dims(out.shape, dims, self.ndim))

    def norm(self, p: Any = 2, dim: Any = None, keepdim: bool = False) -> Tensor:
        """‖a‖_p = (Σ|a|ᵖ)^(1/p); p=2 is √Σa², p=1 Σ|a|, p=inf max|a| ("fro" is p=2)."""
        if p in (2, "fro"):
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p in (np.inf, float("inf"), "inf"):
            return self.abs().amax(dim, keepdim)
        if not isinstance(p, (int, float)) or p <= 0:
            raise InputError(f"norm: p must be a number > 0, inf or 'fro', got {p!r}")
        return (self.abs() ** float(p)).sum(dim, keepdim) ** (1.0 / p)

    def softmax(self, dim: int | None = None, **numpy_kw: Any) -> Tensor:
        every = "axis" in numpy_kw and numpy_kw["axis"] is None  # numpy/scipy: all elements
        dims, _ = _fn.resolve_dims(dim, False, numpy_kw, "softmax")
        dims = None if every else -1 if dims is None else dims
        return _ops.Softmax.apply(self, axis=dims)

    def log_softmax(self, dim: int | None = None, **numpy_kw: Any) -> Tensor:
        every = "axis" in numpy_kw and numpy_kw["axis"] is None  # numpy/scipy: all elements
        dims, _ = _fn.resolve_dims(dim, False, numpy_kw, "log_softmax")
        dims = None if every else -1 if dims is None else dims
        return _ops.LogSoftmax.apply(self, axis=dims)

    # -- movement --------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.Reshape.apply(self, shape=shape)

    def view(self, *shape: Any) -> Tensor:
        """torch's name for reshape (a new array here, never aliasing: see docs/engine.md)."""
        return self.reshape(*shape)

    def view_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def reshape_as(self, other: Tensor) -> Tensor:
        return self.reshape(other.shape)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge axes start_dim … end_dim into one."""
        if self.ndim == 0:
            return self.reshape(1)
        s, e = (_fn.axis_index(d, self.ndim, "flatten") for d in (start_dim, end_dim))
        if s > e:
            raise ShapeError(f"'flatten': start_dim {start_dim} comes after end_dim {end_dim}")
        return self.reshape(*self.shape[:s], -1, *self.shape[e + 1 :])

    def squeeze(self, dim: Any = None) -> Tensor:
        """Drop axes of size 1 (all of them, or those in dim that have size 1, as torch)."""
        if dim is None:
            dims = tuple(i for i, n in enumerate(self.shape) if n == 1)
        else:
            raw = dim if isinstance(dim, (tuple, list)) else (dim,)
            dims = tuple(_fn.axis_index(d, max(self.ndim, 1), "squeeze") for d in raw)
        keep = [n for i, n in enumerate(self.shape) if not (i in dims and n == 1)]
        return self.reshape(*keep)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert an axis of size 1 at position dim (negative counts from the end of the result)."""
        d = _fn.axis_index(dim, self.ndim + 1, "unsqueeze")
        return self.reshape(*self.shape[:d], 1, *self.shape[d:])

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to `sizes` (−1 keeps an axis); the gradient sums over the copies."""
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        return _ops.Expand.apply(self, shape=tuple(int(n) for n in sizes))

    def expand_as(self, other: Tensor) -> Tensor:
        return self.expand(other.shape)

    def broadcast_to(self, *shape: Any) -> Tensor:
        return self.expand(*shape)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the axes: result axis i is input axis dims[i]."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return _ops.Transpose.apply(self, axes=dims)

    def transpose(self, dim0: int, dim1: int) -> Tensor:
        """As torch: swap axes dim0 and dim1 (numpy's transpose(axes) is permute here)."""
        perm = list(range(self.ndim))
        i, j = (_fn.axis_index(d, self.ndim, "transpose") for d in (dim0, dim1))
        perm[i], perm[j] = perm[j], perm[i]
        return _ops.Transpose.apply(self, axes=tuple(perm))

    def swapaxes(self, axis0: int, axis1: int) -> Tensor:
        return self.transpose(axis0, axis1)

    def t(self) -> Tensor:
        """Transpose of a ≤2-D tensor (torch refuses more dims; use mT or transpose)."""
        if self.ndim > 2:
            raise ShapeError(f"'t': expects a tensor with ≤ 2 dims, got {self.shape}; use .mT")
        return self.T

    @property
    def T(self) -> Tensor:
        """All axes reversed (as numpy and torch's .T)."""
        return _ops.Transpose.apply(self, axes=None)

    @property
    def mT(self) -> Tensor:
        """The last two axes swapped (a batch of transposed matrices)."""
        if self.ndim < 2:
            raise ShapeError(f"'mT': needs ≥ 2 dims, got {self.shape}")
        return self.transpose(-2, -1)

    def flip(self, *dims: Any) -> Tensor:
        """Reverse the order along dims."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return _ops.Flip.apply(self, axis=dims)

    def roll(self, shifts: Any, dims: Any = None) -> Tensor:
        """Shift elements cyclically by `shifts` along dims (flattened if dims is None)."""
        if dims is None:
            return _ops.Roll.apply(self.reshape(-1), shift=shifts, axis=0).reshape(self.shape)
        return _ops.Roll.apply(self, shift=shifts, axis=dims)

    def repeat(self, *sizes: Any) -> Tensor:
        """torch's repeat (numpy's tile): axis i is repeated sizes[i] times, as whole blocks.
        Built as unsqueeze → expand → reshape, so the gradient sums over the copies."""
        if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
            sizes = tuple(sizes[0])
        if len(sizes) < self.ndim:
            raise ShapeError(
                f"'repeat': {len(sizes)} sizes for a tensor with {self.ndim} dims; give one per "
                "dim (or more)"
            )
        shape = (1,) * (len(sizes) - self.ndim) + self.shape
        x = self.reshape(*[m for n in shape for m in (1, n)])
        x = x.expand(*[m for r, n in zip(sizes, shape) for m in (r, n)])
        return x.reshape(*[r * n for r, n in zip(sizes, shape)])

    def tile(self, *dims: Any) -> Tensor:
        """As repeat, but fewer dims than the tensor has are padded with 1s in front."""
        if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
            dims = tuple(dims[0])
        return self.repeat(*((1,) * (self.ndim - len(dims)) + tuple(dims)))

    def pad(self, pad: Sequence[int], value: float = 0.0) -> Tensor:
        """torch.nn.functional.pad, constant mode: (left, right) for the last axis, then
        (top, bottom) for the one before, …"""
        return _ops.Pad.apply(self, pad=tuple(pad), value=value)

    def tril(self, diagonal: int = 0) -> Tensor:
        """Zero above the diagonal-th diagonal of the last two axes."""
        keep = np.tril(np.ones(self.shape[-2:], dtype=bool), diagonal)
        return _fn.where(keep, self, 0.0)

    def triu(self, diagonal: int = 0) -> Tensor:
        """Zero below the diagonal-th diagonal of the last two axes."""
        keep = np.triu(np.ones(self.shape[-2:], dtype=bool), diagonal)
        return _fn.where(keep, self, 0.0)

    def split(self, split_size_or_sections: Any, dim: int = 0) -> tuple[Tensor, ...]:
        """Pieces of split_size along dim (the last may be smaller), or of the given sizes."""
        d = _fn.axis_index(dim, self.ndim, "split")
        n = self.shape[d]
        if isinstance(split_size_or_sections, (int, np.integer)):
            step = int(split_size_or_sections)
            if step <= 0:
                raise InputError(f"split: split_size must be > 0, got {step}")
            sizes = [min(step, n - i) for i in range(0, n, step)] or [0]
        else:
            sizes = [int(s) for s in split_size_or_sections]
            if sum(sizes) != n:
                raise ShapeError(f"'split': sizes {sizes} do not add up to {n} (dim {dim})")
        lead = (slice(None),) * d
        starts = np.cumsum([0, *sizes])
        return tuple(self[(*lead, slice(int(a), int(b)))] for a, b in zip(starts, starts[1:]))

    def chunk(self, chunks: int, dim: int = 0) -> tuple[Tensor, ...]:
        """Split into `chunks` pieces of ⌈n/chunks⌉ (fewer if that uses up the axis), as torch."""
        n = self.shape[_fn.axis_index(dim, self.ndim, "chunk")]
        return self.split(max(-(-n // chunks), 1), dim)

    def gather(self, dim: int, index: Any) -> Tensor:
        """out[i][j] = a[index[i][j]][j] for dim=0 (a[i][index[i][j]] for dim=1, …); repeated
        indices accumulate their gradients."""
        idx = index.data if isinstance(index, Tensor) else np.asarray(index)
        return _ops.Gather.apply(self, dim=dim, index=idx)

    def masked_fill(self, mask: Any, value: float) -> Tensor:
        """value where mask is True, a elsewhere (the gradient flows where mask is False)."""
        return _fn.where(mask, value, self)

    def where(self, x: Any, y: Any = None) -> Tensor:
        """cond.where(x, y) as tinygrad when self is bool; a.where(cond, y) as torch otherwise."""
        if self.data.dtype == np.bool_:
            return _fn.where(self, x, y)
        return _fn.where(x, self, y)

    def cat(self, *others: Any, dim: int = 0) -> Tensor:
        """self and others joined along dim (as tinygrad's Tensor.cat)."""
        return _fn.cat([self, *others], dim=dim)

    def stack(self, *others: Any, dim: int = 0) -> Tensor:
        """self and others stacked along a new dim (as tinygrad's Tensor.stack)."""
        return _fn.stack([self, *others], dim=dim)

    # -- linear algebra --------------------------------------------------------------------------
    def dot(self, other: Tensor) -> Tensor:
        """Σᵢ aᵢbᵢ of two 1-D tensors."""
        if self.ndim != 1 or getattr(other, "ndim", 1) != 1:
            raise ShapeError(
                f"'dot': needs two 1-D tensors, got {self.shape} and "
                f"{getattr(other, 'shape', '?')}; use @ for matrices"
            )
        return self @ other

    def outer(self, other: Tensor) -> Tensor:
        """zᵢⱼ = aᵢbⱼ of two 1-D tensors."""
        other = self._lift(other)
        if self.ndim != 1 or other.ndim != 1:
            raise ShapeError(f"'outer': needs two 1-D tensors, got {self.shape}, {other.shape}")
        return self.reshape(-1, 1) * other.reshape(1, -1)

    # -- conversion ------------------------------------------------------------------------------
    def to(self, dtype: Any) -> Tensor:
        """A copy with another dtype: float → float is differentiable (the gradient is cast
        back); to an int or bool dtype it is data without gradient."""
        dt = check_dtype(dtype, "to")
        if dt.kind == "f" and self.data.dtype.kind == "f":
            return _ops.Cast.apply(self, dtype=dt)  # a copy even to the same dtype, as clone
        return _make(self.data.astype(dt), (), None, False)

    def type(self, dtype: Any) -> Tensor:
        return self.to(dtype)

    def float(self) -> Tensor:
        """float32, as torch's .float()."""
        return self.to(np.float32)

    def double(self) -> Tensor:
        return self.to(np.float64)

    def long(self) -> Tensor:
        return self.to(np.int64)

    def int(self) -> Tensor:
        return self.to(np.int32)

    def bool(self) -> Tensor:
        return self.to(np.bool_)

    def clone(self) -> Tensor:
        """A differentiable copy (new data; ∂z/∂a = 1)."""
        return _ops.Clone.apply(self)

    def tolist(self) -> Any:
        return self.data.tolist()

    def __float__(self) -> float:
        return self.item()

    def __int__(self) -> int:
        if self.data.size != 1:
            raise ShapeError(f"int(): tensor has shape {self.shape}, not one element")
        return int(self.data.reshape(()))

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError(f"only one-element integer tensors can be an index, got {self!r}")
        return int(self.data.reshape(()))

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        """np.asarray(t) is the data (a copy only if dtype differs or copy=True)."""
        if dtype is not None and np.dtype(dtype) != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def dim(self) -> int:
        return self.data.ndim

    def numel(self) -> int:
        return int(self.data.size)

    def is_floating_point(self) -> bool:
        return self.data.dtype.kind == "f"

    # -- constructors (as tinygrad's Tensor.zeros(...); torch's are module functions) -----------
    @staticmethod
    def zeros(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return _creation.zeros(*size, dtype=dtype, requires_grad=requires_grad)

    @staticmethod
    def ones(*size: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return _creation.ones(*size, dtype=dtype, requires_grad=requires_grad)

    @staticmethod
    def full(size: Any, fill_value: Any, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return _creation.full(size, fill_value, dtype=dtype, requires_grad=requires_grad)

    @staticmethod
    def eye(n: int, m: int | None = None, dtype: Any = None, requires_grad: bool = False) -> Tensor:
        return _creation.eye(n, m, dtype=dtype, requires_grad=requires_grad)

    @staticmethod
    def arange(*args: Any, **kw: Any) -> Tensor:
        return _creation.arange(*args, **kw)

    @staticmethod
    def rand(*size: Any, **kw: Any) -> Tensor:
        return _creation.rand(*size, **kw)

    @staticmethod
    def randn(*size: Any, **kw: Any) -> Tensor:
        return _creation.randn(*size, **kw)

    @staticmethod
    def empty(*size: Any, **kw: Any) -> Tensor:
        return _creation.empty(*size, **kw)

    @staticmethod
    def linspace(start: float, end: float, steps: int, **kw: Any) -> Tensor:
        return _creation.linspace(start, end, steps, **kw)

    @staticmethod
    def randint(*args: Any, **kw: Any) -> Tensor:
        return _creation.randint(*args, **kw)


class MinMax(NamedTuple):
    """What max(dim) and min(dim) return, as torch: the values and their int64 indices."""

    values: Tensor
    indices: Tensor


def _or(done: Tensor | None, fallback: Any) -> Tensor:
    return done if done is not None else fallback()


def _number_or_array(x: Any, what: str) -> Any:
    """A real number or real array for an in-place write; complex and objects are refused."""
    if isinstance(x, Node):
        raise TypeError(f"{what}: cannot combine a Tensor with a Value; use Tensor(v.data)")
    arr = np.asarray(x)
    if arr.dtype.kind not in "biuf":
        raise TypeError(f"{what}: the value must be real numbers, got dtype {arr.dtype}")
    return x


def _maybe_shared(g: np.ndarray, upstream: Any, grads: tuple[Any, ...]) -> bool:
    """Whether another node may hold g: the op passed ∂C/∂z through, returned it twice, or
    returned a view or a read-only (broadcast) array."""
    if g is upstream or g.base is not None or not g.flags.writeable:
        return True
    return sum(x is g for x in grads) > 1


def _check_saved(node: Tensor) -> None:
    """Raise if an input or the output of node's op changed in place and the op saved it."""
    ctx = node._ctx
    tensors = (*node._parents, node)
    for i, ((version, n), t) in enumerate(zip(ctx._versions, tensors)):  # type: ignore[union-attr]
        if version.n == n or not holds(ctx, t._data):
            continue
        label = f" (label '{node.label}')" if node.label else ""
        if t is node:
            what = "its output"
        else:
            what = f"its input #{i}" + (f" '{t.label}'" if t.label else "")
        raise BackwardError(
            f"backward of op '{node.op}'{label}: {what} (shape {t._data.shape}) was modified in "
            f"place after the forward pass (version {n} → {version.n}), and the op saved it to "
            "compute the gradient, which would then be the gradient of values never computed. "
            "Run the forward pass again after the change (e.g. call opt.step() after "
            "backward(), not between forward and backward), or change a copy "
            "(Tensor(t.data)) instead."
        )


def _make(data: np.ndarray, parents: tuple[Tensor, ...], ctx: Function | None, rg: bool) -> Tensor:
    """A node for data that is already a float array (an op's result): no __init__ checks.

    Tensor(data) here made a tiny op's forward+backward 7% slower (bench/engine.py (c), CPU
    time, 53 ms vs 56 ms for 5,000 mul+sigmoid pairs, medians of 7 interleaved runs on a loaded
    machine; within noise on bench/mlp.py's step).
    """
    t = object.__new__(Tensor)
    t._data = data
    t._view = None
    t._version = Version()
    t.grad = None
    t.requires_grad = rg
    t.label = ""
    t._parents = parents
    t._ctx = ctx
    t._mark = None
    t._grad_buf = None
    return t


def _as_tensors(xs: Sequence[Any], what: str) -> tuple[Tensor, ...]:
    if not xs:
        raise InputError(f"{what}: needs at least one tensor")
    return tuple(x if isinstance(x, Tensor) else Tensor(x) for x in xs)


from . import creation as _creation  # noqa: E402  (creation builds Tensors, defined above)
from . import functions as _fn  # noqa: E402  (the free functions build Tensors)
from . import ops as _ops  # noqa: E402  (ops subclass Function, defined above)
from .functions import (  # noqa: E402, F401  (re-exported: tinygrad_edu.tensor.where etc.)
    cat,
    concatenate,
    einsum,
    maximum,
    minimum,
    stack,
    tensordot,
    where,
)
