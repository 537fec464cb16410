"""Errors raised by tinygrad_edu. Each subclasses the builtin a user would already catch."""

from __future__ import annotations


class ShapeError(ValueError):
    """Shapes do not fit an op (broadcasting, matmul, reshape, upstream gradient)."""


class BackwardError(RuntimeError):
    """backward() was called where it cannot run (non-scalar output, no grad required, ...)."""


class AnomalyError(FloatingPointError):
    """detect_anomaly() saw a NaN or Inf; the message names the op (and label) that made it."""


class GradcheckError(AssertionError):
    """Analytical and numerical gradients disagree; the message names the input and the element."""


class InputError(ValueError):
    """An op's input is outside what it accepts (class index out of range, bad option, ...)."""


class BadIndexError(ShapeError, InputError, IndexError):
    """An index outside its range (an element, an axis or dim, a class label) or an index array
    that holds neither integers nor booleans. An IndexError, as PyTorch and numpy raise; also
    the ShapeError / InputError these were before, so existing handlers keep catching them."""


class InputTypeError(InputError, TypeError):
    """An argument of the wrong type (an lr that is not a number, a seed that is neither an int
    nor a Generator, a non-float dtype). A TypeError, as PyTorch raises; also an InputError."""


class NumberRangeError(InputError, OverflowError):
    """A number outside float64's range (10**400); an OverflowError, as Python raises."""
