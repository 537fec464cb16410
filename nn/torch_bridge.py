"""Graduate to PyTorch: the same model, the same weights, the same numbers.

    tmodel = nn.to_torch(model)        # a torch.nn.Module: same structure, names and weights
    model2 = nn.from_torch(tmodel)     # and back

Layouts. Our layers store their weights in torch's layouts, so every array is copied as it is:
Linear.weight is (out_features, in_features) in both (z = x Wᵀ + b), biases are (out,);
convolution weights are (out_channels, in_channels/groups, kh, kw). State-dict names map one
to one: "layers.0.weight" here is "layers.0.weight" there. Ours are float32 or float64 and the
torch module gets the same dtype.

Structure. Sequential, ModuleList and the leaf layers become their torch namesakes. Our MLP
(layers + activation + output_activation) has no torch namesake: it becomes a small
torch.nn.Module of the same shape (TorchMLP), whose state-dict names are ours.

torch stays optional: importing tinygrad_edu never imports torch; these functions import it
when called and say how to install it when it is missing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import conv as _conv
from . import module as _m
from . import norm as _norm

PathLike = str | os.PathLike


class ConversionError(TypeError):
    """A module (or one of its submodules) has no counterpart on the other side."""


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ImportError(
            "tinygrad_edu.nn.to_torch/from_torch need PyTorch, which is not installed; "
            "install it with `pip install torch` (or `pip install 'tinygrad_edu[torch]'`)"
        ) from None
    return torch


# -- modules that are the same class on both sides, with the same constructor arguments -----
# our class name -> (torch class name, [(our attribute, torch argument)]). A test checks that
# every Module subclass of tinygrad_edu.nn is either here, in _CONVERTERS, or in _REFUSED.
_SAME: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "Identity": ("Identity", ()),
    "Sigmoid": ("Sigmoid", ()),
    "Tanh": ("Tanh", ()),
    "ReLU": ("ReLU", ()),
    "Softmax": ("Softmax", (("axis", "dim"),)),
    "LogSoftmax": ("LogSoftmax", (("axis", "dim"),)),
    "Dropout": ("Dropout", (("p", "p"),)),
    "Flatten": ("Flatten", (("start_dim", "start_dim"), ("end_dim", "end_dim"))),
    "LeakyReLU": ("LeakyReLU", (("negative_slope", "negative_slope"),)),
    "ELU": ("ELU", (("alpha", "alpha"),)),
    "GELU": ("GELU", (("approximate", "approximate"),)),
    "SiLU": ("SiLU", ()),
    "Softplus": ("Softplus", (("beta", "beta"), ("threshold", "threshold"))),
    "Hardtanh": ("Hardtanh", (("min_val", "min_val"), ("max_val", "max_val"))),
    "ReLU6": ("ReLU6", ()),
    "Softsign": ("Softsign", ()),
    "Mish": ("Mish", ()),
    "LogSigmoid": ("LogSigmoid", ()),
    "MaxPool2d": (
        "MaxPool2d",
        (("kernel_size", "kernel_size"), ("stride", "stride"), ("padding", "padding"))
        + (("dilation", "dilation"),),
    ),
    "AvgPool2d": (
        "AvgPool2d",
        (("kernel_size", "kernel_size"), ("stride", "stride"), ("padding", "padding"))
        + (("count_include_pad", "count_include_pad"), ("divisor_override", "divisor_override")),
    ),
}

# modules that cannot convert, with the reason and the remedy
_REFUSED: dict[str, str] = {
    "ValueNeuron": "the scalar twin builds graphs of Values, one node per neuron; build nn.MLP "
    "with the same sizes, init and seed (float64): it starts from exactly the same weights",
    "ValueLayer": "the scalar twin builds graphs of Values; use nn.Linear (same weights for the "
    "same seed in float64)",
    "ValueMLP": "the scalar twin builds graphs of Values; build nn.MLP(sizes, dtype=np.float64) "
    "with the same seed, or copy its weights into one",
    "_ConvNd": "it is the base class of Conv1d and Conv2d; use one of those",
    "_BatchNorm": "it is the base class of BatchNorm1d and BatchNorm2d; use one of those",
    "_Function": "it wraps a plain Python function, which torch cannot run; use a module "
    "(nn.Sigmoid() instead of nn.sigmoid)",
}
# Losses are not part of a model's structure: torch's namesakes take the same arguments.
_REFUSED.update(
    {
        name: "a loss is not part of the model; use torch.nn's loss of the same name, which "
        "takes the same arguments with the same defaults"
        for name in (
            "_Loss",
            "CrossEntropyLoss",
            "NLLLoss",
            "BCELoss",
            "BCEWithLogitsLoss",
            "MSELoss",
            "L1Loss",
            "HuberLoss",
            "SmoothL1Loss",
        )
    }
)


def _where(path: str) -> str:
    return repr(path) if path else "the root module"


@functools.cache
def _torch_mlp_class() -> type:
    """A torch.nn.Module with our MLP's structure (defined once, when torch is first needed)."""
    torch = _torch()

    class TorchMLP(torch.nn.Module):
        """Our MLP in torch: layers (a ModuleList of Linear), activation, output_activation."""

        def __init__(self, layers: Any, activation: Any, output_activation: Any) -> None:
            super().__init__()
            self.layers = layers
            self.activation = activation
            self.output_activation = output_activation

        def forward(self, x: Any) -> Any:
            for layer in self.layers[:-1]:
                x = self.activation(layer(x))
            return self.output_activation(self.layers[-1](x))

    return TorchMLP


