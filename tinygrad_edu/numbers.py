"""One check for the plain numbers users mix into graphs (Value(x), t + x, t ** k): real, and
within float64's range, or one clear error naming the op, instead of numpy's ComplexWarning
(the imaginary part silently dropped) or a raw OverflowError."""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from .errors import NumberRangeError


def is_complex(x: Any) -> bool:
    """A Python or numpy complex scalar (or a complex array)."""
    return isinstance(x, (complex, np.complexfloating)) or (
        isinstance(x, np.ndarray) and x.dtype.kind == "c"
    )


def refuse_complex(x: Any, what: str) -> None:
    """TypeError for a complex number: this engine differentiates real functions only."""
    if is_complex(x):
        raise TypeError(
            f"{what}: {x!r} is complex; tinygrad_edu computes with real numbers only (take "
            ".real or abs() first if that is what you mean)"
        )


def as_real(x: Any, what: str) -> float:
    """float(x) for a real number x, else TypeError (complex) or NumberRangeError (too big)."""
    refuse_complex(x, what)
    try:
        return float(x)
    except OverflowError:
        digits = len(str(abs(int(x)))) if isinstance(x, int) else None
        shown = f"an integer of {digits} digits" if digits and digits > 30 else repr(x)
        raise NumberRangeError(
            f"{what}: {shown} is too large for a float (float64 holds up to "
            f"±{sys.float_info.max:.3g})"
        ) from None
