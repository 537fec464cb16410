"""Seeded weight initialisation for Linear layers and the scalar twin.

Every initialiser draws in float64 from a numpy Generator and the layer casts to its dtype, so
a float32 and a float64 model built with the same seed start from the same numbers (rounded),
and the scalar twin (nn.scalar) gets exactly the weights of the Tensor MLP.

    "xavier"        U(−a, a),   a = √(6 / (fan_in + fan_out))   (Glorot; sigmoid, tanh)
    "xavier_normal" N(0, σ²),   σ = √(2 / (fan_in + fan_out))
    "he"            N(0, σ²),   σ = √(2 / fan_in)               (Kaiming; relu)
    "he_uniform"    U(−a, a),   a = √(6 / fan_in)
    "normal"        N(0, σ²),   σ = std (default 0.01: the lecture's small random numbers)

Biases start at 0 with every scheme.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import InputError, InputTypeError
from ..random import default_generator

Seed = int | np.random.Generator | None

DEFAULT_STD = 0.01


def make_rng(seed: Seed, what: str = "init") -> np.random.Generator:
    """A Generator from an int seed, an existing Generator (shared, so layers draw in turn) or
    None: tinygrad_edu's default generator, as torch's layers draw from torch's (reseed it with
    tinygrad_edu.manual_seed(n); a fresh process starts from the same fixed seed)."""
    if seed is None:
        return default_generator()
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        if seed < 0:
            raise InputError(f"{what}: seed must be ≥ 0, got {seed}")
        return np.random.default_rng(seed)
    raise InputTypeError(
        f"{what}: seed must be an int, a numpy Generator or None, got {type(seed).__name__}"
    )


Shape = tuple[int, ...] | None  # None: the matrix (fan_out, fan_in)


def xavier_uniform(
    rng: np.random.Generator, fan_out: int, fan_in: int, shape: Shape = None
) -> np.ndarray:
    """U(−a, a) with a = √(6/(fan_in+fan_out)): keeps Var(z) ≈ Var(x) forward and backward."""
    a = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-a, a, shape or (fan_out, fan_in))


def xavier_normal(
    rng: np.random.Generator, fan_out: int, fan_in: int, shape: Shape = None
) -> np.ndarray:
    """N(0, 2/(fan_in+fan_out))."""
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), shape or (fan_out, fan_in))


def he_normal(
    rng: np.random.Generator, fan_out: int, fan_in: int, shape: Shape = None
) -> np.ndarray:
    """N(0, 2/fan_in): relu zeroes half the inputs, so twice Xavier's variance."""
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), shape or (fan_out, fan_in))


def he_uniform(
    rng: np.random.Generator, fan_out: int, fan_in: int, shape: Shape = None
) -> np.ndarray:
    """U(−a, a) with a = √(6/fan_in)."""
    a = np.sqrt(6.0 / fan_in)
    return rng.uniform(-a, a, shape or (fan_out, fan_in))


INITS: dict[str, Callable[..., np.ndarray]] = {
    "xavier": xavier_uniform,
    "xavier_normal": xavier_normal,
    "he": he_normal,
    "he_uniform": he_uniform,
}


def init_weight(
    kind: str,
    rng: np.random.Generator,
    fan_out: int,
    fan_in: int,
    std: float | None = None,
    what: str = "init",
    shape: Shape = None,
) -> np.ndarray:
    """A float64 weight matrix (fan_out × fan_in) drawn with scheme `kind` (see module doc);
    `shape` draws another shape with these fans (a conv kernel (out, in, kh, kw) has
    fan_in = in·kh·kw and fan_out = out·kh·kw, as in torch)."""
    if kind == "normal":
        s = DEFAULT_STD if std is None else float(std)
        if not s >= 0:
            raise InputError(f"{what}: std must be ≥ 0, got {std}")
        return rng.normal(0.0, s, shape or (fan_out, fan_in))
    if std is not None:
        raise InputError(f"{what}: std= only applies to init='normal', not init={kind!r}")
    try:
        fn = INITS[kind]
    except (KeyError, TypeError):
        raise InputError(
            f"{what}: unknown init {kind!r}; choose one of "
            + ", ".join(repr(k) for k in (*INITS, "normal"))
        ) from None
    return fn(rng, fan_out, fan_in, shape)