# -- ours -> torch ------------------------------------------------------------------------------


def _dtype_of(module: _m.Module) -> np.dtype | None:
    for p in module.parameters():
        return np.dtype(p.data.dtype)
    return None


def _linear_to_torch(m: _m.Linear, torch: Any, path: str) -> Any:
    return torch.nn.Linear(m.in_features, m.out_features, bias=m.bias is not None)


def _mlp_to_torch(m: _m.MLP, torch: Any, path: str) -> Any:
    layers = _build_torch(m.layers, torch, path + ".layers" if path else "layers")
    act = _build_torch(m.activation, torch, _join(path, "activation"))
    out = _build_torch(m.output_activation, torch, _join(path, "output_activation"))
    return _torch_mlp_class()(layers, act, out)


def _sequential_to_torch(m: _m.Sequential, torch: Any, path: str) -> Any:
    return torch.nn.Sequential(
        *[_build_torch(c, torch, _join(path, str(i))) for i, c in enumerate(m)]
    )


def _modulelist_to_torch(m: _m.ModuleList, torch: Any, path: str) -> Any:
    return torch.nn.ModuleList(
        [_build_torch(c, torch, _join(path, str(i))) for i, c in enumerate(m)]
    )


def _conv_to_torch(m: _conv._ConvNd, torch: Any, path: str) -> Any:
    cls = torch.nn.Conv2d if m.spatial == 2 else torch.nn.Conv1d
    return cls(
        m.in_channels,
        m.out_channels,
        m.kernel_size,
        stride=m.stride,
        padding=m.padding,
        dilation=m.dilation,
        groups=m.groups,
        bias=m.bias is not None,
    )


def _batchnorm_to_torch(m: _norm._BatchNorm, torch: Any, path: str) -> Any:
    cls = torch.nn.BatchNorm2d if isinstance(m, _norm.BatchNorm2d) else torch.nn.BatchNorm1d
    return cls(m.num_features, m.eps, m.momentum, m.affine, m.track_running_stats)


