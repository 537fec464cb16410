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
