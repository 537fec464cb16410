"""Module, Parameter and the layers of a fully connected network.

A Module owns Parameters (leaves with requires_grad=True) and child Modules, registered by
assigning them as attributes. Each knows its dotted name in the model ("layers.2"), set when
it is registered in a parent; a Parameter's label (drawn by the renderer, used by gradcheck
reports) is its dotted name ("layers.2.weight").

    model = MLP([784, 256, 128, 10], activation="sigmoid", seed=0)
    logits = model(x)                      # z³ = W³ σ(W² σ(W¹x + b¹) + b²) + b³
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np

from .. import ops as _ops
from ..errors import AnomalyError, InputError, InputTypeError, ShapeError
from ..graph import MODE, Node
from ..tensor import Tensor, as_float_array
from ..value import Value
from .init import Seed, init_weight, make_rng


class Parameter(Tensor):
    """A Tensor the model learns: a leaf with requires_grad=True that owns a copy of its data.

    Parameter(data, dtype=None, label=""): float32/float64 kept, ints become float64.
    """

    __slots__ = ()

    def __init__(self, data: Any, dtype: Any = None, label: str = "") -> None:
        super().__init__(data, requires_grad=True, dtype=dtype, label=label)

    def __repr__(self) -> str:
        return "Parameter" + super().__repr__()[len("Tensor") :]


def _join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


class Module:
    """Base class of layers and models: register Parameters and Modules as attributes.

    Subclasses call super().__init__() first and define forward(); model(x) calls forward(x).
    """

    training: bool

    def __init__(self) -> None:
        d = self.__dict__
        d["_parameters"] = {}  # attribute → Parameter (or Value, in the scalar twin)
        d["_modules"] = {}  # attribute → Module
        d["_buffers"] = {}  # attribute → numpy array: state that is not learned (BatchNorm)
        d["_name"] = ""
        d["training"] = True

    # -- registration ---------------------------------------------------------------------------
    def __setattr__(self, key: str, value: Any) -> None:
        d = self.__dict__
        if isinstance(value, (Parameter, Module)) and "_parameters" not in d:
            raise TypeError(
                f"{type(self).__name__}: call super().__init__() before assigning parameters "
                f"or submodules (while setting {key!r})"
            )
        if key in d.get("_buffers", ()):
            if not isinstance(value, np.ndarray):
                raise TypeError(
                    f"{type(self).__name__}: buffer {key!r} must stay a numpy array, got "
                    f"{type(value).__name__} (assign into it with {key}[...] = value)"
                )
            d["_buffers"][key] = value
        elif "_parameters" in d:
            d["_parameters"].pop(key, None)
            d["_modules"].pop(key, None)
            if isinstance(value, Parameter):
                self._register_parameter(key, value)
            elif isinstance(value, Module):
                self._register_module(key, value)
        object.__setattr__(self, key, value)

    def __delattr__(self, key: str) -> None:
        self._parameters.pop(key, None)
        self._modules.pop(key, None)
        object.__delattr__(self, key)

    def _register_parameter(self, key: str, node: Node) -> None:
        """Register a Parameter (or, for the scalar twin, a Value) under `key`."""
        self._parameters[key] = node
        if isinstance(node, Parameter):
            node.label = _join(self._name, key)

    def register_buffer(self, key: str, array: np.ndarray) -> None:
        """Register state that is saved with the model but not learned (no gradient, not in
        parameters()): e.g. BatchNorm's running mean. It is in state_dict(), nn.save and
        nn.load under its dotted name, and `self.<key>` is the array itself."""
        if "_buffers" not in self.__dict__:
            raise TypeError(
                f"{type(self).__name__}: call super().__init__() before register_buffer"
            )
        if not isinstance(array, np.ndarray):
            raise TypeError(f"register_buffer: {key!r} must be a numpy array")
        if key in self._parameters or key in self._modules:
            raise InputError(f"register_buffer: {key!r} is already a parameter or a submodule")
        self._buffers[key] = array
        object.__setattr__(self, key, array)

    def _register_module(self, key: str, module: Module) -> None:
        if any(m is self for m in module.modules()):
            raise InputError(
                f"{type(self).__name__}: cannot register {key!r}: it contains this module "
                "(a model must be a tree)"
            )
        self._modules[key] = module
        module._set_name(_join(self._name, key))

    def _set_name(self, name: str) -> None:
        # Renames the whole subtree: a model built bottom-up learns its full names only when
        # it is finally attached to its parent.
        self.__dict__["_name"] = name
        for key, p in self._parameters.items():
            if isinstance(p, Parameter):
                p.label = _join(name, key)
        for key, m in self._modules.items():
            m._set_name(_join(name, key))

    @property
    def name(self) -> str:
        """The dotted name of this module in its model ('' for the root)."""
        return self._name

    def _title(self) -> str:
        """'Linear' or "Linear 'layers.2'": how error messages name this module."""
        return type(self).__name__ + (f" {self._name!r}" if self._name else "")

    # -- calling ---------------------------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    # -- traversal -------------------------------------------------------------------------------
    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Node]]:
        """(dotted name, parameter) for every parameter, each shared one once, in order."""
        seen: set[int] = set()
        for mod_prefix, mod in self.named_modules(prefix):
            for key, p in mod._parameters.items():
                if id(p) not in seen:
                    seen.add(id(p))
                    yield _join(mod_prefix, key), p

    def parameters(self) -> list[Node]:
        """Every parameter (a list: safe to pass to several optimizers or iterate twice)."""
        return [p for _, p in self.named_parameters()]

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, Module]]:
        """(dotted name, module) for this module and every descendant, parents first."""
        seen: set[int] = set()
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            name, mod = stack.pop()
            if id(mod) in seen:
                continue
            seen.add(id(mod))
            yield name, mod
            stack.extend((_join(name, k), m) for k, m in reversed(list(mod._modules.items())))

    def named_buffers(self, prefix: str = "") -> Iterator[tuple[str, np.ndarray]]:
        """(dotted name, array) for every buffer of this module and its descendants."""
        for mod_prefix, mod in self.named_modules(prefix):
            for key, b in mod._buffers.items():
                yield _join(mod_prefix, key), b

    def buffers(self) -> list[np.ndarray]:
        return [b for _, b in self.named_buffers()]

    def modules(self) -> list[Module]:
        return [m for _, m in self.named_modules()]

    def children(self) -> list[Module]:
        return list(self._modules.values())

    def num_parameters(self) -> int:
        """Total number of learned numbers."""
        return sum(1 if isinstance(p, Value) else p.data.size for p in self.parameters())

    # -- training state --------------------------------------------------------------------------
    def zero_grad(self) -> None:
        """Forget accumulated gradients (Tensor grads become None, Value grads 0.0)."""
        for p in self.parameters():
            p.zero_grad()

    def train(self, mode: bool = True) -> Module:
        """Set training mode on this module and every descendant (Dropout, BatchNorm act on it);
        returns self. model.training tells the mode; a new module starts in training mode."""
        if not isinstance(mode, (bool, np.bool_)):
            raise InputError(
                f"{type(self).__name__}.train: training mode is expected to be boolean, got "
                f"{mode!r} (use model.eval() for evaluation mode)"
            )
        for m in self.modules():
            m.__dict__["training"] = bool(mode)
        return self

    def eval(self) -> Module:
        """Evaluation mode (training=False) everywhere; returns self."""
        return self.train(False)

    def requires_grad_(self, flag: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter; returns self."""
        for p in self.parameters():
            p.requires_grad = bool(flag)
        return self

    def astype(self, dtype: Any) -> Module:
        """Convert every Tensor parameter to float32 or float64 in place (the Parameter objects
        stay, so do it before making the optimizer); returns self."""
        dt = np.dtype(dtype)
        if dt not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise InputTypeError(
                f"{type(self).__name__}.astype: dtype must be float32 or float64"
            )
        for p in self.parameters():
            if isinstance(p, Tensor) and p.data.dtype != dt:
                p.data = p.data.astype(dt)
                p.grad = None
        for m in self.modules():
            for key, b in list(m._buffers.items()):
                if b.dtype.kind == "f" and b.dtype != dt:
                    setattr(m, key, b.astype(dt))
        return self

    # -- state -----------------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """name → a copy of each parameter's values (0-d float64 arrays for Values), then of
        each buffer (e.g. BatchNorm's running statistics). Names are what torch's state_dict
        uses; the order is parameters first, then buffers."""
        out: dict[str, np.ndarray] = {}
        for name, p in self.named_parameters():
            out[name] = (
                np.array(p.data, dtype=np.float64) if isinstance(p, Value) else p.data.copy()
            )
        for name, b in self.named_buffers():
            out[name] = b.copy()
        return out

    def load_state_dict(self, state: dict[str, Any], strict: bool = True) -> None:
        """Copy values into the parameters and buffers by name (cast to each one's dtype).

        Checks everything before changing anything: a missing or unexpected name (strict) or a
        shape that differs raises CheckpointError naming the parameter, and leaves the model as
        it was. strict=False skips missing and unexpected names.
        """
        from .serialize import apply_state

        apply_state(self, state, strict, f"{type(self).__name__}.load_state_dict")

    # -- printing --------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        lines = [f"({k}): " + repr(m).replace("\n", "\n  ") for k, m in self._modules.items()]
        head = f"{type(self).__name__}({self.extra_repr()}"
        if not lines:
            return head + ")"
        return head + "\n  " + "\n  ".join(lines) + "\n)"


# ---------------------------------------------------------------------------------------------
# containers


class ModuleList(Module):
    """A list of modules, registered as "0", "1", … (forward is up to the owner)."""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        super().__init__()
        self.__dict__["_list"] = []
        for m in modules:
            self.append(m)

    def append(self, module: Module) -> ModuleList:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList: can only hold Modules, got {type(module).__name__}")
        setattr(self, str(len(self._list)), module)
        self._list.append(module)
        return self

    def __getitem__(self, i: int) -> Module:
        return self._list[i]

    def __len__(self) -> int:
        return len(self._list)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._list)


class Sequential(ModuleList):
    """Modules applied in order: Sequential(a, b, c)(x) = c(b(a(x))); names "0", "1", …"""

    def __init__(self, *modules: Module) -> None:
        if len(modules) == 1 and isinstance(modules[0], (list, tuple)):
            modules = tuple(modules[0])
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(
                    f"Sequential: item {i} is a {type(m).__name__}, not a Module; wrap functions "
                    "as modules (e.g. nn.Sigmoid() instead of nn.sigmoid)"
                )
        super().__init__(modules)

    def forward(self, x: Any) -> Any:
        for m in self._list:
            x = m(x)
        return x


# ---------------------------------------------------------------------------------------------
# layers


def _as_input(x: Any, dtype: np.dtype, what: str) -> Tensor:
    """Arrays and constant tensors are cast to the layer's dtype (no float64 upcast of a
    float32 model); a tensor that requires grad is used as it is (the engine keeps its graph)."""
    if isinstance(x, Tensor):
        if x.requires_grad or x.data.dtype == dtype:
            return x
        return Tensor(x.data, dtype=dtype)
    if isinstance(x, Node):
        raise TypeError(f"{what}: got a Value; Tensor layers take arrays or Tensors")
    return Tensor(as_float_array(x, dtype, what=what))


def _check_finite(x: np.ndarray, what: str) -> None:
    """Under detect_anomaly(): a NaN/Inf entering a layer is reported where it enters."""
    if not np.isfinite(x).all():
        pos = tuple(int(i) for i in np.argwhere(~np.isfinite(x))[0])
        raise AnomalyError(
            f"{what}: input of shape {x.shape} contains {x[pos]} at index {pos} "
            "(seen by detect_anomaly()); check the data or the layer before this one"
        )


class Linear(Module):
    """The fully connected layer z = W x + b for each example x (a row of the batch):
    z = x Wᵀ + b with W of shape (out_features, in_features), one fused graph node.

    ∂C/∂W = gᵀx, ∂C/∂b = Σ g over the batch, ∂C/∂x = g W  (g = ∂C/∂z).
    init: "xavier" (default), "xavier_normal", "he", "he_uniform" or "normal" (with std);
    seed: int, Generator (shared between layers) or None. dtype: float32 (default) or float64.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: str = "xavier",
        std: float | None = None,
        seed: Seed = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        for what, n in (("in_features", in_features), ("out_features", out_features)):
            is_int = isinstance(n, (int, np.integer)) and not isinstance(n, bool)
            if not is_int or n < 1:
                kind = InputError if is_int else InputTypeError
                raise kind(f"Linear: {what} must be a positive int, got {n!r}")
        self.in_features, self.out_features = int(in_features), int(out_features)
        rng = make_rng(seed, "Linear")
        w = init_weight(init, rng, self.out_features, self.in_features, std, "Linear")
        self.weight = Parameter(w, dtype=dtype)
        self.bias = Parameter(np.zeros(self.out_features), dtype=dtype) if bias else None

    def forward(self, x: Any) -> Tensor:
        w = self.weight
        if type(x) is not Tensor or x.data.dtype != w.data.dtype:
            x = _as_input(x, w.data.dtype, self._title())
        shape = x.data.shape
        if not shape or shape[-1] != self.in_features:
            raise ShapeError(
                f"{self._title()} expects inputs with {self.in_features} features, got "
                f"{shape}; the last axis must be the features (batch × {self.in_features})"
            )
        if MODE.anomaly:
            _check_finite(x.data, self._title())
        if self.bias is None:
            return _ops.Linear.apply(x, w)
        return _ops.Linear.apply(x, w, self.bias)

    def extra_repr(self) -> str:
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}, dtype={self.weight.data.dtype}"
        )