# our class -> builder of the torch module (structure only; weights are copied afterwards)
_CONVERTERS: dict[type, Callable[[Any, Any, str], Any]] = {
    _m.Linear: _linear_to_torch,
    _m.MLP: _mlp_to_torch,
    _m.Sequential: _sequential_to_torch,
    _m.ModuleList: _modulelist_to_torch,
    _conv.Conv2d: _conv_to_torch,
    _conv.Conv1d: _conv_to_torch,
    _norm.BatchNorm1d: _batchnorm_to_torch,
    _norm.BatchNorm2d: _batchnorm_to_torch,
}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _build_torch(m: _m.Module, torch: Any, path: str) -> Any:
    name = type(m).__name__
    builder = _CONVERTERS.get(type(m))
    if builder is not None:
        return builder(m, torch, path)
    if name in _SAME and isinstance(m, _m.Module):
        torch_name, args = _SAME[name]
        return getattr(torch.nn, torch_name)(**{t: getattr(m, ours) for ours, t in args})
    why = _REFUSED.get(name, "it has no torch counterpart that this converter knows")
    raise ConversionError(f"to_torch: cannot convert {_where(path)} ({name}): {why}")


def to_torch(module: _m.Module) -> Any:
    """The equivalent torch.nn.Module, with the same weights (same dtype, same names).

    Raises ConversionError naming the first submodule that cannot convert.
    """
    if not isinstance(module, _m.Module):
        raise TypeError(f"to_torch: expected a tinygrad_edu.nn Module, got {type(module).__name__}")
    torch = _torch()
    tmodule = _build_torch(module, torch, "")
    dtype = _dtype_of(module)
    if dtype is not None:
        tmodule = tmodule.to({np.float32: torch.float32, np.float64: torch.float64}[dtype.type])
    tmodule.load_state_dict(to_torch_state_dict(module), strict=True)
    tmodule.train(module.training)
    return tmodule


# -- torch -> ours ------------------------------------------------------------------------------


def _np_dtype(t: Any) -> Any:
    return np.float64 if str(t.dtype) == "torch.float64" else np.float32


def _linear_from_torch(t: Any, path: str) -> _m.Module:
    return _m.Linear(
        t.in_features, t.out_features, bias=t.bias is not None, dtype=_np_dtype(t.weight)
    )


def _sequential_from_torch(t: Any, path: str) -> _m.Module:
    return _m.Sequential(*[_build_ours(c, _join(path, k)) for k, c in t.named_children()])


def _modulelist_from_torch(t: Any, path: str) -> _m.Module:
    return _m.ModuleList(_build_ours(c, _join(path, k)) for k, c in t.named_children())


def _mlp_from_torch(t: Any, path: str) -> _m.Module:
    sizes = [t.layers[0].in_features] + [layer.out_features for layer in t.layers]
    return _m.MLP(
        sizes,
        activation=_build_ours(t.activation, _join(path, "activation")),
        output_activation=_build_ours(t.output_activation, _join(path, "output_activation")),
        bias=t.layers[0].bias is not None,
        dtype=_np_dtype(t.layers[0].weight),
    )


def _conv_from_torch(t: Any, path: str) -> _m.Module:
    one_d = type(t).__name__ == "Conv1d"
    cls = _conv.Conv1d if one_d else _conv.Conv2d

    def arg(v: Any) -> Any:  # torch keeps Conv1d's ints as 1-tuples
        return v[0] if one_d and isinstance(v, tuple) else v

    return cls(
        t.in_channels,
        t.out_channels,
        arg(t.kernel_size),
        stride=arg(t.stride),
        padding=arg(t.padding),
        dilation=arg(t.dilation),
        groups=t.groups,
        bias=t.bias is not None,
        padding_mode=t.padding_mode,
        dtype=_np_dtype(t.weight),
    )


def _batchnorm_from_torch(t: Any, path: str) -> _m.Module:
    cls = _norm.BatchNorm2d if type(t).__name__ == "BatchNorm2d" else _norm.BatchNorm1d
    ref = t.weight if t.weight is not None else t.running_mean
    dtype = _np_dtype(ref) if ref is not None else np.float32
    return cls(t.num_features, t.eps, t.momentum, t.affine, t.track_running_stats, dtype=dtype)


_FROM_TORCH: dict[str, Callable[[Any, str], _m.Module]] = {
    "Linear": _linear_from_torch,
    "Sequential": _sequential_from_torch,
    "ModuleList": _modulelist_from_torch,
    "TorchMLP": _mlp_from_torch,
    "Conv1d": _conv_from_torch,
    "Conv2d": _conv_from_torch,
    "BatchNorm1d": _batchnorm_from_torch,
    "BatchNorm2d": _batchnorm_from_torch,
}


