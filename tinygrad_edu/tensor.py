"""Tensor: a numpy-array node, and Function, the base class of every differentiable tensor op.

A Function's forward() computes the result and saves what its vector–Jacobian product needs;
its backward(g) returns, for each parent, (∂z/∂parent)ᵀ·g already reduced to the parent's
shape; local_grads() names what was saved by the derivative it stands for ("∂z/∂W = xᵀ").
Forward, backward and the names live side by side in one class per op (see the ops package).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from .errors import BackwardError, BadIndexError, InputError, ShapeError
from .graph import MODE, LocalGrad, Node, check_forward

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


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


class Function:
    """Base of every tensor op. Subclasses set `name`, define forward/backward/local_grads."""

    __slots__ = ("needs_grad",)
    name: ClassVar[str] = "?"

    def forward(self, *arrays: np.ndarray, **options: Any) -> np.ndarray:
        raise NotImplementedError

    def backward(self, g: np.ndarray) -> tuple[np.ndarray | None, ...]:
        raise NotImplementedError

    def local_grads(self) -> tuple[LocalGrad, ...]:
        """∂z/∂parent for each parent: the name of the derivative and the array it was saved as."""
        return ()

    def op_name(self) -> str:
        """The op's name as drawn on graphs (some ops add a parameter, e.g. "**2")."""
        return self.name

    @classmethod
    def apply(cls, *parents: Tensor, **options: Any) -> Tensor:
        """Run forward on the parents' data and record the node if any parent requires grad."""
        ctx = cls()
        try:
            data = ctx.forward(*[p.data for p in parents], **options)
        except (ShapeError, InputError, TypeError):
            raise
        except (ValueError, IndexError) as e:
            shapes = ", ".join(str(p.data.shape) for p in parents)
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
    given, ints and bools become float64 (or `dtype`). With requires_grad=True the data is
    copied, because optimizers update parameters in place.
    """

    __slots__ = ("data", "grad", "requires_grad", "label", "_parents", "_ctx", "__weakref__")
    # numpy defers to our reflected operators (ndarray * Tensor -> Tensor.__rmul__).
    __array_ufunc__ = None

    def __init__(
        self, data: Any, requires_grad: bool = False, dtype: Any = None, label: str = ""
    ) -> None:
        self.data = as_float_array(data, dtype, copy=bool(requires_grad))
        self.grad: np.ndarray | None = None
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._parents: tuple[Tensor, ...] = ()
        self._ctx: Function | None = None
        self._mark = None

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
        return self.data.shape

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

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
                f"the truth value of a tensor of shape {self.shape} is ambiguous; compare "
                "elementwise on .data and use .any() or .all()"
            )
        return bool(self.data.reshape(()))

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
        """A leaf sharing the data, with no history and requires_grad=False."""
        return _make(self.data, (), None, False)

    def requires_grad_(self, flag: bool = True) -> Tensor:
        """Turn gradient tracking on or off for this leaf; returns self."""
        if self._parents and not flag:
            raise BackwardError("requires_grad_: only leaves can be switched off; use detach()")
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
        data = self.data
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
            g = grad  # the common case, without as_float_array's checks
        else:
            g = as_float_array(grad, data.dtype, what="backward(grad=...)")
        if g.shape != data.shape:
            raise ShapeError(
                f"backward: grad has shape {g.shape} but the output has shape {data.shape}; "
                "the upstream gradient must have the output's shape"
            )
        self.grad = g

    def _propagate(self) -> None:
        ctx = self._ctx
        grads = ctx.backward(self.grad)  # type: ignore[union-attr]
        for p, g in zip(self._parents, grads):
            if g is None or not p.requires_grad:
                continue
            pd = p.data
            if type(g) is not np.ndarray:
                g = np.asarray(g)
            if g.shape != pd.shape:
                raise BackwardError(
                    f"backward of op '{self.op}' returned a gradient of shape {g.shape} for an "
                    f"input of shape {pd.shape}; its backward() must reduce to the input's shape"
                )
            if g.dtype != pd.dtype:
                g = g.astype(pd.dtype)
            # Never in place: g may be an array another node also holds.
            p.grad = g if p.grad is None else p.grad + g

    def _grad_is_finite(self) -> bool:
        return self.grad is None or bool(np.isfinite(self.grad).all())

    def _data_is_finite(self) -> bool:
        return bool(np.isfinite(self.data).all())

    # -- operators -------------------------------------------------------------------------------
    def _lift(self, other: Any) -> Tensor:
        if isinstance(other, Tensor):
            return other
        if isinstance(other, (int, float, np.number, np.bool_)):
            return _make(np.asarray(other, dtype=self.data.dtype), (), None, False)
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
        if isinstance(k, Node) or not isinstance(k, (int, float, np.number)):
            raise TypeError(
                f"'**': the exponent must be a number, got {type(k).__name__}; for a tensor "
                "exponent b write (b * a.log()).exp()"
            )
        return _ops.Pow.apply(self, k=float(k))

    def __rpow__(self, c: Any) -> Tensor:
        """z = cᵃ = e^(a·ln c) for a number c > 0."""
        if not isinstance(c, (int, float, np.number)) or c <= 0:
            raise InputError(f"'**': the base of c ** Tensor must be a number > 0, got {c!r}")
        return (self * float(np.log(c))).exp()

    def __matmul__(self, other: Any) -> Tensor:
        return _ops.MatMul.apply(self, self._lift(other))

    def __rmatmul__(self, other: Any) -> Tensor:
        return _ops.MatMul.apply(self._lift(other), self)

    def __getitem__(self, index: Any) -> Tensor:
        return _ops.GetItem.apply(self, index=index)

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

    def clip(self, low: float | None = None, high: float | None = None) -> Tensor:
        return _ops.Clip.apply(self, low=low, high=high)

    def maximum(self, other: Any) -> Tensor:
        return _ops.Maximum.apply(self, self._lift(other))

    # -- reductions ------------------------------------------------------------------------------
    def sum(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _ops.Sum.apply(self, axis=axis, keepdims=keepdims)

    def mean(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _ops.Mean.apply(self, axis=axis, keepdims=keepdims)

    def max(self, axis: int | tuple[int, ...] | None = None, keepdims: bool = False) -> Tensor:
        return _ops.Max.apply(self, axis=axis, keepdims=keepdims)

    def softmax(self, axis: int = -1) -> Tensor:
        return _ops.Softmax.apply(self, axis=axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return _ops.LogSoftmax.apply(self, axis=axis)

    # -- movement --------------------------------------------------------------------------------
    def reshape(self, *shape: Any) -> Tensor:
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return _ops.Reshape.apply(self, shape=shape)

    def transpose(self, *axes: Any) -> Tensor:
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return _ops.Transpose.apply(self, axes=axes or None)

    @property
    def T(self) -> Tensor:
        return _ops.Transpose.apply(self, axes=None)

    # -- constructors ----------------------------------------------------------------------------
    @staticmethod
    def zeros(*shape: int, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
        return Tensor(np.zeros(shape, dtype), requires_grad=requires_grad)

    @staticmethod
    def ones(*shape: int, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
        return Tensor(np.ones(shape, dtype), requires_grad=requires_grad)


def _make(data: np.ndarray, parents: tuple[Tensor, ...], ctx: Function | None, rg: bool) -> Tensor:
    """A node for data that is already a float array (an op's result): no __init__ checks.

    Tensor(data) here made a tiny op's forward+backward 7% slower (bench/engine.py (c), CPU
    time, 53 ms vs 56 ms for 5,000 mul+sigmoid pairs, medians of 7 interleaved runs on a loaded
    machine; within noise on bench/mlp.py's step).
    """
    t = object.__new__(Tensor)
    t.data = data
    t.grad = None
    t.requires_grad = rg
    t.label = ""
    t._parents = parents
    t._ctx = ctx
    t._mark = None
    return t


def _as_tensors(xs: Sequence[Any], what: str) -> tuple[Tensor, ...]:
    if not xs:
        raise InputError(f"{what}: needs at least one tensor")
    return tuple(x if isinstance(x, Tensor) else Tensor(x) for x in xs)


def concatenate(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along an existing axis; the gradient is split back into the pieces."""
    return _ops.Concatenate.apply(*_as_tensors(tensors, "concatenate"), axis=axis)


def stack(tensors: Sequence[Tensor], axis: int = 0) -> Tensor:
    """Join tensors along a new axis; the gradient is unstacked back into the pieces."""
    return _ops.Stack.apply(*_as_tensors(tensors, "stack"), axis=axis)


def where(condition: Any, x: Any, y: Any) -> Tensor:
    """z = x where condition else y (condition is not differentiated)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {cond.dtype}")
    xt = x if isinstance(x, Tensor) else None
    yt = y if isinstance(y, Tensor) else None
    ref = xt if xt is not None else yt if yt is not None else Tensor(x)
    xt = xt if xt is not None else ref._lift(x)
    yt = yt if yt is not None else ref._lift(y)
    return _ops.Where.apply(xt, yt, condition=cond)


def maximum(x: Tensor, y: Any) -> Tensor:
    """Elementwise max; at ties each side gets half the gradient."""
    return x.maximum(y)


from . import ops as _ops  # noqa: E402  (ops subclass Function, defined above)