# ---------------------------------------------------------------------------------------------
# activations (work on Tensors and on Values: they call the carrier's own method)


class Identity(Module):
    """a = z; ∂a/∂z = 1 (the linear output layer). Like torch, it accepts and ignores any
    constructor arguments, so it can stand in for a layer that is switched off."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Any:
        return x


class Sigmoid(Module):
    """σ(z) = 1/(1+e⁻ᶻ); ∂σ/∂z = σ(1−σ)"""

    def forward(self, x: Any) -> Any:
        return _lift(x, "Sigmoid").sigmoid()


class Tanh(Module):
    """a = tanh z; ∂a/∂z = 1 − a²"""

    def forward(self, x: Any) -> Any:
        return _lift(x, "Tanh").tanh()


class ReLU(Module):
    """a = max(0, z); ∂a/∂z = 1[z>0]"""

    relu_like = True  # MLP's init="auto" is He for it (half the inputs zeroed: twice the variance)

    def forward(self, x: Any) -> Any:
        return _lift(x, "ReLU").relu()


def _pick_dim(dim: int | None, axis: int | None, what: str) -> int:
    """torch's dim= or numpy's axis= (not both); the last axis when neither is given (torch
    would guess one and warn)."""
    if dim is not None and axis is not None:
        raise InputError(f"{what}: give dim= (torch) or axis= (numpy), not both")
    d = dim if axis is None else axis
    return -1 if d is None else d


class Softmax(Module):
    """Softmax(dim=None): sᵢ = e^zᵢ / Σⱼ e^zⱼ along dim (the last axis by default; axis= is
    accepted too); ∂sᵢ/∂zⱼ = sᵢ(δᵢⱼ − sⱼ)"""

    def __init__(self, dim: int | None = None, *, axis: int | None = None) -> None:
        super().__init__()
        self.axis = _pick_dim(dim, axis, "Softmax")

    def forward(self, x: Any) -> Tensor:
        return _lift(x, "Softmax", tensor_only=True).softmax(self.axis)

    def extra_repr(self) -> str:
        return f"dim={self.axis}"


class LogSoftmax(Module):
    """LogSoftmax(dim=None): yᵢ = zᵢ − log Σⱼ e^zⱼ along dim (stable); ∂yᵢ/∂zⱼ = δᵢⱼ − sⱼ.
    With NLLLoss it is CrossEntropyLoss in two nodes."""

    def __init__(self, dim: int | None = None, *, axis: int | None = None) -> None:
        super().__init__()
        self.axis = _pick_dim(dim, axis, "LogSoftmax")

    def forward(self, x: Any) -> Tensor:
        return _lift(x, "LogSoftmax", tensor_only=True).log_softmax(self.axis)

    def extra_repr(self) -> str:
        return f"dim={self.axis}"


def _lift(x: Any, what: str, tensor_only: bool = False) -> Any:
    if isinstance(x, Tensor) or (isinstance(x, Value) and not tensor_only):
        return x
    if isinstance(x, Node):
        raise TypeError(f"{what}: works on Tensors only, got a {type(x).__name__}")
    return Tensor(as_float_array(x, what=what))


ACTIVATIONS: dict[str, type[Module]] = {
    "sigmoid": Sigmoid,
    "tanh": Tanh,
    "relu": ReLU,
    "linear": Identity,
    "identity": Identity,
}


def _activation_by_name(name: str) -> type[Module] | None:
    """"sigmoid", "relu", … or any activation module of nn.activations by its torch name,
    class or function spelling ("leaky_relu", "LeakyReLU", "gelu")."""
    key = name.lower().replace("_", "")
    if key in ACTIVATIONS:
        return ACTIVATIONS[key]
    from . import activations  # imports this module: looked up lazily

    for obj in vars(activations).values():
        if isinstance(obj, type) and issubclass(obj, Module) and obj.__name__.lower() == key:
            return obj
    return None


def make_activation(spec: str | Module | Callable[[Any], Any] | None, what: str) -> Module:
    """A name ("sigmoid", "tanh", "relu", "linear", "gelu", "leaky_relu", …), a Module class or
    instance, a function of a Tensor, or None (the identity)."""
    if spec is None:
        return Identity()
    if isinstance(spec, Module):
        return spec
    if isinstance(spec, type) and issubclass(spec, Module):
        return spec()
    if isinstance(spec, str):
        cls = _activation_by_name(spec)
        if cls is not None:
            return cls()
    if callable(spec) and not isinstance(spec, str):
        return _Function(spec)
    raise InputError(
        f"{what}: unknown activation {spec!r}; use one of "
        + ", ".join(repr(k) for k in ACTIVATIONS)
        + ", the name of an nn activation ('gelu', 'leaky_relu', …), a Module (nn.ReLU()) or a "
        "function of a Tensor"
    )


class _Function(Module):
    """Wraps a plain function (e.g. nn.sigmoid) as a module."""

    def __init__(self, fn: Callable[[Any], Any]) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, x: Any) -> Any:
        return self.fn(x)

    def extra_repr(self) -> str:
        return getattr(self.fn, "__name__", repr(self.fn))


# ---------------------------------------------------------------------------------------------
# the multilayer perceptron


def check_sizes(sizes: Sequence[int], what: str) -> list[int]:
    try:
        out = [int(n) for n in sizes]
        ok = len(out) >= 2 and all(
            n >= 1 and n == s and not isinstance(s, bool) for n, s in zip(out, sizes)
        )
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise InputError(
            f"{what}: sizes must list at least two positive ints (inputs, …, outputs), e.g. "
            f"[784, 256, 10]; got {sizes!r}"
        )
    return out


class MLP(Module):
    """A deep fully connected network: aˡ = act(Wˡ aˡ⁻¹ + bˡ) for the hidden layers, and the
    last layer's output z^L = W^L a^{L−1} + b^L passed through `output_activation`
    (None by default: logits, for cross_entropy).

    MLP([784, 256, 128, 10], activation="sigmoid") has layers.0 (784→256), layers.1
    (256→128), layers.2 (128→10); parameters layers.0.weight, layers.0.bias, …
    init="auto" is He for relu and its kin (leaky relu, relu6, elu, gelu, silu, mish: the
    activations whose class says relu_like) and Xavier otherwise.
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: str | Module | Callable[[Any], Any] | None = "sigmoid",
        output_activation: str | Module | Callable[[Any], Any] | None = None,
        init: str = "auto",
        std: float | None = None,
        bias: bool = True,
        seed: Seed = None,
        dtype: Any = np.float32,
    ) -> None:
        super().__init__()
        self.sizes = check_sizes(sizes, "MLP")
        self.activation = make_activation(activation, "MLP")
        self.output_activation = make_activation(output_activation, "MLP output_activation")
        if init == "auto":
            init = "he" if getattr(self.activation, "relu_like", False) else "xavier"
        rng = make_rng(seed, "MLP")
        self.layers = ModuleList(
            Linear(a, b, bias=bias, init=init, std=std, seed=rng, dtype=dtype)
            for a, b in zip(self.sizes[:-1], self.sizes[1:])
        )

    def forward(self, x: Any) -> Tensor:
        layers = self.layers._list
        act = self.activation
        for layer in layers[:-1]:
            x = act(layer(x))
        return self.output_activation(layers[-1](x))

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"
