"""torch's other activations, as modules and as functions, on the engine's Tensor ops.

    nn.LeakyReLU(0.1)(x)  ==  nn.functional.leaky_relu(x, 0.1)  ==  x.leaky_relu(0.1)

Each module stores torch's constructor arguments and calls the Tensor method (where the math
and the local derivatives live: one op, one place). Arrays are turned into Tensors. torch's
inplace= is accepted as False only: an in-place activation would overwrite values the backward
pass needs.
"""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from ..tensor import Tensor
from .module import Module, _lift


def _x(x: Any, what: str) -> Tensor:
    return _lift(x, what, tensor_only=True)


def _no_inplace(inplace: bool, what: str) -> None:
    if inplace:
        raise InputError(
            f"{what}: inplace=True is not supported (the backward pass needs the input); "
            "leave it False, the result is the same"
        )


# -- functions (torch.nn.functional's names and arguments) ----------------------------------
def leaky_relu(input: Any, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """a = z if z > 0 else slope·z; ∂a/∂z = 1 or slope"""
    _no_inplace(inplace, "leaky_relu")
    return _x(input, "leaky_relu").leaky_relu(negative_slope)


def elu(input: Any, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """a = z if z > 0 else α(eᶻ − 1); ∂a/∂z = 1 or αeᶻ"""
    _no_inplace(inplace, "elu")
    return _x(input, "elu").elu(alpha)


def gelu(input: Any, approximate: str = "none") -> Tensor:
    """a = z·Φ(z) = ½z(1 + erf(z/√2)); approximate="tanh": ½z(1 + tanh(√(2/π)(z + 0.044715z³)))"""
    return _x(input, "gelu").gelu(approximate)


def silu(input: Any, inplace: bool = False) -> Tensor:
    """a = z·σ(z); ∂a/∂z = σ(z)(1 + z(1 − σ(z)))"""
    _no_inplace(inplace, "silu")
    return _x(input, "silu").silu()


def softplus(input: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """a = log(1 + e^(βz))/β (z itself where βz > threshold); ∂a/∂z = σ(βz)"""
    return _x(input, "softplus").softplus(beta, threshold)


def hardtanh(
    input: Any, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """a = clip(z, min_val, max_val); ∂a/∂z = 1 inside, 0 outside"""
    _no_inplace(inplace, "hardtanh")
    if not min_val < max_val:
        raise InputError(f"hardtanh: min_val {min_val} must be less than max_val {max_val}")
    return _x(input, "hardtanh").hardtanh(min_val, max_val)


def relu6(input: Any, inplace: bool = False) -> Tensor:
    """a = min(max(0, z), 6); ∂a/∂z = 1[0 < z < 6]"""
    _no_inplace(inplace, "relu6")
    return _x(input, "relu6").relu6()


def softsign(input: Any) -> Tensor:
    """a = z/(1 + |z|); ∂a/∂z = 1/(1 + |z|)²"""
    return _x(input, "softsign").softsign()


def mish(input: Any, inplace: bool = False) -> Tensor:
    """a = z·tanh(softplus(z))"""
    _no_inplace(inplace, "mish")
    return _x(input, "mish").mish()


def logsigmoid(input: Any) -> Tensor:
    """a = log σ(z) = −softplus(−z), stable for large |z|; ∂a/∂z = 1 − σ(z)"""
    return _x(input, "logsigmoid").logsigmoid()


# -- modules (torch.nn's names and constructor arguments) -----------------------------------
class LeakyReLU(Module):
    """LeakyReLU(negative_slope=0.01): z if z > 0 else slope·z"""

    relu_like = True  # MLP's init="auto": He

    def __init__(self, negative_slope: float = 0.01, inplace: bool = False) -> None:
        super().__init__()
        _no_inplace(inplace, "LeakyReLU")
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Tensor:
        return leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """ELU(alpha=1.0): z if z > 0 else α(eᶻ − 1)"""

    relu_like = True  # MLP's init="auto": He

    def __init__(self, alpha: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        _no_inplace(inplace, "ELU")
        self.alpha = float(alpha)

    def forward(self, x: Any) -> Tensor:
        return elu(x, self.alpha)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}"


class GELU(Module):
    """GELU(approximate="none"): z·Φ(z) exactly (erf) or with torch's tanh approximation"""

    relu_like = True  # MLP's init="auto": He

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise InputError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Tensor:
        return gelu(x, self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """SiLU(): z·σ(z) (swish)"""

    relu_like = True  # MLP's init="auto": He

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        _no_inplace(inplace, "SiLU")

    def forward(self, x: Any) -> Tensor:
        return silu(x)


class Softplus(Module):
    """Softplus(beta=1.0, threshold=20.0): log(1 + e^(βz))/β, linear beyond the threshold"""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        self.beta, self.threshold = float(beta), float(threshold)

    def forward(self, x: Any) -> Tensor:
        return softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class Hardtanh(Module):
    """Hardtanh(min_val=-1.0, max_val=1.0): clip(z, min_val, max_val)"""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False) -> None:
        super().__init__()
        _no_inplace(inplace, "Hardtanh")
        if not min_val < max_val:
            raise InputError(f"Hardtanh: min_val {min_val} must be less than max_val {max_val}")
        self.min_val, self.max_val = float(min_val), float(max_val)

    def forward(self, x: Any) -> Tensor:
        return hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Module):
    """ReLU6(): min(max(0, z), 6)"""

    relu_like = True  # MLP's init="auto": He

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        _no_inplace(inplace, "ReLU6")

    def forward(self, x: Any) -> Tensor:
        return relu6(x)


class Softsign(Module):
    """Softsign(): z/(1 + |z|)"""

    def forward(self, x: Any) -> Tensor:
        return softsign(x)


class Mish(Module):
    """Mish(): z·tanh(softplus(z))"""

    relu_like = True  # MLP's init="auto": He

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        _no_inplace(inplace, "Mish")

    def forward(self, x: Any) -> Tensor:
        return mish(x)


class LogSigmoid(Module):
    """LogSigmoid(): log σ(z)"""

    def forward(self, x: Any) -> Tensor:
        return logsigmoid(x)
