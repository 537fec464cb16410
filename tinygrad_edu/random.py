"""One seeded source of random numbers for every random constructor (and nn's initialisation).

    tinygrad_edu.manual_seed(0)      # as torch.manual_seed: reseed the default generator
    tinygrad_edu.randn(2, 3)         # draws from it
    tinygrad_edu.randn(2, 3, generator=np.random.default_rng(1))   # or from your own

Like torch, the default generator starts from a fixed seed, so a fresh process draws the same
numbers every time until manual_seed() says otherwise. No global numpy state is touched.
"""

from __future__ import annotations

import numpy as np

INITIAL_SEED = 67280421310721  # torch's default seed, so "no manual_seed" is reproducible too


class _Default:
    """The default generator, one per process as torch's (a class, not loose globals: one
    place). Not per thread: threads would otherwise all draw the same numbers."""

    def __init__(self) -> None:
        self.seed = INITIAL_SEED
        self.generator = np.random.default_rng(INITIAL_SEED)


_DEFAULT = _Default()


def manual_seed(seed: int) -> np.random.Generator:
    """Reseed the default generator with `seed` (an int ≥ 0) and return it."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise TypeError(f"manual_seed: the seed must be an int ≥ 0, got {seed!r}")
    _DEFAULT.seed = int(seed)
    _DEFAULT.generator = np.random.default_rng(int(seed))
    return _DEFAULT.generator


def initial_seed() -> int:
    """The seed the default generator was last seeded with."""
    return _DEFAULT.seed


def default_generator() -> np.random.Generator:
    """The generator random constructors use when given no generator=."""
    return _DEFAULT.generator


def generator_or_default(generator: np.random.Generator | None, what: str) -> np.random.Generator:
    """`generator` if given (a numpy Generator), else the default one; anything else: TypeError."""
    if generator is None:
        return _DEFAULT.generator
    if not isinstance(generator, np.random.Generator):
        raise TypeError(
            f"{what}: generator= must be a numpy Generator (np.random.default_rng(seed)), got "
            f"{type(generator).__name__}"
        )
    return generator
