"""tinygrad_edu.visualize: Graphviz pictures of computation graphs.

draw / to_dot / render turn the graph behind any Value or Tensor into DOT text or an image
that shows the forward pass (values, ops) and, after backward(), the backward pass (∂C/∂z per
node, ∂z/∂w per edge). trace() lists both passes step by step. parse_expression() builds a
Value graph from a whitelisted arithmetic expression (the `tinygrad-edu graph` command).
"""

from ._dot import GraphSizeWarning, RenderInfo
from ._io import GraphvizNotFoundError, atomic_write, dot_available
from .drawing import Drawing, draw, render, to_dot
from .expr import ExpressionError, parse_expression
from .tracing import Trace, TraceStep, TraceTerm, trace

__all__ = [
    "Drawing",
    "ExpressionError",
    "GraphSizeWarning",
    "GraphvizNotFoundError",
    "RenderInfo",
    "Trace",
    "TraceStep",
    "TraceTerm",
    "atomic_write",
    "dot_available",
    "draw",
    "parse_expression",
    "render",
    "to_dot",
    "trace",
]
