"""The scalar twin: Neuron, Layer and MLP built from Values, one graph node per neuron sum.

A 2-3-1 network drawn weight by weight, as in the lecture's backprop figures:

    net = ValueMLP([2, 3, 1], activation="sigmoid", seed=0)
    y = net([1.0, -1.0]); y.backward()         # every weight's .grad is ∂y/∂w

Each neuron computes z = Σⱼ wⱼxⱼ + b as ONE Value.weighted_sum node (its local derivatives are
the lecture's ∂z/∂wⱼ = xⱼ) and then a = act(z).

Names. The classes are ValueNeuron, ValueLayer and ValueMLP, so they never clash with the
Tensor MLP in tinygrad_edu.nn; this module also calls them Neuron, Layer and MLP for
`from tinygrad_edu.nn.scalar import MLP`. Parameter names are dotted like the Tensor model's
("layers.0.neurons.1.w.0", "layers.0.neurons.1.b"); labels, drawn by the renderer, follow the
lecture's wˡᵢⱼ: "w¹[1,0]" is the weight of layer 1 (1-based, the lecture's superscript) from
input 0 into neuron 1 (0-based, like the names), "b¹[1]" that neuron's bias, and each forward
pass names that neuron's sum z¹[1] and its activation a¹[1] (the lecture's zˡᵢ, aˡᵢ), so a
picture shows no anonymous n9. A ValueLayer on its own labels "w[1,0]", "b[1]", "z[1]"; a lone
ValueNeuron "w[0]", "b", "z", "a".

With the same seed and init, ValueMLP(sizes) starts from exactly the weights of
MLP(sizes, dtype=np.float64); ValueMLP.from_mlp copies a trained Tensor MLP.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import ShapeError
from ..value import Value
from .init import Seed, init_weight, make_rng
from .module import (
    ACTIVATIONS,
    Module,
    ModuleList,
    check_sizes,
    make_activation,
)
from .module import (
    MLP as TensorMLP,
)

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")

Activation = str | Module | Callable[[Any], Any] | None


class ValueNeuron(Module):
    """z = Σⱼ wⱼxⱼ + b (one node: ∂z/∂wⱼ = xⱼ, ∂z/∂xⱼ = wⱼ, ∂z/∂b = 1); a = act(z)."""

    def __init__(
        self,
        n_in: int,
        activation: Activation = "sigmoid",
        init: str = "xavier",
        std: float | None = None,
        seed: Seed = None,
        weights: Sequence[float] | None = None,
        bias: float = 0.0,
    ) -> None:
        super().__init__()
        n_in = check_sizes([n_in, 1], "ValueNeuron")[0]
        if weights is None:
            weights = init_weight(init, make_rng(seed, "ValueNeuron"), 1, n_in, std)[0]
        if len(weights) != n_in:
            raise ShapeError(f"ValueNeuron: {len(weights)} weights given for {n_in} inputs")
        self.activation = make_activation(activation, "ValueNeuron")
        self.__dict__["w"] = [Value(float(v)) for v in weights]
        self.__dict__["b"] = Value(float(bias))
        for j, w in enumerate(self.w):
            self._register_parameter(f"w.{j}", w)
        self._register_parameter("b", self.b)
        self.relabel("", "")

    def relabel(self, layer: str, index: str) -> None:
        """Labels "w{layer}[{index}j]" and "b{layer}[{index}]" (see the module doc); each
        forward pass labels its sum "z{layer}[{index}]" and its activation "a{layer}[{index}]"."""
        for j, w in enumerate(self.w):
            w.label = f"w{layer}[{index}{j}]"
        tail = f"{layer}[{index.rstrip(',')}]" if index else layer
        self.b.label = f"b{tail}"
        self._names = (f"z{tail}", f"a{tail}")

    @property
    def n_in(self) -> int:
        return len(self.w)

    def forward(self, x: Sequence[Any]) -> Value:
        if len(x) != len(self.w):
            raise ShapeError(f"{self._title()} expects {len(self.w)} inputs, got {len(x)}")
        z = Value.weighted_sum(self.w, x, self.b).named(self._names[0])
        a = self.activation(z)
        if a is not z and isinstance(a, Value) and not a.label:
            a.named(self._names[1])
        return a

    def extra_repr(self) -> str:
        return f"n_in={self.n_in}"


class ValueLayer(Module):
    """n_out neurons reading the same n_in inputs: aᵢ = act(Σⱼ wᵢⱼxⱼ + bᵢ)."""

    def __init__(
        self,
        n_in: int,
        n_out: int,
        activation: Activation = "sigmoid",
        init: str = "xavier",
        std: float | None = None,
        seed: Seed = None,
        layer: int | None = None,
        weights: Any = None,
        biases: Any = None,
    ) -> None:
        super().__init__()
        n_in, n_out = check_sizes([n_in, n_out], "ValueLayer")
        if weights is None:
            weights = init_weight(init, make_rng(seed, "ValueLayer"), n_out, n_in, std)
        weights = np.asarray(weights, dtype=np.float64)
        biases = np.zeros(n_out) if biases is None else np.asarray(biases, dtype=np.float64)
        if weights.shape != (n_out, n_in) or biases.shape != (n_out,):
            raise ShapeError(
                f"ValueLayer: weights {weights.shape} and biases {biases.shape} must have shapes "
                f"{(n_out, n_in)} and {(n_out,)}"
            )
        act = make_activation(activation, "ValueLayer")
        self.neurons = ModuleList(
            ValueNeuron(n_in, act, weights=weights[i], bias=float(biases[i])) for i in range(n_out)
        )
        self.layer = layer
        self._relabel()

    def _relabel(self) -> None:
        sup = str(self.layer).translate(_SUP) if self.layer is not None else ""
        for i, n in enumerate(self.neurons):
            n.relabel(sup, f"{i},")

    @property
    def n_in(self) -> int:
        return self.neurons[0].n_in

    def forward(self, x: Sequence[Any]) -> list[Value]:
        if len(x) != self.n_in:
            raise ShapeError(f"{self._title()} expects {self.n_in} inputs, got {len(x)}")
        return [n(x) for n in self.neurons]

    def weight_array(self) -> tuple[np.ndarray, np.ndarray]:
        """(W, b) as float64 arrays, W[i, j] = wᵢⱼ."""
        w = np.array([[v.data for v in n.w] for n in self.neurons])
        return w, np.array([n.b.data for n in self.neurons])

    def extra_repr(self) -> str:
        return f"n_in={self.n_in}, n_out={len(self.neurons)}"


class ValueMLP(Module):
    """The Tensor MLP's scalar twin: layers.0 … layers.{L−1}, the hidden ones with
    `activation`, the last with `output_activation` (None: the output is z)."""

    def __init__(
        self,
        sizes: Sequence[int],
        activation: Activation = "sigmoid",
        output_activation: Activation = None,
        init: str = "auto",
        std: float | None = None,
        seed: Seed = None,
        weights: Sequence[tuple[Any, Any]] | None = None,
    ) -> None:
        super().__init__()
        self.sizes = check_sizes(sizes, "ValueMLP")
        act = make_activation(activation, "ValueMLP")
        out_act = make_activation(output_activation, "ValueMLP output_activation")
        if init == "auto":
            init = "he" if getattr(act, "relu_like", False) else "xavier"
        rng = make_rng(seed, "ValueMLP")
        pairs = list(zip(self.sizes[:-1], self.sizes[1:]))
        if weights is not None and len(weights) != len(pairs):
            raise ShapeError(f"ValueMLP: {len(weights)} (W, b) pairs given for {len(pairs)} layers")
        layers = []
        for l, (n_in, n_out) in enumerate(pairs):
            if weights is not None:
                w, bias = weights[l]  # bias None: zeros (a Tensor layer built with bias=False)
            else:  # drawn in the Tensor MLP's order, so the same seed gives the same weights
                w, bias = init_weight(init, rng, n_out, n_in, std, "ValueMLP"), None
            last = l == len(pairs) - 1
            layers.append(
                ValueLayer(
                    n_in, n_out, out_act if last else act, layer=l + 1, weights=w, biases=bias
                )
            )
        self.layers = ModuleList(layers)

    @classmethod
    def from_mlp(cls, mlp: TensorMLP) -> ValueMLP:
        """The scalar twin of a Tensor MLP, with its (current) weights, to draw it."""
        if not isinstance(mlp, TensorMLP):
            raise TypeError(f"ValueMLP.from_mlp: expected an nn.MLP, got {type(mlp).__name__}")

        def copy(act: Module) -> Module:
            return type(act)() if type(act) in ACTIVATIONS.values() else act

        pairs = [
            (
                layer.weight.data.astype(np.float64),
                None if layer.bias is None else layer.bias.data.astype(np.float64),
            )
            for layer in mlp.layers
        ]
        return cls(
            mlp.sizes,
            copy(mlp.activation),
            copy(mlp.output_activation),
            weights=pairs,
        )

    def forward(self, x: Sequence[Any]) -> Value | list[Value]:
        if isinstance(x, np.ndarray):
            x = x.tolist()
        # Numbers become the network's inputs once, labelled x1, x2, …, so every neuron of the
        # first layer shares them and a picture shows them as inputs (not one constant each).
        x = [
            v if isinstance(v, Value) else Value(v, label=f"x{i + 1}", requires_grad=False)
            for i, v in enumerate(x)
        ]
        for layer in self.layers:
            x = layer(x)
        return x[0] if len(x) == 1 else x

    def extra_repr(self) -> str:
        return f"sizes={self.sizes}"


Neuron = ValueNeuron
Layer = ValueLayer
MLP = ValueMLP
