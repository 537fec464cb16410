"""Value: a scalar node holding a Python float (micrograd-style, for per-neuron graphs).

Each op computes its result and, right beside it, its local derivatives ∂z/∂parent as plain
numbers (the forward pass). The backward pass is then the same loop for every op:

    parent.grad += local · z.grad

so a Value holds no closure and no reference back to its children: a finished graph is freed
by reference counting alone, without the cyclic garbage collector.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from numbers import Real
from operator import mul

from .graph import MODE, LocalGrad, Node, check_forward

Number = int | float

# op -> names of the local derivatives of its parents, for local_grads / the renderer.
_LOCAL_NAMES: dict[str, tuple[str, ...]] = {
    "+": ("∂z/∂a = 1", "∂z/∂b = 1"),
    "-": ("∂z/∂a = 1", "∂z/∂b = −1"),
    "*": ("∂z/∂a = b", "∂z/∂b = a"),
    "/": ("∂z/∂a = 1/b", "∂z/∂b = −a/b²"),
    "neg": ("∂z/∂a = −1",),
    "exp": ("∂z/∂a = eᵃ",),
    "log": ("∂z/∂a = 1/a",),
    "σ": ("∂σ/∂z = σ(1−σ)",),
    "tanh": ("∂a/∂z = 1 − tanh²",),
    "relu": ("∂a/∂z = 1[z>0]",),
}


def _exp(x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return math.inf


class Value(Node):
    """A scalar in the graph. `data` is the forward value, `grad` is ∂C/∂(this) after backward().

    >>> x = Value(2.0, label="x"); w = Value(-3.0, label="w")
    >>> z = x * w + 1; z.backward(); (z.data, w.grad)
    (-5.0, 2.0)
    """

    __slots__ = ("data", "grad", "requires_grad", "label", "_parents", "_local", "_op")

    def __init__(self, data: Number, label: str = "", requires_grad: bool = True) -> None:
        if isinstance(data, Value) or not isinstance(data, Real):
            raise TypeError(
                f"Value: data must be a real number (int, float, bool), got "
                f"{type(data).__name__} {data!r}; for arrays use Tensor"
            )
        self.data = float(data)
        self.grad = 0.0
        self.requires_grad = bool(requires_grad)
        self.label = label
        self._parents: tuple[Value, ...] = ()
        self._local: tuple[float, ...] = ()
        self._op = ""

    # -- inspection -------------------------------------------------------------------------------
    @property
    def op(self) -> str:
        """The op that made this node ('' for a leaf)."""
        return self._op

    @property
    def local_grads(self) -> tuple[LocalGrad, ...]:
        """∂z/∂parent per parent: numbers fixed by the forward pass (the lecture's ∂z/∂w)."""
        op = self._op
        if op in _LOCAL_NAMES:
            names = _LOCAL_NAMES[op]
        elif op == "Σwx+b":
            n = (len(self._parents) - 1) // 2
            names = ("∂z/∂w = x",) * n + ("∂z/∂x = w",) * n + ("∂z/∂b = 1",)
        elif op == "Σ":
            names = ("∂z/∂a = 1",) * len(self._parents)
        elif op.startswith("**"):
            names = (f"∂z/∂a = {op[2:]}·a^({op[2:]}−1)",)
        elif op.endswith("**"):
            names = (f"∂z/∂a = {op[:-2]}ᵃ·ln {op[:-2]}",)
        else:
            names = ("∂z/∂a",) * len(self._parents)
        return tuple(LocalGrad(n, d) for n, d in zip(names, self._local))

    def __repr__(self) -> str:
        lab = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{lab})"

    def named(self, label: str) -> Value:
        """Set the label shown by the renderer and in error messages; returns self."""
        self.label = label
        return self

    def item(self) -> float:
        """The forward value as a float."""
        return self.data

    def detach(self) -> Value:
        """A new leaf with the same value and no history (and requires_grad=False)."""
        return Value(self.data, self.label, requires_grad=False)

    # -- protocol for the backward driver ---------------------------------------------------------
    def _reset_grad(self) -> None:
        self.grad = 0.0

    def _seed_grad(self, grad: object) -> None:
        if grad is None:
            self.grad = 1.0
        elif isinstance(grad, Real):
            self.grad = float(grad)
        else:
            raise TypeError(f"backward: grad for a Value must be a number, got {grad!r}")

    def _propagate(self) -> None:
        g = self.grad
        for p, d in zip(self._parents, self._local):
            if p.requires_grad:
                p.grad += d * g

    def _grad_is_finite(self) -> bool:
        return math.isfinite(self.grad)

    def _data_is_finite(self) -> bool:
        return math.isfinite(self.data)

    # -- construction of op results ---------------------------------------------------------------
    @staticmethod
    def _result(
        data: float, parents: tuple[Value, ...], local: tuple[float, ...], op: str
    ) -> Value:
        v = _new_value(Value)
        v.data = data
        v.grad = 0.0
        v.label = ""
        if MODE.grad_enabled:
            v._parents = parents
            v._local = local
            v._op = op
            for p in parents:
                if p.requires_grad:
                    v.requires_grad = True
                    break
            else:
                v.requires_grad = False
        else:
            v._parents = ()
            v._local = ()
            v._op = ""
            v.requires_grad = False
        if MODE.anomaly:
            check_forward(v)
        return v

    # -- binary ops: forward value and local derivatives side by side -----------------------------
    def __add__(self, other: Value | Number) -> Value:
        """z = a + b; ∂z/∂a = ∂z/∂b = 1"""
        o = _lift(other, "+")
        return Value._result(self.data + o.data, (self, o), (1.0, 1.0), "+")

    def __radd__(self, other: Number) -> Value:
        return _lift(other, "+") + self

    def __sub__(self, other: Value | Number) -> Value:
        """z = a − b; ∂z/∂a = 1, ∂z/∂b = −1"""
        o = _lift(other, "-")
        return Value._result(self.data - o.data, (self, o), (1.0, -1.0), "-")

    def __rsub__(self, other: Number) -> Value:
        return _lift(other, "-") - self

    def __mul__(self, other: Value | Number) -> Value:
        """z = a·b; ∂z/∂a = b, ∂z/∂b = a"""
        o = _lift(other, "*")
        return Value._result(self.data * o.data, (self, o), (o.data, self.data), "*")

    def __rmul__(self, other: Number) -> Value:
        return _lift(other, "*") * self

    def __truediv__(self, other: Value | Number) -> Value:
        """z = a/b; ∂z/∂a = 1/b, ∂z/∂b = −a/b²"""
        o = _lift(other, "/")
        b = o.data
        if b == 0.0:
            raise ZeroDivisionError(f"'/': division by zero: {self!r} / {o!r}")
        return Value._result(self.data / b, (self, o), (1.0 / b, -self.data / (b * b)), "/")

    def __rtruediv__(self, other: Number) -> Value:
        return _lift(other, "/") / self

    def __pow__(self, k: Number) -> Value:
        """z = aᵏ for a number k; ∂z/∂a = k·aᵏ⁻¹"""
        if isinstance(k, Value) or not isinstance(k, Real):
            raise TypeError(
                f"'**': the exponent must be a number, got {type(k).__name__}; for a Value "
                "exponent b write (b * a.log()).exp()"
            )
        a, k = self.data, float(k)
        if a < 0 and not k.is_integer():
            raise ValueError(f"'**': negative base {a} with non-integer exponent {k} is not real")
        if a == 0 and k < 0:
            raise ZeroDivisionError(f"'**': 0 ** {k:g} is undefined ({self!r})")
        try:
            z = a**k
        except OverflowError:
            z = math.copysign(math.inf, a) if k % 2 == 1 else math.inf
        try:
            d = k * a ** (k - 1) if k != 0 else 0.0
        except ZeroDivisionError:  # 0 ** (k-1) with 0 < k < 1: the slope is vertical
            d = math.inf
        except OverflowError:
            d = math.inf
        return Value._result(z, (self,), (d,), f"**{k:g}")

    def __rpow__(self, c: Number) -> Value:
        """z = cᵃ for a number c > 0; ∂z/∂a = cᵃ·ln c"""
        if not isinstance(c, Real) or c <= 0:
            raise ValueError(f"'**': the base of c ** Value must be a number > 0, got {c!r}")
        z = _exp(self.data * math.log(c))
        return Value._result(z, (self,), (z * math.log(c),), f"{float(c):g}**")

    def __neg__(self) -> Value:
        """z = −a; ∂z/∂a = −1"""
        return Value._result(-self.data, (self,), (-1.0,), "neg")

    # -- unary functions --------------------------------------------------------------------------
    def exp(self) -> Value:
        """z = eᵃ; ∂z/∂a = eᵃ"""
        z = _exp(self.data)
        return Value._result(z, (self,), (z,), "exp")

    def log(self) -> Value:
        """z = ln a; ∂z/∂a = 1/a (a > 0)"""
        a = self.data
        if not a > 0:
            raise ValueError(f"log: input must be > 0, got {a:g} from {self!r}")
        return Value._result(math.log(a), (self,), (1.0 / a,), "log")

    def sigmoid(self) -> Value:
        """σ(z) = 1/(1+e⁻ᶻ); ∂σ/∂z = σ(1−σ)"""
        x = self.data
        if x >= 0:
            s = 1.0 / (1.0 + math.exp(-x))
        else:  # e^x form: never overflows for very negative x
            e = math.exp(x)
            s = e / (1.0 + e)
        return Value._result(s, (self,), (s * (1.0 - s),), "σ")

    def tanh(self) -> Value:
        """a = tanh z; ∂a/∂z = 1 − a²"""
        t = math.tanh(self.data)
        return Value._result(t, (self,), (1.0 - t * t,), "tanh")

    def relu(self) -> Value:
        """a = max(0, z); ∂a/∂z = 1 if z > 0 else 0"""
        x = self.data
        return Value._result(x if x > 0 else 0.0, (self,), (1.0 if x > 0 else 0.0,), "relu")

    # -- n-ary: richer nodes, fewer objects -------------------------------------------------------
    @staticmethod
    def weighted_sum(
        weights: Sequence[Value], inputs: Sequence[Value | Number], bias: Value | Number = 0.0
    ) -> Value:
        """A neuron's z = Σᵢ wᵢxᵢ + b as ONE node.

        Local derivatives are the lecture's forward pass: ∂z/∂wᵢ = xᵢ (the input wired to wᵢ),
        ∂z/∂xᵢ = wᵢ, ∂z/∂b = 1. Parents are ordered w₁…wₙ, x₁…xₙ, b.
        """
        if len(weights) != len(inputs):
            raise ValueError(
                f"weighted_sum: {len(weights)} weights but {len(inputs)} inputs; a neuron needs "
                "one weight per input"
            )
        xs = tuple(inputs)
        ws = tuple(weights)
        if not isinstance(bias, Value):
            bias = _lift(bias, "Σwx+b")
        try:
            xd = [x.data for x in xs]
            wd = [w.data for w in ws]
            z = sum(map(mul, wd, xd)) + bias.data
        except AttributeError:  # plain numbers among the inputs: lift them to constants
            xs = tuple(_lift(x, "Σwx+b") for x in xs)
            ws = tuple(_lift(w, "Σwx+b") if not isinstance(w, Value) else w for w in ws)
            xd = [x.data for x in xs]
            wd = [w.data for w in ws]
            z = sum(map(mul, wd, xd)) + bias.data
        if type(z) is not float:
            raise TypeError("weighted_sum: weights, inputs and bias must be Values or numbers")
        return Value._result(z, ws + xs + (bias,), (*xd, *wd, 1.0), "Σwx+b")

    @staticmethod
    def sum(values: Iterable[Value | Number]) -> Value:
        """z = Σᵢ aᵢ as one node (e.g. the lecture's total loss L = Σₙ Cⁿ); ∂z/∂aᵢ = 1."""
        vs = tuple(v if isinstance(v, Value) else _lift(v, "Σ") for v in values)
        if not vs:
            raise ValueError("Value.sum: nothing to sum (empty sequence)")
        return Value._result(math.fsum(v.data for v in vs), vs, (1.0,) * len(vs), "Σ")


_new_value = object.__new__


def _lift(x: object, op: str) -> Value:
    """A Python number becomes a constant leaf (requires_grad=False), drawn as such."""
    if isinstance(x, Value):
        return x
    if isinstance(x, Real):
        return Value(float(x), requires_grad=False)
    raise TypeError(
        f"'{op}': cannot combine a Value with {type(x).__name__}; use numbers or Values "
        "(a Tensor works with Tensors: wrap the scalar as Tensor(v.data))"
    )