def _ours_by_name() -> dict[str, type]:
    from .. import nn

    return {n: getattr(nn, n) for n in dir(nn) if isinstance(getattr(nn, n), type)}


def _build_ours(t: Any, path: str) -> _m.Module:
    name = type(t).__name__
    if name in _FROM_TORCH and type(t).__module__.startswith(("torch.", __name__)):
        return _FROM_TORCH[name](t, path)
    for ours, (torch_name, args) in _SAME.items():
        if torch_name == name and type(t).__module__.startswith("torch."):
            return _ours_by_name()[ours](**{o: getattr(t, a) for o, a in args})
    raise ConversionError(
        f"from_torch: cannot convert {_where(path)} ({type(t).__module__}.{name}): only "
        "torch.nn layers with a tinygrad_edu counterpart convert ("
        + ", ".join(sorted(set(_FROM_TORCH) | {v[0] for v in _SAME.values()}))
        + "); write the model as a torch.nn.Sequential of those"
    )


def from_torch(tmodule: Any) -> _m.Module:
    """Our Module equivalent to a torch.nn.Module, with the same weights, names and dtype.

    Raises ConversionError naming the first submodule that cannot convert.
    """
    torch = _torch()
    if not isinstance(tmodule, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(tmodule).__name__}")
    module = _build_ours(tmodule, "")
    load_torch_state_dict(module, tmodule.state_dict())
    module.train(tmodule.training)
    return module


# -- state dicts and checkpoints ----------------------------------------------------------------


def to_torch_state_dict(source: _m.Module | PathLike) -> dict[str, Any]:
    """name → torch tensor, from a module or from an nn.save checkpoint, for
    `torch_model.load_state_dict(...)`; names map one to one, arrays are copied as they are."""
    torch = _torch()
    if isinstance(source, _m.Module):
        state = source.state_dict()
    else:
        from .serialize import read_checkpoint

        state = read_checkpoint(source)
    return {name: torch.from_numpy(np.array(arr)) for name, arr in state.items()}


def load_torch_state_dict(module: _m.Module, state_dict: Mapping[str, Any]) -> _m.Module:
    """Copy a torch state_dict (name → tensor) into `module` (same names and shapes, cast to
    each parameter's dtype); checks everything before changing anything. Returns module."""
    arrays = {name: _as_numpy(t, name) for name, t in state_dict.items()}
    module.load_state_dict(arrays, strict=True)
    return module


def _as_numpy(t: Any, name: str) -> np.ndarray:
    if hasattr(t, "detach"):
        return t.detach().cpu().numpy()
    return np.asarray(t)


# -- optimizer state ----------------------------------------------------------------------------


def to_torch_optimizer_state(optimizer: Any) -> dict[str, Any]:
    """An optimizer's state_dict() with arrays as torch tensors, for
    `torch_optimizer.load_state_dict(...)` over the converted model's parameters (same order):
    training continues in torch with the same momentum buffers and moment estimates."""
    torch = _torch()
    sd = optimizer.state_dict()
    state = {
        i: {
            k: torch.tensor(float(v)) if k == "step" else torch.from_numpy(np.array(v))
            for k, v in s.items()
        }
        for i, s in sd["state"].items()
    }
    groups = [{k: v for k, v in g.items()} for g in sd["param_groups"]]
    return {"state": state, "param_groups": groups}


def load_torch_optimizer_state(optimizer: Any, state_dict: Mapping[str, Any]) -> Any:
    """Load a torch optimizer's state_dict() into ours (same kind, same parameter order);
    checks everything before changing anything. Returns the optimizer."""
    state = {
        int(i): {k: (float(v) if k == "step" else _as_numpy(v, k)) for k, v in s.items()}
        for i, s in state_dict["state"].items()
    }
    groups = [dict(g) for g in state_dict["param_groups"]]
    optimizer.load_state_dict({"state": state, "param_groups": groups})
    return optimizer
